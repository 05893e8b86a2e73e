"""Signing in to the console, through Poolgate itself: the authorization code flow
with PKCE (RFC 6749 4.1, RFC 7636) of the console's app client in the
administrators' pool, on the hosted pages.

``/admin/login`` sends the browser to ``/oauth2/authorize`` with a fresh ``state``
and code challenge, kept sealed in a short-lived cookie; the hosted pages ask for the
password (a new one after a temporary password, the authenticator code when MFA
asks); ``/admin/callback`` checks ``state``, exchanges the code in process with the
verifier, and opens the session. Only users of the administrators' pool can get a
code for its client, so nobody else signs in. ``/admin/logout`` revokes the session's
refresh token (which ends its access token too) and leaves through the hosted pages'
``/logout``, which ends their session as well.
"""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from poolgate.console import render, session
from poolgate.console.view import Console, plain_page
from poolgate.core.auth import revocation
from poolgate.core.errors import CognitoError
from poolgate.core.oauth import token
from poolgate.core.oauth.errors import OAuthError

_FIRST_ADMINISTRATOR = (
    "No administrator has been created yet (or the console's app client was deleted: "
    "restarting Poolgate puts it back). Start Poolgate with "
    "POOLGATE_BOOTSTRAP_ADMIN_USERNAME and POOLGATE_BOOTSTRAP_ADMIN_PASSWORD set (the "
    "password must be changed at the first sign-in), or run `poolgate admin create NAME` "
    "on the server."
)


def _next_path(value: str | None) -> str:
    """Where to go after signing in: a console page, never another site."""
    if value and value.startswith("/admin/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/admin/"


async def login(console: Console, request: Request) -> Response:
    administrators = await console.administrators()
    if administrators is None:
        return plain_page(
            "message.html",
            status=503,
            title="The console has no administrator yet",
            message=_FIRST_ADMINISTRATOR,
        )
    response: Response = render.redirect("/oauth2/authorize")
    started = session.start_sign_in(
        console.ctx, request, response, _next_path(request.query_params.get("next"))
    )
    query = urlencode(
        {
            "client_id": administrators.client.id,
            "response_type": "code",
            "redirect_uri": console.setup.callback_url,
            "scope": "openid aws.cognito.signin.user.admin",
            "state": started.state,
            "code_challenge": session.code_challenge(started.verifier),
            "code_challenge_method": "S256",
        }
    )
    response.headers["location"] = f"/oauth2/authorize?{query}"
    return response


async def callback(console: Console, request: Request) -> Response:
    params = request.query_params
    started = session.sign_in_under_way(console.ctx, request)
    administrators = await console.administrators()
    if administrators is None:
        return await login(console, request)
    if started is None or params.get("state") != started.state:
        # An old tab, another browser's link, or a forged callback: start again.
        return _failed("The sign-in expired or did not start here. Sign in again.", 400)
    if params.get("error"):
        return _failed(params.get("error_description") or params["error"], 400)
    try:
        minted = await token.exchange_code(
            console.ctx,
            administrators.client,
            administrators.pool,
            params.get("code", ""),
            console.setup.callback_url,
            started.verifier,
        )
    except OAuthError as error:
        return _failed(error.description or error.error, 400)
    response = render.redirect(started.next_path)
    session.clear_sign_in(request, response)
    session.set_session(console.ctx, request, response, minted)
    return response


def _failed(message: str, status: int) -> Response:
    return plain_page(
        "message.html",
        status=status,
        title="Signing in to the console failed",
        message=message,
        link=("/admin/login", "Sign in"),
    )


async def logout(console: Console, request: Request) -> Response:
    """POST only, with the form token when there is a session (a cross-site page
    cannot sign an administrator out either)."""
    administrators = await console.administrators()
    admin = await session.current_admin(console.ctx, request, administrators)
    if admin is not None and administrators is not None:
        form = await request.form()
        if not session.csrf_ok(admin, form.get(session.CSRF_FIELD)):  # type: ignore[arg-type]
            return _failed("The form could not be verified. Reload the page and try again.", 403)
        if admin.refresh_token:
            # Already revoked or expired: the session ends all the same.
            with contextlib.suppress(CognitoError):
                await revocation.revoke_token(
                    console.ctx, administrators.client.id, admin.refresh_token, None
                )
    if administrators is None:
        response: Response = render.redirect("/admin/signed-out")
    else:
        query = urlencode(
            {"client_id": administrators.client.id, "logout_uri": console.setup.signed_out_url}
        )
        response = RedirectResponse(f"/logout?{query}", status_code=303)
    session.clear_session(request, response)
    return response


async def signed_out(console: Console, request: Request) -> Response:
    return plain_page(
        "message.html",
        status=200,
        title="You have signed out of the console",
        message="Your console session has ended.",
        link=("/admin/login", "Sign in again"),
    )
