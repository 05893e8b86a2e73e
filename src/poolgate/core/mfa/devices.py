"""Remembered devices (Amazon Cognito developer guide, "Working with user devices in
your user pool"): with DeviceConfiguration set, a sign-in from a device the pool does
not know ends with NewDeviceMetadata; ConfirmDevice stores the device's SRP verifier;
a confirmed device signs in with DEVICE_SRP_AUTH (``device_auth``) and, once
remembered and when ChallengeRequiredOnNewDevice is true, instead of an MFA code.

GetDevice, ListDevices, ForgetDevice, UpdateDeviceStatus and their Admin versions.
Forgetting a device revokes the refresh tokens issued to it (decisions.md).
"""

from __future__ import annotations

import base64
import binascii
import secrets
import string
import uuid
from typing import Any

from poolgate.core.auth import srp
from poolgate.core.context import Context
from poolgate.core.errors import (
    DeviceKeyExistsException,
    InvalidParameterException,
    InvalidUserPoolConfigurationException,
    ResourceNotFoundException,
)
from poolgate.core.pagination import decode_token, encode_token
from poolgate.core.records import Device, User, UserPool

REMEMBERED = "remembered"
NOT_REMEMBERED = "not_remembered"
_STATUS = "dev:device_remembered_status"
_NOT_FOUND = "Device does not exist."


def configuration(pool: UserPool) -> dict[str, Any] | None:
    """DeviceConfiguration, or None when the pool does not track devices."""
    config = pool.settings.get("DeviceConfiguration")
    return dict(config) if config is not None else None


def is_remembered(device: Device) -> bool:
    return device.attributes.get(_STATUS) == REMEMBERED


def is_confirmed(device: Device) -> bool:
    return device.verifier_sealed is not None


def suppresses_mfa(pool: UserPool, device: Device) -> bool:
    """ChallengeRequiredOnNewDevice: "When true, a remembered device can sign in with
    device authentication instead of SMS and TOTP factors" (DeviceConfigurationType)."""
    config = configuration(pool) or {}
    return bool(config.get("ChallengeRequiredOnNewDevice")) and is_remembered(device)


def _purpose(device: Device) -> str:
    return f"device:{device.pool_id}:{device.sub}:{device.device_key}"


def open_verifier(ctx: Context, device: Device) -> srp.Verifier:
    assert device.verifier_sealed is not None
    raw = ctx.sealer.open(device.verifier_sealed, _purpose(device))
    return srp.Verifier(salt=raw[:-384], verifier=int.from_bytes(raw[-384:], "big"))


def _group_key() -> str:
    return "-" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(9))


async def tracked(
    ctx: Context, pool: UserPool, user: User, device_key: str | None
) -> tuple[str | None, dict[str, str] | None]:
    """At the end of a sign-in: the device key its tokens belong to, and the
    NewDeviceMetadata to return when the device is new to the pool."""
    if configuration(pool) is None:
        return None, None
    now = ctx.clock()
    if device_key:
        known = await ctx.store.get_device(pool.id, user.sub, device_key)
        if known is not None and is_confirmed(known):
            known.last_authenticated = now
            await ctx.store.put_device(known)
            return device_key, None
    device = Device(
        pool_id=pool.id, sub=user.sub, device_key=f"{ctx.region}_{uuid.uuid4()}",
        group_key=_group_key(), created=now, modified=now, last_authenticated=now,
        attributes={"device_status": "valid"},
    )  # fmt: skip
    await ctx.store.put_device(device)
    return device.device_key, {"DeviceKey": device.device_key, "DeviceGroupKey": device.group_key}


async def require(ctx: Context, pool: UserPool, user: User, device_key: str) -> Device:
    device = await ctx.store.get_device(pool.id, user.sub, device_key)
    if device is None:
        raise ResourceNotFoundException(_NOT_FOUND)
    return device


def _verifier(config: dict[str, Any]) -> srp.Verifier:
    try:
        salt = base64.b64decode(config["Salt"], validate=True)
        value = int.from_bytes(base64.b64decode(config["PasswordVerifier"], validate=True), "big")
        return srp.Verifier(salt=salt, verifier=value)
    except (KeyError, TypeError, binascii.Error, ValueError):
        raise InvalidParameterException(
            "DeviceSecretVerifierConfig needs a base64 PasswordVerifier and Salt."
        ) from None


async def confirm_device(
    ctx: Context,
    pool: UserPool,
    user: User,
    device_key: str,
    verifier_config: dict[str, Any] | None,
    name: str | None,
) -> bool:
    """ConfirmDevice; returns UserConfirmationNecessary (DeviceOnlyRememberedOnUserPrompt:
    the app asks the user, then calls UpdateDeviceStatus)."""
    config = configuration(pool)
    if config is None:
        raise InvalidUserPoolConfigurationException("Device tracking is not enabled.")
    device = await require(ctx, pool, user, device_key)
    if is_confirmed(device):
        raise DeviceKeyExistsException("Device already confirmed.")
    verifier = _verifier(verifier_config or {})
    prompt = bool(config.get("DeviceOnlyRememberedOnUserPrompt"))
    device.verifier_sealed = ctx.sealer.seal(
        verifier.salt + verifier.verifier.to_bytes(384, "big"), _purpose(device)
    )
    device.attributes[_STATUS] = NOT_REMEMBERED if prompt else REMEMBERED
    if name:
        device.attributes["device_name"] = name
    device.modified = ctx.clock()
    await ctx.store.put_device(device)
    return prompt


async def update_device_status(
    ctx: Context, pool: UserPool, user: User, device_key: str, status: str | None
) -> None:
    device = await require(ctx, pool, user, device_key)
    device.attributes[_STATUS] = REMEMBERED if status == REMEMBERED else NOT_REMEMBERED
    device.modified = ctx.clock()
    await ctx.store.put_device(device)


async def forget_device(ctx: Context, pool: UserPool, user: User, device_key: str) -> None:
    """Delete the device and revoke the refresh tokens issued to it, so signing in
    from it again starts as a new device with no session left behind."""
    await require(ctx, pool, user, device_key)
    await ctx.store.delete_device(pool.id, user.sub, device_key)
    await ctx.store.revoke_device_tokens(pool.id, user.sub, device_key, ctx.clock())


async def list_devices(
    ctx: Context, pool: UserPool, user: User, limit: int | None, token: str | None
) -> tuple[list[Device], str | None]:
    size = min(limit or 60, 60)
    found = await ctx.store.list_devices(pool.id, user.sub, size + 1, decode_token(token))
    if len(found) > size:
        found = found[:size]
        return found, encode_token(found[-1].device_key)
    return found, None
