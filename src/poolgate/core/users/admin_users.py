"""Users managed by an administrator: AdminCreateUser, AdminSetUserPassword,
AdminGetUser, AdminDeleteUser, AdminDisableUser, AdminEnableUser,
AdminResetUserPassword."""

from __future__ import annotations

from poolgate.core.auth import passwords
from poolgate.core.context import Context
from poolgate.core.errors import (
    AliasExistsException,
    InvalidParameterException,
    NotAuthorizedException,
    UnsupportedUserStateException,
    UsernameExistsException,
)
from poolgate.core.messages import codes, delivery
from poolgate.core.records import User, UserPool
from poolgate.core.triggers import custom_message
from poolgate.core.triggers import sign_up as sign_up_triggers
from poolgate.core.users import attributes, lookup
from poolgate.store.base import Conflict


def _temporary_expiry(ctx: Context, pool: UserPool) -> float:
    days = pool.settings["Policies"]["PasswordPolicy"].get("TemporaryPasswordValidityDays") or 7
    return ctx.clock() + days * 86400


async def admin_create_user(
    ctx: Context,
    pool: UserPool,
    username: str,
    user_attributes: list[dict[str, str]] | None,
    temporary_password: str | None,
    message_action: str | None,
    desired_mediums: list[str] | None,
    force_alias_creation: bool,
    *,
    validation_data: dict[str, str] | None = None,
    client_metadata: dict[str, str] | None = None,
) -> User:
    if message_action == "RESEND":
        return await _resend_invitation(
            ctx, pool, username, temporary_password, desired_mediums, client_metadata
        )
    stored_name, sub, implied = lookup.new_username(pool, username)
    given = attributes.parse(pool, user_attributes, admin=True)
    values = {**given, **implied, "sub": sub}
    attributes.check_required(pool, values)
    password = temporary_password or passwords.temporary_password(pool)
    passwords.check_policy(pool, password)
    now = ctx.clock()
    user = lookup.index_keys(
        pool,
        User(
            pool_id=pool.id,
            username=stored_name,
            sub=sub,
            status=lookup.FORCE_CHANGE_PASSWORD,
            enabled=True,
            created=now,
            modified=now,
            attributes=values,
            state={"temporary_password_expires": _temporary_expiry(ctx, pool)},
        ),
    )
    if await ctx.store.get_user(pool.id, user.username_key) is not None:
        raise UsernameExistsException("User account already exists")
    displaced: list[User] = []
    for field in ("email", "phone_number"):
        value = values.get(field)
        if not value:
            continue
        owner = await lookup.alias_owner(ctx, pool, field, value, excluding=sub)
        if owner is None:
            continue
        if field in lookup.username_attributes(pool):
            raise UsernameExistsException("User account already exists")
        if values.get(f"{field}_verified") == "true":
            if not force_alias_creation:
                raise AliasExistsException(f"An account with the {field} already exists.")
            owner.attributes[f"{field}_verified"] = "false"
            displaced.append(lookup.index_keys(pool, owner))
    destinations = (
        []
        if message_action == "SUPPRESS"
        else delivery.invitation_destinations(user, desired_mediums)
    )
    # Its response is ignored for AdminCreateUser; an error still refuses the user.
    await sign_up_triggers.pre_sign_up(
        ctx, pool, sign_up_triggers.ADMIN_CREATE_USER, username=stored_name,
        attributes=values, client_id=None, validation_data=validation_data,
        client_metadata=client_metadata,
    )  # fmt: skip
    messages = [
        await delivery.invitation_message(
            ctx, pool, user, destination, password, username, client_metadata=client_metadata
        )
        for destination in destinations
    ]
    user.credential_sealed = await passwords.seal_password(ctx.sealer, user, password)
    try:
        async with ctx.store.transaction() as tx:
            await tx.create_user(user)
            for owner in displaced:
                await tx.put_user(owner)
    except Conflict:
        raise UsernameExistsException("User account already exists") from None
    for message in messages:
        await delivery.send(ctx, message)
    return user


async def _resend_invitation(
    ctx: Context,
    pool: UserPool,
    username: str,
    temporary_password: str | None,
    desired_mediums: list[str] | None,
    client_metadata: dict[str, str] | None,
) -> User:
    user = await lookup.require_user(ctx, pool, username)
    if user.status != lookup.FORCE_CHANGE_PASSWORD:
        raise UnsupportedUserStateException(
            f"Resend not possible. {user.username} status is not FORCE_CHANGE_PASSWORD."
        )
    password = temporary_password or passwords.temporary_password(pool)
    passwords.check_policy(pool, password)
    destinations = delivery.invitation_destinations(user, desired_mediums)
    messages = [
        await delivery.invitation_message(
            ctx, pool, user, destination, password, username, client_metadata=client_metadata
        )
        for destination in destinations
    ]
    user.credential_sealed = await passwords.seal_password(ctx.sealer, user, password)
    user.state["temporary_password_expires"] = _temporary_expiry(ctx, pool)
    user.modified = ctx.clock()
    await ctx.store.put_user(user)
    for message in messages:
        await delivery.send(ctx, message)
    return user


async def admin_set_user_password(
    ctx: Context, pool: UserPool, username: str, password: str, permanent: bool
) -> None:
    user = await lookup.require_user(ctx, pool, username)
    passwords.check_policy(pool, password)
    await passwords.set_password(ctx.sealer, pool, user, password)
    user.modified = ctx.clock()
    user.state.pop("lockout", None)
    if permanent:
        user.status = lookup.CONFIRMED
        user.state.pop("temporary_password_expires", None)
    else:
        user.status = lookup.FORCE_CHANGE_PASSWORD
        user.state["temporary_password_expires"] = _temporary_expiry(ctx, pool)
    await ctx.store.put_user(user)


async def set_enabled(ctx: Context, pool: UserPool, username: str, enabled: bool) -> None:
    user = await lookup.require_user(ctx, pool, username)
    async with ctx.store.transaction() as tx:
        user.enabled = enabled
        user.modified = ctx.clock()
        await tx.put_user(user)
        if not enabled:
            # A disabled user's sessions end, as with Cognito.
            await tx.revoke_user_tokens(pool.id, user.sub, ctx.clock())


async def admin_delete_user(ctx: Context, pool: UserPool, username: str) -> None:
    user = await lookup.require_user(ctx, pool, username)
    await ctx.store.delete_user(pool.id, user.sub)


async def admin_reset_user_password(
    ctx: Context,
    pool: UserPool,
    username: str,
    *,
    client_metadata: dict[str, str] | None = None,
) -> None:
    """The user must choose a new password with a code sent to a verified contact
    (ConfirmForgotPassword); until then sign-in answers PasswordResetRequired."""
    user = await lookup.require_user(ctx, pool, username)
    destination = recovery_destination(pool, user)
    if user.status == lookup.UNCONFIRMED:
        raise NotAuthorizedException("User password cannot be reset in the current state.")
    code = message = None
    if destination is not None:
        code = codes.new_code()
        message = await delivery.code_message(
            ctx, pool, user, destination, code, codes.FORGOT_PASSWORD,
            source=custom_message.FORGOT_PASSWORD, client_metadata=client_metadata,
        )  # fmt: skip
    async with ctx.store.transaction() as tx:
        user.status = lookup.RESET_REQUIRED
        user.modified = ctx.clock()
        if destination is not None and code is not None:
            codes.note_send(ctx, user, codes.FORGOT_PASSWORD)
            await codes.store_code(ctx, tx, user, codes.FORGOT_PASSWORD, destination.address, code)
        await tx.put_user(user)
        await tx.revoke_user_tokens(pool.id, user.sub, ctx.clock())
    if message is not None:
        await delivery.send(ctx, message)


def recovery_destination(pool: UserPool, user: User) -> delivery.Destination | None:
    """The verified contact account recovery uses, in the pool's priority order
    (AccountRecoverySetting; without it, Cognito's legacy order prefers SMS)."""
    setting = pool.settings.get("AccountRecoverySetting") or {}
    mechanisms = sorted(setting.get("RecoveryMechanisms") or [], key=lambda m: m["Priority"])
    order = [m["Name"] for m in mechanisms] or ["verified_phone_number", "verified_email"]
    for name in order:
        attribute = {"verified_email": "email", "verified_phone_number": "phone_number"}.get(name)
        if attribute and user.attributes.get(f"{attribute}_verified") == "true":
            return delivery.attribute_destination(user, attribute)
    return None


def check_recoverable(pool: UserPool, user: User) -> delivery.Destination:
    destination = recovery_destination(pool, user)
    if destination is None:
        raise InvalidParameterException(
            "Cannot reset password for the user as there is no registered/verified email "
            "or phone_number"
        )
    return destination
