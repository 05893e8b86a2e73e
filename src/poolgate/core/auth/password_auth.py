"""USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH, and the hosted pages' sign-in: the
password checked against the stored SRP verifier, with lockout and masked unknown
users. A name that matches no user may still be migrated from an old directory by the
pool's migrate user trigger, since these flows know the password."""

from __future__ import annotations

from poolgate.core.auth import attempts, lockout, passwords, sign_in
from poolgate.core.auth.client_auth import prevents_existence_errors
from poolgate.core.auth.outcome import INCORRECT, AuthOutcome, param
from poolgate.core.context import Context
from poolgate.core.errors import (
    CognitoError,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotFoundException,
)
from poolgate.core.records import AppClient, User, UserPool
from poolgate.core.throttle import decoys
from poolgate.core.triggers import authentication, migration, request_scope
from poolgate.core.users import lookup
from poolgate.core.users.migration import migrated_user


async def password_auth(
    ctx: Context, pool: UserPool, client: AppClient, params: dict[str, str]
) -> AuthOutcome:
    name = param(params, "USERNAME")
    password = param(params, "PASSWORD")
    user = await sign_in.find_signing_in_user(
        ctx, pool, client, name, params.get("SECRET_HASH"), allow_missing=True
    )
    if user is None:
        user = await migrated_user(
            ctx, pool, client, migration.AUTHENTICATION, name, password=password,
            validation_data=request_scope.validation_data(), client_metadata=None,
        )  # fmt: skip
        attempts.identify(user)
        _reset_if_required(user)
    if user is None and not prevents_existence_errors(client):
        raise UserNotFoundException("User does not exist.")
    await check_password(ctx, pool, user, password, name=name, client=client)
    assert user is not None
    return await sign_in.after_password(
        ctx, pool, client, user, device_key=params.get("DEVICE_KEY")
    )


async def check_password(
    ctx: Context,
    pool: UserPool,
    user: User | None,
    password: str,
    *,
    name: str,
    client: AppClient,
) -> None:
    """The password against the user's verifier, with lockout. An unknown ``name`` does
    the same work (a decoy verifier, a lockout of its own, one store write per failure)
    and gets the same answers; a disabled user hears so only after the right password
    (PreventUserExistenceErrors: "User is disabled." must not tell a guesser anything).
    The pool's pre authentication trigger runs for an existing user before the check."""
    if user is None:
        await decoys.check_lockout(ctx, pool, name)
        await passwords.decoy_check(ctx.sealer, pool, name, password)
        await decoys.record_failure(ctx, pool, name)
        raise NotAuthorizedException(INCORRECT)
    lockout.check(user, ctx.clock())
    await authentication.pre_authentication(
        ctx, pool, user, client_id=client.id, validation_data=request_scope.validation_data()
    )
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
            if user is None:
                user = await _migrated_quietly(ctx, pool, client, name, password)
                attempts.identify(user)
                _reset_if_required(user)
            attempts.identify(user)
            await check_password(ctx, pool, user, password, name=name, client=client)
            assert user is not None
            outcome = await sign_in.after_password(ctx, pool, client, user, mint=False)
            # No tokens here (the code exchange mints them), yet the sign-in is complete.
            current.outcome, current.signed_in = outcome, outcome.challenge_name is None
    except CognitoError as error:
        ctx.metrics.sign_in("HOSTED_UI", error.code)
        raise
    ctx.metrics.sign_in("HOSTED_UI", "challenge" if outcome.challenge_name else "code")
    return user, outcome


def _reset_if_required(migrated: User | None) -> None:
    """A user just migrated with ``finalUserStatus`` RESET_REQUIRED has no password in
    the pool (the function vouched for the one typed, and asked for a new one): the
    sign-in ends as any RESET_REQUIRED user's does once the password is proven."""
    if migrated is not None and migrated.status == lookup.RESET_REQUIRED:
        raise PasswordResetRequiredException("Password reset required for the user")


async def _migrated_quietly(
    ctx: Context, pool: UserPool, client: AppClient, name: str, password: str
) -> User | None:
    """The hosted page masks an unknown user whatever the client says: a migration the
    function refuses reads as a wrong password."""
    try:
        return await migrated_user(
            ctx, pool, client, migration.AUTHENTICATION, name, password=password,
            validation_data=None, client_metadata=None,
        )  # fmt: skip
    except UserNotFoundException:
        return None
