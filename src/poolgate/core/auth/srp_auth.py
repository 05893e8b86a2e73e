"""USER_SRP_AUTH: the server's half of SRP-6a (``srp``) as a two-step flow, SRP_A in
InitiateAuth and the PASSWORD_VERIFIER challenge answered in RespondToAuthChallenge.
Unknown users get a decoy verifier so the challenge looks the same for everyone."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac

from poolgate.core.auth import attempts, lockout, passwords, sessions, sign_in, srp
from poolgate.core.auth.client_auth import check_secret_hash
from poolgate.core.auth.outcome import INCORRECT, PASSWORD_VERIFIER, AuthOutcome, param
from poolgate.core.context import Context
from poolgate.core.errors import NotAuthorizedException
from poolgate.core.records import AppClient, User, UserPool
from poolgate.core.throttle import decoys
from poolgate.core.triggers import authentication, request_scope

_TIMESTAMP_SKEW = 15 * 60


async def start_srp(
    ctx: Context, pool: UserPool, client: AppClient, params: dict[str, str]
) -> AuthOutcome:
    name = param(params, "USERNAME")
    srp_a = param(params, "SRP_A")
    user = await sign_in.find_signing_in_user(ctx, pool, client, name, params.get("SECRET_HASH"))
    # Whether the user exists, has a password or is disabled shows only once the
    # PASSWORD_VERIFIER answer proves the password; until then everyone gets a challenge.
    if user is not None:
        lockout.check(user, ctx.clock())
        await authentication.pre_authentication(
            ctx, pool, user, client_id=client.id,
            validation_data=request_scope.validation_data(),
        )  # fmt: skip
    else:
        await decoys.check_lockout(ctx, pool, name)
    return await srp_challenge(ctx, pool, client, user, name, srp_a)


async def srp_challenge(
    ctx: Context, pool: UserPool, client: AppClient, user: User | None, name: str, srp_a: str
) -> AuthOutcome:
    """The PASSWORD_VERIFIER challenge for ``user``: a decoy one for an unknown ``name``
    or a user without a password, alike to look at."""
    verifier = passwords.open_verifier(ctx.sealer, user) if user is not None else None
    user_id = user.username if user is not None else name
    if verifier is None:
        verifier = passwords.decoy_verifier(ctx.sealer, pool.id, user_id)
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
    user = await prove(ctx, pool, client, responses)
    return await sign_in.after_password(
        ctx, pool, client, user, device_key=responses.get("DEVICE_KEY")
    )


async def prove(ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, str]) -> User:
    """The enabled user whose PASSWORD_VERIFIER answer proves the password; a wrong one
    is counted toward lockout (the user's, or the unknown name's) and refused."""
    block = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")
    signature = param(responses, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = param(responses, "TIMESTAMP")
    name = param(responses, "USERNAME")
    state = sessions.open_session(ctx, block, challenge=PASSWORD_VERIFIER, client_id=client.id)
    user = await ctx.store.get_user_by_sub(pool.id, state["sub"]) if state["sub"] else None
    attempts.identify(user)
    check_secret_hash(
        ctx, client, responses.get("SECRET_HASH"), name, *([user.username] if user else [])
    )
    _check_timestamp(timestamp, ctx.clock())
    if user is not None:
        lockout.check(user, ctx.clock())
        verifier = passwords.open_verifier(ctx.sealer, user)
    else:
        await decoys.check_lockout(ctx, pool, state["user_id"])
        verifier = None
    challenge = srp.ServerChallenge(b=int(state["b"], 16), B=int(state["B"], 16))
    try:
        expected = await asyncio.to_thread(
            srp.expected_signature,
            verifier=verifier or passwords.decoy_verifier(ctx.sealer, pool.id, state["user_id"]),
            challenge=challenge,
            srp_a_hex=state["A"],
            pool_name=srp.pool_name_from_id(pool.id),
            user_id_for_srp=state["user_id"],
            secret_block_b64=block,
            timestamp=timestamp,
        )
        given = base64.b64decode(signature, validate=True)
    except (ValueError, binascii.Error):
        expected, given = b"", b"-"
    if user is None or verifier is None or not hmac.compare_digest(expected, given):
        if user is not None:
            await sign_in.record_failure(ctx, pool, user)
        else:
            await decoys.record_failure(ctx, pool, state["user_id"])
        raise NotAuthorizedException(INCORRECT)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return user
