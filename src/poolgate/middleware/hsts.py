"""Strict-Transport-Security on every answer when the public URL is https (RFC 6797):
browsers then never reach the hosted pages over plain HTTP, where the session cookie
could be read. Two years, the preload lists' minimum; no ``includeSubDomains``: the
operator's other hosts are not Poolgate's to decide."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = (b"strict-transport-security", b"max-age=63072000")


class Hsts:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), HEADER]}
            await send(message)

        await self.app(scope, receive, send_with_hsts)
