"""USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH, and the hosted pages' sign-in: the
password checked against the stored SRP verifier, with lockout and masked unknown
users."""

from __future__ import annotations

from poolgate.core.auth import lockout, passwords, sign_in
from poolgate.core.auth.outcome import INCORRECT, AuthOutcome, param
from poolgate.core.context import Context
from poolgate.core.errors import NotAuthorizedException
from poolgate.core.records import AppClient, User, UserPool
from poolgate.core.users import lookup


async def password_auth(
    ctx: Context, pool: UserPool, client: AppClient, params: dict[str, str]
) -> AuthOutcome:
    name = param(params, "USERNAME")
    password = param(params, "PASSWORD")
    user = await sign_in.find_signing_in_user(ctx, pool, client, name, params.get("SECRET_HASH"))
    await check_password(ctx, pool, user, password)
    assert user is not None
    return await sign_in.after_password(
        ctx, pool, client, user, device_key=params.get("DEVICE_KEY")
    )


async def check_password(ctx: Context, pool: UserPool, user: User | None, password: str) -> None:
    if user is None:
        await passwords.burn_like_a_check(password)
        raise NotAuthorizedException(INCORRECT)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    lockout.check(user, ctx.clock())
    if not await passwords.password_matches(ctx.sealer, user, password):
        await sign_in.record_failure(ctx, pool, user)
        raise NotAuthorizedException(INCORRECT)


async def hosted_sign_in(
    ctx: Context, pool: UserPool, client: AppClient, name: str, password: str
) -> tuple[User, AuthOutcome]:
    """Sign-in from the hosted pages: the same checks, lockout and messages as the
    API, an unknown user always masked, and no tokens yet (the OAuth code exchange
    mints them). The outcome carries a NEW_PASSWORD_REQUIRED challenge when due."""
    user = await lookup.find_user(ctx, pool, name)
    await check_password(ctx, pool, user, password)
    assert user is not None
    return user, await sign_in.after_password(ctx, pool, client, user, mint=False)
