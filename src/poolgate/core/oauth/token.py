"""The token endpoint's grants (RFC 6749 4.1.3 authorization_code with RFC 7636's
code_verifier, 6 refresh_token, 4.4 client_credentials with resource-server scopes)."""

from __future__ import annotations

from poolgate.core.auth import refresh as refresh_flow
from poolgate.core.auth import tokens
from poolgate.core.context import Context
from poolgate.core.errors import CognitoError
from poolgate.core.oauth import pkce
from poolgate.core.oauth.codes import code_hash
from poolgate.core.oauth.errors import (
    InvalidGrant,
    InvalidRequest,
    InvalidScope,
    UnauthorizedClient,
)
from poolgate.core.pools import clients, resource_servers
from poolgate.core.records import AppClient, UserPool
from poolgate.core.triggers.token_generation import TokenChanges


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
        raise UnauthorizedClient("The authorization code grant is not allowed for this client.")
    if not code:
        raise InvalidRequest("code is required.")
    stored, fresh = await ctx.store.consume_authorization_code(code_hash(code), ctx.clock())
    if stored is None:
        raise InvalidGrant("The authorization code is invalid.")
    if not fresh:
        # A replayed code: revoke what the first exchange produced (RFC 6749 4.1.2).
        origin = stored.grant.get("origin_jti")
        if origin:
            await _revoke_origin(ctx, pool, stored.sub, origin)
        raise InvalidGrant("The authorization code has already been used.")
    if stored.client_id != client.id:
        raise InvalidGrant("The authorization code was issued to another client.")
    if stored.expires < ctx.clock():
        raise InvalidGrant("The authorization code has expired.")
    if redirect_uri != stored.grant["redirect_uri"]:
        raise InvalidGrant("The redirect_uri does not match the authorization request.")
    challenge = stored.grant.get("code_challenge")
    if challenge and (not code_verifier or not pkce.verifier_matches(challenge, code_verifier)):
        raise InvalidGrant("The code_verifier does not match the code_challenge.")
    if not challenge and code_verifier:
        # A PKCE downgrade (RFC 9700 2.1.1): the authorization request had no challenge.
        raise InvalidGrant("A code_verifier was sent for a code issued without code_challenge.")
    user = await ctx.store.get_user_by_sub(pool.id, stored.sub)
    if user is None or not user.enabled:
        raise InvalidGrant("The user is no longer able to sign in.")
    changes = stored.grant.get("token_changes")
    minted = await tokens.mint(
        ctx, pool, client, user, auth_time=int(stored.grant["auth_time"]),
        scope=stored.grant["scope"], nonce=stored.grant.get("nonce"), oauth=True,
        precomputed=TokenChanges(**changes) if changes else None, run_trigger=False,
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
        raise InvalidRequest("refresh_token is required.")
    try:
        outcome = await refresh_flow.refresh_for_client(ctx, pool, client, refresh_token)
    except CognitoError as exc:
        raise InvalidGrant(exc.message) from None
    assert outcome.tokens is not None
    return outcome.tokens


async def client_credentials(
    ctx: Context, client: AppClient, pool: UserPool, scope: str | None
) -> tokens.Tokens:
    if clients.client_secret(ctx, client) is None:
        raise UnauthorizedClient(
            "client_credentials requires a client with a secret.",
            redirect=False,
        )
    if "client_credentials" not in (client.settings.get("AllowedOAuthFlows") or []):
        raise UnauthorizedClient(
            "The client_credentials flow is not allowed for this client.",
            redirect=False,
        )
    allowed = [s for s in client.settings.get("AllowedOAuthScopes") or [] if "/" in s]
    requested = (scope or "").split() or allowed
    if not requested or any(s not in allowed for s in requested):
        raise InvalidScope(
            "Only the client's resource-server scopes can be granted.",
            redirect=False,
        )
    known = await resource_servers.custom_scopes(ctx, pool.id)
    if any(s not in known for s in requested):
        raise InvalidScope("A requested scope no longer exists.", redirect=False)
    try:
        return await tokens.mint_for_client(ctx, pool, client, " ".join(dict.fromkeys(requested)))
    except CognitoError as exc:  # the V3_0 pre token generation trigger refused
        raise InvalidRequest(exc.message, redirect=False) from None
