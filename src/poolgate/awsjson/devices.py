"""Remembered devices on the wire: ConfirmDevice, GetDevice, ListDevices, ForgetDevice,
UpdateDeviceStatus and their Admin versions."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.core.context import Context
from poolgate.core.mfa import devices, operations
from poolgate.core.pools import pools
from poolgate.core.records import Device, User, UserPool
from poolgate.core.users import lookup


def device_type(device: Device) -> dict[str, Any]:
    """``DeviceType``."""
    body: dict[str, Any] = {
        "DeviceKey": device.device_key,
        "DeviceAttributes": [{"Name": k, "Value": v} for k, v in device.attributes.items()],
        "DeviceCreateDate": device.created,
        "DeviceLastModifiedDate": device.modified,
    }
    if device.last_authenticated is not None:
        body["DeviceLastAuthenticatedDate"] = device.last_authenticated
    return body


async def _signed_in(ctx: Context, params: Params) -> tuple[UserPool, User]:
    grant = await operations.user_grant(ctx, params["AccessToken"])
    return grant.pool, grant.user


async def _admin(ctx: Context, params: Params) -> tuple[UserPool, User]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    return pool, await lookup.require_user(ctx, pool, params["Username"])


def _listing(found: list[Device], token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"Devices": [device_type(d) for d in found]}
    if token:
        body["PaginationToken"] = token
    return body


@operation("ConfirmDevice")
async def confirm_device(ctx: Context, params: Params) -> dict[str, Any]:
    pool, user = await _signed_in(ctx, params)
    necessary = await devices.confirm_device(
        ctx, pool, user, params["DeviceKey"], params.get("DeviceSecretVerifierConfig"),
        params.get("DeviceName"),
    )  # fmt: skip
    return {"UserConfirmationNecessary": necessary}


@operation("GetDevice")
async def get_device(ctx: Context, params: Params) -> dict[str, Any]:
    pool, user = await _signed_in(ctx, params)
    return {"Device": device_type(await devices.require(ctx, pool, user, params["DeviceKey"]))}


@operation("AdminGetDevice")
async def admin_get_device(ctx: Context, params: Params) -> dict[str, Any]:
    pool, user = await _admin(ctx, params)
    return {"Device": device_type(await devices.require(ctx, pool, user, params["DeviceKey"]))}


@operation("ListDevices")
async def list_devices(ctx: Context, params: Params) -> dict[str, Any]:
    pool, user = await _signed_in(ctx, params)
    found, token = await devices.list_devices(
        ctx, pool, user, params.get("Limit"), params.get("PaginationToken")
    )
    return _listing(found, token)


@operation("AdminListDevices")
async def admin_list_devices(ctx: Context, params: Params) -> dict[str, Any]:
    pool, user = await _admin(ctx, params)
    found, token = await devices.list_devices(
        ctx, pool, user, params.get("Limit"), params.get("PaginationToken")
    )
    return _listing(found, token)


@operation("ForgetDevice")
async def forget_device(ctx: Context, params: Params) -> dict[str, Any]:
    pool, user = await _signed_in(ctx, params)
    await devices.forget_device(ctx, pool, user, params["DeviceKey"])
    return {}


@operation("AdminForgetDevice")
async def admin_forget_device(ctx: Context, params: Params) -> dict[str, Any]:
    pool, user = await _admin(ctx, params)
    await devices.forget_device(ctx, pool, user, params["DeviceKey"])
    return {}


@operation("UpdateDeviceStatus")
async def update_device_status(ctx: Context, params: Params) -> dict[str, Any]:
    pool, user = await _signed_in(ctx, params)
    await devices.update_device_status(
        ctx, pool, user, params["DeviceKey"], params.get("DeviceRememberedStatus")
    )
    return {}


@operation("AdminUpdateDeviceStatus")
async def admin_update_device_status(ctx: Context, params: Params) -> dict[str, Any]:
    pool, user = await _admin(ctx, params)
    await devices.update_device_status(
        ctx, pool, user, params["DeviceKey"], params.get("DeviceRememberedStatus")
    )
    return {}
