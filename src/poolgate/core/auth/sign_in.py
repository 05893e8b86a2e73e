"""What every sign-in flow shares: finding the user who signs in, counting a failed
attempt, and what follows a proven password (the user's status decides: an error, the
NEW_PASSWORD_REQUIRED challenge, or ``finish``: the second factor the user still owes
(``core.mfa``), or tokens)."""

from __future__ import annotations

import orjson

from poolgate.core.auth import attempts, lockout, sessions
from poolgate.core.auth.client_auth import check_secret_hash, prevents_existence_errors
from poolgate.core.auth.outcome import NEW_PASSWORD_REQUIRED, AuthOutcome
from poolgate.core.auth.signed_in import signed_in
from poolgate.core.context import Context
from poolgate.core.errors import (
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
    UserNotFoundException,
)
from poolgate.core.mfa import device_auth, owed
from poolgate.core.records import AppClient, User, UserPool
from poolgate.core.users import lookup


async def find_signing_in_user(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    name: str,
    secret_hash: str | None,
    *,
    allow_missing: bool = False,
) -> User | None:
    """The user ``name`` signs in as; None for an unknown name when the client prevents
    user existence errors (or ``allow_missing``: the caller may migrate the user)."""
    user = await lookup.find_user(ctx, pool, name)
    attempts.identify(user)
    check_secret_hash(ctx, client, secret_hash, name, *([user.username] if user else []))
    if user is None and not allow_missing and not prevents_existence_errors(client):
        raise UserNotFoundException("User does not exist.")
    return user


async def record_failure(ctx: Context, pool: UserPool, user: User) -> None:
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        if current is not None:
            now = ctx.clock()
            was_locked = lockout.locked(current, now)
            lockout.record_failure(current, now)
            await tx.put_user(current)
    if current is not None and not was_locked and lockout.locked(current, now):
        ctx.metrics.lockout()


async def after_password(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    user: User,
    *,
    mint: bool = True,
    device_key: str | None = None,
) -> AuthOutcome:
    """The password was right: the user's status decides what happens next."""
    if lockout.record_success(user):
        await ctx.store.put_user(user)
    if user.status == lookup.UNCONFIRMED:
        raise UserNotConfirmedException("User is not confirmed.")
    if user.status == lookup.RESET_REQUIRED:
        raise PasswordResetRequiredException("Password reset required for the user")
    if user.status == lookup.FORCE_CHANGE_PASSWORD:
        if user.state.get("temporary_password_expires", float("inf")) < ctx.clock():
            raise NotAuthorizedException(
                "Temporary password has expired and must be reset by an administrator."
            )
        return new_password_challenge(ctx, pool, client, user)
    return await finish(ctx, pool, client, user, mint=mint, device_key=device_key)


async def finish(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    user: User,
    *,
    mint: bool = True,
    device_key: str | None = None,
) -> AuthOutcome:
    """The first factor is proven and the user may sign in: the challenge of a second
    factor still owed (``core.mfa.owed``), or tokens. With ``mint=False`` (the hosted
    pages, whose OAuth code exchange mints later) an empty outcome means "signed in".
    Every path that ends a sign-in comes through here, so none can skip MFA.
    ``device_key`` (DEVICE_KEY): a confirmed device answers DEVICE_SRP_AUTH first."""
    if mint and device_key:
        device_step = await device_auth.challenge(ctx, pool, client, user, device_key)
        if device_step is not None:
            return device_step
    challenge = await owed.second_step(ctx, pool, client, user, device_key=device_key)
    if challenge is not None:
        return challenge
    return await signed_in(ctx, pool, client, user, mint=mint, device_key=device_key)


def new_password_challenge(
    ctx: Context, pool: UserPool, client: AppClient, user: User
) -> AuthOutcome:
    shown = {k: v for k, v in user.attributes.items() if k != "sub" and not k.startswith("dev:")}
    required = [
        f"userAttributes.{a['Name']}"
        for a in pool.settings["SchemaAttributes"]
        if a.get("Required") and a["Name"] != "sub" and not user.attributes.get(a["Name"])
    ]
    session = sessions.seal(
        ctx,
        {"challenge": NEW_PASSWORD_REQUIRED, "client": client.id, "sub": user.sub},
        client.settings.get("AuthSessionValidity") or 3,
    )
    return AuthOutcome(
        challenge_name=NEW_PASSWORD_REQUIRED,
        challenge_parameters={
            "USER_ID_FOR_SRP": user.username,
            "requiredAttributes": orjson.dumps(required).decode(),
            "userAttributes": orjson.dumps(shown).decode(),
        },
        session=session,
    )
