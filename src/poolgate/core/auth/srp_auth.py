"""USER_SRP_AUTH: the server's half of SRP-6a (``srp``) as a two-step flow, SRP_A in
InitiateAuth and the PASSWORD_VERIFIER challenge answered in RespondToAuthChallenge.
Unknown users get a decoy verifier so the challenge looks the same for everyone."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac

from poolgate.core.auth import lockout, passwords, sessions, sign_in, srp
from poolgate.core.auth.client_auth import check_secret_hash
from poolgate.core.auth.outcome import INCORRECT, PASSWORD_VERIFIER, AuthOutcome, param
from poolgate.core.context import Context
from poolgate.core.errors import NotAuthorizedException
from poolgate.core.records import AppClient, UserPool

_TIMESTAMP_SKEW = 15 * 60


def _decoy_verifier(ctx: Context, pool: UserPool, name: str) -> srp.Verifier:
    """A stable, fake verifier for a user who does not exist, so the SRP challenge
    looks the same for everyone (PreventUserExistenceErrors)."""
    seed = hmac.new(
        ctx.sealer.mac_key("srp-decoy"), f"{pool.id}:{name}".encode(), hashlib.sha256
    ).digest()
    return srp.Verifier(salt=seed[: srp.SALT_BYTES], verifier=int.from_bytes(seed, "big") + 2)


async def start_srp(
    ctx: Context, pool: UserPool, client: AppClient, params: dict[str, str]
) -> AuthOutcome:
    name = param(params, "USERNAME")
    srp_a = param(params, "SRP_A")
    user = await sign_in.find_signing_in_user(ctx, pool, client, name, params.get("SECRET_HASH"))
    if user is not None:
        if not user.enabled:
            raise NotAuthorizedException("User is disabled.")
        lockout.check(user, ctx.clock())
        verifier = passwords.open_verifier(ctx.sealer, user)
        if verifier is None:
            raise NotAuthorizedException(INCORRECT)
        user_id = user.username
    else:
        verifier = _decoy_verifier(ctx, pool, name)
        user_id = name
    try:
        challenge = await asyncio.to_thread(srp.start_challenge, verifier, srp_a)
    except ValueError:
        raise NotAuthorizedException("Invalid SRP_A.") from None
    secret_block = sessions.seal(
        ctx,
        {
            "challenge": PASSWORD_VERIFIER,
            "client": client.id,
            "sub": user.sub if user else None,
            "user_id": user_id,
            "b": format(challenge.b, "x"),
            "B": format(challenge.B, "x"),
            "A": srp_a,
        },
        client.settings.get("AuthSessionValidity") or 3,
    )
    return AuthOutcome(
        challenge_name=PASSWORD_VERIFIER,
        challenge_parameters={
            "SALT": srp.salt_hex(verifier),
            "SECRET_BLOCK": secret_block,
            "SRP_B": srp.hex_of(challenge.B),
            "USERNAME": user_id,
            "USER_ID_FOR_SRP": user_id,
        },
    )


def _check_timestamp(timestamp: str, now: float) -> None:
    try:
        when = srp.parse_timestamp(timestamp)
    except ValueError:
        raise NotAuthorizedException("Invalid TIMESTAMP.") from None
    if abs(when.timestamp() - now) > _TIMESTAMP_SKEW:
        raise NotAuthorizedException("TIMESTAMP is too far from the server's time.")


async def verify_srp(
    ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, str]
) -> AuthOutcome:
    block = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")
    signature = param(responses, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = param(responses, "TIMESTAMP")
    name = param(responses, "USERNAME")
    state = sessions.open_session(ctx, block, challenge=PASSWORD_VERIFIER, client_id=client.id)
    user = await ctx.store.get_user_by_sub(pool.id, state["sub"]) if state["sub"] else None
    check_secret_hash(
        ctx, client, responses.get("SECRET_HASH"), name, *([user.username] if user else [])
    )
    _check_timestamp(timestamp, ctx.clock())
    if user is not None:
        if not user.enabled:
            raise NotAuthorizedException("User is disabled.")
        lockout.check(user, ctx.clock())
        verifier = passwords.open_verifier(ctx.sealer, user)
    else:
        verifier = None
    challenge = srp.ServerChallenge(b=int(state["b"], 16), B=int(state["B"], 16))
    try:
        expected = await asyncio.to_thread(
            srp.expected_signature,
            verifier=verifier or _decoy_verifier(ctx, pool, state["user_id"]),
            challenge=challenge,
            srp_a_hex=state["A"],
            pool_name=srp.pool_name_from_id(pool.id),
            user_id_for_srp=state["user_id"],
            secret_block_b64=block,
            timestamp=timestamp,
        )
        given = base64.b64decode(signature, validate=True)
    except (ValueError, binascii.Error):
        raise NotAuthorizedException(INCORRECT) from None
    if user is None or verifier is None or not hmac.compare_digest(expected, given):
        if user is not None:
            await sign_in.record_failure(ctx, pool, user)
        raise NotAuthorizedException(INCORRECT)
    return await sign_in.after_password(
        ctx, pool, client, user, device_key=responses.get("DEVICE_KEY")
    )
