"""Passkeys (WebAuthn). Placeholder until the ceremonies land: nobody has one."""

from __future__ import annotations

from poolgate.core.auth.outcome import AuthOutcome
from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException
from poolgate.core.records import AppClient, User, UserPool


async def has_credentials(ctx: Context, pool: UserPool, user: User) -> bool:
    return bool(await ctx.store.list_webauthn_credentials(pool.id, user.sub))


async def sign_in_challenge(
    ctx: Context, pool: UserPool, client: AppClient, user: User | None, *, credential: str | None
) -> AuthOutcome:
    raise InvalidParameterException("WEB_AUTHN is not supported by Poolgate yet.")
