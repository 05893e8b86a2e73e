"""Users created by the pool's migrate user trigger, at the first sign-in with a
password or at ForgotPassword (developer guide, "Importing users into user pools with
a user migration Lambda trigger").

The user gets the attributes the function returned; CONFIRMED keeps the password they
signed in with (not checked against the pool's policy, as in Cognito), RESET_REQUIRED
means a password chosen through the forgot-password flow. Poolgate sends no welcome
message after a migration: the invitation template's ``{####}`` would carry a
password, and the user already has one (docs/decisions.md).
"""

from __future__ import annotations

from poolgate.core.auth import passwords
from poolgate.core.auth.client_auth import prevents_existence_errors
from poolgate.core.context import Context
from poolgate.core.errors import (
    AliasExistsException,
    InvalidParameterException,
    UserNotFoundException,
)
from poolgate.core.records import AppClient, User, UserPool
from poolgate.core.triggers import migration
from poolgate.core.users import attributes, lookup
from poolgate.store.base import Conflict


async def migrated_user(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    source: str,
    name: str,
    *,
    password: str | None,
    validation_data: dict[str, str] | None,
    client_metadata: dict[str, str] | None,
) -> User | None:
    """The user the migrate user function vouches for, now in the pool; None when the
    pool has no such function, or (PreventUserExistenceErrors) the function refused."""
    try:
        found = await migration.migrate(
            ctx, pool, source, username=name, password=password, client_id=client.id,
            validation_data=validation_data, client_metadata=client_metadata,
        )  # fmt: skip
    except UserNotFoundException:
        if prevents_existence_errors(client):
            return None
        raise
    if found is None:
        return None
    return await _create(ctx, pool, name, found, password)


async def _create(
    ctx: Context, pool: UserPool, name: str, found: migration.Migrated, password: str | None
) -> User:
    stored_name, sub, implied = lookup.new_username(pool, name)
    given = attributes.parse(
        pool, [{"Name": k, "Value": v} for k, v in found.attributes.items()], admin=True
    )
    values = {**given, **implied, "sub": sub}
    attributes.check_required(pool, values)
    if found.enable_sms_mfa and not values.get("phone_number"):
        raise InvalidParameterException(
            "enableSMSMFA requires the migrated user to have a phone_number."
        )
    now = ctx.clock()
    confirmed = found.final_status == "CONFIRMED" and password is not None
    user = lookup.index_keys(
        pool,
        User(
            pool_id=pool.id,
            username=stored_name,
            sub=sub,
            status=lookup.CONFIRMED if confirmed else lookup.RESET_REQUIRED,
            enabled=True,
            created=now,
            modified=now,
            attributes=values,
        ),
    )
    if found.enable_sms_mfa:
        user.state["mfa"] = {"enabled": ["SMS_MFA"], "preferred": "SMS_MFA"}
    if confirmed and password is not None:
        user.credential_sealed = await passwords.seal_password(ctx.sealer, user, password)
    displaced: list[User] = []
    for field in ("email", "phone_number"):
        value = values.get(field)
        if not value:
            continue
        owner = await lookup.alias_owner(ctx, pool, field, value, excluding=sub)
        if owner is None:
            continue
        if not found.force_alias_creation:
            raise AliasExistsException(f"An account with the {field} already exists.")
        owner.attributes[f"{field}_verified"] = "false"
        owner.modified = now
        displaced.append(lookup.index_keys(pool, owner))
    try:
        async with ctx.store.transaction() as tx:
            await tx.create_user(user)
            for owner in displaced:
                await tx.put_user(owner)
    except Conflict:
        # Another request migrated the same user first: use theirs.
        existing = await lookup.find_user(ctx, pool, name)
        if existing is None:
            raise
        return existing
    return user
