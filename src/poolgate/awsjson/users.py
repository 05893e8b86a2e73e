"""Sign-up and user administration on the wire."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.core import admin_users, attributes, pools, signup, users
from poolgate.core.context import Context
from poolgate.core.records import User


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
        params["Password"],
        params.get("UserAttributes"),
        params.get("SecretHash"),
    )
    body: dict[str, Any] = {"UserConfirmed": False, "UserSub": result.user.sub}
    if result.delivery is not None:
        body["CodeDeliveryDetails"] = result.delivery.details()
    return body


@operation("ConfirmSignUp")
async def confirm_sign_up(ctx: Context, params: Params) -> dict[str, Any]:
    await signup.confirm_sign_up(
        ctx,
        params["ClientId"],
        params["Username"],
        params["ConfirmationCode"],
        params.get("SecretHash"),
        bool(params.get("ForceAliasCreation", False)),
    )
    return {}


@operation("ResendConfirmationCode")
async def resend_confirmation_code(ctx: Context, params: Params) -> dict[str, Any]:
    destination = await signup.resend_confirmation_code(
        ctx, params["ClientId"], params["Username"], params.get("SecretHash")
    )
    return {"CodeDeliveryDetails": destination.details()}


@operation("AdminConfirmSignUp")
async def admin_confirm_sign_up(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    await signup.admin_confirm_sign_up(ctx, pool, params["Username"])
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
    )
    return {"User": user_type(user)}


@operation("AdminGetUser")
async def admin_get_user(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    user = await users.require_user(ctx, pool, params["Username"])
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
    await admin_users.admin_reset_user_password(ctx, pool, params["Username"])
    return {}
