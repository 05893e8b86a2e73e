"""The userInfo endpoint (OpenID Connect Core 5.3): the user's claims, as the access
token's scopes allow (5.4) and the client's ReadAttributes permit."""

from __future__ import annotations

from typing import Any

from poolgate.core.auth import tokens
from poolgate.core.context import Context
from poolgate.core.oauth.errors import InsufficientScope

_PROFILE_CLAIMS = (
    "name", "family_name", "given_name", "middle_name", "nickname", "preferred_username",
    "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale",
    "updated_at", "address",
)  # fmt: skip


async def userinfo(ctx: Context, access_token: str) -> dict[str, Any]:
    """The userInfo endpoint's claims, by the token's scopes (OpenID Connect Core 5.4)."""
    grant = await tokens.verify_access_token(ctx, access_token)
    scopes = str(grant.claims.get("scope", "")).split()
    if "openid" not in scopes and tokens.ADMIN_SCOPE not in scopes:
        raise InsufficientScope("The access token lacks the openid scope.")
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
