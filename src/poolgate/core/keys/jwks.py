"""A pool's JSON Web Key Set (RFC 7517), as ``{issuer}/.well-known/jwks.json`` serves it."""

from __future__ import annotations

from poolgate.core.context import Context
from poolgate.core.keys.signing_keys import jwks


async def pool_jwks(ctx: Context, pool_id: str) -> dict[str, list[dict[str, str]]] | None:
    """The keys that verify the pool's tokens; None when there is no such pool."""
    if await ctx.store.get_pool(pool_id) is None:
        return None
    return jwks(await ctx.store.list_signing_keys(pool_id), ctx.clock())
