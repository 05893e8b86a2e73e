"""USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH, and the hosted pages' sign-in: the
password checked against the stored SRP verifier, with lockout and masked unknown
users."""

from __future__ import annotations

from poolgate.core.auth import attempts, lockout, passwords, sign_in
from poolgate.core.auth.outcome import INCORRECT, AuthOutcome, param
from poolgate.core.context import Context
from poolgate.core.errors import CognitoError, NotAuthorizedException
from poolgate.core.records import AppClient, User, UserPool
from poolgate.core.throttle import decoys
from poolgate.core.users import lookup


async def password_auth(
    ctx: Context, pool: UserPool, client: AppClient, params: dict[str, str]
) -> AuthOutcome:
    name = param(params, "USERNAME")
    password = param(params, "PASSWORD")
    user = await sign_in.find_signing_in_user(ctx, pool, client, name, params.get("SECRET_HASH"))
    await check_password(ctx, pool, user, password, name=name)
    assert user is not None
    return await sign_in.after_password(
        ctx, pool, client, user, device_key=params.get("DEVICE_KEY")
    )


async def check_password(
    ctx: Context, pool: UserPool, user: User | None, password: str, *, name: str
) -> None:
    """The password against the user's verifier, with lockout. An unknown ``name`` does
    the same work (a decoy verifier, a lockout of its own, one store write per failure)
    and gets the same answers; a disabled user hears so only after the right password
    (PreventUserExistenceErrors: "User is disabled." must not tell a guesser anything)."""
    if user is None:
        await decoys.check_lockout(ctx, pool, name)
        await passwords.decoy_check(ctx.sealer, pool, name, password)
        await decoys.record_failure(ctx, pool, name)
        raise NotAuthorizedException(INCORRECT)
    lockout.check(user, ctx.clock())
    if not await passwords.password_matches(ctx.sealer, user, password):
        await sign_in.record_failure(ctx, pool, user)
        raise NotAuthorizedException(INCORRECT)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")


async def hosted_sign_in(
    ctx: Context, pool: UserPool, client: AppClient, name: str, password: str
) -> tuple[User, AuthOutcome]:
    """Sign-in from the hosted pages: the same checks, lockout and messages as the
    API, an unknown user always masked, and no tokens yet (the OAuth code exchange
    mints them). The outcome carries a NEW_PASSWORD_REQUIRED challenge when due."""
    try:
        async with attempts.attempt(
            ctx, pool_id=pool.id, client_id=client.id, step="HOSTED_UI", username=name
        ) as current:
            user = await lookup.find_user(ctx, pool, name)
            attempts.identify(user)
            await check_password(ctx, pool, user, password, name=name)
            assert user is not None
            outcome = await sign_in.after_password(ctx, pool, client, user, mint=False)
            # No tokens here (the code exchange mints them), yet the sign-in is complete.
            current.outcome, current.signed_in = outcome, outcome.challenge_name is None
    except CognitoError as error:
        ctx.metrics.sign_in("HOSTED_UI", error.code)
        raise
    ctx.metrics.sign_in("HOSTED_UI", "challenge" if outcome.challenge_name else "code")
    return user, outcome
