"""What a signed-in user does with their access token (GetUser, ...)."""

from __future__ import annotations

from poolgate.core import tokens
from poolgate.core.context import Context


async def get_user(ctx: Context, access_token: str) -> tokens.AccessGrant:
    return await tokens.verify_access_token(ctx, access_token)
