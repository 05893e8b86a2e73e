"""The hosted sign-in pages at Cognito's paths, and what every page shares.

Every page carries the OAuth authorization request in its query string and checks it
again; every form post must carry the CSRF token; password and code attempts go
through the same core functions as the API, so lockout and rate limits apply alike.
The pages themselves are ``authorize`` (/oauth2/authorize, /logout), ``login``
(/login, /newPassword), ``signup`` (/signup, /confirm, /resendcode) and ``recovery``
(/forgotPassword, /confirmForgotPassword).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from poolgate.core.auth.client_auth import secret_hash
from poolgate.core.context import Context
from poolgate.core.mfa.pool_config import first_factors
from poolgate.core.oauth.authorization import AuthorizeRequest
from poolgate.core.pools import clients
from poolgate.hosted import cookies, fields
from poolgate.hosted.flow import authorize_request
from poolgate.hosted.render import error_page, page


class Pages:
    """The context every page works in: core's context and the server's PKCE rule."""

    def __init__(self, ctx: Context, *, require_pkce: bool = True) -> None:
        self.ctx = ctx
        self.require_pkce = require_pkce

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

    async def render(
        self,
        request: Request,
        areq: AuthorizeRequest,
        template: str,
        *,
        status: int = 200,
        csp: str | None = None,
        **values: Any,
    ) -> Response:
        return await page(
            self.ctx, request, template, status=status, pool_id=areq.pool.id,
            client_id=areq.client.id, app_name=areq.client.name, csp=csp,
            username_label=fields.username_label(areq.pool),
            policy_hint=fields.policy_hint(areq.pool),
            passkeys="WEB_AUTHN" in first_factors(areq.pool.settings), **values,
        )  # fmt: skip

    def can_sign_up(self, areq: AuthorizeRequest) -> bool:
        config = areq.pool.settings.get("AdminCreateUserConfig") or {}
        return not config.get("AllowAdminCreateUserOnly")
