"""What a user still owes once the first factor is proven: nothing, or a challenge
(Amazon Cognito developer guide, "Adding MFA to a user pool"; API reference,
SetUserMFAPreference and RespondToAuthChallenge MFA_SETUP).

- MfaConfiguration OFF: nothing.
- The factors that count are those both the pool offers and the user turned on (and
  that can reach the user). The preferred one is asked for; a single one is asked
  for; several without a preference answer SELECT_MFA_TYPE.
- OPTIONAL and no factor on: nothing.
- ON and no factor on: SMS (or email) when the pool offers it and the user has a
  phone number (an email address), as Cognito does; otherwise MFA_SETUP with the
  pool's factors in MFAS_CAN_SETUP. Tokens never come before a factor.

Called by ``core.auth.sign_in.finish`` on every sign-in path, and meant for any flow
that proves a first factor its own way (CUSTOM_AUTH calls ``second_step`` too).
"""

from __future__ import annotations

from poolgate.core.auth.outcome import AuthOutcome
from poolgate.core.context import Context
from poolgate.core.errors import InvalidUserPoolConfigurationException
from poolgate.core.mfa import challenges, pool_config, user_factors
from poolgate.core.mfa.pool_config import EMAIL_OTP, OFF, ON, SMS_MFA
from poolgate.core.records import AppClient, User, UserPool


async def second_step(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    user: User,
    *,
    device_key: str | None = None,
    used: str | None = None,
) -> AuthOutcome | None:
    """None when the user owes nothing more; otherwise the challenge to answer.
    ``used``: the factor that already proved the first factor (a USER_AUTH code)."""
    mode = pool_config.mfa_mode(pool.settings)
    if mode == OFF:
        return None
    offered = pool_config.pool_factors(pool.settings)
    if not offered:
        # Only a database written by hand or by an older server holds this: refuse.
        raise InvalidUserPoolConfigurationException(
            "The user pool requires multi-factor authentication but offers no factor.",
            detail=f"pool {pool.id} has MfaConfiguration {mode} and no MFA factor",
        )
    usable = [
        factor
        for factor in user_factors.enabled(user)
        if factor in offered and user_factors.deliverable(user, factor) and factor != used
    ]
    if not usable and mode == ON:
        usable = [
            factor
            for factor in (SMS_MFA, EMAIL_OTP)
            if factor in offered and user_factors.deliverable(user, factor)
        ][:1]
        if not usable:
            return challenges.setup(ctx, client, user, offered, device=device_key)
    if not usable:
        return None
    preferred = user_factors.preferred(user)
    if preferred in usable:
        return await challenges.present(ctx, pool, client, user, str(preferred), device=device_key)
    if len(usable) == 1:
        return await challenges.present(ctx, pool, client, user, usable[0], device=device_key)
    return challenges.select(ctx, client, user, usable, device=device_key)
