"""Cognito's OAuth 2.0 endpoints at the server root: /oauth2/authorize,
/oauth2/token, /oauth2/userInfo, /oauth2/revoke and /logout (developer guide, "User
pool endpoints reference"). The protocol lives in ``core.oauth``; this is its HTTP.
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
from poolgate.core.oauth import oauth
from poolgate.hosted import cookies
from poolgate.hosted.flow import authorize_request, complete, oauth_error, redirect
from poolgate.hosted.render import error_page

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


def _error_json(error: oauth.OAuthError) -> Response:
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
        raise oauth.InvalidClient("The Authorization header is malformed.") from None
    client_id, _, secret = decoded.partition(":")
    # RFC 6749 2.3.1: both parts are form-urlencoded before base64.
    return unquote(client_id), unquote(secret)


class OAuthEndpoints:
    def __init__(self, ctx: Context, *, require_pkce: bool = True) -> None:
        self.ctx = ctx
        self.require_pkce = require_pkce

    async def preflight(self, request: Request) -> Response:
        return Response(status_code=204, headers=_CORS)

    async def authorize(self, request: Request) -> Response:
        areq = await authorize_request(self.ctx, request, self.require_pkce)
        if isinstance(areq, Response):
            return areq
        if "login" not in areq.prompt:
            session = cookies.read_session(self.ctx, request, areq.pool.id)
            if session is not None:
                user = await oauth.user_for_session(self.ctx, areq.pool, session.sub)
                if user is not None:
                    return await complete(self.ctx, request, areq, user, session.auth_time)
        if "none" in areq.prompt:
            return await oauth_error(
                self.ctx, request,
                oauth.OAuthError("login_required", "The user is not signed in."),
                areq.redirect_uri, areq.state, fragment=areq.response_type == "token",
            )  # fmt: skip
        query = request.url.query
        return redirect(f"/login?{query}")

    async def token(self, request: Request) -> Response:
        try:
            form = await request.form()
            values = {k: v for k, v in form.items() if isinstance(v, str)}
            basic = _basic(request)
            client_id = basic[0] if basic else values.get("client_id")
            secret = basic[1] if basic else values.get("client_secret")
            if basic and values.get("client_id") not in (None, basic[0]):
                raise oauth.InvalidClient("client_id does not match the Authorization header.")
            client, pool = await oauth.authenticate_client(self.ctx, client_id, secret)
            grant_type = values.get("grant_type", "")
            if grant_type == "authorization_code":
                minted = await oauth.exchange_code(
                    self.ctx, client, pool, values.get("code", ""),
                    values.get("redirect_uri"), values.get("code_verifier"),
                )  # fmt: skip
            elif grant_type == "refresh_token":
                minted = await oauth.refresh(
                    self.ctx, client, pool, values.get("refresh_token", "")
                )
            elif grant_type == "client_credentials":
                minted = await oauth.client_credentials(self.ctx, client, pool, values.get("scope"))
            elif not grant_type:
                raise oauth.OAuthError("invalid_request", "grant_type is required.")
            else:
                raise oauth.OAuthError(
                    "unsupported_grant_type", f"Unsupported grant_type: {grant_type}."
                )
        except oauth.OAuthError as error:
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
            claims = await oauth.userinfo(self.ctx, token)
        except oauth.OAuthError as error:
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
            client, _pool = await oauth.authenticate_client(self.ctx, client_id, secret)
            await oauth.revoke(self.ctx, client, values.get("token", ""))
        except oauth.OAuthError as error:
            return _error_json(error)
        return Response(status_code=200, headers={"Cache-Control": "no-store", **_CORS})

    async def logout(self, request: Request) -> Response:
        """Signs the browser out of the pool, then returns to a registered logout URL,
        or (with redirect_uri and response_type) to the sign-in page."""
        params = request.query_params
        client = await self.ctx.store.get_client(params.get("client_id", ""))
        if client is None:
            return await error_page(
                self.ctx, request, "Sign-out failed", "The client_id is missing or unknown."
            )
        logout_uri = params.get("logout_uri")
        if logout_uri:
            if logout_uri not in (client.settings.get("LogoutURLs") or []):
                return await error_page(
                    self.ctx,
                    request,
                    "Sign-out failed",
                    "The logout_uri is not one of the client's sign-out URLs.",
                )
            response = redirect(logout_uri)
        elif params.get("redirect_uri"):
            areq = await authorize_request(self.ctx, request, self.require_pkce)
            if isinstance(areq, Response):
                return areq
            response = redirect(f"/login?{request.url.query}")
        else:
            return await error_page(
                self.ctx, request, "Sign-out failed", "A logout_uri or a redirect_uri is required."
            )
        cookies.clear_session(request, response, client.pool_id)
        return response
