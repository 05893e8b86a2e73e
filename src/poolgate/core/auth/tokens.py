"""Id, access and refresh tokens with Cognito's claims.

Id and access tokens are RS256 JWTs, each type signed with its own key of the pool
(header ``kid`` and ``alg`` only, as Cognito's). The access token has ``client_id``
and no ``aud``. Refresh tokens are opaque random strings, stored only as a SHA-256
hash; every token minted from one refresh token shares its ``origin_jti``, which is how
revoking the refresh token also refuses those access tokens on Poolgate's own APIs.
(Amazon Cognito developer guide, "Understanding user pool JSON web tokens".)
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import contextvars
import hashlib
import secrets
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import jwt
import orjson

from poolgate.core.context import Context
from poolgate.core.errors import NotAuthorizedException, UserNotFoundException
from poolgate.core.groups import groups
from poolgate.core.pools import clients
from poolgate.core.records import AppClient, Group, RefreshToken, User, UserPool
from poolgate.core.triggers import token_generation
from poolgate.core.users import attributes

ADMIN_SCOPE = "aws.cognito.signin.user.admin"
_BOOLEAN_CLAIMS = {"email_verified", "phone_number_verified"}


@dataclass
class Tokens:
    id_token: str | None
    access_token: str
    refresh_token: str | None
    expires_in: int


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _claim_value(name: str, value: str) -> Any:
    if name in _BOOLEAN_CLAIMS:
        return value == "true"
    if name == "updated_at":
        try:
            return int(value)
        except ValueError:
            return value
    if name == "identities":
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def id_claims(pool: UserPool, client: AppClient, user: User) -> dict[str, Any]:
    allowed = attributes.readable(client, pool)
    claims: dict[str, Any] = {}
    for name, value in user.attributes.items():
        if name == "sub" or name.startswith("dev:"):
            continue
        if allowed is not None and name not in allowed:
            continue
        claims[name] = _claim_value(name, value)
    return claims


async def mint(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    user: User,
    *,
    auth_time: int,
    origin_jti: str | None = None,
    with_refresh_token: bool = True,
    scope: str = ADMIN_SCOPE,
    nonce: str | None = None,
    oauth: bool = False,
    device_key: str | None = None,
    source: str = token_generation.AUTHENTICATION,
    client_metadata: dict[str, str] | None = None,
    precomputed: token_generation.TokenChanges | None = None,
    run_trigger: bool = True,
    user_groups: Sequence[Group] | None = None,
) -> Tokens:
    """Sign a new id and access token (and store a new refresh token when asked).

    The pool's pre token generation trigger, for ``source``, may change the claims
    (``precomputed``: the changes it asked for earlier, when ``run_trigger`` is False).
    Both tokens carry the user's ``cognito:groups``; only the id token carries
    ``cognito:roles`` and ``cognito:preferred_role`` (developer guide, "Using the ID
    token" and "Using the access token"). Membership is read at every mint
    (``user_groups``: read by the caller in the same request), so a refresh reflects
    groups changed since sign-in, as Cognito's does.
    """
    now = int(ctx.clock())
    if origin_jti:
        ctx.metrics.tokens_issued("refresh")
    else:
        ctx.metrics.tokens_issued("authorization_code" if oauth else "sign_in")
    origin_jti = origin_jti or str(uuid.uuid4())
    event_id = str(uuid.uuid4())
    issuer = ctx.issuer(pool.id)
    access_lifetime = clients.token_lifetime(client, "AccessToken")
    id_lifetime = clients.token_lifetime(client, "IdToken")
    if user_groups is None:
        id_group_claims = await groups.token_claims(ctx, pool.id, user.sub)
    else:
        id_group_claims = groups.claims_for(user_groups)
    access_group_claims = {k: v for k, v in id_group_claims.items() if k == "cognito:groups"}
    changes = precomputed
    if run_trigger:
        changes = await token_generation.pre_token_generation(
            ctx, pool, source, user=user, client_id=client.id, group_claims=id_group_claims,
            scopes=scope.split(), client_metadata=client_metadata,
        )  # fmt: skip

    id_payload: dict[str, Any] = {
        "sub": user.sub,
        **id_group_claims,
        **id_claims(pool, client, user),
        "iss": issuer,
        "cognito:username": user.username,
        "origin_jti": origin_jti,
        "aud": client.id,
        "event_id": event_id,
        "token_use": "id",
        "auth_time": auth_time,
        "exp": now + id_lifetime,
        "iat": now,
        "jti": str(uuid.uuid4()),
    }
    if nonce is not None:
        id_payload["nonce"] = nonce
    access_payload: dict[str, Any] = {
        "sub": user.sub,
        **access_group_claims,
        "iss": issuer,
        "client_id": client.id,
        "origin_jti": origin_jti,
        "event_id": event_id,
        "token_use": "access",
        "scope": scope,
        "auth_time": auth_time,
        "exp": now + access_lifetime,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "username": user.username,
    }
    if changes is not None:
        changes.apply_id(id_payload)
        changes.apply_access(access_payload)
    keys = await ctx.keyring.keys(pool.id)
    id_kid, id_key = keys.signers["id"]
    access_kid, access_key = keys.signers["access"]

    # Through OAuth, an id token only with the openid scope (OpenID Connect Core 3.1).
    with_id_token = not oauth or "openid" in scope.split()

    def sign() -> tuple[str | None, str]:
        access = jwt.encode(
            access_payload, access_key, algorithm="RS256", headers={"kid": access_kid, "typ": None}
        )
        if not with_id_token:
            return None, access
        if oauth:
            id_payload["at_hash"] = _at_hash(access)
        return (
            jwt.encode(id_payload, id_key, algorithm="RS256", headers={"kid": id_kid, "typ": None}),
            access,
        )

    # Two RSA signatures (~1.4 ms): off the event loop so other requests keep moving.
    id_token, access_token = await asyncio.to_thread(sign)

    refresh_token = None
    if with_refresh_token:
        refresh_token = base64.urlsafe_b64encode(secrets.token_bytes(48)).decode().rstrip("=")
        stored = RefreshToken(
            token_hash=hash_refresh_token(refresh_token),
            pool_id=pool.id,
            client_id=client.id,
            sub=user.sub,
            origin_jti=origin_jti,
            auth_time=auth_time,
            created=now,
            expires=now + clients.token_lifetime(client, "RefreshToken"),
            scope=scope if oauth else None,
            device_key=device_key,
        )
        deferred = _deferred.get()
        if deferred is not None:
            deferred.append(stored)
        else:
            await ctx.store.add_refresh_token(stored)
    return Tokens(id_token, access_token, refresh_token, access_lifetime)


# Set by a sign-in attempt (``attempts.attempt``): the refresh tokens minted during it,
# stored with the attempt's audit event in one write instead of one write each.
_deferred: contextvars.ContextVar[list[RefreshToken] | None] = contextvars.ContextVar(
    "poolgate_deferred_refresh_tokens", default=None
)


@contextlib.contextmanager
def deferring_refresh_tokens() -> Iterator[list[RefreshToken]]:
    """Refresh tokens minted in this block (this task) are not stored but collected in
    the list yielded; the caller stores them before answering (``Store.add_sign_in``)."""
    pending: list[RefreshToken] = []
    token = _deferred.set(pending)
    try:
        yield pending
    finally:
        _deferred.reset(token)


def _at_hash(access_token: str) -> str:
    """OpenID Connect Core 3.1.3.6: the left half of the SHA-256 of the access token."""
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


async def mint_for_client(ctx: Context, pool: UserPool, client: AppClient, scope: str) -> Tokens:
    """client_credentials: an access token for the client itself (``sub`` is the client
    id), no id token and no refresh token (developer guide, "The token endpoint"); a
    V3_0 pre token generation trigger may change it."""
    now = int(ctx.clock())
    ctx.metrics.tokens_issued("client_credentials")
    lifetime = clients.token_lifetime(client, "AccessToken")
    payload = {
        "sub": client.id,
        "token_use": "access",
        "scope": scope,
        "auth_time": now,
        "iss": ctx.issuer(pool.id),
        "exp": now + lifetime,
        "iat": now,
        "version": 2,
        "jti": str(uuid.uuid4()),
        "client_id": client.id,
    }
    changes = await token_generation.pre_token_generation(
        ctx, pool, token_generation.CLIENT_CREDENTIALS, user=None, client_id=client.id,
        group_claims={}, scopes=scope.split(), client_metadata=None,
    )  # fmt: skip
    if changes is not None:
        changes.apply_access(payload)
    keys = await ctx.keyring.keys(pool.id)
    kid, key = keys.signers["access"]
    token = await asyncio.to_thread(
        jwt.encode, payload, key, algorithm="RS256", headers={"kid": kid, "typ": None}
    )
    return Tokens(None, token, None, lifetime)


@dataclass
class AccessGrant:
    """A verified access token and whom it speaks for."""

    pool: UserPool
    user: User
    claims: dict[str, Any]


_INVALID = "Invalid Access Token"


async def verify_access_token(ctx: Context, token: str) -> AccessGrant:
    """What Cognito checks before a self-service call (GetUser, ChangePassword...):
    signature by the pool's access key, expiry, ``token_use``, revocation, and that the
    user still exists and is enabled.

    A verified token's claims are remembered until it expires, so a hot token pays
    for its RSA check once; revocation and the user are read on every call, in one
    query."""
    pool_id, claims = await _verified_access_claims(ctx, token)
    pool = await ctx.store.get_pool(pool_id)
    if pool is None:
        raise NotAuthorizedException(_INVALID)
    user, revoked = await ctx.store.get_user_for_token(
        pool_id, str(claims["sub"]), str(claims.get("origin_jti", ""))
    )
    if revoked:
        raise NotAuthorizedException("Access Token has been revoked")
    if user is None:
        raise UserNotFoundException("User does not exist.")
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")
    return AccessGrant(pool, user, claims)


async def _verified_access_claims(ctx: Context, token: str) -> tuple[str, dict[str, Any]]:
    cached = ctx.keyring.verified_token(token, ctx.clock())
    if cached is not None:
        return cached
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise NotAuthorizedException(_INVALID) from None
    pool_id = ctx.pool_id_from_issuer(str(unverified.get("iss", "")))
    if pool_id is None:
        raise NotAuthorizedException(_INVALID)
    keys = await ctx.keyring.keys(pool_id)
    found = keys.verifiers.get(str(header.get("kid", "")))
    if found is None or found[0] != "access":
        raise NotAuthorizedException(_INVALID)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            found[1],
            algorithms=["RS256"],
            issuer=ctx.issuer(pool_id),
            options={"verify_aud": False, "require": ["exp", "iat", "sub", "token_use"]},
        )
    except jwt.ExpiredSignatureError:
        raise NotAuthorizedException("Access Token has expired") from None
    except jwt.PyJWTError:
        raise NotAuthorizedException(_INVALID) from None
    if claims.get("token_use") != "access":
        raise NotAuthorizedException(_INVALID)
    ctx.keyring.remember_token(token, pool_id, claims)
    return pool_id, claims


def unverified_claims(token: str) -> dict[str, Any]:
    """The claims of a token this server just minted (no need to verify our own)."""
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims
