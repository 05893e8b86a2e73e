"""ForgotPassword and ConfirmForgotPassword (Cognito developer guide, "Recovering
user accounts"): a code to the verified contact the pool's AccountRecoverySetting
prefers, then a new password with that code."""

from __future__ import annotations

from poolgate.core.audit import events
from poolgate.core.auth import lockout, passwords
from poolgate.core.auth.client_auth import (
    check_secret_hash,
    client_and_pool,
    prevents_existence_errors,
)
from poolgate.core.context import Context
from poolgate.core.errors import (
    NotAuthorizedException,
    UserNotFoundException,
)
from poolgate.core.messages import codes, delivery
from poolgate.core.throttle import decoys, limits
from poolgate.core.triggers import custom_message, migration
from poolgate.core.triggers import sign_up as sign_up_triggers
from poolgate.core.users import admin_users, existence, lookup
from poolgate.core.users.migration import migrated_user


@events.audited(events.FORGOT_PASSWORD, success=events.IN_PROGRESS)
async def forgot_password(
    ctx: Context,
    client_id: str,
    username: str,
    secret_hash: str | None,
    *,
    client_metadata: dict[str, str] | None = None,
) -> delivery.Destination:
    client, pool = await client_and_pool(ctx, client_id)
    user = await lookup.find_user(ctx, pool, username)
    events.identify(user)
    check_secret_hash(ctx, client, secret_hash, username, *([user.username] if user else []))
    if user is None:
        user = await migrated_user(
            ctx, pool, client, migration.FORGOT_PASSWORD, username, password=None,
            validation_data=None, client_metadata=client_metadata,
        )  # fmt: skip
    prevent = prevents_existence_errors(client)
    destination = admin_users.recovery_destination(pool, user) if user is not None else None
    if user is None or (prevent and (not user.enabled or destination is None)):
        if not prevent:
            raise UserNotFoundException("Username/client id combination not found.")
        # Nobody, a disabled user, a user without a verified contact: all answered as
        # a code sent, with the writes of one (PreventUserExistenceErrors).
        await limits.count_code_send(ctx)
        await decoys.note_send(ctx, pool, username, codes.FORGOT_PASSWORD)
        return existence.simulated_destination(ctx, pool, username, recovery=True)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    destination = admin_users.check_recoverable(pool, user)
    await limits.count_code_send(ctx)
    code = codes.new_code()
    message = await delivery.code_message(
        ctx, pool, user, destination, code, codes.FORGOT_PASSWORD,
        source=custom_message.FORGOT_PASSWORD, client_id=client.id,
        client_metadata=client_metadata, display_username=username,
    )  # fmt: skip
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        if current is None:
            raise UserNotFoundException("Username/client id combination not found.")
        codes.note_send(ctx, current, codes.FORGOT_PASSWORD)
        await tx.put_user(current)
        await codes.store_code(ctx, tx, current, codes.FORGOT_PASSWORD, destination.address, code)
    await delivery.send(ctx, message)
    return destination


@events.audited(events.FORGOT_PASSWORD)
async def confirm_forgot_password(
    ctx: Context,
    client_id: str,
    username: str,
    code: str,
    password: str,
    secret_hash: str | None,
    *,
    client_metadata: dict[str, str] | None = None,
) -> None:
    client, pool = await client_and_pool(ctx, client_id)
    user = await lookup.find_user(ctx, pool, username)
    events.identify(user)
    check_secret_hash(ctx, client, secret_hash, username, *([user.username] if user else []))
    prevent = prevents_existence_errors(client)
    if user is None and not prevent:
        raise UserNotFoundException("Username/client id combination not found.")
    passwords.check_policy(pool, password)
    if user is None:
        # A wrong code, counted as a user's guesses are (five, then the limit).
        await decoys.wrong_code(ctx, pool, username, codes.FORGOT_PASSWORD)
        raise AssertionError("unreachable")
    await passwords.check_history(ctx.sealer, pool, user, password)
    error: Exception | None = None
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        if current is None:
            raise UserNotFoundException("Username/client id combination not found.")
        verdict = await codes.check(ctx, tx, current, codes.FORGOT_PASSWORD, code)
        if verdict.ok:
            await passwords.set_password(ctx.sealer, pool, current, password)
            # A reset password is a chosen one: the account is usable again.
            current.status = lookup.CONFIRMED
            current.state.pop("temporary_password_expires", None)
            lockout.record_success(current)
            current.modified = ctx.clock()
            await tx.put_user(current)
        else:
            error = verdict.error
    if error is not None:
        raise codes.masked(error) if prevent else error
    await sign_up_triggers.post_confirmation(
        ctx, pool, sign_up_triggers.CONFIRM_FORGOT_PASSWORD, current, client_id=client.id,
        client_metadata=client_metadata,
    )  # fmt: skip
