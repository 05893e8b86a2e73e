"""The identity provider's ASGI application: the AWS JSON endpoint, the well-known
documents and ``/health``, over one store opened at startup."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from poolgate.admin_keys import load_admin_key
from poolgate.awsjson.endpoint import AwsJsonEndpoint
from poolgate.bootstrap import open_context
from poolgate.config import Settings
from poolgate.core.context import Context
from poolgate.mailbox import mailbox_routes
from poolgate.store.base import Store
from poolgate.wellknown.routes import WellKnown

log = logging.getLogger("poolgate")


def create_app(settings: Settings) -> Starlette:
    """The app; its store opens (and migrates) when the server starts it."""
    state: dict[str, object] = {}

    async def dispatch_awsjson(request: Request) -> Response:
        endpoint = state["awsjson"]
        assert isinstance(endpoint, AwsJsonEndpoint)
        return await endpoint(request)

    async def jwks(request: Request) -> Response:
        wellknown = state["wellknown"]
        assert isinstance(wellknown, WellKnown)
        return await wellknown.jwks(request)

    async def openid_configuration(request: Request) -> Response:
        wellknown = state["wellknown"]
        assert isinstance(wellknown, WellKnown)
        return await wellknown.openid_configuration(request)

    async def health(_: Request) -> Response:
        return PlainTextResponse("ok")

    def store() -> Store:
        ctx = state["ctx"]
        assert isinstance(ctx, Context)
        return ctx.store

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        # Before the store opens, so a bad admin key setting leaks no connection.
        admin_key, _created = load_admin_key(settings)
        ctx = await open_context(settings)
        state["ctx"] = ctx
        state["awsjson"] = AwsJsonEndpoint(ctx, {admin_key.access_key_id: admin_key})
        state["wellknown"] = WellKnown(ctx, settings)
        log.info("poolgate ready at %s", settings.effective_public_url)
        try:
            yield
        finally:
            await ctx.store.close()

    routes = [
        Route("/", dispatch_awsjson, methods=["POST", "OPTIONS"]),
        Route("/health", health, methods=["GET"]),
        Route("/{pool_id}/.well-known/jwks.json", jwks, methods=["GET"]),
        Route(
            "/{pool_id}/.well-known/openid-configuration",
            openid_configuration,
            methods=["GET"],
        ),
    ]
    if settings.mailbox:
        # The developer's view of the outbox; off in production (POOLGATE_MAILBOX=false).
        routes += mailbox_routes(store)
    return Starlette(routes=routes, lifespan=lifespan)
