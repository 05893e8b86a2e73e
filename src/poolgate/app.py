"""The identity provider's ASGI application: the AWS JSON endpoint, the OAuth 2.0
endpoints and hosted pages, the well-known documents, the mailbox and ``/health``,
over one store opened at startup."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from poolgate import datadir, health, housekeeping, metrics, middleware
from poolgate.admin_keys import load_admin_key
from poolgate.awsjson.endpoint import AwsJsonEndpoint
from poolgate.awsjson.sigv4 import AdminKey
from poolgate.bootstrap import SharedContext, console_setup, ensure_console
from poolgate.config import Settings
from poolgate.core.context import Context
from poolgate.hosted import (
    authorize,
    idpresponse,
    login,
    mfa,
    passkeys,
    recovery,
    saml,
    signup,
    ui_assets,
)
from poolgate.hosted.pages import Pages
from poolgate.hosted.ui_assets import UIAssets
from poolgate.mail.senders import outbox_channels
from poolgate.mailbox import mailbox_routes
from poolgate.mailbox.access import AdminKeyGuard
from poolgate.oauth.endpoints import OAuthEndpoints
from poolgate.outage import report_failure
from poolgate.wellknown.routes import WellKnown

log = logging.getLogger("poolgate")

PageHandler = Callable[[Pages, Request], Awaitable[Response]]


class _Services:
    """What the lifespan builds; routes are declared before it exists and look it up
    per request."""

    def __init__(self) -> None:
        self.items: dict[str, Any] = {}

    def route(self, path: str, key: str, method: str, methods: list[str]) -> Route:
        kind = _endpoint_kind(path)

        async def endpoint(request: Request) -> Response:
            started = time.perf_counter()
            response: Response = await getattr(self.items[key], method)(request)
            _record(kind, path, response, started)
            return response

        return Route(path, endpoint, methods=methods)

    def page(self, path: str, handler: PageHandler, methods: list[str]) -> Route:
        """A hosted page: a function of the pages' shared state and the request."""

        async def endpoint(request: Request) -> Response:
            started = time.perf_counter()
            response = await handler(self.items["pages"], request)
            _record("hosted", path, response, started)
            return response

        return Route(path, endpoint, methods=methods)

    def asgi_route(self, path: str, key: str, methods: list[str]) -> Route:
        """A route to a plain ASGI app built by the lifespan."""
        return Route(path, _LateApp(self.items, key), methods=methods)

    def ctx(self) -> Context:
        ctx = self.items["ctx"]
        assert isinstance(ctx, Context)
        return ctx


def _endpoint_kind(path: str) -> str:
    if "/.well-known/" in path:
        return "wellknown"
    if path.startswith("/_ui/"):
        return "hosted"
    return "oauth"


def _record(kind: str, path: str, response: Response, started: float) -> None:
    """Count the answer under its route (never the raw path: ids would make the
    metrics unbounded): ``ok``, or the HTTP status of a refusal."""
    outcome = "ok" if response.status_code < 400 else str(response.status_code)
    metrics.recorder().request(kind, path, outcome, time.perf_counter() - started)


class _LateApp:
    # A class, not a function: Starlette wraps functions as request/response endpoints.
    def __init__(self, items: dict[str, Any], key: str) -> None:
        self.items = items
        self.key = key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.items[self.key](scope, receive, send)


def create_app(settings: Settings, shared: SharedContext | None = None) -> ASGIApp:
    """The app; its context opens (and migrates the store) when the server starts it.
    ``shared``: the process's context, when the gateway serves beside it."""
    shared = shared or SharedContext(settings)
    services = _Services()
    admin_keys: dict[str, AdminKey] = {}

    async def ready(_: Request) -> Response:
        return await health.readiness(services.ctx())

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        datadir.prepare(settings.data_dir)
        # Before the store opens, so a bad admin key setting leaks no connection.
        admin_key, _created = load_admin_key(settings)
        admin_keys[admin_key.access_key_id] = admin_key
        ctx = await shared.acquire()
        services.items.update(
            ctx=ctx,
            awsjson=AwsJsonEndpoint(ctx, admin_keys),
            wellknown=WellKnown(ctx, settings),
            oauth=OAuthEndpoints(ctx),
            pages=Pages(
                ctx,
                require_pkce=settings.require_pkce,
                # The code pages point at the mailbox where it holds their messages.
                mailbox_channels=(
                    outbox_channels(settings) if settings.mailbox_served else frozenset()
                ),
            ),
            ui=UIAssets(ctx),
        )
        if settings.console:
            from poolgate.console.view import Console

            services.items["console"] = Console(
                ctx,
                console_setup(settings),
                # A link to the mailbox where it is open to a browser (local development).
                mailbox_url="/_mailbox"
                if settings.mailbox_served and not settings.mailbox_needs_admin_key
                else None,
            )
            created = await ensure_console(ctx, settings)
            if created:
                log.info("%s", created)
        log.info("poolgate ready at %s", settings.effective_public_url)
        if settings.mailbox_served:
            log.info(
                "the developer mailbox is at %s/_mailbox%s",
                settings.effective_public_url,
                " (behind the admin key)" if settings.mailbox_needs_admin_key else "",
            )
        try:
            async with housekeeping.running(ctx):
                yield
        finally:
            await shared.release()

    r = services.route
    p = services.page
    routes: list[BaseRoute] = [
        services.asgi_route("/", "awsjson", ["POST", "OPTIONS"]),
        Route("/health", health.liveness, methods=["GET"]),
        Route("/health/ready", ready, methods=["GET"]),
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
        # Back from third-party identity providers.
        p("/oauth2/idpresponse", idpresponse.idp_response, ["GET", "POST"]),
        p("/saml2/idpresponse", saml.idp_response, ["POST"]),
        p("/saml2/logout", saml.logout, ["GET"]),
        p("/saml2/metadata", saml.metadata, ["GET"]),
        # The hosted pages.
        p("/login", login.login, ["GET", "POST"]),
        p("/newPassword", login.new_password, ["GET", "POST"]),
        p("/signup", signup.signup, ["GET", "POST"]),
        p("/confirm", signup.confirm, ["GET", "POST"]),
        p("/resendcode", signup.resend_code, ["POST"]),
        p("/forgotPassword", recovery.forgot_password, ["GET", "POST"]),
        p("/confirmForgotPassword", recovery.confirm_forgot_password, ["GET", "POST"]),
        p("/mfa", mfa.answer, ["POST"]),
        p("/mfa/setup", mfa.setup, ["POST"]),
        p("/passkey", passkeys.sign_in, ["GET", "POST"]),
        p("/passkey/options", passkeys.sign_in_options, ["POST"]),
        p("/passkey/add", passkeys.add, ["GET", "POST"]),
        p("/passkey/add/options", passkeys.add_options, ["POST"]),
        Route("/_ui/passkey.js", passkeys.script, methods=["GET"]),
        r("/_ui/{pool_id}/{client_id}/logo", "ui", "logo", ["GET"]),
        Route("/favicon.ico", ui_assets.favicon_ico, methods=["GET"]),
        Route("/_ui/favicon.svg", ui_assets.favicon_svg, methods=["GET"]),
    ]
    for path in ("/oauth2/token", "/oauth2/userInfo", "/oauth2/revoke"):
        routes.append(r(path, "oauth", "preflight", ["OPTIONS"]))
    if settings.console:
        from poolgate.console.routes import console_routes

        routes += console_routes(lambda: services.items["console"])
    if settings.mailbox_served:
        # The developer's view of the outbox: in local development only, unless the
        # settings ask for it, and then behind the admin key (see mailbox/access.py).
        guard = (
            AdminKeyGuard(admin_keys, settings.region) if settings.mailbox_needs_admin_key else None
        )
        routes += mailbox_routes(services.ctx, guard=guard)
    app = Starlette(routes=routes, lifespan=lifespan, middleware=middleware.stack(settings))
    # Cookies are Secure and __Host- when the public URL is https (hosted/cookies.py).
    app.state.https = settings.https
    return contain_failures(app, "idp")


class ContainedApp:
    """The outermost layer: a request that fails unexpectedly is answered 500 (if
    nothing was sent yet) and reported through ``outage``, so a database outage logs
    one line per interval instead of uvicorn's traceback per request. Everything else
    (``router``, ``state``) is the wrapped app's."""

    def __init__(self, app: ASGIApp, component: str) -> None:
        self.app = app
        self.component = component

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            report_failure(log, self.component, f"{scope['method']} {scope['path']}", error)
            if not started:
                await PlainTextResponse("Internal Server Error", 500)(scope, receive, send)


def contain_failures(app: ASGIApp, component: str) -> ContainedApp:
    return ContainedApp(app, component)
