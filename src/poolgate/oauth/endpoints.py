"""Cognito's back-channel OAuth 2.0 endpoints at the server root: /oauth2/token,
/oauth2/userInfo and /oauth2/revoke (developer guide, "User pool endpoints
reference"). The protocol lives in ``core.oauth``; this is its HTTP. The browser's
endpoints, /oauth2/authorize and /logout, are hosted pages (``hosted.authorize``).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import unquote

import orjson
from starlette.requests import Request
from starlette.responses import Response

from poolgate.core.context import Context
from poolgate.core.errors import CognitoError
from poolgate.core.oauth import client_authentication, revocation, token, userinfo
from poolgate.core.oauth.errors import (
    InvalidClient,
    InvalidRequest,
    OAuthError,
    UnsupportedGrantType,
)

# SPAs call these from the browser (oidc-client-ts, Amplify).
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "authorization, content-type, x-amz-user-agent",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Max-Age": "86400",
}


def _json(body: dict[str, Any], status: int = 200, **headers: str) -> Response:
    return Response(
        orjson.dumps(body),
        status_code=status,
        media_type="application/json;charset=UTF-8",
        headers={"Cache-Control": "no-store", "Pragma": "no-cache", **_CORS, **headers},
    )


def _error_json(error: OAuthError) -> Response:
    body = {"error": error.error}
    if error.description:
        body["error_description"] = error.description
    extra = {"WWW-Authenticate": 'Basic realm="oauth2"'} if error.status == 401 else {}
    return _json(body, error.status, **extra)


def _basic(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip()).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClient("The Authorization header is malformed.") from None
    client_id, _, secret = decoded.partition(":")
    # RFC 6749 2.3.1: both parts are form-urlencoded before base64.
    return unquote(client_id), unquote(secret)


class OAuthEndpoints:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def preflight(self, request: Request) -> Response:
        return Response(status_code=204, headers=_CORS)

    async def token(self, request: Request) -> Response:
        try:
            form = await request.form()
            values = {k: v for k, v in form.items() if isinstance(v, str)}
            basic = _basic(request)
            client_id = basic[0] if basic else values.get("client_id")
            secret = basic[1] if basic else values.get("client_secret")
            if basic and values.get("client_id") not in (None, basic[0]):
                raise InvalidClient("client_id does not match the Authorization header.")
            client, pool = await client_authentication.authenticate_client(
                self.ctx, client_id, secret
            )
            grant_type = values.get("grant_type", "")
            if grant_type == "authorization_code":
                minted = await token.exchange_code(
                    self.ctx, client, pool, values.get("code", ""),
                    values.get("redirect_uri"), values.get("code_verifier"),
                )  # fmt: skip
            elif grant_type == "refresh_token":
                minted = await token.refresh(
                    self.ctx, client, pool, values.get("refresh_token", "")
                )
            elif grant_type == "client_credentials":
                minted = await token.client_credentials(self.ctx, client, pool, values.get("scope"))
            elif not grant_type:
                raise InvalidRequest("grant_type is required.")
            else:
                raise UnsupportedGrantType(f"Unsupported grant_type: {grant_type}.")
        except OAuthError as error:
            return _error_json(error)
        body: dict[str, Any] = {
            "access_token": minted.access_token,
            "expires_in": minted.expires_in,
            "token_type": "Bearer",
        }
        if minted.id_token:
            body["id_token"] = minted.id_token
        if minted.refresh_token:
            body["refresh_token"] = minted.refresh_token
        return _json(body)

    async def userinfo(self, request: Request) -> Response:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if not token:
            return _json(
                {"error": "invalid_request", "error_description": "Missing access token."},
                401,
                **{"WWW-Authenticate": 'Bearer error="invalid_request"'},
            )
        try:
            claims = await userinfo.userinfo(self.ctx, token)
        except OAuthError as error:
            return _json(
                {"error": error.error, "error_description": error.description},
                403,
                **{"WWW-Authenticate": f'Bearer error="{error.error}"'},
            )
        except CognitoError as error:
            return _json(
                {"error": "invalid_token", "error_description": error.message},
                401,
                **{"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return _json(claims)

    async def revoke(self, request: Request) -> Response:
        try:
            form = await request.form()
            values = {k: v for k, v in form.items() if isinstance(v, str)}
            basic = _basic(request)
            client_id = basic[0] if basic else values.get("client_id")
            secret = basic[1] if basic else values.get("client_secret")
            client, _pool = await client_authentication.authenticate_client(
                self.ctx, client_id, secret
            )
            await revocation.revoke(self.ctx, client, values.get("token", ""))
        except OAuthError as error:
            return _error_json(error)
        return Response(status_code=200, headers={"Cache-Control": "no-store", **_CORS})
