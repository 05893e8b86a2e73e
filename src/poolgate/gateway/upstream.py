"""The HTTP proxy integration: the request passed to an HTTP server and its response
passed back ("Set up HTTP proxy integrations",
https://docs.aws.amazon.com/apigateway/latest/developerguide/setup-http-integrations.html#api-gateway-set-up-http-proxy-integration-on-proxy-resource).

The upstream URL may use the route's path parameters, as an integration URI does
(``http://127.0.0.1:9000/pets/{proxy}``); a URL without placeholders on a route with a
greedy ``{proxy+}`` gets the matched suffix appended (``upstream =
"http://127.0.0.1:9000/base"`` on ``/files/{proxy+}`` sends ``/files/a/b`` to
``/base/a/b``). The query string, the method, the body and the headers (less the
hop-by-hop ones and ``Host``) go along, with ``X-Forwarded-For/Port/Proto`` added.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from poolgate.gateway.config import RouteConfig
from poolgate.gateway.events import GatewayRequest
from poolgate.gateway.responses import HOP_BY_HOP, HttpResponse
from poolgate.gateway.routing import Match

__all__ = ["UpstreamTimeout", "UpstreamUnreachable", "proxy", "upstream_url"]

_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.-]+)\}")


class UpstreamTimeout(Exception):
    pass


class UpstreamUnreachable(Exception):
    pass


def upstream_url(route: RouteConfig, match: Match, raw_query: str) -> str:
    assert route.upstream is not None
    greedy = route.path.rsplit("/", 1)[-1]
    greedy_name = greedy[1:-2] if greedy.startswith("{") and greedy.endswith("+}") else None

    def substitute(found: re.Match[str]) -> str:
        name = found.group(1)
        value = match.path_parameters.get(name, "")
        return quote(value, safe="/" if name == greedy_name else "")

    url = route.upstream
    if _PLACEHOLDER.search(url):
        url = _PLACEHOLDER.sub(substitute, url)
    elif greedy_name is not None:
        parts = urlsplit(url)
        suffix = quote(match.path_parameters.get(greedy_name, ""), safe="/")
        url = urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/" + suffix))
    if raw_query:
        parts = urlsplit(url)
        query = f"{parts.query}&{raw_query}" if parts.query else raw_query
        url = urlunsplit(parts._replace(query=query))
    return url


async def proxy(
    http: httpx.AsyncClient,
    route: RouteConfig,
    match: Match,
    request: GatewayRequest,
    timeout: float,
) -> HttpResponse:
    """The upstream's response; raises ``UpstreamTimeout`` or ``UpstreamUnreachable``."""
    headers = [
        (name, value)
        for name, value in request.headers
        if name not in HOP_BY_HOP and name != "host" and not name.startswith("x-forwarded-")
    ]
    prior = request.header("x-forwarded-for")
    headers += [
        ("x-forwarded-for", f"{prior}, {request.source_ip}" if prior else request.source_ip),
        ("x-forwarded-port", str(request.port)),
        ("x-forwarded-proto", request.scheme),
    ]
    try:
        response = await http.request(
            request.method,
            upstream_url(route, match, request.raw_query),
            headers=headers,
            content=request.body or None,
            timeout=timeout,
        )
    except httpx.TimeoutException as exc:
        raise UpstreamTimeout(str(exc) or "timed out") from exc
    except httpx.HTTPError as exc:
        raise UpstreamUnreachable(str(exc) or type(exc).__name__) from exc
    # httpx has decoded the body, so its encoding no longer applies.
    kept = [
        (name.lower(), value)
        for name, value in response.headers.multi_items()
        if name.lower() not in HOP_BY_HOP and name.lower() != "content-encoding"
    ]
    return HttpResponse(response.status_code, response.content, kept)
