"""Sign-in: InitiateAuth, AdminInitiateAuth and RespondToAuthChallenge as Cognito's
clients use them (Amazon Cognito developer guide, "Authentication flows"):
USER_SRP_AUTH with the PASSWORD_VERIFIER challenge, USER_PASSWORD_AUTH,
ADMIN_USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH, and NEW_PASSWORD_REQUIRED for
administrator-created users.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import orjson

from poolgate.core.auth import lockout, passwords, sessions, srp, tokens
from poolgate.core.auth.client_auth import (
    check_client_secret,
    check_secret_hash,
    client_and_pool,
    prevents_existence_errors,
)
from poolgate.core.context import Context
from poolgate.core.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    ResourceNotFoundException,
    UserNotConfirmedException,
    UserNotFoundException,
)
from poolgate.core.users import attributes, lookup
from poolgate.store.records import AppClient, User, UserPool

INCORRECT = "Incorrect username or password."
PASSWORD_VERIFIER = "PASSWORD_VERIFIER"
NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"
_TIMESTAMP_SKEW = 15 * 60


@dataclass
class AuthOutcome:
    tokens: tokens.Tokens | None = None
    challenge_name: str | None = None
    challenge_parameters: dict[str, str] | None = None
    session: str | None = None

    def response(self) -> dict[str, Any]:
        """InitiateAuth/RespondToAuthChallenge's response members."""
        body: dict[str, Any] = {}
        if self.challenge_name is not None:
            body["ChallengeName"] = self.challenge_name
            body["ChallengeParameters"] = self.challenge_parameters or {}
            if self.session is not None:
                body["Session"] = self.session
        if self.tokens is not None:
            body["ChallengeParameters"] = {}
            body["AuthenticationResult"] = self.tokens.authentication_result()
        return body


def _flows(client: AppClient) -> set[str]:
    return set(client.settings.get("ExplicitAuthFlows") or [])


def _legacy(client: AppClient) -> bool:
    return any(not flow.startswith("ALLOW_") for flow in _flows(client))


# Which ExplicitAuthFlows value enables each flow; clients configured with the legacy
# values (no ALLOW_ prefix) always allow SRP and refresh, as Cognito's did.
_ENABLING = {
    "USER_PASSWORD_AUTH": (
        {"ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"},
        False,
        "USER_PASSWORD_AUTH flow not enabled for this client",
    ),
    "ADMIN_USER_PASSWORD_AUTH": (
        {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
        False,
        "Auth flow not enabled for this client",
    ),
    "ADMIN_NO_SRP_AUTH": (
        {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"},
        False,
        "Auth flow not enabled for this client",
    ),
    "USER_SRP_AUTH": (
        {"ALLOW_USER_SRP_AUTH"},
        True,
        "USER_SRP_AUTH is not enabled for the client.",
    ),
    "REFRESH_TOKEN_AUTH": (
        {"ALLOW_REFRESH_TOKEN_AUTH"},
        True,
        "Refresh Token flow not enabled for this client",
    ),
    "REFRESH_TOKEN": (
        {"ALLOW_REFRESH_TOKEN_AUTH"},
        True,
        "Refresh Token flow not enabled for this client",
    ),
}


def _require_flow(client: AppClient, flow: str) -> None:
    enabling, legacy_allows, message = _ENABLING[flow]
    if _flows(client) & enabling or (legacy_allows and _legacy(client)):
        return
    raise InvalidParameterException(message)


def _param(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise InvalidParameterException(f"Missing required parameter {name}")
    return value


async def initiate_auth(
    ctx: Context,
    client_id: str,
    flow: str,
    params: dict[str, str],
    *,
    admin_pool_id: str | None = None,
) -> AuthOutcome:
    client, pool = await client_and_pool(ctx, client_id)
    if admin_pool_id is not None and admin_pool_id != pool.id:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    public = ("USER_SRP_AUTH", "USER_PASSWORD_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN")
    admin = (
        "USER_SRP_AUTH",
        "ADMIN_USER_PASSWORD_AUTH",
        "ADMIN_NO_SRP_AUTH",
        "REFRESH_TOKEN_AUTH",
        "REFRESH_TOKEN",
    )
    if flow not in (admin if admin_pool_id is not None else public):
        if flow in ("CUSTOM_AUTH", "USER_AUTH"):
            raise InvalidParameterException(f"{flow} is not supported by Poolgate yet.")
        raise InvalidParameterException("Initiate Auth method not supported.")
    _require_flow(client, flow)
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        return await _refresh(
            ctx, pool, client, _param(params, "REFRESH_TOKEN"), params.get("SECRET_HASH")
        )
    if flow == "USER_SRP_AUTH":
        return await _start_srp(ctx, pool, client, params)
    return await _password(ctx, pool, client, params)


async def _lookup(
    ctx: Context, pool: UserPool, client: AppClient, name: str, secret_hash: str | None
) -> User | None:
    user = await lookup.find_user(ctx, pool, name)
    check_secret_hash(ctx, client, secret_hash, name, *([user.username] if user else []))
    if user is None and not prevents_existence_errors(client):
        raise UserNotFoundException("User does not exist.")
    return user


async def _password(
    ctx: Context, pool: UserPool, client: AppClient, params: dict[str, str]
) -> AuthOutcome:
    name = _param(params, "USERNAME")
    password = _param(params, "PASSWORD")
    user = await _lookup(ctx, pool, client, name, params.get("SECRET_HASH"))
    await _check_password(ctx, pool, user, password)
    assert user is not None
    return await _after_password(ctx, pool, client, user)


async def _check_password(ctx: Context, pool: UserPool, user: User | None, password: str) -> None:
    if user is None:
        await passwords.burn_like_a_check(password)
        raise NotAuthorizedException(INCORRECT)
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    lockout.check(user, ctx.clock())
    if not await passwords.password_matches(ctx.sealer, user, password):
        await _failed(ctx, pool, user)
        raise NotAuthorizedException(INCORRECT)


async def hosted_sign_in(
    ctx: Context, pool: UserPool, client: AppClient, name: str, password: str
) -> tuple[User, AuthOutcome]:
    """Sign-in from the hosted pages: the same checks, lockout and messages as the
    API, an unknown user always masked, and no tokens yet (the OAuth code exchange
    mints them). The outcome carries a NEW_PASSWORD_REQUIRED challenge when due."""
    user = await lookup.find_user(ctx, pool, name)
    await _check_password(ctx, pool, user, password)
    assert user is not None
    return user, await _after_password(ctx, pool, client, user, mint=False)


async def _failed(ctx: Context, pool: UserPool, user: User) -> None:
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        if current is not None:
            lockout.record_failure(current, ctx.clock())
            await tx.put_user(current)


async def _after_password(
    ctx: Context, pool: UserPool, client: AppClient, user: User, *, mint: bool = True
) -> AuthOutcome:
    """The password was right: the user's status decides what happens next."""
    if lockout.record_success(user):
        await ctx.store.put_user(user)
    if user.status == lookup.UNCONFIRMED:
        raise UserNotConfirmedException("User is not confirmed.")
    if user.status == lookup.RESET_REQUIRED:
        raise PasswordResetRequiredException("Password reset required for the user")
    if user.status == lookup.FORCE_CHANGE_PASSWORD:
        if user.state.get("temporary_password_expires", float("inf")) < ctx.clock():
            raise NotAuthorizedException(
                "Temporary password has expired and must be reset by an administrator."
            )
        return _new_password_challenge(ctx, pool, client, user)
    if not mint:
        return AuthOutcome()
    minted = await tokens.mint(ctx, pool, client, user, auth_time=int(ctx.clock()))
    return AuthOutcome(tokens=minted)


def _new_password_challenge(
    ctx: Context, pool: UserPool, client: AppClient, user: User
) -> AuthOutcome:
    shown = {k: v for k, v in user.attributes.items() if k != "sub" and not k.startswith("dev:")}
    required = [
        f"userAttributes.{a['Name']}"
        for a in pool.settings["SchemaAttributes"]
        if a.get("Required") and a["Name"] != "sub" and not user.attributes.get(a["Name"])
    ]
    session = sessions.seal(
        ctx,
        {"challenge": NEW_PASSWORD_REQUIRED, "client": client.id, "sub": user.sub},
        client.settings.get("AuthSessionValidity") or 3,
    )
    return AuthOutcome(
        challenge_name=NEW_PASSWORD_REQUIRED,
        challenge_parameters={
            "USER_ID_FOR_SRP": user.username,
            "requiredAttributes": orjson.dumps(required).decode(),
            "userAttributes": orjson.dumps(shown).decode(),
        },
        session=session,
    )


def _decoy_verifier(ctx: Context, pool: UserPool, name: str) -> srp.Verifier:
    """A stable, fake verifier for a user who does not exist, so the SRP challenge
    looks the same for everyone (PreventUserExistenceErrors)."""
    seed = hmac.new(
        ctx.sealer.mac_key("srp-decoy"), f"{pool.id}:{name}".encode(), hashlib.sha256
    ).digest()
    return srp.Verifier(salt=seed[: srp.SALT_BYTES], verifier=int.from_bytes(seed, "big") + 2)


async def _start_srp(
    ctx: Context, pool: UserPool, client: AppClient, params: dict[str, str]
) -> AuthOutcome:
    name = _param(params, "USERNAME")
    srp_a = _param(params, "SRP_A")
    user = await _lookup(ctx, pool, client, name, params.get("SECRET_HASH"))
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


async def respond_to_auth_challenge(
    ctx: Context,
    client_id: str,
    challenge_name: str,
    responses: dict[str, str],
    session: str | None,
    *,
    admin_pool_id: str | None = None,
) -> AuthOutcome:
    client, pool = await client_and_pool(ctx, client_id)
    if admin_pool_id is not None and admin_pool_id != pool.id:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    if challenge_name == PASSWORD_VERIFIER:
        return await _verify_srp(ctx, pool, client, responses)
    if challenge_name == NEW_PASSWORD_REQUIRED:
        if not session:
            raise InvalidParameterException("Missing required parameter Session")
        return await _new_password(ctx, pool, client, responses, session)
    raise InvalidParameterException(f"The challenge {challenge_name} is not supported.")


def _check_timestamp(timestamp: str, now: float) -> None:
    try:
        when = srp.parse_timestamp(timestamp)
    except ValueError:
        raise NotAuthorizedException("Invalid TIMESTAMP.") from None
    if abs(when.timestamp() - now) > _TIMESTAMP_SKEW:
        raise NotAuthorizedException("TIMESTAMP is too far from the server's time.")


async def _verify_srp(
    ctx: Context, pool: UserPool, client: AppClient, responses: dict[str, str]
) -> AuthOutcome:
    block = _param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")
    signature = _param(responses, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = _param(responses, "TIMESTAMP")
    name = _param(responses, "USERNAME")
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
            await _failed(ctx, pool, user)
        raise NotAuthorizedException(INCORRECT)
    return await _after_password(ctx, pool, client, user)


async def _new_password(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    responses: dict[str, str],
    session: str,
    *,
    mint: bool = True,
) -> AuthOutcome:
    state = sessions.open_session(
        ctx, session, challenge=NEW_PASSWORD_REQUIRED, client_id=client.id
    )
    new_password = _param(responses, "NEW_PASSWORD")
    user = await ctx.store.get_user_by_sub(pool.id, state["sub"])
    if user is None:
        raise NotAuthorizedException(sessions.INVALID_SESSION)
    if mint:  # the hosted pages are the server itself: no SECRET_HASH there
        check_secret_hash(
            ctx, client, responses.get("SECRET_HASH"), responses.get("USERNAME", ""), user.username
        )
    if user.status != lookup.FORCE_CHANGE_PASSWORD:
        raise NotAuthorizedException(sessions.INVALID_SESSION)
    given = [
        {"Name": key[len("userAttributes.") :], "Value": value}
        for key, value in responses.items()
        if key.startswith("userAttributes.")
    ]
    changes = attributes.parse(pool, given, client=client)
    merged = {**user.attributes, **changes}
    attributes.check_required(pool, merged)
    passwords.check_policy(pool, new_password)
    user.attributes = merged
    await passwords.set_password(ctx.sealer, pool, user, new_password)
    user.status = lookup.CONFIRMED
    user.state.pop("temporary_password_expires", None)
    user.modified = ctx.clock()
    await ctx.store.put_user(lookup.index_keys(pool, user))
    if not mint:
        return AuthOutcome()
    minted = await tokens.mint(ctx, pool, client, user, auth_time=int(ctx.clock()))
    return AuthOutcome(tokens=minted)


async def hosted_new_password(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    session: str,
    new_password: str,
    attributes_given: dict[str, str],
) -> str:
    """The hosted new-password page: complete NEW_PASSWORD_REQUIRED; returns the sub."""
    state = sessions.open_session(
        ctx, session, challenge=NEW_PASSWORD_REQUIRED, client_id=client.id
    )
    responses = {"NEW_PASSWORD": new_password}
    responses.update({f"userAttributes.{k}": v for k, v in attributes_given.items()})
    await _new_password(ctx, pool, client, responses, session, mint=False)
    return str(state["sub"])


async def _refresh(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    refresh_token: str,
    secret_hash: str | None,
    *,
    secret_checked: bool = False,
) -> AuthOutcome:
    stored = await ctx.store.get_refresh_token(tokens.hash_refresh_token(refresh_token))
    if stored is None or stored.client_id != client.id or stored.pool_id != pool.id:
        raise NotAuthorizedException("Invalid Refresh Token")
    user = await ctx.store.get_user_by_sub(pool.id, stored.sub)
    if user is None:
        raise NotAuthorizedException("Invalid Refresh Token")
    if not secret_checked:
        check_secret_hash(ctx, client, secret_hash, user.username, user.sub)
    if stored.revoked is not None:
        raise NotAuthorizedException("Refresh Token has been revoked")
    if stored.expires < ctx.clock():
        raise NotAuthorizedException("Refresh Token has expired")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    minted = await tokens.mint(
        ctx,
        pool,
        client,
        user,
        auth_time=stored.auth_time,
        origin_jti=stored.origin_jti,
        with_refresh_token=False,
        scope=stored.scope or tokens.ADMIN_SCOPE,
        oauth=stored.scope is not None,
    )
    return AuthOutcome(tokens=minted)


async def refresh_for_client(
    ctx: Context, pool: UserPool, client: AppClient, refresh_token: str
) -> AuthOutcome:
    """The OAuth refresh_token grant: the client has already authenticated itself."""
    return await _refresh(ctx, pool, client, refresh_token, None, secret_checked=True)


async def get_tokens_from_refresh_token(
    ctx: Context, client_id: str, refresh_token: str, client_secret: str | None
) -> AuthOutcome:
    client, pool = await client_and_pool(ctx, client_id)
    check_client_secret(ctx, client, client_secret)
    _require_flow(client, "REFRESH_TOKEN_AUTH")
    return await _refresh(ctx, pool, client, refresh_token, None, secret_checked=True)
