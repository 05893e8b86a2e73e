"""The gateway's listener: a Starlette app that answers every path from the configured
APIs, the way API Gateway answers an API's invoke URL.

A request goes: route (``routing``) -> CORS preflight (``cors``) -> authorizer
(``authorizer``) -> integration (a function through the ``FunctionRuntime``, or an HTTP
upstream) -> response (``responses``), with API Gateway's request id headers
(``x-amzn-RequestId``, ``apigw-requestid``) and one access log line per request.

Integration timeouts follow API Gateway: the route's ``timeout_ms`` (29 s for REST
APIs, 30 s for HTTP APIs by default) bounds the wait and answers 504 (REST) / 503
(HTTP) when it runs out, while the invocation goes on to its end as a Lambda
invocation would. A function that overruns its *own* ``timeout`` fails as Lambda
reports it ("Task timed out"), which API Gateway turns into 502 "Internal server
error" like any function error: that is what a REST API answers when the Lambda
timeout is shorter than the integration's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, Protocol

import httpx
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from poolgate.bootstrap import SharedContext
from poolgate.config import Settings
from poolgate.core.auth import revocation
from poolgate.core.context import Context
from poolgate.core.pools.pools import pools_named
from poolgate.functions.runtime import FunctionRuntime, Invocation
from poolgate.functions.spec import FunctionSpec
from poolgate.gateway.authorizer import (
    Authorizer,
    AuthorizerFailure,
    Principal,
    Refusal,
    build_authorizer,
)
from poolgate.gateway.config import ApiConfig, GatewayConfig, RouteConfig
from poolgate.gateway.config_functions import function_spec
from poolgate.gateway.cors import apply_cors, preflight
from poolgate.gateway.events import GatewayRequest, http_api_event, rest_api_event
from poolgate.gateway.jwks import KeySets
from poolgate.gateway.responses import (
    HttpResponse,
    MalformedResponse,
    gateway_error,
    integration_response,
)
from poolgate.gateway.routing import Match, Router
from poolgate.gateway.upstream import UpstreamTimeout, UpstreamUnreachable, proxy

__all__ = ["Gateway", "Invoker", "create_gateway_app"]

log = logging.getLogger("poolgate.gateway")

# API Gateway's payload limit (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
MAX_BODY = 10 * 1024 * 1024
_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class Invoker(Protocol):
    """What the gateway needs of ``poolgate.functions.runtime.FunctionRuntime`` (tests
    may pass a stand-in)."""

    def register(self, spec: FunctionSpec) -> None: ...

    async def invoke(
        self, name: str, event: Any, *, request_id: str | None = None
    ) -> Invocation: ...

    async def close(self) -> None: ...


class Gateway:
    """The gateway's state and request handling; ``create_gateway_app`` serves it."""

    def __init__(
        self,
        config: GatewayConfig,
        settings: Settings,
        *,
        runtime: Invoker | None = None,
        context: Callable[[], Context] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``context``: core's context for this process (the identity provider's,
        shared); authorizers resolve the pools they name through it."""
        self.config = config
        self.settings = settings
        self.clock = clock
        self.router = Router(config.apis)
        self._runtime = runtime
        self._owns_runtime = runtime is None
        self._shares_runtime = False
        self._context = context
        # Invocations whose integration timed out, still running to their end.
        self._orphans: set[asyncio.Future[Any]] = set()
        self.jwks_http = httpx.AsyncClient(timeout=5.0)
        self.upstream_http = httpx.AsyncClient(timeout=None, follow_redirects=False)
        self.key_sets = KeySets(self.jwks_http)
        self.authorizers: dict[tuple[str, str], Authorizer] = {
            (api.id, name): build_authorizer(
                authorizer,
                self.key_sets,
                resolve_pool=self.resolve_pool,
                issuer_for=settings.issuer_for,
                clock=clock,
                revocation=self.token_refusal if context is not None else None,
                local_pool=self.local_pool if context is not None else None,
            )
            for api in config.apis
            for name, authorizer in api.authorizers.items()
        }

    # ----------------------------------------------------------------- lifecycle

    def use_runtime(self, runtime: Invoker) -> None:
        """Run the routes' functions on the process's runtime (the one the pools'
        triggers use), whose functions are already registered."""
        self._runtime = runtime
        self._owns_runtime = False
        self._shares_runtime = True

    async def start(self) -> None:
        if self._runtime is None:
            self._runtime = FunctionRuntime(
                log_dir=self.settings.data_dir / "logs",
                region=self.settings.region,
                account_id=self.settings.account_id,
            )
        if not self._shares_runtime:
            for function in self.config.functions.values():
                self._runtime.register(function_spec(function))
        routes = sum(len(api.routes) for api in self.config.apis)
        log.info(
            "gateway: %d api(s), %d route(s), %d function(s)",
            len(self.config.apis),
            routes,
            len(self.config.functions),
        )

    async def stop(self) -> None:
        for orphan in list(self._orphans):
            orphan.cancel()
        if self._runtime is not None and self._owns_runtime:
            await self._runtime.close()
        await self.jwks_http.aclose()
        await self.upstream_http.aclose()

    async def resolve_pool(self, reference: str) -> list[str]:
        """The ids of the pools ``reference`` names (a pool id, or a pool name), oldest
        first."""
        if self._context is None:
            raise RuntimeError("the gateway was built without core's context")
        return [pool.id for pool in await pools_named(self._context(), reference)]

    def local_pool(self, issuer: str) -> str | None:
        """The pool of this deployment an issuer URL names, if any."""
        return self._context().pool_id_from_issuer(issuer) if self._context else None

    async def token_refusal(self, pool_id: str, claims: Mapping[str, Any]) -> str | None:
        """Whether a verified token of one of this deployment's pools was revoked since
        (core's answer, from the shared store)."""
        if self._context is None:
            return None
        return await revocation.token_refusal(self._context(), pool_id, claims)

    # ----------------------------------------------------------------- requests

    async def handle(self, request: Request) -> Response:
        started = time.perf_counter()
        gateway_request, too_large = await self._read(request)
        resolution = self.router.resolve(gateway_request.method, gateway_request.raw_path)
        api = resolution.api
        response = None
        if (
            api is not None
            and api.cors is not None
            and resolution.path is not None
            and gateway_request.method == "OPTIONS"
        ):
            response = preflight(api.cors, _HeaderView(gateway_request))
        if response is None:
            response = await self._dispatch(gateway_request, api, resolution.match, too_large)
            if api is not None and api.cors is not None:
                apply_cors(api.cors, request.headers.get("origin"), response)
        response.set("x-amzn-requestid", gateway_request.request_id)
        response.set("apigw-requestid", gateway_request.request_id)
        elapsed = (time.perf_counter() - started) * 1000
        route = resolution.match.route.route_key if resolution.match else "-"
        query = f"?{gateway_request.raw_query}" if gateway_request.raw_query else ""
        log.info(
            '%s "%s %s%s %s" %d %d %.1fms %s %s %s',
            gateway_request.source_ip,
            gateway_request.method,
            gateway_request.raw_path,
            query,
            gateway_request.protocol,
            response.status,
            len(response.body),
            elapsed,
            api.name if api else "-",
            route,
            gateway_request.request_id,
        )
        return _starlette(response)

    async def _read(self, request: Request) -> tuple[GatewayRequest, bool]:
        scope = request.scope
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1") if isinstance(raw_path, bytes) else scope["path"]
        body = b""
        too_large = int(request.headers.get("content-length") or 0) > MAX_BODY
        if not too_large:
            chunks: list[bytes] = []
            size = 0
            with contextlib.suppress(ClientDisconnect):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > MAX_BODY:
                        too_large = True
                        break
                    chunks.append(chunk)
            body = b"".join(chunks)
        server = scope.get("server") or ("127.0.0.1", 0)
        client = request.client
        return (
            GatewayRequest(
                method=request.method,
                raw_path=path,
                raw_query=scope.get("query_string", b"").decode("latin-1"),
                headers=tuple(
                    (name.decode("latin-1"), value.decode("latin-1"))
                    for name, value in scope["headers"]
                ),
                body=body,
                source_ip=client.host if client else "127.0.0.1",
                scheme=scope.get("scheme", "http"),
                port=int(server[1] or 0),
                protocol=f"HTTP/{scope.get('http_version', '1.1')}",
                request_id=str(uuid.uuid4()),
                time=self.clock(),
            ),
            too_large,
        )

    async def _dispatch(
        self,
        request: GatewayRequest,
        api: ApiConfig | None,
        match: Match | None,
        too_large: bool,
    ) -> HttpResponse:
        if api is None:
            return gateway_error("REST", "not_found")
        headers = _HeaderView(request)
        if match is None:
            return gateway_error(api.type, "not_found")
        route = match.route
        principal: Principal | None = None
        authorizer: Authorizer | None = None
        if route.authorizer is not None:
            authorizer = self.authorizers[(api.id, route.authorizer)]
            try:
                principal = await authorizer.authorize(headers, route.scopes)
            except Refusal as refusal:
                return self._refused(api, route, refusal)
        if too_large:
            return gateway_error(api.type, "too_large")
        if route.upstream is not None:
            return await self._proxy(api, route, match, request)
        return await self._invoke(
            api, route, match, request, principal, authorizer.config.type if authorizer else None
        )

    def _refused(self, api: ApiConfig, route: RouteConfig, refusal: Refusal) -> HttpResponse:
        if isinstance(refusal, AuthorizerFailure):
            log.error("gateway: authorizer %r cannot work: %s", route.authorizer, refusal.detail)
        else:
            log.info("gateway: %s refused: %s", route.route_key, refusal.detail)
        message = refusal.message
        if isinstance(refusal, AuthorizerFailure) and api.type == "HTTP":
            message = "Internal Server Error"
        return gateway_error(
            api.type,
            "refusal",
            status=refusal.status,
            message=message,
            error_type=refusal.error_type,
            headers=refusal.headers,
        )

    async def _invoke(
        self,
        api: ApiConfig,
        route: RouteConfig,
        match: Match,
        request: GatewayRequest,
        principal: Principal | None,
        authorizer_type: Any,
    ) -> HttpResponse:
        assert route.function is not None and self._runtime is not None
        account = self.settings.account_id
        if route.payload_version == "2.0":
            event = http_api_event(request, api, match, principal, account_id=account)
        else:
            event = rest_api_event(
                request, api, match, principal, authorizer_type, account_id=account
            )
        invocation = asyncio.ensure_future(
            self._runtime.invoke(route.function, event, request_id=str(uuid.uuid4()))
        )
        try:
            done, _ = await asyncio.wait({invocation}, timeout=route.timeout_ms / 1000)
        except asyncio.CancelledError:
            # The client went away; the invocation runs to its end all the same.
            self._orphans.add(invocation)
            invocation.add_done_callback(self._forget)
            raise
        if not done:
            log.warning(
                "gateway: %s: function %r did not answer within the integration timeout (%d ms)",
                route.route_key,
                route.function,
                route.timeout_ms,
            )
            self._orphans.add(invocation)
            invocation.add_done_callback(self._forget)
            return gateway_error(api.type, "integration_timeout")
        try:
            result = invocation.result().result
        except Exception as exc:
            # FunctionError and its kinds (handler error, its own timeout, crash,
            # unserializable result) end the same way on AWS: the integration failed.
            log.warning("gateway: %s: function %r failed: %s", route.route_key, route.function, exc)
            return gateway_error(api.type, "integration_failed")
        try:
            return integration_response(result, route.payload_version)
        except MalformedResponse as exc:
            log.warning(
                "gateway: %s: function %r returned a malformed response: %s",
                route.route_key,
                route.function,
                exc,
            )
            return gateway_error(api.type, "integration_failed")

    def _forget(self, invocation: asyncio.Future[Any]) -> None:
        self._orphans.discard(invocation)
        if not invocation.cancelled() and invocation.exception() is not None:
            log.info("gateway: a timed-out invocation ended: %s", invocation.exception())

    async def _proxy(
        self, api: ApiConfig, route: RouteConfig, match: Match, request: GatewayRequest
    ) -> HttpResponse:
        try:
            return await proxy(
                self.upstream_http, route, match, request, timeout=route.timeout_ms / 1000
            )
        except UpstreamTimeout:
            log.warning("gateway: %s: upstream %s timed out", route.route_key, route.upstream)
            return gateway_error(api.type, "integration_timeout")
        except UpstreamUnreachable as exc:
            log.warning("gateway: %s: upstream %s failed: %s", route.route_key, route.upstream, exc)
            return gateway_error(api.type, "upstream_unreachable")


class _HeaderView(dict[str, str]):
    """The request's headers by lower-case name (the last value of a repeated one)."""

    def __init__(self, request: GatewayRequest) -> None:
        super().__init__(request.headers)


def _starlette(response: HttpResponse) -> Response:
    out = Response(content=response.body, status_code=response.status)
    out.raw_headers = [
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in response.headers
    ] + [(b"content-length", str(len(response.body)).encode())]
    return out


def create_gateway_app(
    config: GatewayConfig,
    settings: Settings,
    *,
    runtime: Invoker | None = None,
    shared: SharedContext | None = None,
    context: Callable[[], Context] | None = None,
    clock: Callable[[], float] = time.time,
) -> Starlette:
    """The gateway's ASGI app. Without ``runtime`` it starts a ``FunctionRuntime``
    logging to ``{data_dir}/logs`` and registers the configured functions. Pools named
    by authorizers are resolved through core: ``shared`` is the process's context (the
    identity provider's), acquired for the app's lifetime; tests may pass ``context``."""
    if shared is not None:
        context = lambda: shared.ctx  # noqa: E731
    gateway = Gateway(config, settings, runtime=runtime, context=context, clock=clock)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if shared is not None:
            await shared.acquire()
            if runtime is None and shared.runtime is not None:
                gateway.use_runtime(shared.runtime)
        await gateway.start()
        try:
            yield
        finally:
            await gateway.stop()
            if shared is not None:
                await shared.release()

    app = Starlette(
        routes=[Route("/{path:path}", gateway.handle, methods=_METHODS)], lifespan=lifespan
    )
    app.state.gateway = gateway
    return app
