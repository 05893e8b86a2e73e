"""Changing a user's attributes, by the user (UpdateUserAttributes, DeleteUserAttributes,
VerifyUserAttribute) or an administrator (AdminUpdateUserAttributes,
AdminDeleteUserAttributes).

A changed email or phone number becomes unverified and, when the pool auto-verifies
it, a code goes to the new address. With AttributesRequireVerificationBeforeUpdate the
old value stays (and keeps working for sign-in) until the new one is verified
(Cognito developer guide, "Verifying updates to email addresses and phone numbers").
"""

from __future__ import annotations

from poolgate.core.context import Context
from poolgate.core.errors import (
    AliasExistsException,
    InvalidParameterException,
    NotAuthorizedException,
)
from poolgate.core.messages import codes, delivery
from poolgate.core.messages.delivery import Destination
from poolgate.core.records import AppClient, Message, User, UserPool
from poolgate.core.throttle import limits
from poolgate.core.triggers import custom_message
from poolgate.core.users import attributes, lookup

CONTACTS = ("email", "phone_number")


def _auto_verified(pool: UserPool) -> list[str]:
    return list(pool.settings.get("AutoVerifiedAttributes") or [])


def _held_until_verified(pool: UserPool) -> list[str]:
    setting = pool.settings.get("UserAttributeUpdateSettings") or {}
    return list(setting.get("AttributesRequireVerificationBeforeUpdate") or [])


def _check_mutable(pool: UserPool, names: list[str]) -> None:
    schema = attributes.schema_of(pool)
    for name in names:
        definition = schema.get(name)
        if definition is not None and not definition.get("Mutable", True):
            raise InvalidParameterException(
                f"Attributes did not conform to the schema: {name}: Attribute cannot be updated. "
                "(changing an immutable attribute)"
            )


async def update(
    ctx: Context,
    pool: UserPool,
    user: User,
    changes: list[dict[str, str]],
    *,
    client: AppClient | None = None,
    admin: bool = False,
    client_metadata: dict[str, str] | None = None,
) -> list[Destination]:
    """Apply ``changes``; returns where verification codes went."""
    given = attributes.parse(pool, changes, client=client, admin=admin)
    _check_mutable(pool, list(given))
    pending: dict[str, str] = dict(user.state.get("pending_attributes") or {})
    to_verify: list[str] = []
    for name, value in given.items():
        if name not in CONTACTS or value == user.attributes.get(name):
            if name not in CONTACTS:
                user.attributes[name] = value
            continue
        if name in lookup.username_attributes(pool):
            owner = await lookup.alias_owner(ctx, pool, name, value, excluding=user.sub)
            if owner is not None:
                raise AliasExistsException(f"An account with the given {name} already exists.")
        marked_verified = admin and given.get(f"{name}_verified") == "true"
        if marked_verified:
            user.attributes[name] = value
            pending.pop(name, None)
            continue
        if name in _held_until_verified(pool) and name in _auto_verified(pool):
            pending[name] = value
        else:
            user.attributes[name] = value
            user.attributes[f"{name}_verified"] = "false"
            pending.pop(name, None)
        if name in _auto_verified(pool):
            to_verify.append(name)
    if pending:
        user.state["pending_attributes"] = pending
    else:
        user.state.pop("pending_attributes", None)
    merged = {k: v for k, v in user.attributes.items()}
    attributes.check_required(pool, merged)
    user.modified = ctx.clock()
    sent: list[tuple[Destination, str, str, Message]] = []
    for name in to_verify:
        await limits.count_code_send(ctx)
        destination = _destination(user, name)
        purpose = codes.verify_purpose(name)
        code = codes.new_code()
        message = await delivery.code_message(
            ctx, pool, user, destination, code, purpose,
            source=custom_message.UPDATE_USER_ATTRIBUTE,
            client_id=client.id if client is not None else None,
            client_metadata=client_metadata,
        )  # fmt: skip
        sent.append((destination, code, purpose, message))
    async with ctx.store.transaction() as tx:
        for destination, code, purpose, _ in sent:
            codes.note_send(ctx, user, purpose)
            await codes.store_code(ctx, tx, user, purpose, destination.address, code)
        await tx.put_user(lookup.index_keys(pool, user))
    for _, _, _, message in sent:
        await delivery.send(ctx, message)
    return [destination for destination, _, _, _ in sent]


def _destination(user: User, attribute: str) -> Destination:
    """The address a verification code for ``attribute`` goes to: the pending new value
    when there is one."""
    pending = (user.state.get("pending_attributes") or {}).get(attribute)
    address = pending or user.attributes.get(attribute)
    if not address:
        raise InvalidParameterException(f"User has no attribute {attribute}.")
    medium = "EMAIL" if attribute == "email" else "SMS"
    return Destination(medium, attribute, address)


async def send_verification_code(
    ctx: Context,
    pool: UserPool,
    user: User,
    attribute: str,
    *,
    client_id: str | None = None,
    client_metadata: dict[str, str] | None = None,
) -> Destination:
    if attribute not in CONTACTS:
        raise InvalidParameterException(
            f"Invalid attribute name {attribute}: only email and phone_number can be verified."
        )
    destination = _destination(user, attribute)
    purpose = codes.verify_purpose(attribute)
    await limits.count_code_send(ctx)
    code = codes.new_code()
    message = await delivery.code_message(
        ctx, pool, user, destination, code, purpose,
        source=custom_message.VERIFY_USER_ATTRIBUTE, client_id=client_id,
        client_metadata=client_metadata,
    )  # fmt: skip
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        if current is None:
            raise NotAuthorizedException("User does not exist.")
        codes.note_send(ctx, current, purpose)
        await tx.put_user(current)
        await codes.store_code(ctx, tx, current, purpose, destination.address, code)
    await delivery.send(ctx, message)
    return destination


async def verify(ctx: Context, pool: UserPool, user: User, attribute: str, code: str) -> None:
    if attribute not in CONTACTS:
        raise InvalidParameterException(f"Invalid attribute name {attribute}.")
    error: Exception | None = None
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        if current is None:
            raise NotAuthorizedException("User does not exist.")
        verdict = await codes.check(ctx, tx, current, codes.verify_purpose(attribute), code)
        if not verdict.ok:
            error = verdict.error
        else:
            pending = dict(current.state.get("pending_attributes") or {})
            value = pending.pop(attribute, None) or current.attributes.get(attribute, "")
            owner = await lookup.alias_owner(ctx, pool, attribute, value, excluding=current.sub)
            if owner is not None and attribute in lookup.alias_attributes(pool):
                raise AliasExistsException(f"An account with the {attribute} already exists.")
            current.attributes[attribute] = value
            current.attributes[f"{attribute}_verified"] = "true"
            if pending:
                current.state["pending_attributes"] = pending
            else:
                current.state.pop("pending_attributes", None)
            current.modified = ctx.clock()
            await tx.put_user(lookup.index_keys(pool, current))
    if error is not None:
        raise error


async def delete(
    ctx: Context,
    pool: UserPool,
    user: User,
    names: list[str],
    *,
    client: AppClient | None = None,
    admin: bool = False,
) -> None:
    schema = attributes.schema_of(pool)
    writable = (
        set(client.settings["WriteAttributes"])
        if client is not None and client.settings.get("WriteAttributes")
        else None
    )
    for name in names:
        if name not in schema or name == "sub":
            raise InvalidParameterException(
                f"Attributes did not conform to the schema: Type for attribute {{{name}}} "
                "could not be determined"
            )
        if not admin and writable is not None and name not in writable:
            raise NotAuthorizedException("A client attempted to write unauthorized attribute")
        if name in lookup.username_attributes(pool):
            raise InvalidParameterException(
                f"Attributes did not conform to the schema: {name}: The attribute is required"
            )
    _check_mutable(pool, names)
    for name in names:
        user.attributes.pop(name, None)
        if name in CONTACTS:
            user.attributes.pop(f"{name}_verified", None)
    attributes.check_required(pool, user.attributes)
    user.modified = ctx.clock()
    await ctx.store.put_user(lookup.index_keys(pool, user))
