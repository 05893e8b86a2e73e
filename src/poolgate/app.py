"""The identity provider's ASGI application: the AWS JSON endpoint, the OAuth 2.0
endpoints and hosted pages, the well-known documents, the mailbox and ``/health``,
over one store opened at startup."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from poolgate.admin_keys import load_admin_key
from poolgate.awsjson.endpoint import AwsJsonEndpoint
from poolgate.bootstrap import SharedContext
from poolgate.config import Settings
from poolgate.core.context import Context
from poolgate.hosted import authorize, login, mfa, passkeys, recovery, signup
from poolgate.hosted.pages import Pages
from poolgate.hosted.ui_assets import UIAssets
from poolgate.mailbox import mailbox_routes
from poolgate.oauth.endpoints import OAuthEndpoints
from poolgate.wellknown.routes import WellKnown

log = logging.getLogger("poolgate")

PageHandler = Callable[[Pages, Request], Awaitable[Response]]


class _Services:
    """What the lifespan builds; routes are declared before it exists and look it up
    per request."""

    def __init__(self) -> None:
        self.items: dict[str, Any] = {}

    def route(self, path: str, key: str, method: str, methods: list[str]) -> Route:
        async def endpoint(request: Request) -> Response:
            response: Response = await getattr(self.items[key], method)(request)
            return response

        return Route(path, endpoint, methods=methods)

    def page(self, path: str, handler: PageHandler, methods: list[str]) -> Route:
        """A hosted page: a function of the pages' shared state and the request."""

        async def endpoint(request: Request) -> Response:
            return await handler(self.items["pages"], request)

        return Route(path, endpoint, methods=methods)

    def asgi_route(self, path: str, key: str, methods: list[str]) -> Route:
        """A route to a plain ASGI app built by the lifespan."""
        return Route(path, _LateApp(self.items, key), methods=methods)

    def ctx(self) -> Context:
        ctx = self.items["ctx"]
        assert isinstance(ctx, Context)
        return ctx


class _LateApp:
    # A class, not a function: Starlette wraps functions as request/response endpoints.
    def __init__(self, items: dict[str, Any], key: str) -> None:
        self.items = items
        self.key = key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.items[self.key](scope, receive, send)


def create_app(settings: Settings, shared: SharedContext | None = None) -> Starlette:
    """The app; its context opens (and migrates the store) when the server starts it.
    ``shared``: the process's context, when the gateway serves beside it."""
    shared = shared or SharedContext(settings)
    services = _Services()

    async def health(_: Request) -> Response:
        return PlainTextResponse("ok")

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # Before the store opens, so a bad admin key setting leaks no connection.
        admin_key, _created = load_admin_key(settings)
        ctx = await shared.acquire()
        services.items.update(
            ctx=ctx,
            awsjson=AwsJsonEndpoint(ctx, {admin_key.access_key_id: admin_key}),
            wellknown=WellKnown(ctx, settings),
            oauth=OAuthEndpoints(ctx),
            pages=Pages(ctx, require_pkce=settings.require_pkce),
            ui=UIAssets(ctx),
        )
        log.info("poolgate ready at %s", settings.effective_public_url)
        try:
            yield
        finally:
            await shared.release()

    r = services.route
    p = services.page
    routes = [
        services.asgi_route("/", "awsjson", ["POST", "OPTIONS"]),
        Route("/health", health, methods=["GET"]),
        r("/{pool_id}/.well-known/jwks.json", "wellknown", "jwks", ["GET"]),
        r(
            "/{pool_id}/.well-known/openid-configuration",
            "wellknown",
            "openid_configuration",
            ["GET"],
        ),
        # OAuth 2.0 / OpenID Connect, at Cognito's paths.
        p("/oauth2/authorize", authorize.authorize, ["GET"]),
        r("/oauth2/token", "oauth", "token", ["POST"]),
        r("/oauth2/userInfo", "oauth", "userinfo", ["GET", "POST"]),
        r("/oauth2/revoke", "oauth", "revoke", ["POST"]),
        p("/logout", authorize.logout, ["GET"]),
        # The hosted pages.
        p("/login", login.login, ["GET", "POST"]),
        p("/newPassword", login.new_password, ["POST"]),
        p("/signup", signup.signup, ["GET", "POST"]),
        p("/confirm", signup.confirm, ["GET", "POST"]),
        p("/resendcode", signup.resend_code, ["POST"]),
        p("/forgotPassword", recovery.forgot_password, ["GET", "POST"]),
        p("/confirmForgotPassword", recovery.confirm_forgot_password, ["POST"]),
        p("/mfa", mfa.answer, ["POST"]),
        p("/mfa/setup", mfa.setup, ["POST"]),
        p("/passkey", passkeys.sign_in, ["GET", "POST"]),
        p("/passkey/options", passkeys.sign_in_options, ["POST"]),
        p("/passkey/add", passkeys.add, ["GET", "POST"]),
        p("/passkey/add/options", passkeys.add_options, ["POST"]),
        Route("/_ui/passkey.js", passkeys.script, methods=["GET"]),
        r("/_ui/{pool_id}/{client_id}/logo", "ui", "logo", ["GET"]),
    ]
    for path in ("/oauth2/token", "/oauth2/userInfo", "/oauth2/revoke"):
        routes.append(r(path, "oauth", "preflight", ["OPTIONS"]))
    if settings.mailbox:
        # The developer's view of the outbox; off in production (POOLGATE_MAILBOX=false).
        routes += mailbox_routes(services.ctx)
    return Starlette(routes=routes, lifespan=lifespan)
