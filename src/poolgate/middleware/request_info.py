"""Per request: the source address (as uvicorn gives it, the forwarded client address
when a trusted proxy sent ``X-Forwarded-For``), a request id, the user agent; made
core's ``request_info`` for the request's duration."""

from __future__ import annotations

import os

from starlette.types import ASGIApp, Receive, Scope, Send

from poolgate.core.audit import request_info
from poolgate.core.audit.request_info import RequestInfo


def new_request_id() -> str:
    """A random (version 4) UUID, as AWS's request ids are; uuid.uuid4() builds a UUID
    object only to format it, a third of the cost on every request."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    x = raw.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


class RequestInfoMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        agent = next((v for k, v in scope["headers"] if k == b"user-agent"), b"")
        info = RequestInfo(
            source_ip=client[0] if client else None,
            request_id=new_request_id(),
            user_agent=agent[:512].decode("latin-1") or None,
        )
        token = request_info.use(info)
        try:
            await self.app(scope, receive, send)
        finally:
            request_info.reset(token)
