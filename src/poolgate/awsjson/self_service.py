"""A signed-in user's own operations (access token), and RevokeToken, on the wire."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.awsjson.shapes import code_delivery_details
from poolgate.core.auth import revocation
from poolgate.core.context import Context
from poolgate.core.pools import clients
from poolgate.core.users import attributes, self_service


@operation("GetUser")
async def get_user(ctx: Context, params: Params) -> dict[str, Any]:
    grant = await self_service.get_user(ctx, params["AccessToken"])
    client = await clients.find_client(ctx, str(grant.claims.get("client_id", "")))
    allowed = attributes.readable(client, grant.pool)
    body: dict[str, Any] = {
        "Username": grant.user.username,
        "UserAttributes": attributes.as_list(grant.user.attributes, allowed),
    }
    mfa = grant.user.state.get("mfa") or {}
    if grant.user.state.get("mfa_options"):
        body["MFAOptions"] = grant.user.state["mfa_options"]
    if mfa.get("preferred"):
        body["PreferredMfaSetting"] = mfa["preferred"]
    if mfa.get("enabled"):
        body["UserMFASettingList"] = list(mfa["enabled"])
    return body


@operation("UpdateUserAttributes")
async def update_user_attributes(ctx: Context, params: Params) -> dict[str, Any]:
    sent = await self_service.update_user_attributes(
        ctx, params["AccessToken"], params["UserAttributes"],
        client_metadata=params.get("ClientMetadata"),
    )  # fmt: skip
    return {"CodeDeliveryDetailsList": [code_delivery_details(destination) for destination in sent]}


@operation("GetUserAttributeVerificationCode")
async def get_user_attribute_verification_code(ctx: Context, params: Params) -> dict[str, Any]:
    destination = await self_service.get_user_attribute_verification_code(
        ctx, params["AccessToken"], params["AttributeName"],
        client_metadata=params.get("ClientMetadata"),
    )  # fmt: skip
    return {"CodeDeliveryDetails": code_delivery_details(destination)}


@operation("VerifyUserAttribute")
async def verify_user_attribute(ctx: Context, params: Params) -> dict[str, Any]:
    await self_service.verify_user_attribute(
        ctx, params["AccessToken"], params["AttributeName"], params["Code"]
    )
    return {}


@operation("DeleteUserAttributes")
async def delete_user_attributes(ctx: Context, params: Params) -> dict[str, Any]:
    await self_service.delete_user_attributes(
        ctx, params["AccessToken"], params["UserAttributeNames"]
    )
    return {}


@operation("ChangePassword")
async def change_password(ctx: Context, params: Params) -> dict[str, Any]:
    await self_service.change_password(
        ctx, params["AccessToken"], params.get("PreviousPassword"), params["ProposedPassword"]
    )
    return {}


@operation("DeleteUser")
async def delete_user(ctx: Context, params: Params) -> dict[str, Any]:
    await self_service.delete_user(ctx, params["AccessToken"])
    return {}


@operation("GlobalSignOut")
async def global_sign_out(ctx: Context, params: Params) -> dict[str, Any]:
    await self_service.global_sign_out(ctx, params["AccessToken"])
    return {}


@operation("SetUserSettings")
async def set_user_settings(ctx: Context, params: Params) -> dict[str, Any]:
    await self_service.set_user_settings(ctx, params["AccessToken"], params["MFAOptions"])
    return {}


@operation("RevokeToken")
async def revoke_token(ctx: Context, params: Params) -> dict[str, Any]:
    await revocation.revoke_token(
        ctx, params["ClientId"], params["Token"], params.get("ClientSecret")
    )
    return {}
