"""OAuth 2.0 and OpenID Connect as Cognito's endpoints speak them, without HTTP:
the authorization request's checks, authorization codes, the token endpoint's grants,
userInfo's claims and revocation (RFC 6749, RFC 7636, RFC 7009, OpenID Connect Core;
Cognito developer guide, "User pool endpoints reference").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from poolgate.core.auth import flows, tokens
from poolgate.core.context import Context
from poolgate.core.errors import CognitoError
from poolgate.core.pools import clients, resource_servers
from poolgate.core.users import lookup
from poolgate.store.records import AppClient, AuthorizationCode, User, UserPool

CODE_LIFETIME = 300  # Cognito's authorization codes last five minutes.
OIDC_SCOPES = ("openid", "email", "phone", "profile")
_PROFILE_CLAIMS = (
    "name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
    "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale",
    "updated_at", "address",
)  # fmt: skip


class OAuthError(Exception):
    """An RFC 6749 error: ``error`` is the code, ``description`` the readable text.

    ``redirect`` says whether it may be sent back to the client's redirect URI; an
    error about the client or the redirect URI itself never is (RFC 6749 4.1.2.1)."""

    status = 400

    def __init__(self, error: str, description: str = "", *, redirect: bool = True) -> None:
        super().__init__(description or error)
        self.error = error
        self.description = description
        self.redirect = redirect


class InvalidClient(OAuthError):
    status = 401

    def __init__(self, description: str = "Client authentication failed.") -> None:
        super().__init__("invalid_client", description, redirect=False)


@dataclass
class AuthorizeRequest:
    client: AppClient
    pool: UserPool
    redirect_uri: str
    response_type: str
    scopes: list[str]
    state: str | None = None
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    prompt: set[str] = field(default_factory=set)

    def query(self) -> dict[str, str]:
        """The parameters to carry through the hosted pages and back."""
        params = {
            "client_id": self.client.id,
            "response_type": self.response_type,
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(self.scopes),
        }
        for name in ("state", "nonce", "code_challenge", "code_challenge_method"):
            value = getattr(self, name)
            if value:
                params[name] = value
        return params


def _secret(ctx: Context, client: AppClient) -> str | None:
    return clients.client_secret(ctx, client)


async def validate_authorize(
    ctx: Context, params: Mapping[str, str], *, require_pkce: bool = True
) -> AuthorizeRequest:
    client_id = params.get("client_id", "")
    client = await ctx.store.get_client(client_id) if client_id else None
    if client is None:
        raise OAuthError("invalid_request", "The client_id is missing or unknown.", redirect=False)
    pool = await ctx.store.get_pool(client.pool_id)
    if pool is None:
        raise OAuthError(
            "invalid_request", "The client's user pool no longer exists.", redirect=False
        )
    callbacks = client.settings.get("CallbackURLs") or []
    redirect_uri = params.get("redirect_uri") or ""
    if not redirect_uri and len(callbacks) == 1:
        redirect_uri = callbacks[0]
    # Exact match only (RFC 6749 3.1.2.3 and OAuth security BCP): no prefixes, no
    # normalisation, no redirect to an unregistered address, even to report an error.
    if redirect_uri not in callbacks:
        raise OAuthError(
            "redirect_mismatch",
            "The redirect_uri is not one of the client's callback URLs.",
            redirect=False,
        )
    request = AuthorizeRequest(
        client=client,
        pool=pool,
        redirect_uri=redirect_uri,
        response_type=params.get("response_type", ""),
        scopes=[],
        state=params.get("state") or None,
        nonce=params.get("nonce") or None,
        code_challenge=params.get("code_challenge") or None,
        code_challenge_method=params.get("code_challenge_method") or None,
        prompt=set((params.get("prompt") or "").split()),
    )
    if not client.settings.get("AllowedOAuthFlowsUserPoolClient"):
        raise OAuthError("unauthorized_client", "The client is not enabled for OAuth flows.")
    flows = client.settings.get("AllowedOAuthFlows") or []
    if request.response_type == "code":
        if "code" not in flows:
            raise OAuthError("unauthorized_client", "The code flow is not allowed for this client.")
    elif request.response_type == "token":
        if "implicit" not in flows:
            raise OAuthError(
                "unauthorized_client", "The implicit flow is not allowed for this client."
            )
    else:
        raise OAuthError("unsupported_response_type", "response_type must be code or token.")
    allowed = client.settings.get("AllowedOAuthScopes") or []
    requested = (params.get("scope") or "").split()
    if not requested:
        requested = list(allowed)
    unknown = [scope for scope in requested if scope not in allowed]
    if unknown:
        raise OAuthError(
            "invalid_scope", f"Scopes not allowed for this client: {' '.join(unknown)}"
        )
    request.scopes = list(dict.fromkeys(requested))
    provider = params.get("identity_provider")
    supported = client.settings.get("SupportedIdentityProviders") or []
    if provider and provider != "COGNITO":
        raise OAuthError("invalid_request", f"Unsupported identity provider: {provider}.")
    if "COGNITO" not in supported:
        raise OAuthError(
            "unauthorized_client",
            "The client does not support sign-in with the user pool (COGNITO).",
        )
    if request.code_challenge_method not in (None, "S256"):
        raise OAuthError("invalid_request", "code_challenge_method must be S256.")
    if request.code_challenge and request.code_challenge_method is None:
        request.code_challenge_method = "S256"
    public = _secret(ctx, client) is None
    if request.response_type == "code" and public and require_pkce and not request.code_challenge:
        raise OAuthError(
            "invalid_request", "PKCE (code_challenge with S256) is required for public clients."
        )
    return request


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def issue_code(ctx: Context, request: AuthorizeRequest, user: User, auth_time: int) -> str:
    code = secrets.token_urlsafe(32)
    now = ctx.clock()
    await ctx.store.add_authorization_code(
        AuthorizationCode(
            code_hash=_hash(code),
            pool_id=request.pool.id,
            client_id=request.client.id,
            sub=user.sub,
            grant={
                "redirect_uri": request.redirect_uri,
                "scope": " ".join(request.scopes),
                "nonce": request.nonce,
                "code_challenge": request.code_challenge,
                "auth_time": auth_time,
            },
            created=now,
            expires=now + CODE_LIFETIME,
        )
    )
    return code


async def implicit_tokens(
    ctx: Context, request: AuthorizeRequest, user: User, auth_time: int
) -> tokens.Tokens:
    return await tokens.mint(
        ctx, request.pool, request.client, user, auth_time=auth_time,
        with_refresh_token=False, scope=" ".join(request.scopes), nonce=request.nonce, oauth=True,
    )  # fmt: skip


async def authenticate_client(
    ctx: Context, client_id: str | None, secret: str | None
) -> tuple[AppClient, UserPool]:
    """The token and revocation endpoints' client authentication: HTTP Basic or form
    (client_secret_basic / client_secret_post); public clients send only client_id."""
    client = await ctx.store.get_client(client_id) if client_id else None
    if client is None:
        raise InvalidClient()
    pool = await ctx.store.get_pool(client.pool_id)
    if pool is None:
        raise InvalidClient()
    expected = _secret(ctx, client)
    if expected is not None and not (
        secret and hmac.compare_digest(expected.encode(), secret.encode())
    ):
        raise InvalidClient()
    return client, pool


def _pkce_ok(challenge: str, verifier: str) -> bool:
    """RFC 7636 4.6: BASE64URL(SHA256(verifier)) == challenge."""
    digest = hashlib.sha256(verifier.encode()).digest()
    computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return hmac.compare_digest(computed, challenge)


async def exchange_code(
    ctx: Context,
    client: AppClient,
    pool: UserPool,
    code: str,
    redirect_uri: str | None,
    code_verifier: str | None,
) -> tokens.Tokens:
    # RFC 6749 5.2: a client not allowed this grant is told so (before the code is
    # looked at, so its attempt does not consume a code).
    if not client.settings.get("AllowedOAuthFlowsUserPoolClient") or "code" not in (
        client.settings.get("AllowedOAuthFlows") or []
    ):
        raise OAuthError(
            "unauthorized_client", "The authorization code grant is not allowed for this client."
        )
    if not code:
        raise OAuthError("invalid_request", "code is required.")
    stored, fresh = await ctx.store.consume_authorization_code(_hash(code), ctx.clock())
    if stored is None:
        raise OAuthError("invalid_grant", "The authorization code is invalid.")
    if not fresh:
        # A replayed code: revoke what the first exchange produced (RFC 6749 4.1.2).
        origin = stored.grant.get("origin_jti")
        if origin:
            await _revoke_origin(ctx, pool, stored.sub, origin)
        raise OAuthError("invalid_grant", "The authorization code has already been used.")
    if stored.client_id != client.id:
        raise OAuthError("invalid_grant", "The authorization code was issued to another client.")
    if stored.expires < ctx.clock():
        raise OAuthError("invalid_grant", "The authorization code has expired.")
    if redirect_uri != stored.grant["redirect_uri"]:
        raise OAuthError(
            "invalid_grant", "The redirect_uri does not match the authorization request."
        )
    challenge = stored.grant.get("code_challenge")
    if challenge and (not code_verifier or not _pkce_ok(challenge, code_verifier)):
        raise OAuthError("invalid_grant", "The code_verifier does not match the code_challenge.")
    if not challenge and code_verifier:
        # A PKCE downgrade (RFC 9700 2.1.1): the authorization request had no challenge.
        raise OAuthError(
            "invalid_grant", "A code_verifier was sent for a code issued without code_challenge."
        )
    user = await ctx.store.get_user_by_sub(pool.id, stored.sub)
    if user is None or not user.enabled:
        raise OAuthError("invalid_grant", "The user is no longer able to sign in.")
    minted = await tokens.mint(
        ctx, pool, client, user, auth_time=int(stored.grant["auth_time"]),
        scope=stored.grant["scope"], nonce=stored.grant.get("nonce"), oauth=True,
    )  # fmt: skip
    access = tokens.unverified_claims(minted.access_token)
    await ctx.store.record_code_tokens(stored.code_hash, str(access["origin_jti"]))
    return minted


async def _revoke_origin(ctx: Context, pool: UserPool, sub: str, origin_jti: str) -> None:
    for token in await ctx.store.refresh_tokens_of_origin(origin_jti):
        await ctx.store.revoke_refresh_token(token.token_hash, ctx.clock())


async def refresh(
    ctx: Context, client: AppClient, pool: UserPool, refresh_token: str
) -> tokens.Tokens:
    if not refresh_token:
        raise OAuthError("invalid_request", "refresh_token is required.")
    try:
        outcome = await flows.refresh_for_client(ctx, pool, client, refresh_token)
    except CognitoError as exc:
        raise OAuthError("invalid_grant", exc.message) from None
    assert outcome.tokens is not None
    return outcome.tokens


async def client_credentials(
    ctx: Context, client: AppClient, pool: UserPool, scope: str | None
) -> tokens.Tokens:
    if _secret(ctx, client) is None:
        raise OAuthError(
            "unauthorized_client",
            "client_credentials requires a client with a secret.",
            redirect=False,
        )
    if "client_credentials" not in (client.settings.get("AllowedOAuthFlows") or []):
        raise OAuthError(
            "unauthorized_client",
            "The client_credentials flow is not allowed for this client.",
            redirect=False,
        )
    allowed = [s for s in client.settings.get("AllowedOAuthScopes") or [] if "/" in s]
    requested = (scope or "").split() or allowed
    if not requested or any(s not in allowed for s in requested):
        raise OAuthError(
            "invalid_scope",
            "Only the client's resource-server scopes can be granted.",
            redirect=False,
        )
    known = await resource_servers.custom_scopes(ctx, pool.id)
    if any(s not in known for s in requested):
        raise OAuthError("invalid_scope", "A requested scope no longer exists.", redirect=False)
    return await tokens.mint_for_client(ctx, pool, client, " ".join(dict.fromkeys(requested)))


async def userinfo(ctx: Context, access_token: str) -> dict[str, Any]:
    """The userInfo endpoint's claims, by the token's scopes (OpenID Connect Core 5.4)."""
    grant = await tokens.verify_access_token(ctx, access_token)
    scopes = str(grant.claims.get("scope", "")).split()
    if "openid" not in scopes and tokens.ADMIN_SCOPE not in scopes:
        raise OAuthError("insufficient_scope", "The access token lacks the openid scope.")
    user, _pool = grant.user, grant.pool
    client = await ctx.store.get_client(str(grant.claims.get("client_id", "")))
    readable = None
    if client is not None and client.settings.get("ReadAttributes"):
        readable = set(client.settings["ReadAttributes"]) | {"sub"}
    wanted: set[str] = {"sub"}
    if "email" in scopes:
        wanted |= {"email", "email_verified"}
    if "phone" in scopes:
        wanted |= {"phone_number", "phone_number_verified"}
    if "profile" in scopes:
        wanted |= set(_PROFILE_CLAIMS)
    if tokens.ADMIN_SCOPE in scopes:
        wanted |= set(user.attributes)
    claims: dict[str, Any] = {}
    for name, value in user.attributes.items():
        if (
            name in wanted
            and not name.startswith("dev:")
            and (readable is None or name in readable)
        ):
            claims[name] = value
    claims["username"] = user.username
    return claims


async def revoke(ctx: Context, client: AppClient, token: str) -> None:
    if not client.settings.get("EnableTokenRevocation", True):
        raise OAuthError(
            "unsupported_operation",
            "Token revocation is not enabled for this client.",
            redirect=False,
        )
    if not token:
        raise OAuthError("invalid_request", "token is required.", redirect=False)
    if token.count(".") == 2:
        raise OAuthError(
            "unsupported_token_type", "Only refresh tokens can be revoked.", redirect=False
        )
    stored = await ctx.store.get_refresh_token(tokens.hash_refresh_token(token))
    if stored is None:
        return  # RFC 7009 2.2
    if stored.client_id != client.id:
        raise OAuthError(
            "invalid_request", "The token was not issued to this client.", redirect=False
        )
    await ctx.store.revoke_refresh_token(stored.token_hash, ctx.clock())


async def user_for_session(ctx: Context, pool: UserPool, sub: str) -> User | None:
    user = await ctx.store.get_user_by_sub(pool.id, sub)
    if user is None or not user.enabled or user.status != lookup.CONFIRMED:
        return None
    return user
