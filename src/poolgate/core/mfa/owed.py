"""What a user still owes once the first factor is proven: nothing, or a challenge.

Called by ``core.auth.sign_in.finish`` on every sign-in path before tokens are
minted. It fails closed: a pool whose stored configuration asks for a factor this
server cannot check refuses the sign-in instead of skipping the factor.
"""

from __future__ import annotations

from poolgate.core.auth.outcome import AuthOutcome
from poolgate.core.context import Context
from poolgate.core.errors import InvalidUserPoolConfigurationException
from poolgate.core.mfa import pool_config
from poolgate.core.records import AppClient, User, UserPool


async def second_step(
    ctx: Context, pool: UserPool, client: AppClient, user: User
) -> AuthOutcome | None:
    """None when the user owes nothing more; otherwise the challenge to answer."""
    if pool_config.mfa_mode(pool.settings) != pool_config.OFF:
        raise InvalidUserPoolConfigurationException(
            "The user pool requires multi-factor authentication, which this server "
            "cannot perform for it.",
            detail=f"pool {pool.id} has MfaConfiguration {pool.settings.get('MfaConfiguration')}",
        )
    return None
