"""Post/redirect/get for the hosted forms: what a form post leaves for the page it
redirects to.

A form post that re-renders a page (a wrong password, a wrong code, the next step of a
sign-up) makes that page a POST result in the browser's history: Back to it asks to
post again, or shows Chromium's ERR_CACHE_MISS. So every post that does not leave the
hosted pages answers ``303 See Other`` to the page's GET address, and what that page
must show travels in a short-lived cookie sealed with the master key (the user can
neither read nor forge it), bound to the page's path and the app client:

- ``shown``: messages and the values typed into the form, shown once, by the next
  render of that page (a reload shows the page fresh, as after any GET);
- ``kept``: what the page needs to keep working on a reload or Back within the
  cookie's life (the username a code was sent for, the NEW_PASSWORD_REQUIRED session).

Passwords are never put in it: ``redirect`` drops every form value whose name says
password, and the pages put nothing else secret there.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from poolgate.core.context import Context
from poolgate.crypto.sealing import MasterKeyError

COOKIE = "poolgate_flash"
# Long enough to type a mailed code or choose a password; short enough that a stale
# message never greets the next visit.
LIFETIME = 900
_PURPOSE = "hosted-flash"
# Browsers keep cookies up to 4096 bytes; beyond this the values typed are left out.
_MAX_COOKIE = 3800


@dataclass
class Flash:
    path: str
    client_id: str
    shown: dict[str, Any] = field(default_factory=dict)
    kept: dict[str, Any] = field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        """What the page renders with: the kept state, then this render's messages."""
        return {**self.kept, **self.shown}


def _no_passwords(values: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in values.items() if "password" not in key.lower()}


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _encode(ctx: Context, flash: Flash) -> str:
    payload = {
        "path": flash.path,
        "client": flash.client_id,
        "shown": flash.shown,
        "kept": flash.kept,
        "exp": ctx.clock() + LIFETIME,
    }
    sealed = ctx.sealer.seal(orjson.dumps(payload), _PURPOSE)
    return base64.urlsafe_b64encode(sealed).decode()


def _set(ctx: Context, request: Request, response: Response, flash: Flash) -> None:
    value = _encode(ctx, flash)
    if len(value) > _MAX_COOKIE and "values" in flash.shown:
        # Many long attributes: keep the messages, drop what was typed.
        flash = Flash(flash.path, flash.client_id, _without(flash.shown, "values"), flash.kept)
        value = _encode(ctx, flash)
    response.set_cookie(
        COOKIE, value, max_age=LIFETIME, httponly=True, samesite="lax",
        secure=_secure(request), path="/",
    )  # fmt: skip


def _without(values: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k != key}


def redirect(
    ctx: Context,
    request: Request,
    client_id: str,
    path: str,
    *,
    kept: dict[str, Any] | None = None,
    values: dict[str, str] | None = None,
    **shown: Any,
) -> Response:
    """``303`` to ``path`` with the request's query (the OAuth request every page
    carries), leaving ``shown`` and ``kept`` for it. ``values``: the form's fields as
    typed, to fill the form again (their passwords left out)."""
    if values is not None:
        shown["values"] = _no_passwords(values)
    flash = Flash(path, client_id, shown, dict(kept or {}))
    query = request.url.query
    response = RedirectResponse(
        f"{path}?{query}" if query else path, status_code=303, headers={"Cache-Control": "no-store"}
    )
    _set(ctx, request, response, flash)
    return response


def read(ctx: Context, request: Request, client_id: str) -> Flash | None:
    """What a post left for this page (its path) and this app client, if anything."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        payload: dict[str, Any] = orjson.loads(
            ctx.sealer.open(base64.urlsafe_b64decode(raw.encode()), _PURPOSE)
        )
    except (binascii.Error, ValueError, InvalidTag, MasterKeyError, orjson.JSONDecodeError):
        return None
    if (
        payload.get("path") != request.url.path
        or payload.get("client") != client_id
        or payload.get("exp", 0) < ctx.clock()
    ):
        return None
    return Flash(
        str(payload["path"]), client_id, dict(payload.get("shown") or {}),
        dict(payload.get("kept") or {}),
    )  # fmt: skip


def rendered(ctx: Context, request: Request, response: Response, flash: Flash | None) -> None:
    """The page showed ``flash``: its messages are spent, its kept state stays."""
    if flash is None:
        return
    if flash.kept:
        _set(ctx, request, response, Flash(flash.path, flash.client_id, {}, flash.kept))
    else:
        response.delete_cookie(
            COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request)
        )
