"""Client authentication at the token and revocation endpoints (RFC 6749 2.3.1): HTTP
Basic or form (client_secret_basic, client_secret_post); public clients send only
client_id."""

from __future__ import annotations

import hmac

from poolgate.core.context import Context
from poolgate.core.oauth.errors import InvalidClient
from poolgate.core.pools import clients
from poolgate.core.records import AppClient, UserPool


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
    expected = clients.client_secret(ctx, client)
    if expected is not None and not (
        secret and hmac.compare_digest(expected.encode(), secret.encode())
    ):
        raise InvalidClient()
    return client, pool
