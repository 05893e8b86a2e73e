"""Lambda proxy integration events: what a handler receives for a request.

Payload format 1.0 is the REST API proxy event ("Input format of a Lambda function
for proxy integration",
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-input-format);
2.0 is the HTTP API event ("Working with AWS Lambda proxy integrations for HTTP APIs",
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).

Where the documentation leaves the shape open, what AWS sends is followed:

- 1.0 ``headers`` hold the last value of each header and ``multiValueHeaders`` all of
  them; names are in canonical ``Title-Case`` (``Authorization``, ``Content-Type``), as
  a REST API shows what HTTP/1.1 clients send (the HTTP server below has already
  lower-cased them, so the client's own spelling cannot be kept). 2.0 names are lower
  case and repeated headers are joined with commas; cookies move to ``cookies``.
- ``queryStringParameters``: 1.0 keeps the last value, 2.0 joins repeats with commas.
  Absent parts are ``null`` in 1.0 and left out in 2.0.
- Bodies of text types (``text/*``, JSON, XML, form data) are passed as text; any other
  body is base64 with ``isBase64Encoded: true``.
- Verified claims are in ``requestContext.authorizer.claims`` (1.0) or
  ``requestContext.authorizer.jwt.claims`` (2.0), as strings (``claims.py``).
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from poolgate.gateway.authorizer import Principal
from poolgate.gateway.config import ApiConfig, AuthorizerType
from poolgate.gateway.routing import Match

__all__ = ["GatewayRequest", "body_field", "http_api_event", "rest_api_event"]

_TEXT_TYPES = (
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
    "application/graphql",
    "application/x-ndjson",
)


@dataclass(frozen=True)
class GatewayRequest:
    """A request as it reached the gateway."""

    method: str
    # Percent-encoded, as sent, stage included.
    raw_path: str
    raw_query: str
    # Lower-case names, in the order received.
    headers: tuple[tuple[str, str], ...]
    body: bytes
    source_ip: str
    scheme: str
    port: int
    protocol: str
    request_id: str
    time: float

    def header(self, name: str) -> str | None:
        for key, value in reversed(self.headers):
            if key == name:
                return value
        return None

    @property
    def host(self) -> str:
        return self.header("host") or "localhost"


def body_field(body: bytes, content_type: str | None) -> tuple[str | None, bool]:
    """The event's ``body`` and ``isBase64Encoded`` for a request body."""
    if not body:
        return None, False
    if _is_text(content_type):
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    return base64.b64encode(body).decode("ascii"), True


def _is_text(content_type: str | None) -> bool:
    if content_type is None:
        return True  # decoded as UTF-8 when it is, base64 otherwise
    media = content_type.split(";", 1)[0].strip().lower()
    return (
        media.startswith("text/")
        or media in _TEXT_TYPES
        or media.endswith("+json")
        or media.endswith("+xml")
    )


def rest_api_event(
    request: GatewayRequest,
    api: ApiConfig,
    match: Match,
    principal: Principal | None,
    authorizer_type: AuthorizerType | None,
    *,
    account_id: str,
) -> dict[str, Any]:
    """Payload format 1.0."""
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for name, value in _forwarded(request):
        title = _title(name)
        single[title] = value
        multi.setdefault(title, []).append(value)
    query = parse_qsl(request.raw_query, keep_blank_values=True)
    query_single: dict[str, str] = {}
    query_multi: dict[str, list[str]] = {}
    for key, value in query:
        query_single[key] = value
        query_multi.setdefault(key, []).append(value)
    body, encoded = body_field(request.body, request.header("content-type"))
    context: dict[str, Any] = {
        "accountId": account_id,
        "apiId": api.id,
        "domainName": request.host,
        "domainPrefix": request.host.split(".", 1)[0].split(":", 1)[0],
        "extendedRequestId": request.request_id,
        "httpMethod": request.method,
        "identity": {
            "accessKey": None,
            "accountId": None,
            "caller": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "sourceIp": request.source_ip,
            "user": None,
            "userAgent": request.header("user-agent"),
            "userArn": None,
        },
        "path": unquote(request.raw_path),
        "protocol": request.protocol,
        "requestId": request.request_id,
        "requestTime": _clf_time(request.time),
        "requestTimeEpoch": int(request.time * 1000),
        "resourceId": match.resource_id,
        "resourcePath": match.route.path,
        "stage": api.stage,
    }
    if principal is not None:
        authorizer: dict[str, Any] = {"claims": dict(principal.event_claims)}
        if authorizer_type == "JWT":
            # An HTTP API's 1.0 events carry the scopes beside the claims.
            authorizer["scopes"] = list(principal.scopes) or None
        context["authorizer"] = authorizer
    event: dict[str, Any] = {
        "resource": match.route.path,
        "path": match.path,
        "httpMethod": request.method,
        "headers": single,
        "multiValueHeaders": multi,
        "queryStringParameters": query_single or None,
        "multiValueQueryStringParameters": query_multi or None,
        "pathParameters": match.path_parameters or None,
        "stageVariables": dict(api.stage_variables) if api.stage_variables else None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": encoded,
    }
    if api.type == "HTTP":
        event = {"version": "1.0", **event}
    return event


def http_api_event(
    request: GatewayRequest,
    api: ApiConfig,
    match: Match,
    principal: Principal | None,
    *,
    account_id: str,
) -> dict[str, Any]:
    """Payload format 2.0."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in _forwarded(request):
        if name == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    query: dict[str, str] = {}
    for key, value in parse_qsl(request.raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    route_key = match.route.route_key
    context: dict[str, Any] = {
        "accountId": account_id,
        "apiId": api.id,
        "domainName": request.host,
        "domainPrefix": request.host.split(".", 1)[0].split(":", 1)[0],
        "http": {
            "method": request.method,
            "path": unquote(request.raw_path),
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": request.header("user-agent") or "",
        },
        "requestId": request.request_id,
        "routeKey": route_key,
        "stage": api.stage,
        "time": _clf_time(request.time),
        "timeEpoch": int(request.time * 1000),
    }
    if principal is not None:
        context["authorizer"] = {
            "jwt": {
                "claims": dict(principal.event_claims),
                "scopes": list(principal.scopes) or None,
            }
        }
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = context
    body, encoded = body_field(request.body, request.header("content-type"))
    if body is not None:
        event["body"] = body
    if match.path_parameters:
        event["pathParameters"] = dict(match.path_parameters)
    event["isBase64Encoded"] = encoded
    if api.stage_variables:
        event["stageVariables"] = dict(api.stage_variables)
    return event


def _forwarded(request: GatewayRequest) -> list[tuple[str, str]]:
    """The request's headers plus the ``X-Forwarded-*`` ones API Gateway adds."""
    headers = list(request.headers)
    prior = request.header("x-forwarded-for")
    forwarded_for = f"{prior}, {request.source_ip}" if prior else request.source_ip
    headers = [(n, v) for n, v in headers if not n.startswith("x-forwarded-")]
    headers += [
        ("x-forwarded-for", forwarded_for),
        ("x-forwarded-port", str(request.port)),
        ("x-forwarded-proto", request.scheme),
    ]
    return headers


def _title(name: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


def _clf_time(epoch: float) -> str:
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(epoch))
