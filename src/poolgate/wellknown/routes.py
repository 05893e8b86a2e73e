"""``/{poolId}/.well-known/jwks.json`` and ``/{poolId}/.well-known/openid-configuration``.

The discovery document lists the OAuth endpoints at the server root, at Cognito's
paths (``/oauth2/authorize``...), whatever the issuer's form.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from poolgate.config import Settings
from poolgate.core.context import Context
from poolgate.core.keys.jwks import pool_jwks
from poolgate.core.pools.pools import find_pool

_CORS = {"Access-Control-Allow-Origin": "*"}


def _json(body: Any, status: int = 200, cache: str = "public, max-age=300") -> Response:
    return Response(
        orjson.dumps(body),
        status_code=status,
        media_type="application/json",
        headers={**_CORS, "Cache-Control": cache},
    )


def _not_found(pool_id: str) -> Response:
    return _json({"message": f"User pool {pool_id} does not exist."}, status=404, cache="no-store")


class WellKnown:
    def __init__(self, ctx: Context, settings: Settings) -> None:
        self.ctx = ctx
        self.settings = settings

    async def jwks(self, request: Request) -> Response:
        pool_id = request.path_params["pool_id"]
        keys = await pool_jwks(self.ctx, pool_id)
        return _not_found(pool_id) if keys is None else _json(keys)

    async def openid_configuration(self, request: Request) -> Response:
        pool_id = request.path_params["pool_id"]
        if await find_pool(self.ctx, pool_id) is None:
            return _not_found(pool_id)
        return _json(discovery(self.settings, pool_id))


def discovery(settings: Settings, pool_id: str) -> dict[str, Any]:
    issuer = settings.issuer_for(pool_id)
    base = settings.effective_public_url
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{base}/oauth2/authorize",
        "token_endpoint": f"{base}/oauth2/token",
        "userinfo_endpoint": f"{base}/oauth2/userInfo",
        "revocation_endpoint": f"{base}/oauth2/revoke",
        "end_session_endpoint": f"{base}/logout",
        "jwks_uri": f"{issuer}/.well-known/jwks.json"
        if issuer.startswith(base)
        else f"{base}/{pool_id}/.well-known/jwks.json",
        "response_types_supported": ["code", "token"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "sub",
            "iss",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "email",
            "email_verified",
            "phone_number",
            "phone_number_verified",
            "name",
            "given_name",
            "family_name",
            "cognito:username",
            "cognito:groups",
            "cognito:roles",
            "cognito:preferred_role",
        ],
    }
