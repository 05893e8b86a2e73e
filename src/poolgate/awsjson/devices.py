"""Remembered devices on the wire: ConfirmDevice, GetDevice, ListDevices, ForgetDevice,
UpdateDeviceStatus and their Admin versions."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.core.context import Context
from poolgate.core.errors import (
    InvalidParameterException,
    ResourceNotFoundException,
    UserNotFoundException,
)
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
    # The model leaves AccessToken optional on GetDevice and ForgetDevice; without one
    # nobody is signed in.
    token = params.get("AccessToken")
    if not token:
        raise InvalidParameterException("Missing required parameter AccessToken")
    grant = await operations.user_grant(ctx, token)
    return grant.pool, grant.user


async def _admin(
    ctx: Context, params: Params, *, user_not_found_declared: bool = True
) -> tuple[UserPool, User]:
    """The pool and user an Admin* device operation names. AdminGetDevice and
    AdminListDevices declare no UserNotFoundException: a missing user is a resource
    not found there."""
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    try:
        return pool, await lookup.require_user(ctx, pool, params["Username"])
    except UserNotFoundException as exc:
        if user_not_found_declared:
            raise
        raise ResourceNotFoundException(exc.message) from None


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
    pool, user = await _admin(ctx, params, user_not_found_declared=False)
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
    pool, user = await _admin(ctx, params, user_not_found_declared=False)
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
