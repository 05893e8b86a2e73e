"""REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken and the OAuth refresh_token grant: new
id and access tokens from a stored, unrevoked refresh token."""

from __future__ import annotations

from poolgate.core.auth import tokens
from poolgate.core.auth.client_auth import check_client_secret, check_secret_hash, client_and_pool
from poolgate.core.auth.explicit_flows import require_flow
from poolgate.core.auth.outcome import AuthOutcome
from poolgate.core.context import Context
from poolgate.core.errors import NotAuthorizedException
from poolgate.core.records import AppClient, UserPool
from poolgate.core.triggers import token_generation


async def refresh(
    ctx: Context,
    pool: UserPool,
    client: AppClient,
    refresh_token: str,
    secret_hash: str | None,
    *,
    secret_checked: bool = False,
    client_metadata: dict[str, str] | None = None,
) -> AuthOutcome:
    # One read for all three: the token, its user and the user's groups (the claims).
    stored, user, user_groups = await ctx.store.get_refresh_token_with_user(
        tokens.hash_refresh_token(refresh_token)
    )
    if stored is None or stored.client_id != client.id or stored.pool_id != pool.id:
        raise NotAuthorizedException("Invalid Refresh Token")
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
        source=token_generation.REFRESH_TOKENS,
        client_metadata=client_metadata,
        user_groups=user_groups,
    )
    return AuthOutcome(tokens=minted)


async def refresh_for_client(
    ctx: Context, pool: UserPool, client: AppClient, refresh_token: str
) -> AuthOutcome:
    """The OAuth refresh_token grant: the client has already authenticated itself."""
    return await refresh(ctx, pool, client, refresh_token, None, secret_checked=True)


async def get_tokens_from_refresh_token(
    ctx: Context,
    client_id: str,
    refresh_token: str,
    client_secret: str | None,
    *,
    client_metadata: dict[str, str] | None = None,
) -> AuthOutcome:
    client, pool = await client_and_pool(ctx, client_id)
    check_client_secret(ctx, client, client_secret)
    require_flow(client, "REFRESH_TOKEN_AUTH")
    return await refresh(
        ctx, pool, client, refresh_token, None, secret_checked=True,
        client_metadata=client_metadata,
    )  # fmt: skip
