"""Multi-factor authentication on the wire: the pool's MFA configuration, TOTP
authenticators, users' MFA preferences and authentication factors."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.core.context import Context
from poolgate.core.mfa import operations, pool_config
from poolgate.core.pools import pools

_PREFERENCES = ("SMSMfaSettings", "SoftwareTokenMfaSettings", "EmailMfaSettings",
                "WebAuthnMfaSettings")  # fmt: skip


@operation("SetUserPoolMfaConfig")
async def set_user_pool_mfa_config(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pool_config.set_user_pool_mfa_config(ctx, params["UserPoolId"], params)
    return pool_config.mfa_config(pool)


@operation("GetUserPoolMfaConfig")
async def get_user_pool_mfa_config(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    return pool_config.mfa_config(pool)


@operation("AssociateSoftwareToken")
async def associate_software_token(ctx: Context, params: Params) -> dict[str, Any]:
    secret, session = await operations.associate_software_token(
        ctx, params.get("AccessToken"), params.get("Session")
    )
    body: dict[str, Any] = {"SecretCode": secret}
    if session is not None:
        body["Session"] = session
    return body


@operation("VerifySoftwareToken")
async def verify_software_token(ctx: Context, params: Params) -> dict[str, Any]:
    session = await operations.verify_software_token(
        ctx, params.get("AccessToken"), params.get("Session"), params["UserCode"],
        params.get("FriendlyDeviceName"),
    )  # fmt: skip
    body: dict[str, Any] = {"Status": "SUCCESS"}
    if session is not None:
        body["Session"] = session
    return body


@operation("SetUserMFAPreference")
async def set_user_mfa_preference(ctx: Context, params: Params) -> dict[str, Any]:
    request = {k: params[k] for k in _PREFERENCES if k in params}
    await operations.set_user_mfa_preference(ctx, params["AccessToken"], request)
    return {}


@operation("AdminSetUserMFAPreference")
async def admin_set_user_mfa_preference(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    request = {k: params[k] for k in _PREFERENCES if k in params}
    await operations.admin_set_user_mfa_preference(ctx, pool, params["Username"], request)
    return {}


@operation("AdminSetUserSettings")
async def admin_set_user_settings(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    await operations.admin_set_user_settings(ctx, pool, params["Username"], params["MFAOptions"])
    return {}


@operation("GetUserAuthFactors")
async def get_user_auth_factors(ctx: Context, params: Params) -> dict[str, Any]:
    return await operations.get_user_auth_factors(ctx, params["AccessToken"])


@operation("AdminGetUserAuthFactors")
async def admin_get_user_auth_factors(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    return await operations.admin_get_user_auth_factors(ctx, pool, params["Username"])
