"""Refuse a request body larger than ``max_body_bytes`` before any of it is read: by
its ``Content-Length`` (413), and a body without one (chunked) with 411, so that no
request's size is learned only by reading it. The HTTP parser holds the framing to the
declared length, so the declared length is the body's. Nothing Cognito's API or the
hosted pages take comes near the default (512 KiB: SetUICustomization's 100 KB logo,
base64-encoded, and its CSS fit several times over).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from poolgate.middleware.responses import refuse


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length: bytes | None = None
        chunked = False
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = self.max_bytes + 1
            if declared > self.max_bytes:
                await refuse(
                    scope, send, 413, "RequestEntityTooLargeException",
                    f"The request body is larger than the limit of {self.max_bytes} bytes.",
                    close=True,
                )  # fmt: skip
                return
        elif chunked:
            await refuse(
                scope, send, 411, "LengthRequiredException",
                "A request body must come with a Content-Length header.", close=True,
            )  # fmt: skip
            return
        await self.app(scope, receive, send)
