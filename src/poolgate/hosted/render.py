"""Rendering the hosted pages: Jinja2 templates, the CSRF token, the pool's or the
client's branding (SetUICustomization), and the security headers every page carries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from poolgate.core.context import Context
from poolgate.core.pools import ui_customization
from poolgate.hosted import cookies

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)

# No scripts at all: the pages work without JavaScript, and nothing injected can run.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
# The passkey pages need navigator.credentials, so they run one script: the same-origin
# file /_ui/passkey.js and nothing else (docs/decisions.md).
PASSKEY_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'"
)


async def page(
    ctx: Context,
    request: Request,
    template: str,
    *,
    status: int = 200,
    pool_id: str | None = None,
    client_id: str | None = None,
    csp: str | None = None,
    **values: Any,
) -> HTMLResponse:
    token, fresh_cookie = cookies.csrf_token(ctx, request)
    branding = None
    if pool_id is not None:
        branding = await ui_customization.effective_customization(ctx, pool_id, client_id or "ALL")
    html = _templates.get_template(template).render(
        csrf_field=cookies.CSRF_FIELD,
        csrf_token=token,
        query=request.url.query,
        css=branding.css if branding else None,
        logo=(
            f"/_ui/{branding.pool_id}/{branding.client_id}/logo?v={branding.version}"
            if branding and branding.image
            else None
        ),
        **values,
    )
    headers = _HEADERS if csp is None else {**_HEADERS, "Content-Security-Policy": csp}
    response = HTMLResponse(html, status_code=status, headers=headers)
    if fresh_cookie:
        cookies.set_csrf_cookie(request, response, fresh_cookie)
    return response


# A preview of the sign-in page is framed by the admin console (same origin only) and
# sandboxed there; it has no form token, and its form goes nowhere.
PREVIEW_HEADERS = {
    **_HEADERS,
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'none'; frame-ancestors 'self'; base-uri 'none'"
    ),
    "X-Frame-Options": "SAMEORIGIN",
}


def preview_html(*, css: str | None, logo: str | None, app_name: str, username_label: str,
                 policy_hint: str) -> str:  # fmt: skip
    """The sign-in page as it would look with ``css`` and ``logo`` (an admin console's
    branding preview): the real template, with nothing a sign-in needs."""
    return _templates.get_template("login.html").render(
        csrf_field=cookies.CSRF_FIELD, csrf_token="", query="", css=css, logo=logo,
        app_name=app_name, username_label=username_label, policy_hint=policy_hint,
        username="", identity_providers=[], password_sign_in=True, passkeys=False,
        can_sign_up=True, error=None, notice=None,
    )  # fmt: skip


async def error_page(
    ctx: Context, request: Request, title: str, message: str, status: int = 400
) -> HTMLResponse:
    return await page(ctx, request, "error.html", status=status, title=title, message=message)
