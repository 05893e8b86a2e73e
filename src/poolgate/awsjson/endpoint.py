"""``POST /``: the AWS JSON 1.1 protocol of Cognito's API.

Dispatch on ``X-Amz-Target``, check the caller's SigV4 signature unless the model
marks the operation public, validate against botocore's model, call the handler,
and answer in AWS's error format. A failure nobody anticipated is logged with its
traceback and answered ``InternalErrorException`` without one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.types import Receive, Scope, Send

from poolgate import metrics
from poolgate.awsjson import admin_actions
from poolgate.awsjson.model import ServiceModel, service_model
from poolgate.awsjson.registry import Handler, load_handlers
from poolgate.awsjson.sigv4 import AdminKey, verify_sigv4
from poolgate.awsjson.validation import validate_request
from poolgate.core.audit import request_info
from poolgate.core.context import Context
from poolgate.core.errors import (
    CognitoError,
    InternalErrorException,
    SerializationException,
    UnknownOperationException,
    UnsupportedOperationException,
)
from poolgate.core.throttle import quotas
from poolgate.middleware.request_info import new_request_id
from poolgate.outage import report_failure

log = logging.getLogger("poolgate.awsjson")

CONTENT_TYPE = "application/x-amz-json-1.1"

# Browsers call the public operations directly (amazon-cognito-identity-js, Amplify).
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": (
        "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date"
    ),
}
PREFLIGHT_HEADERS = {
    **CORS_HEADERS,
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "content-type, x-amz-target, x-amz-user-agent, "
    "authorization, x-amz-date, x-amz-security-token, x-amz-content-sha256, "
    "amz-sdk-invocation-id, amz-sdk-request, cache-control",
    "Access-Control-Max-Age": "86400",
}


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]


_CORS_RAW = _raw(CORS_HEADERS)
_PREFLIGHT_RAW = _raw(PREFLIGHT_HEADERS)
_CONTENT_TYPE_RAW = (b"content-type", CONTENT_TYPE.encode())


class AwsJsonEndpoint:
    """A plain ASGI app rather than a Starlette endpoint: Starlette's Request and
    Response objects cost about a fifth of a GetUser's CPU on the server."""

    def __init__(self, ctx: Context, admin_keys: Mapping[str, AdminKey]) -> None:
        self.ctx = ctx
        self.admin_keys = admin_keys
        self.model: ServiceModel = service_model()
        self.handlers: dict[str, Handler] = load_handlers()
        self.prefix = self.model.target_prefix + "."

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "OPTIONS":
            await _respond(send, 200, _PREFLIGHT_RAW, b"")
            return
        request_id = request_info.current().request_id or new_request_id()
        started = time.perf_counter()
        call = _Call()
        error_type: str | None = None
        try:
            result = await self._handle(scope, receive, call)
            status, body = 200, orjson.dumps(result)
            if call.admin:
                await admin_actions.record(self.ctx, call.name, call.params, None, result)
        except CognitoError as error:
            status, body, error_type = _error(error)
            log.info(
                "%s %s -> %s: %s%s",
                request_id,
                call.name,
                error.code,
                error.message,
                f" ({error.detail})" if error.detail else "",
            )
            if call.admin:
                await admin_actions.record(self.ctx, call.name, call.params, error)
        except Exception as unexpected:
            report_failure(log, "awsjson", f"{request_id} {call.name}", unexpected)
            status, body, error_type = _error(InternalErrorException("Internal server error."))
        headers = [_CONTENT_TYPE_RAW, (b"x-amzn-requestid", request_id.encode()), *_CORS_RAW]
        if error_type is not None:
            headers.append((b"x-amzn-errortype", error_type.encode()))
        await _respond(send, status, headers, body)
        elapsed = time.perf_counter() - started
        # Counted by name only when the model knows it: metric labels stay bounded
        # whatever targets clients send.
        metrics.recorder().request("awsjson", call.name or "-", error_type or "ok", elapsed)
        log.debug("%s %s %.1f ms", request_id, call.name, elapsed * 1000)

    async def _handle(self, scope: Scope, receive: Receive, call: _Call) -> dict[str, Any]:
        raw_headers: list[tuple[bytes, bytes]] = scope["headers"]
        target = next((v.decode("latin-1") for k, v in raw_headers if k == b"x-amz-target"), "")
        name = target[len(self.prefix) :] if target.startswith(self.prefix) else ""
        operation = self.model.operation(name) if name else None
        if operation is None:
            raise UnknownOperationException(
                f"Unknown operation {target[:200]!r}." if target else "Missing X-Amz-Target header."
            )
        call.name = name
        await quotas.take(self.ctx, name)
        body = await _read_body(receive)
        if not operation.public:
            key = verify_sigv4(
                method=scope["method"],
                # SigV4 signs the path and query as sent, still percent-encoded.
                path=scope.get("raw_path", b"/").decode("utf-8", "replace"),
                query_string=scope.get("query_string", b"").decode("utf-8", "replace"),
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw_headers],
                body=body,
                keys=self.admin_keys,
                now=datetime.now(UTC),
                region=self.ctx.region,
            )
            request_info.set_actor(f"admin-key:{key.access_key_id}")
            call.admin = True
        params = _parse(body)
        validate_request(self.model, operation, params)
        call.params = params
        handler = self.handlers.get(name)
        if handler is None:
            raise UnsupportedOperationException(f"Poolgate does not implement {name} yet.")
        return await handler(self.ctx, params)


class _Call:
    """What is known of the request so far, for its log line and audit event."""

    def __init__(self) -> None:
        self.name = "-"
        self.admin = False
        self.params: Any = None


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _respond(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _parse(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise SerializationException(f"The request body is not valid JSON: {exc.msg}.") from None


def _error(error: CognitoError) -> tuple[int, bytes, str]:
    body = orjson.dumps({"__type": error.code, "message": error.message})
    return error.status, body, error.code
