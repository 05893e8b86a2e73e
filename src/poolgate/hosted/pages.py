"""The hosted sign-in pages at Cognito's paths, and what every page shares.

Every page carries the OAuth authorization request in its query string and checks it
again; every form post must carry the CSRF token; password and code attempts go
through the same core functions as the API, so lockout and rate limits apply alike.
The pages themselves are ``authorize`` (/oauth2/authorize, /logout), ``login``
(/login, /newPassword), ``signup`` (/signup, /confirm, /resendcode) and ``recovery``
(/forgotPassword, /confirmForgotPassword). A form post that does not leave the hosted
pages answers with a redirect to the next page's GET address (``flash``), so Back and
reload never meet a POST result.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from poolgate.core.auth.client_auth import secret_hash
from poolgate.core.context import Context
from poolgate.core.mfa.pool_config import first_factors
from poolgate.core.oauth.authorization import AuthorizeRequest
from poolgate.core.pools import clients
from poolgate.hosted import cookies, fields, flash
from poolgate.hosted.flow import authorize_request
from poolgate.hosted.render import error_page, page

# What the buttons say for the social providers (their own wording for a sign-in
# button); OIDC and SAML providers are shown by their name.
_LABELS = {
    "Google": "Continue with Google",
    "Facebook": "Continue with Facebook",
    "SignInWithApple": "Continue with Apple",
    "LoginWithAmazon": "Continue with Amazon",
}


def provider_buttons(areq: AuthorizeRequest) -> list[dict[str, str]]:
    """One link per identity provider the client supports: plain links to
    /oauth2/authorize with ``identity_provider``, so they work without JavaScript."""
    buttons = []
    for name in areq.providers:
        if name == "COGNITO":
            continue
        query = urlencode({**areq.query(), "identity_provider": name})
        buttons.append(
            {
                "name": name,
                "label": _LABELS.get(name, f"Continue with {name}"),
                "href": f"/oauth2/authorize?{query}",
            }
        )
    return buttons


class Pages:
    """The context every page works in: core's context and the server's PKCE rule."""

    def __init__(
        self,
        ctx: Context,
        *,
        require_pkce: bool = True,
        mailbox_channels: frozenset[str] = frozenset(),
    ) -> None:
        """``mailbox_channels``: the message channels (EMAIL, SMS) whose messages land
        in the developer mailbox this server shows at /_mailbox; the code pages point
        there, since in local development no code reaches a real inbox."""
        self.ctx = ctx
        self.require_pkce = require_pkce
        self.mailbox_channels = mailbox_channels

    async def areq(self, request: Request) -> AuthorizeRequest | Response:
        return await authorize_request(self.ctx, request, self.require_pkce)

    async def form(self, request: Request) -> dict[str, str] | Response:
        form = await request.form()
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        if not cookies.csrf_ok(self.ctx, request, values.get(cookies.CSRF_FIELD)):
            return await error_page(
                self.ctx, request, "Your session has expired",
                "The form could not be verified (missing or stale security token). Go back, "
                "reload the page and try again.", status=403,
            )  # fmt: skip
        return values

    def secret_hash(self, areq: AuthorizeRequest, username: str) -> str | None:
        secret = clients.client_secret(self.ctx, areq.client)
        return secret_hash(secret, username, areq.client.id) if secret else None

    def flashed(self, request: Request, areq: AuthorizeRequest) -> flash.Flash | None:
        """What the form post that redirected here left for this page."""
        return flash.read(self.ctx, request, areq.client.id)

    def redirect(
        self, request: Request, areq: AuthorizeRequest, path: str, **state: Any
    ) -> Response:
        """After a form post: ``303`` to ``path``'s GET page, which shows ``state``
        (see ``flash.redirect``)."""
        return flash.redirect(self.ctx, request, areq.client.id, path, **state)

    async def render(
        self,
        request: Request,
        areq: AuthorizeRequest,
        template: str,
        *,
        status: int = 200,
        shown: flash.Flash | None = None,
        csp: str | None = None,
        **values: Any,
    ) -> Response:
        """The page, with what a post left for it (``shown``) over ``values``."""
        if shown is not None:
            values.update(shown.values())
        medium = values.get("medium")
        on_mailbox = medium in self.mailbox_channels if medium else bool(self.mailbox_channels)
        response = await page(
            self.ctx, request, template, status=status, pool_id=areq.pool.id,
            client_id=areq.client.id, app_name=areq.client.name, csp=csp,
            username_label=fields.username_label(areq.pool),
            policy_hint=fields.policy_hint(areq.pool),
            mailbox_url="/_mailbox" if on_mailbox else None,
            identity_providers=provider_buttons(areq),
            password_sign_in="COGNITO" in areq.providers,
            passkeys="WEB_AUTHN" in first_factors(areq.pool.settings), **values,
        )  # fmt: skip
        flash.rendered(self.ctx, request, response, shown)
        return response

    def can_sign_up(self, areq: AuthorizeRequest) -> bool:
        config = areq.pool.settings.get("AdminCreateUserConfig") or {}
        return not config.get("AllowAdminCreateUserOnly")
