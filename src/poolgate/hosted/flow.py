"""Where every hosted page ends: back to the application with a code (or tokens),
or with an OAuth error, or on an error page when the request cannot be trusted with
a redirect."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from poolgate.core.context import Context
from poolgate.core.errors import CognitoError
from poolgate.core.oauth import authorization, codes
from poolgate.core.oauth.errors import InvalidRequest, OAuthError
from poolgate.core.records import User
from poolgate.hosted import cookies
from poolgate.hosted.render import error_page


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = f"{parts.query}&{urlencode(params)}" if parts.query else urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "no-store"})


async def oauth_error(
    ctx: Context,
    request: Request,
    error: OAuthError,
    redirect_uri: str | None,
    state: str | None,
    *,
    fragment: bool = False,
) -> Response:
    """``fragment``: the request was for the implicit flow (response_type=token), whose
    errors travel in the fragment like its tokens (RFC 6749 4.2.2.1)."""
    if not error.redirect or not redirect_uri:
        titles = {"redirect_mismatch": "Redirect address not registered"}
        return await error_page(
            ctx,
            request,
            titles.get(error.error, "Something went wrong"),
            error.description or error.error,
        )
    params = {"error": error.error}
    if error.description:
        params["error_description"] = error.description
    if state:
        params["state"] = state
    if fragment:
        return redirect(f"{redirect_uri}#{urlencode(params)}")
    return redirect(_with_query(redirect_uri, params))


async def authorize_request(
    ctx: Context, request: Request, require_pkce: bool
) -> authorization.AuthorizeRequest | Response:
    """The OAuth request carried in the page's query, checked again on every step (the
    browser could have altered it)."""
    try:
        return await authorization.validate_authorize(
            ctx, request.query_params, require_pkce=require_pkce
        )
    except OAuthError as error:
        params = request.query_params
        return await oauth_error(
            ctx, request, error, params.get("redirect_uri"), params.get("state"),
            fragment=params.get("response_type") == "token",
        )  # fmt: skip


async def complete(
    ctx: Context, request: Request, areq: authorization.AuthorizeRequest, user: User, auth_time: int
) -> Response:
    """Signed in: remember the browser session and return to the application. The
    pool's pre token generation trigger runs here; when it fails, the application hears
    it at its callback (``invalid_request`` with the trigger's message, as Cognito sends
    it) and the browser stays signed out."""
    try:
        return await _complete(ctx, request, areq, user, auth_time)
    except CognitoError as error:
        return await oauth_error(
            ctx, request, InvalidRequest(error.message), areq.redirect_uri, areq.state,
            fragment=areq.response_type == "token",
        )  # fmt: skip


async def _complete(
    ctx: Context, request: Request, areq: authorization.AuthorizeRequest, user: User, auth_time: int
) -> Response:
    if areq.response_type == "code":
        code = await codes.issue_code(ctx, areq, user, auth_time)
        params = {"code": code}
        if areq.state:
            params["state"] = areq.state
        response: Response = redirect(_with_query(areq.redirect_uri, params))
    else:
        minted = await codes.implicit_tokens(ctx, areq, user, auth_time)
        fragment = {
            "access_token": minted.access_token,
            "token_type": "Bearer",
            "expires_in": str(minted.expires_in),
        }
        if minted.id_token:
            fragment["id_token"] = minted.id_token
        if areq.state:
            fragment["state"] = areq.state
        response = redirect(f"{areq.redirect_uri}#{urlencode(fragment)}")
    cookies.set_session(
        ctx, request, response, cookies.BrowserSession(areq.pool.id, user.sub, auth_time)
    )
    return response
