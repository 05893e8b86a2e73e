"""Sign-up and user administration on the wire."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.awsjson.shapes import attribute_map, code_delivery_details
from poolgate.core.auth import revocation
from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException
from poolgate.core.pools import pools
from poolgate.core.records import User
from poolgate.core.users import (
    admin_users,
    attribute_changes,
    attributes,
    lookup,
    signup,
    user_search,
)


def user_type(user: User, *, attributes_key: str = "Attributes") -> dict[str, Any]:
    """``UserType`` (AdminCreateUser, ListUsers) or, with ``UserAttributes``,
    AdminGetUser's response."""
    body: dict[str, Any] = {
        "Username": user.username,
        attributes_key: attributes.as_list(user.attributes),
        "UserCreateDate": user.created,
        "UserLastModifiedDate": user.modified,
        "Enabled": user.enabled,
        "UserStatus": user.status,
    }
    mfa = user.state.get("mfa") or {}
    if user.state.get("mfa_options"):
        body["MFAOptions"] = user.state["mfa_options"]
    if mfa.get("preferred"):
        body["PreferredMfaSetting"] = mfa["preferred"]
    if mfa.get("enabled"):
        body["UserMFASettingList"] = list(mfa["enabled"])
    return body


@operation("SignUp")
async def sign_up(ctx: Context, params: Params) -> dict[str, Any]:
    result = await signup.sign_up(
        ctx,
        params["ClientId"],
        params["Username"],
        params.get("Password") or None,
        params.get("UserAttributes"),
        params.get("SecretHash"),
        validation_data=attribute_map(params.get("ValidationData")),
        client_metadata=params.get("ClientMetadata"),
    )
    # A pre sign-up trigger may have confirmed the user at once.
    confirmed = result.user.status != lookup.UNCONFIRMED
    body: dict[str, Any] = {"UserConfirmed": confirmed, "UserSub": result.user.sub}
    if result.delivery is not None:
        body["CodeDeliveryDetails"] = code_delivery_details(result.delivery)
    return body


@operation("ConfirmSignUp")
async def confirm_sign_up(ctx: Context, params: Params) -> dict[str, Any]:
    session = await signup.confirm_sign_up(
        ctx,
        params["ClientId"],
        params["Username"],
        params["ConfirmationCode"],
        params.get("SecretHash"),
        bool(params.get("ForceAliasCreation", False)),
        client_metadata=params.get("ClientMetadata"),
    )
    return {"Session": session} if session else {}


@operation("ResendConfirmationCode")
async def resend_confirmation_code(ctx: Context, params: Params) -> dict[str, Any]:
    destination = await signup.resend_confirmation_code(
        ctx, params["ClientId"], params["Username"], params.get("SecretHash"),
        client_metadata=params.get("ClientMetadata"),
    )  # fmt: skip
    return {"CodeDeliveryDetails": code_delivery_details(destination)}


@operation("AdminConfirmSignUp")
async def admin_confirm_sign_up(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    await signup.admin_confirm_sign_up(
        ctx, pool, params["Username"], client_metadata=params.get("ClientMetadata")
    )
    return {}


@operation("AdminCreateUser")
async def admin_create_user(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    user = await admin_users.admin_create_user(
        ctx,
        pool,
        params["Username"],
        params.get("UserAttributes"),
        params.get("TemporaryPassword"),
        params.get("MessageAction"),
        params.get("DesiredDeliveryMediums"),
        bool(params.get("ForceAliasCreation", False)),
        validation_data=attribute_map(params.get("ValidationData")),
        client_metadata=params.get("ClientMetadata"),
    )
    return {"User": user_type(user)}


@operation("AdminGetUser")
async def admin_get_user(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    user = await lookup.require_user(ctx, pool, params["Username"])
    return user_type(user, attributes_key="UserAttributes")


@operation("AdminSetUserPassword")
async def admin_set_user_password(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    await admin_users.admin_set_user_password(
        ctx, pool, params["Username"], params["Password"], bool(params.get("Permanent", False))
    )
    return {}


@operation("AdminDeleteUser")
async def admin_delete_user(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    await admin_users.admin_delete_user(ctx, pool, params["Username"])
    return {}


@operation("AdminDisableUser")
async def admin_disable_user(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    await admin_users.set_enabled(ctx, pool, params["Username"], False)
    return {}


@operation("AdminEnableUser")
async def admin_enable_user(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    await admin_users.set_enabled(ctx, pool, params["Username"], True)
    return {}


@operation("AdminResetUserPassword")
async def admin_reset_user_password(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    await admin_users.admin_reset_user_password(
        ctx, pool, params["Username"], client_metadata=params.get("ClientMetadata")
    )
    return {}


@operation("AdminUpdateUserAttributes")
async def admin_update_user_attributes(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    user = await lookup.require_user(ctx, pool, params["Username"])
    await attribute_changes.update(
        ctx, pool, user, params["UserAttributes"], admin=True,
        client_metadata=params.get("ClientMetadata"),
    )  # fmt: skip
    return {}


@operation("AdminDeleteUserAttributes")
async def admin_delete_user_attributes(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    user = await lookup.require_user(ctx, pool, params["Username"])
    await attribute_changes.delete(ctx, pool, user, params["UserAttributeNames"], admin=True)
    return {}


@operation("AdminUserGlobalSignOut")
async def admin_user_global_sign_out(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    await revocation.admin_user_global_sign_out(ctx, pool, params["Username"])
    return {}


@operation("AddCustomAttributes")
async def add_custom_attributes(ctx: Context, params: Params) -> dict[str, Any]:
    await pools.add_custom_attributes(ctx, params["UserPoolId"], params["CustomAttributes"])
    return {}


@operation("ListUsers")
async def list_users(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    wanted = params.get("AttributesToGet")
    if wanted:
        known = {a["Name"] for a in pool.settings["SchemaAttributes"]}
        unknown = [name for name in wanted if name not in known]
        if unknown:
            raise InvalidParameterException(f"Invalid attributes to get: {', '.join(unknown)}")
    found, token = await user_search.list_users(
        ctx, pool, params.get("Filter"), params.get("Limit"), params.get("PaginationToken")
    )
    listed = []
    for user in found:
        entry = user_type(user)
        if wanted is not None:
            entry["Attributes"] = attributes.as_list(user.attributes, set(wanted))
        listed.append(entry)
    body: dict[str, Any] = {"Users": listed}
    if token:
        body["PaginationToken"] = token
    return body
