"""Rendering the console's pages: Jinja2 templates, the security headers, and the
notice a form post leaves for the page it redirects to.

The pages run one script, the console's own ``/admin/static/console.js`` (the live
password rules, the branding preview, confirmations): the Content-Security-Policy
allows scripts and styles from the server only, so nothing injected into a page runs.
Every page works without it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from poolgate.core.context import Context
from poolgate.crypto.sealing import MasterKeyError
from poolgate.hosted.cookies import cookie_name, secure

STATIC = Path(__file__).parent / "static"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
_FLASH_COOKIE = "poolgate_console_flash"
_FLASH_PURPOSE = "console-flash"


def _when(value: Any) -> str:
    """A timestamp (seconds since the epoch, as the API's dates) in UTC."""
    if value in (None, ""):
        return ""
    try:
        moment = datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return str(value)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _asset_version(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_templates.filters["when"] = _when
# Cache-busting query strings: the assets change with Poolgate's version.
_templates.globals["asset"] = {
    name: f"/admin/static/{name}?v={_asset_version(name)}" for name in ("console.css", "console.js")
}


def html(template: str, **values: Any) -> str:
    return _templates.get_template(template).render(**values)


def page(template: str, *, status: int = 200, **values: Any) -> HTMLResponse:
    return HTMLResponse(html(template, **values), status_code=status, headers=HEADERS)


def redirect(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303, headers={"Cache-Control": "no-store"})


def done(ctx: Context, request: Request, path: str, notice: str) -> RedirectResponse:
    """After a successful form post: ``303`` to ``path``, which shows ``notice`` once."""
    response = redirect(path)
    sealed = ctx.sealer.seal(notice.encode(), _FLASH_PURPOSE)
    response.set_cookie(
        cookie_name(request, _FLASH_COOKIE),
        base64.urlsafe_b64encode(sealed).decode(),
        max_age=120,
        httponly=True,
        samesite="strict",
        secure=secure(request),
        path="/",
    )
    return response


def notice_of(ctx: Context, request: Request) -> str | None:
    """The notice a form post left for this page."""
    raw = request.cookies.get(cookie_name(request, _FLASH_COOKIE))
    if not raw:
        return None
    try:
        return ctx.sealer.open(base64.urlsafe_b64decode(raw.encode()), _FLASH_PURPOSE).decode()
    except (binascii.Error, ValueError, InvalidTag, MasterKeyError):
        return None


def clear_notice(request: Request, response: Response) -> None:
    """Shown once: a reload shows the page without it."""
    if request.cookies.get(cookie_name(request, _FLASH_COOKIE)):
        response.delete_cookie(
            cookie_name(request, _FLASH_COOKIE),
            path="/",
            httponly=True,
            samesite="strict",
            secure=secure(request),
        )
