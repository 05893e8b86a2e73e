"""RevokeToken and AdminUserGlobalSignOut.

Revoking a refresh token ends it and, through their shared ``origin_jti``, every
access and id token minted from it, for Poolgate's own APIs; third-party verifiers
keep accepting those JWTs until they expire, exactly as with Cognito (Cognito
developer guide, "Revoking tokens").
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from poolgate.core.auth import tokens
from poolgate.core.auth.client_auth import client_and_pool
from poolgate.core.context import Context
from poolgate.core.errors import (
    ResourceNotFoundException,
    UnauthorizedException,
    UnsupportedOperationException,
    UnsupportedTokenTypeException,
)
from poolgate.core.pools import clients
from poolgate.core.records import UserPool
from poolgate.core.users import lookup


async def revoke_token(ctx: Context, client_id: str, token: str, client_secret: str | None) -> None:
    try:
        client, _pool = await client_and_pool(ctx, client_id)
    except ResourceNotFoundException:
        # RevokeToken declares no ResourceNotFoundException: an unknown client fails
        # to authenticate, as /oauth2/revoke's invalid_client.
        raise UnauthorizedException("The client is not known to the user pool.") from None
    secret = clients.client_secret(ctx, client)
    if secret is not None and not (
        client_secret and hmac.compare_digest(secret.encode(), client_secret.encode())
    ):
        raise UnauthorizedException("The client secret is missing or does not match.")
    if not client.settings.get("EnableTokenRevocation", True):
        raise UnsupportedOperationException("Token revocation is not enabled for this client.")
    if token.count(".") == 2:
        raise UnsupportedTokenTypeException("Only refresh tokens can be revoked.")
    stored = await ctx.store.get_refresh_token(tokens.hash_refresh_token(token))
    # RFC 7009 2.2: an invalid token is not an error; one issued to another client is.
    if stored is None:
        return
    if stored.client_id != client.id:
        raise UnauthorizedException("The token was not issued to this client.")
    await ctx.store.revoke_refresh_token(stored.token_hash, ctx.clock())


async def admin_user_global_sign_out(ctx: Context, pool: UserPool, username: str) -> None:
    user = await lookup.require_user(ctx, pool, username)
    await ctx.store.revoke_user_tokens(pool.id, user.sub, ctx.clock())


async def token_refusal(ctx: Context, pool_id: str, claims: Mapping[str, Any]) -> str | None:
    """Why a verified id or access token of ``pool_id`` no longer speaks for its user,
    or None while it does: its refresh-token family was revoked (RevokeToken,
    GlobalSignOut, AdminUserGlobalSignOut, AdminDisableUser), or the user was deleted
    or disabled. One store read. A client-credentials token (no user) is not refused.

    Verifiers outside Poolgate (API Gateway, aws-jwt-verify) cannot know this and accept
    such a token until it expires; Poolgate's own gateway asks here."""
    sub = claims.get("sub")
    origin = claims.get("origin_jti")
    if not isinstance(sub, str):
        return "the token has no sub"
    if origin is None and claims.get("token_use") == "access" and "username" not in claims:
        return None
    user, revoked = await ctx.store.get_user_for_token(pool_id, sub, str(origin or ""))
    if revoked:
        return "the token has been revoked (a sign-out, or the refresh token was revoked)"
    if user is None:
        return "the token's user no longer exists"
    if not user.enabled:
        return "the token's user is disabled"
    return None
