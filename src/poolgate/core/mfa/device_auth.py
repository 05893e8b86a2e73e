"""Device authentication: DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER (developer guide,
"Signing in with a device"). The device proves it holds the secret ConfirmDevice's
verifier was made from, with SRP-6a where the device group key stands for the pool
name and the device key for the username (pycognito's ``aws_srp`` and
amazon-cognito-identity-js's ``AuthenticationHelper`` compute the client side).

DEVICE_SRP_AUTH is answered with the Session the password step returned (Cognito's
current API requires it), so a device secret alone never replaces the password.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac

from poolgate.core.auth import lockout, sessions, srp
from poolgate.core.auth.client_auth import check_secret_hash
from poolgate.core.auth.outcome import INCORRECT, AuthOutcome, param
from poolgate.core.auth.signed_in import signed_in
from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException, NotAuthorizedException
from poolgate.core.mfa import challenges, devices, owed
from poolgate.core.records import AppClient, User, UserPool

DEVICE_SRP_AUTH = "DEVICE_SRP_AUTH"
DEVICE_PASSWORD_VERIFIER = "DEVICE_PASSWORD_VERIFIER"
_TIMESTAMP_SKEW = 15 * 60


async def challenge(
    ctx: Context, pool: UserPool, client: AppClient, user: User, device_key: str
) -> AuthOutcome | None:
    """DEVICE_SRP_AUTH when the sign-in names a confirmed device of this user."""
    if devices.configuration(pool) is None:
        return None
    device = await ctx.store.get_device(pool.id, user.sub, device_key)
    if device is None or not devices.is_confirmed(device):
        return None
    session = sessions.seal(
        ctx, {"challenge": DEVICE_SRP_AUTH, "client": client.id, "sub": user.sub,
              "device": device_key}, challenges.minutes(client),
    )  # fmt: skip
    return AuthOutcome(
        challenge_name=DEVICE_SRP_AUTH,
        challenge_parameters={"USERNAME": user.username, "USER_ID_FOR_SRP": user.username},
        session=session,
    )


async def _user(ctx: Context, pool: UserPool, sub: str) -> User:
    user = await ctx.store.get_user_by_sub(pool.id, sub)
    if user is None:
        raise NotAuthorizedException(sessions.INVALID_SESSION)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return user


async def start(
    ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, str], session: str | None
) -> AuthOutcome:
    """DEVICE_SRP_AUTH answered with SRP_A: the server's half, DEVICE_PASSWORD_VERIFIER."""
    if not session:
        raise InvalidParameterException("Missing required parameter Session")
    state = sessions.open_session(ctx, session, challenge=DEVICE_SRP_AUTH, client_id=client.id)
    device_key = param(responses, "DEVICE_KEY")
    srp_a = param(responses, "SRP_A")
    if device_key != state["device"]:
        raise NotAuthorizedException(sessions.INVALID_SESSION)
    user = await _user(ctx, pool, str(state["sub"]))
    check_secret_hash(
        ctx, client, responses.get("SECRET_HASH"), responses.get("USERNAME", ""), user.username
    )
    device = await devices.require(ctx, pool, user, device_key)
    verifier = devices.open_verifier(ctx, device)
    try:
        server = await asyncio.to_thread(srp.start_challenge, verifier, srp_a)
    except ValueError:
        raise NotAuthorizedException("Invalid SRP_A.") from None
    secret_block = sessions.seal(
        ctx,
        {"challenge": DEVICE_PASSWORD_VERIFIER, "client": client.id, "sub": user.sub,
         "device": device_key, "b": format(server.b, "x"), "B": format(server.B, "x"),
         "A": srp_a},
        challenges.minutes(client),
    )  # fmt: skip
    return AuthOutcome(
        challenge_name=DEVICE_PASSWORD_VERIFIER,
        challenge_parameters={
            "DEVICE_KEY": device_key,
            "SALT": srp.salt_hex(verifier),
            "SECRET_BLOCK": secret_block,
            "SRP_B": srp.hex_of(server.B),
            "USERNAME": user.username,
        },
        session=secret_block,
    )


async def verify(
    ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, str]
) -> AuthOutcome:
    """DEVICE_PASSWORD_VERIFIER: the device's claim checked; then the MFA the device
    does not stand in for, or tokens."""
    block = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")
    signature = param(responses, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = param(responses, "TIMESTAMP")
    state = sessions.open_session(
        ctx, block, challenge=DEVICE_PASSWORD_VERIFIER, client_id=client.id
    )
    user = await _user(ctx, pool, str(state["sub"]))
    check_secret_hash(
        ctx, client, responses.get("SECRET_HASH"), responses.get("USERNAME", ""), user.username
    )
    try:
        when = srp.parse_timestamp(timestamp)
    except ValueError:
        raise NotAuthorizedException("Invalid TIMESTAMP.") from None
    if abs(when.timestamp() - ctx.clock()) > _TIMESTAMP_SKEW:
        raise NotAuthorizedException("TIMESTAMP is too far from the server's time.")
    lockout.check(user, ctx.clock())
    device = await devices.require(ctx, pool, user, str(state["device"]))
    try:
        expected = await asyncio.to_thread(
            srp.expected_signature,
            verifier=devices.open_verifier(ctx, device),
            challenge=srp.ServerChallenge(b=int(state["b"], 16), B=int(state["B"], 16)),
            srp_a_hex=str(state["A"]),
            pool_name=device.group_key,
            user_id_for_srp=device.device_key,
            secret_block_b64=block,
            timestamp=timestamp,
        )
        given = base64.b64decode(signature, validate=True)
    except (ValueError, binascii.Error):
        raise NotAuthorizedException(INCORRECT) from None
    if not hmac.compare_digest(expected, given):
        async with ctx.store.transaction() as tx:
            current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
            if current is not None:
                lockout.record_failure(current, ctx.clock())
                await tx.put_user(current)
        raise NotAuthorizedException(INCORRECT)
    if not devices.suppresses_mfa(pool, device):
        owing = await owed.second_step(ctx, pool, client, user, device_key=device.device_key)
        if owing is not None:
            return owing
    return await signed_in(ctx, pool, client, user, device_key=device.device_key)
