"""The few answers the middleware gives itself: AWS's JSON error shape on the AWS
JSON endpoint (``POST /``), plain text elsewhere; the connection closed after them."""

from __future__ import annotations

import orjson
from starlette.types import Scope, Send


def is_aws_json(scope: Scope) -> bool:
    return scope.get("path") == "/" and scope.get("method") == "POST"


async def refuse(
    scope: Scope, send: Send, status: int, error_type: str, message: str, *, close: bool = False
) -> None:
    if is_aws_json(scope):
        body = orjson.dumps({"__type": error_type, "message": message})
        headers = [
            (b"content-type", b"application/x-amz-json-1.1"),
            (b"x-amzn-errortype", error_type.encode()),
            (b"access-control-allow-origin", b"*"),
        ]
    else:
        body = message.encode() + b"\n"
        headers = [(b"content-type", b"text/plain; charset=utf-8")]
    headers.append((b"content-length", str(len(body)).encode()))
    if close:
        # The unread body is not worth reading: uvicorn closes the connection.
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
