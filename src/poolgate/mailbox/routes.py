"""``/_mailbox``: the outbox as JSON and as a small HTML page.

Every code Poolgate "sends" is readable here (in clear while it is valid), so the app
mounts these routes only in local development, or when the ``mailbox`` setting asks
for them, and then behind the admin key (``access.AdminKeyGuard``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from poolgate.core.context import Context
from poolgate.core.messages import outbox
from poolgate.core.records import Message

DEFAULT_LIMIT = 100
MAX_LIMIT = 500

# The page shows codes: keep it out of caches, other sites' frames and referrers, and
# allow no script at all (the page needs none).
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

_templates = Environment(
    loader=PackageLoader("poolgate.mailbox", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


class QueryError(ValueError):
    """A query parameter is out of range; the message says which and why."""


def message_json(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "channel": message.channel,
        "recipient": message.recipient,
        "subject": message.subject,
        "body": message.body,
        "created": message.created,
        "expires": message.expires,
        "pool_id": message.pool_id,
        "username": message.username,
        "purpose": message.purpose,
    }


def format_age(seconds: float) -> str:
    """How long ago, the way a person reads it at a glance."""
    seconds = max(0, int(seconds))
    if seconds < 10:
        return "just now"
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def format_time(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise QueryError(f"limit must be an integer from 1 to {MAX_LIMIT}") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be an integer from 1 to {MAX_LIMIT}")
    return limit


def _parse_after(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        after = int(raw)
    except ValueError:
        raise QueryError("after must be a message id (a non-negative integer)") from None
    if after < 0:
        raise QueryError("after must be a message id (a non-negative integer)")
    return after


class Guard(Protocol):
    def allows(self, request: Request) -> bool: ...


_FORBIDDEN = {
    **_PAGE_HEADERS,
    "WWW-Authenticate": 'Basic realm="Poolgate mailbox (the admin key)"',
}


def mailbox_routes(ctx_getter: Callable[[], Context], *, guard: Guard | None = None) -> list[Route]:
    """``GET /_mailbox`` (HTML) and ``GET /_mailbox/messages`` (JSON), over the context
    ``ctx_getter`` returns at request time (the app opens it in its lifespan). With a
    ``guard``, a request it does not allow is answered 403."""

    def guarded(endpoint: Callable[[Request], Awaitable[Response]]) -> Any:
        if guard is None:
            return endpoint

        async def checked(request: Request) -> Response:
            if not guard.allows(request):
                return PlainTextResponse(
                    "The mailbox needs the admin key (HTTP Basic or SigV4).\n",
                    status_code=403,
                    headers=_FORBIDDEN,
                )
            return await endpoint(request)

        return checked

    async def messages(request: Request) -> Response:
        query = request.query_params
        try:
            limit = parse_limit(query.get("limit"))
            after = _parse_after(query.get("after"))
        except QueryError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        found = await outbox.list_messages(
            ctx_getter(), recipient=query.get("recipient") or None, limit=limit, after_id=after
        )
        return JSONResponse(
            {"messages": [message_json(m) for m in found]},
            headers={"Cache-Control": "no-store"},
        )

    async def page(request: Request) -> Response:
        query = request.query_params
        try:
            limit = parse_limit(query.get("limit"))
        except QueryError as exc:
            return PlainTextResponse(str(exc), status_code=400, headers=_PAGE_HEADERS)
        recipient = query.get("recipient", "").strip()
        found = await outbox.list_messages(ctx_getter(), recipient=recipient or None, limit=limit)
        now = time.time()
        html = _templates.get_template("mailbox.html").render(
            path=request.url.path,
            recipient=recipient,
            limit=limit,
            default_limit=DEFAULT_LIMIT,
            messages=[
                {
                    **message_json(m),
                    "iso": datetime.fromtimestamp(m.created, UTC).isoformat(),
                    "when": format_time(m.created),
                    "age": format_age(now - m.created),
                }
                for m in found
            ],
        )
        return HTMLResponse(html, headers=_PAGE_HEADERS)

    return [
        Route("/_mailbox", guarded(page), methods=["GET"]),
        Route("/_mailbox/messages", guarded(messages), methods=["GET"]),
    ]
