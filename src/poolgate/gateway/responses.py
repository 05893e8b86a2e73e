"""What the client gets: a handler's result as an HTTP response, and API Gateway's own
answers when the gateway refuses or the integration fails.

Handler results ("Output format of a Lambda function for proxy integration",
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html#api-gateway-simple-proxy-for-lambda-output-format,
and "Lambda function response format" of
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html):

- 1.0: ``statusCode`` (an integer), ``headers``, ``multiValueHeaders`` (merged; a name
  in both keeps the multi-value list), ``body`` (a string), ``isBase64Encoded``.
- 2.0: the same without ``multiValueHeaders``, with ``cookies`` (one ``set-cookie``
  each). A result without ``statusCode`` is "inferred": 200, ``application/json``, the
  body the result itself when it is a string, else its JSON.

A result that breaks these rules is a malformed integration response. Unknown extra
keys are ignored (a handler that runs on AWS must run here).

Gateway responses ("Gateway response types",
https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html)
are JSON ``{"message": ...}`` bodies whose status and text depend on the API type:

============================  =====================================  ===============================
situation                     REST API                               HTTP API
============================  =====================================  ===============================
no route for path/method      403 Missing Authentication Token       404 Not Found
authorizer refuses            401 Unauthorized                       401 Unauthorized
valid token, missing scope    401 Unauthorized                       403 Forbidden
handler error, bad result     502 Internal server error              500 Internal Server Error
integration timeout           504 Endpoint request timed out         503 Service Unavailable
upstream unreachable          502 Internal server error              503 Service Unavailable
authorizer cannot work        500 ``null``                           500 Internal Server Error
body over 10 MB               413 Request Too Long                   413 Request Entity Too Large
============================  =====================================  ===============================

REST answers also carry ``x-amzn-ErrorType``.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import orjson

from poolgate.gateway.config import ApiType, PayloadVersion

__all__ = [
    "HttpResponse",
    "MalformedResponse",
    "gateway_error",
    "integration_response",
]

# Never forwarded from a handler or an upstream: the gateway frames the response.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)


class MalformedResponse(Exception):
    """The handler's result is not a valid proxy integration response."""


@dataclass
class HttpResponse:
    status: int
    body: bytes = b""
    # Lower-case names; a name may repeat (set-cookie).
    headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def set(self, name: str, value: str) -> None:
        self.remove(name)
        self.headers.append((name, value))

    def remove(self, name: str) -> None:
        self.headers = [(k, v) for k, v in self.headers if k != name]


_ERRORS: dict[str, dict[ApiType, tuple[int, str | None, str]]] = {
    "not_found": {
        "REST": (403, "Missing Authentication Token", "MissingAuthenticationTokenException"),
        "HTTP": (404, "Not Found", ""),
    },
    "integration_failed": {
        "REST": (502, "Internal server error", "InternalServerErrorException"),
        "HTTP": (500, "Internal Server Error", ""),
    },
    "integration_timeout": {
        "REST": (504, "Endpoint request timed out", "InternalServerErrorException"),
        "HTTP": (503, "Service Unavailable", ""),
    },
    "upstream_unreachable": {
        "REST": (502, "Internal server error", "InternalServerErrorException"),
        "HTTP": (503, "Service Unavailable", ""),
    },
    "too_large": {
        "REST": (413, "Request Too Long", "RequestTooLargeException"),
        "HTTP": (413, "Request Entity Too Large", ""),
    },
}


def gateway_error(
    api_type: ApiType,
    kind: str,
    *,
    status: int | None = None,
    message: str | None = None,
    error_type: str = "",
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """API Gateway's answer of ``kind`` (a key of the table above), or the given
    status/message (authorizer refusals carry their own)."""
    if kind in _ERRORS:
        status, message, error_type = _ERRORS[kind][api_type]
    assert status is not None
    response = HttpResponse(status, orjson.dumps({"message": message}))
    response.headers.append(("content-type", "application/json"))
    if api_type == "REST" and error_type:
        response.headers.append(("x-amzn-errortype", error_type))
    for name, value in (headers or {}).items():
        response.headers.append((name.lower(), value))
    return response


def integration_response(result: Any, version: PayloadVersion) -> HttpResponse:
    """The HTTP response for a handler's ``result``; raises ``MalformedResponse``."""
    if version == "2.0" and not (isinstance(result, dict) and "statusCode" in result):
        try:
            body = result if isinstance(result, str) else json.dumps(result)
        except (TypeError, ValueError) as exc:
            raise MalformedResponse(f"the result cannot be sent as JSON: {exc}") from None
        return HttpResponse(200, body.encode("utf-8"), [("content-type", "application/json")])
    if not isinstance(result, dict):
        raise MalformedResponse(f"the result is a {type(result).__name__}, not an object")
    status = result.get("statusCode")
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise MalformedResponse(f"statusCode must be an integer HTTP status, got {status!r}")
    headers = _headers(result, version)
    content = _body(result)
    if not any(name == "content-type" for name, _ in headers):
        headers.append(("content-type", "application/json"))
    return HttpResponse(status, content, headers)


def _headers(result: dict[str, Any], version: PayloadVersion) -> list[tuple[str, str]]:
    single = result.get("headers") or {}
    if not isinstance(single, dict):
        raise MalformedResponse("headers must be an object")
    multi: dict[str, Any] = {}
    if version == "1.0":
        multi = result.get("multiValueHeaders") or {}
        if not isinstance(multi, dict):
            raise MalformedResponse("multiValueHeaders must be an object")
    merged: dict[str, list[str]] = {}
    for name, value in single.items():
        if value is None:
            continue
        merged[name.lower()] = [_header_value(name, value)]
    for name, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResponse(f"multiValueHeaders.{name} must be an array")
        merged[name.lower()] = [_header_value(name, v) for v in values if v is not None]
    headers = [
        (name, value)
        for name, values in merged.items()
        if name not in HOP_BY_HOP
        for value in values
    ]
    if version == "2.0":
        cookies = result.get("cookies") or []
        if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
            raise MalformedResponse("cookies must be an array of strings")
        headers += [("set-cookie", cookie) for cookie in cookies]
    for name, value in headers:
        try:
            name.encode("ascii")
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise MalformedResponse(f"header {name!r} cannot be sent in HTTP") from None
    return headers


def _header_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise MalformedResponse(f"header {name!r} must be a string, got {type(value).__name__}")


def _body(result: dict[str, Any]) -> bytes:
    body = result.get("body")
    encoded = result.get("isBase64Encoded", False)
    if not isinstance(encoded, bool):
        raise MalformedResponse("isBase64Encoded must be true or false")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise MalformedResponse(f"body must be a string, got {type(body).__name__}")
    if not encoded:
        return body.encode("utf-8")
    try:
        return base64.b64decode(body, validate=True)
    except ValueError:
        raise MalformedResponse("body is not valid base64") from None
