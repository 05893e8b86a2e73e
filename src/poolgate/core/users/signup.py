"""SignUp, ConfirmSignUp, ResendConfirmationCode and AdminConfirmSignUp (Amazon
Cognito developer guide, "Signing up and confirming user accounts")."""

from __future__ import annotations

from dataclasses import dataclass

from poolgate.core.audit import events
from poolgate.core.auth import passwords, sessions
from poolgate.core.auth.client_auth import (
    check_secret_hash,
    client_and_pool,
    prevents_existence_errors,
)
from poolgate.core.context import Context
from poolgate.core.errors import (
    AliasExistsException,
    InvalidParameterException,
    NotAuthorizedException,
    UsernameExistsException,
    UserNotFoundException,
)
from poolgate.core.messages import codes, delivery
from poolgate.core.mfa.pool_config import first_factors
from poolgate.core.records import User, UserPool
from poolgate.core.throttle import decoys, limits
from poolgate.core.triggers import custom_message
from poolgate.core.triggers import sign_up as sign_up_triggers
from poolgate.core.users import attributes, existence, lookup
from poolgate.store.base import Conflict, Store


@dataclass
class SignUpResult:
    user: User
    delivery: delivery.Destination | None


# The session ConfirmSignUp returns: USER_AUTH signs the user in with it once, the
# confirmation code standing for the first factor (InitiateAuth's Session member).
SIGNED_UP = "SIGN_UP_CONFIRMED"


def _exists_message(pool: UserPool, implied: dict[str, str]) -> str:
    if "email" in implied:
        return "An account with the given email already exists."
    if "phone_number" in implied:
        return "An account with the given phone_number already exists."
    return "User already exists"


@events.audited(events.SIGN_UP)
async def sign_up(
    ctx: Context,
    client_id: str,
    username: str,
    password: str | None,
    user_attributes: list[dict[str, str]] | None,
    secret_hash: str | None,
    *,
    validation_data: dict[str, str] | None = None,
    client_metadata: dict[str, str] | None = None,
) -> SignUpResult:
    """SignUp. Without a password (a passwordless user) only where the pool allows a
    passwordless first factor (EMAIL_OTP or SMS_OTP), as the API reference says. The
    pool's pre sign-up trigger may refuse, confirm or verify; its custom message
    trigger writes the code's message, before anything is stored."""
    client, pool = await client_and_pool(ctx, client_id)
    check_secret_hash(ctx, client, secret_hash, username)
    if pool.settings.get("AdminCreateUserConfig", {}).get("AllowAdminCreateUserOnly"):
        raise NotAuthorizedException("SignUp is not permitted for this user pool")
    stored_name, sub, implied = lookup.new_username(pool, username)
    given = attributes.parse(pool, user_attributes, client=client)
    for name, value in implied.items():
        if given.get(name, value) != value:
            raise InvalidParameterException(f"The {name} attribute must match the username.")
    values = {**given, **implied, "sub": sub}
    attributes.check_required(pool, values)
    if password:
        passwords.check_policy(pool, password)
    elif not set(first_factors(pool.settings)) & {"EMAIL_OTP", "SMS_OTP"}:
        raise InvalidParameterException(
            "A password is required: this user pool offers no passwordless sign-in."
        )
    for field in implied:
        # A user who signs in with an email or phone owns it from sign-up on.
        if await lookup.alias_owner(ctx, pool, field, implied[field], excluding=sub):
            raise UsernameExistsException(_exists_message(pool, implied))
    if await ctx.store.get_user(pool.id, lookup.key_of(pool, stored_name)) is not None:
        raise UsernameExistsException(_exists_message(pool, implied))
    answer = await sign_up_triggers.pre_sign_up(
        ctx, pool, sign_up_triggers.SIGN_UP, username=stored_name, attributes=values,
        client_id=client.id, validation_data=validation_data, client_metadata=client_metadata,
    )  # fmt: skip
    if answer.auto_verify_email:
        values["email_verified"] = "true"
    if answer.auto_verify_phone:
        values["phone_number_verified"] = "true"
    now = ctx.clock()
    user = lookup.index_keys(
        pool,
        User(
            pool_id=pool.id,
            username=stored_name,
            sub=sub,
            status=lookup.CONFIRMED if answer.auto_confirm else lookup.UNCONFIRMED,
            enabled=True,
            created=now,
            modified=now,
            attributes=values,
        ),
    )
    if password:
        user.credential_sealed = await passwords.seal_password(ctx.sealer, user, password)
    displaced = await _displaced_alias_owners(ctx, pool, user)
    destination = None if answer.auto_confirm else delivery.sign_up_destination(pool, user)
    code = message = None
    if destination is not None:
        await limits.count_code_send(ctx)
        code = codes.new_code()
        message = await delivery.code_message(
            ctx, pool, user, destination, code, codes.SIGN_UP,
            source=custom_message.SIGN_UP, client_id=client.id,
            client_metadata=client_metadata, display_username=username,
        )  # fmt: skip
    try:
        async with ctx.store.transaction() as tx:
            if destination is not None:
                codes.note_send(ctx, user, codes.SIGN_UP)
            await tx.create_user(user)
            if destination is not None and code is not None:
                await codes.store_code(ctx, tx, user, codes.SIGN_UP, destination.address, code)
            for owner in displaced:
                await tx.put_user(owner)
    except Conflict:
        raise UsernameExistsException(_exists_message(pool, implied)) from None
    events.identify(user)
    if message is not None:
        await delivery.send(ctx, message)
    return SignUpResult(user, destination)


async def _displaced_alias_owners(ctx: Context, pool: UserPool, user: User) -> list[User]:
    """A contact a pre sign-up trigger verified moves its alias to the new user: the
    user who had it keeps the value, unverified (developer guide, "Pre sign-up Lambda
    trigger")."""
    displaced = []
    for field in ("email", "phone_number"):
        value = user.attributes.get(field)
        if not value or user.attributes.get(f"{field}_verified") != "true":
            continue
        if field not in lookup.alias_attributes(pool):
            continue
        owner = await lookup.alias_owner(ctx, pool, field, value, excluding=user.sub)
        if owner is not None:
            owner.attributes[f"{field}_verified"] = "false"
            owner.modified = user.modified
            displaced.append(lookup.index_keys(pool, owner))
    return displaced


async def _confirm(
    ctx: Context, store: Store, pool: UserPool, user: User, force_alias: bool
) -> User:
    """Mark ``user`` confirmed and, if the code went to a contact, that contact
    verified; resolve alias collisions as Cognito does."""
    user.status = lookup.CONFIRMED
    user.modified = ctx.clock()
    for field in ("email", "phone_number"):
        if field not in (pool.settings.get("AutoVerifiedAttributes") or []):
            continue
        value = user.attributes.get(field)
        if not value:
            continue
        owner = await lookup.alias_owner(ctx, pool, field, value, excluding=user.sub)
        if owner is not None and field in lookup.alias_attributes(pool):
            if not force_alias:
                raise AliasExistsException(f"An account with the {field} already exists.")
            owner.attributes[f"{field}_verified"] = "false"
            owner.modified = user.modified
            await store.put_user(lookup.index_keys(pool, owner))
        user.attributes[f"{field}_verified"] = "true"
    return user


@events.audited(events.CONFIRM_SIGN_UP)
async def confirm_sign_up(
    ctx: Context,
    client_id: str,
    username: str,
    code: str,
    secret_hash: str | None,
    force_alias_creation: bool,
    *,
    client_metadata: dict[str, str] | None = None,
) -> str | None:
    """ConfirmSignUp; returns the Session that signs the user in at once with USER_AUTH
    (``core.auth.user_auth``), or None when the client could not use one. The pool's
    post confirmation trigger runs once the user is confirmed; the confirmation stands
    even when it fails, as in Cognito."""
    client, pool = await client_and_pool(ctx, client_id)
    user = await lookup.find_user(ctx, pool, username)
    events.identify(user)
    check_secret_hash(ctx, client, secret_hash, username, *([user.username] if user else []))
    prevent = prevents_existence_errors(client)
    if user is None or (prevent and user.status != lookup.UNCONFIRMED):
        if prevent:
            # "Account confirmation ... return[s] a response indicating a code was
            # sent to a simulated destination": a wrong code, as for a real user; and
            # the same for a user with nothing left to confirm, who would otherwise
            # tell an existing account apart. Wrong guesses are limited as a user's.
            await decoys.wrong_code(ctx, pool, username, codes.SIGN_UP)
        raise UserNotFoundException("Username/client id combination not found.")
    if user.status != lookup.UNCONFIRMED:
        raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status}")
    error: Exception | None = None
    confirmed: User | None = None
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        if current is None or current.status != lookup.UNCONFIRMED:
            raise NotAuthorizedException("User cannot be confirmed.")
        verdict = await codes.check(ctx, tx, current, codes.SIGN_UP, code)
        if verdict.ok:
            confirmed = await _confirm(ctx, tx, pool, current, force_alias_creation)
            await tx.put_user(lookup.index_keys(pool, confirmed))
        else:
            error = verdict.error
    if error is not None:
        raise codes.masked(error) if prevent else error
    assert confirmed is not None
    await sign_up_triggers.post_confirmation(
        ctx, pool, sign_up_triggers.CONFIRM_SIGN_UP, confirmed, client_id=client.id,
        client_metadata=client_metadata,
    )  # fmt: skip
    return sessions.seal(
        ctx, {"challenge": SIGNED_UP, "client": client.id, "sub": user.sub},
        int(client.settings.get("AuthSessionValidity") or 3),
    )  # fmt: skip


_NO_AUTO_VERIFICATION = "Auto verification not turned on or no verifiable attribute for the user."


@events.audited(events.RESEND_CODE)
async def resend_confirmation_code(
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
    prevent = prevents_existence_errors(client)
    if prevent and not pool.settings.get("AutoVerifiedAttributes"):
        raise InvalidParameterException(_NO_AUTO_VERIFICATION)
    destination = delivery.sign_up_destination(pool, user) if user is not None else None
    if user is None or (prevent and (user.status != lookup.UNCONFIRMED or destination is None)):
        if not prevent:
            raise UserNotFoundException("Username/client id combination not found.")
        # Whoever the name is (nobody, a confirmed user), the answer and the writes
        # are those of a code sent to an unconfirmed user.
        await limits.count_code_send(ctx)
        await decoys.note_send(ctx, pool, username, codes.SIGN_UP)
        return existence.simulated_destination(ctx, pool, username)
    if user.status != lookup.UNCONFIRMED:
        raise InvalidParameterException("User is already confirmed.")
    if destination is None:
        raise InvalidParameterException(_NO_AUTO_VERIFICATION)
    await limits.count_code_send(ctx)
    code = codes.new_code()
    message = await delivery.code_message(
        ctx, pool, user, destination, code, codes.SIGN_UP, source=custom_message.RESEND_CODE,
        client_id=client.id, client_metadata=client_metadata, display_username=username,
    )  # fmt: skip
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        if current is None:
            raise UserNotFoundException("Username/client id combination not found.")
        codes.note_send(ctx, current, codes.SIGN_UP)
        await tx.put_user(current)
        await codes.store_code(ctx, tx, current, codes.SIGN_UP, destination.address, code)
    await delivery.send(ctx, message)
    return destination


async def admin_confirm_sign_up(
    ctx: Context,
    pool: UserPool,
    username: str,
    *,
    client_metadata: dict[str, str] | None = None,
) -> None:
    user = await lookup.require_user(ctx, pool, username)
    if user.status != lookup.UNCONFIRMED:
        raise NotAuthorizedException(f"User cannot be confirmed. Current status is {user.status}")
    async with ctx.store.transaction() as tx:
        user.status = lookup.CONFIRMED
        user.modified = ctx.clock()
        await tx.put_user(user)
        await tx.delete_code(pool.id, user.sub, codes.SIGN_UP)
    await sign_up_triggers.post_confirmation(
        ctx, pool, sign_up_triggers.CONFIRM_SIGN_UP, user, client_id=None,
        client_metadata=client_metadata,
    )  # fmt: skip
