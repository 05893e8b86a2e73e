"""The end of every sign-in: all factors are proven, tokens are minted (or, for the
hosted pages, whose OAuth code exchange mints later, an empty outcome says so). With
device tracking on, the tokens belong to the sign-in's device, and a device new to the
pool is announced in NewDeviceMetadata (``core.mfa.devices``). The pool's post
authentication trigger may still refuse; its pre token generation trigger shapes the
tokens, told which challenge ended the sign-in."""

from __future__ import annotations

from poolgate.core.auth import tokens
from poolgate.core.auth.outcome import AuthOutcome
from poolgate.core.context import Context
from poolgate.core.mfa import devices
from poolgate.core.records import AppClient, User, UserPool
from poolgate.core.triggers import authentication, request_scope, token_generation

# The pre token generation source of a sign-in ended by answering these challenges.
_SOURCES = {
    "NEW_PASSWORD_REQUIRED": token_generation.NEW_PASSWORD_CHALLENGE,
    "DEVICE_PASSWORD_VERIFIER": token_generation.AUTHENTICATE_DEVICE,
}


async def signed_in(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    user: User,
    *,
    mint: bool = True,
    device_key: str | None = None,
) -> AuthOutcome:
    metadata = request_scope.client_metadata()
    if not mint:
        await authentication.post_authentication(
            ctx, pool, user, client_id=client.id, client_metadata=metadata
        )
        return AuthOutcome()
    device, new_device = await devices.tracked(ctx, pool, user, device_key)
    await authentication.post_authentication(
        ctx, pool, user, client_id=client.id, client_metadata=metadata,
        new_device_used=new_device is not None,
    )  # fmt: skip
    source = _SOURCES.get(request_scope.answered_challenge() or "", token_generation.AUTHENTICATION)
    minted = await tokens.mint(
        ctx, pool, client, user, auth_time=int(ctx.clock()), device_key=device, source=source,
        client_metadata=metadata,
    )  # fmt: skip
    return AuthOutcome(tokens=minted, new_device=new_device)
