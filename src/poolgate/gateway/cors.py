"""CORS per API, as HTTP APIs do it ("Configuring CORS for an HTTP API",
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html):

    "If you configure CORS for an API, API Gateway automatically sends a response to
    preflight OPTIONS requests, even if there isn't an OPTIONS route configured for
    your API. For a CORS request, API Gateway adds the configured CORS headers to the
    response from an integration." ... "If you configure CORS for an API, API Gateway
    ignores CORS headers returned from your backend integration."

Preflights are answered by the gateway without running any authorizer (browsers send
them without credentials). REST APIs would need an OPTIONS mock method per resource
and gateway responses configured by hand; Poolgate gives REST APIs the same
``cors`` table, which is what people configure those for. The CORS headers are added
to the gateway's own refusals (401, 403...) too, so a browser app can read them.
"""

from __future__ import annotations

from collections.abc import Mapping

from poolgate.gateway.config import CorsConfig
from poolgate.gateway.responses import HttpResponse

__all__ = ["apply_cors", "preflight"]


def preflight(cors: CorsConfig, headers: Mapping[str, str]) -> HttpResponse | None:
    """The answer to a preflight request, or None when the request is not one."""
    origin = headers.get("origin")
    requested_method = headers.get("access-control-request-method")
    if origin is None or requested_method is None:
        return None
    response = HttpResponse(204)
    if not _allowed(cors, origin):
        return response
    _origin_headers(cors, origin, response)
    if cors.allow_methods:
        methods = "*" if "*" in cors.allow_methods else ",".join(cors.allow_methods)
        response.set("access-control-allow-methods", methods)
    if cors.allow_headers:
        if "*" in cors.allow_headers:
            allowed = headers.get("access-control-request-headers") or "*"
        else:
            allowed = ",".join(cors.allow_headers)
        response.set("access-control-allow-headers", allowed)
    if cors.max_age is not None:
        response.set("access-control-max-age", str(cors.max_age))
    return response


def apply_cors(cors: CorsConfig, origin: str | None, response: HttpResponse) -> None:
    """Replace the integration's CORS headers with the API's."""
    response.headers = [
        (name, value) for name, value in response.headers if not name.startswith("access-control-")
    ]
    if origin is None or not _allowed(cors, origin):
        return
    _origin_headers(cors, origin, response)
    if cors.expose_headers:
        response.set("access-control-expose-headers", ",".join(cors.expose_headers))


def _allowed(cors: CorsConfig, origin: str) -> bool:
    return "*" in cors.allow_origins or origin in cors.allow_origins


def _origin_headers(cors: CorsConfig, origin: str, response: HttpResponse) -> None:
    if "*" in cors.allow_origins and not cors.allow_credentials:
        response.set("access-control-allow-origin", "*")
    else:
        response.set("access-control-allow-origin", origin)
        vary = response.header("vary")
        if vary is None:
            response.set("vary", "Origin")
        elif "origin" not in vary.lower():
            response.set("vary", f"{vary}, Origin")
    if cors.allow_credentials:
        response.set("access-control-allow-credentials", "true")
