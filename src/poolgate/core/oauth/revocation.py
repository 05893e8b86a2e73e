"""The revocation endpoint (RFC 7009): a refresh token, and with it the access tokens
issued from it, ends; unknown tokens are not an error (2.2)."""

from __future__ import annotations

from poolgate.core.auth import tokens
from poolgate.core.context import Context
from poolgate.core.oauth.errors import InvalidRequest, UnsupportedOperation, UnsupportedTokenType
from poolgate.core.records import AppClient


async def revoke(ctx: Context, client: AppClient, token: str) -> None:
    if not client.settings.get("EnableTokenRevocation", True):
        raise UnsupportedOperation(
            "Token revocation is not enabled for this client.",
            redirect=False,
        )
    if not token:
        raise InvalidRequest("token is required.", redirect=False)
    if token.count(".") == 2:
        raise UnsupportedTokenType("Only refresh tokens can be revoked.", redirect=False)
    stored = await ctx.store.get_refresh_token(tokens.hash_refresh_token(token))
    if stored is None:
        return  # RFC 7009 2.2
    if stored.client_id != client.id:
        raise InvalidRequest("The token was not issued to this client.", redirect=False)
    await ctx.store.revoke_refresh_token(stored.token_hash, ctx.clock())
