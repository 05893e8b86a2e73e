"""The end of every sign-in: all factors are proven, tokens are minted (or, for the
hosted pages, whose OAuth code exchange mints later, an empty outcome says so)."""

from __future__ import annotations

from poolgate.core.auth import tokens
from poolgate.core.auth.outcome import AuthOutcome
from poolgate.core.context import Context
from poolgate.core.records import AppClient, User, UserPool


async def signed_in(
    ctx: Context, pool: UserPool, client: AppClient, user: User, *, mint: bool = True
) -> AuthOutcome:
    if not mint:
        return AuthOutcome()
    minted = await tokens.mint(ctx, pool, client, user, auth_time=int(ctx.clock()))
    return AuthOutcome(tokens=minted)
