"""``POST /``: the AWS JSON 1.1 protocol of Cognito's API.

Dispatch on ``X-Amz-Target``, check the caller's SigV4 signature unless the model
marks the operation public, validate against botocore's model, call the handler,
and answer in AWS's error format. A failure nobody anticipated is logged with its
traceback and answered ``InternalErrorException`` without one.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from poolgate.awsjson.model import ServiceModel, service_model
from poolgate.awsjson.registry import Handler, load_handlers
from poolgate.awsjson.sigv4 import AdminKey, verify_sigv4
from poolgate.awsjson.validation import validate_request
from poolgate.core.context import Context
from poolgate.core.errors import (
    CognitoError,
    InternalErrorException,
    SerializationException,
    UnknownOperationException,
    UnsupportedOperationException,
)

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


class AwsJsonEndpoint:
    def __init__(self, ctx: Context, admin_keys: Mapping[str, AdminKey]) -> None:
        self.ctx = ctx
        self.admin_keys = admin_keys
        self.model: ServiceModel = service_model()
        self.handlers: dict[str, Handler] = load_handlers()
        self.prefix = self.model.target_prefix + "."

    async def __call__(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=200, headers=PREFLIGHT_HEADERS)
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        operation_name = "-"
        try:
            operation_name, body = await self._handle(request)
            response = _json(200, body, request_id)
        except CognitoError as error:
            response = _error(error, request_id)
            log.info(
                "%s %s -> %s: %s%s",
                request_id,
                operation_name,
                error.code,
                error.message,
                f" ({error.detail})" if error.detail else "",
            )
        except Exception:
            log.exception("%s %s failed", request_id, operation_name)
            response = _error(InternalErrorException("Internal server error."), request_id)
        log.debug(
            "%s %s %.1f ms", request_id, operation_name, (time.perf_counter() - started) * 1000
        )
        return response

    async def _handle(self, request: Request) -> tuple[str, dict[str, Any]]:
        target = request.headers.get("x-amz-target", "")
        name = target[len(self.prefix) :] if target.startswith(self.prefix) else ""
        operation = self.model.operation(name) if name else None
        if operation is None:
            raise UnknownOperationException(
                f"Unknown operation {target!r}." if target else "Missing X-Amz-Target header."
            )
        body = await request.body()
        if not operation.public:
            verify_sigv4(
                method=request.method,
                # SigV4 signs the path and query as sent, still percent-encoded.
                path=request.scope.get("raw_path", b"/").decode("utf-8", "replace"),
                query_string=request.scope.get("query_string", b"").decode("utf-8", "replace"),
                headers=list(request.headers.items()),
                body=body,
                keys=self.admin_keys,
                now=datetime.now(UTC),
            )
        params = _parse(body)
        validate_request(self.model, operation, params)
        handler = self.handlers.get(name)
        if handler is None:
            raise UnsupportedOperationException(f"Poolgate does not implement {name} yet.")
        return name, await handler(self.ctx, params)


def _parse(body: bytes) -> Any:
    if not body.strip():
        return {}
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise SerializationException(f"The request body is not valid JSON: {exc.msg}.") from None


def _json(status: int, body: dict[str, Any], request_id: str) -> Response:
    return Response(
        orjson.dumps(body),
        status_code=status,
        media_type=CONTENT_TYPE,
        headers={"x-amzn-RequestId": request_id, **CORS_HEADERS},
    )


def _error(error: CognitoError, request_id: str) -> Response:
    response = _json(error.status, {"__type": error.code, "message": error.message}, request_id)
    response.headers["x-amzn-ErrorType"] = error.code
    return response
