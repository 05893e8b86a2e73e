"""The end of every sign-in: all factors are proven, tokens are minted (or, for the
hosted pages, whose OAuth code exchange mints later, an empty outcome says so). With
device tracking on, the tokens belong to the sign-in's device, and a device new to the
pool is announced in NewDeviceMetadata (``core.mfa.devices``)."""

from __future__ import annotations

from poolgate.core.auth import tokens
from poolgate.core.auth.outcome import AuthOutcome
from poolgate.core.context import Context
from poolgate.core.mfa import devices
from poolgate.core.records import AppClient, User, UserPool


async def signed_in(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    user: User,
    *,
    mint: bool = True,
    device_key: str | None = None,
) -> AuthOutcome:
    if not mint:
        return AuthOutcome()
    device, new_device = await devices.tracked(ctx, pool, user, device_key)
    minted = await tokens.mint(
        ctx, pool, client, user, auth_time=int(ctx.clock()), device_key=device
    )
    return AuthOutcome(tokens=minted, new_device=new_device)
