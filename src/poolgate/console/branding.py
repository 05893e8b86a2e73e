"""The pool's domain and the hosted pages' branding (SetUICustomization: CSS and a
logo, for the pool or one app client), with a live preview of the sign-in page.

The preview is the hosted sign-in template itself, rendered with the draft CSS and
logo, in a sandboxed frame (no script, no form submission): the page's own
"Preview" button posts the form there, and the console's script does so as the CSS
is typed. The draft is checked by the same rules as SetUICustomization first, so the
preview never shows CSS the API would refuse.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

from starlette.responses import HTMLResponse, Response

from poolgate.console.view import View, error_text
from poolgate.core.errors import CognitoError, InvalidParameterException
from poolgate.core.pools import domains, ui_customization
from poolgate.hosted import render as hosted_render

ALL = ui_customization.ALL


async def _pool(view: View) -> dict[str, Any]:
    pool = await view.pool()
    domain = await domains.domain_of_pool(view.ctx, pool["Id"])
    if domain is not None:
        pool["Domain"] = domain.domain
    return pool


def _target(view: View) -> str:
    return view.form.get("client") or view.query("client") or ALL


async def index(view: View, *, error: str | None = None, status: int = 200) -> Response:
    pool = await _pool(view)
    clients = await view.ops.pages(
        "ListUserPoolClients", {"UserPoolId": pool["Id"], "MaxResults": 60}, "UserPoolClients"
    )
    target = _target(view)
    if view.request.method == "POST" and error is None:
        try:
            await _save(view, pool["Id"], target)
        except CognitoError as failed:
            error, status = error_text(failed), 400
        else:
            return view.done(
                f"/admin/pools/{pool['Id']}/branding?{urlencode({'client': target})}",
                "Saved the branding: the hosted pages show it now.",
            )
    params: dict[str, Any] = {"UserPoolId": pool["Id"]}
    if target != ALL:
        params["ClientId"] = target
    current = (await view.ops.call("GetUICustomization", params))["UICustomization"]
    own = await ui_customization.own_customization(view.ctx, pool["Id"], target)
    return view.page(
        "branding.html",
        status=status,
        title="Domain and branding",
        pool=pool,
        clients=clients,
        target=target,
        current=current,
        own=own,
        error=error,
        css=view.form.get("css") if view.request.method == "POST" else (own.css if own else ""),
        preview_url=f"/admin/pools/{pool['Id']}/branding/preview?{urlencode({'client': target})}",
        public_url=view.ctx.public_url,
    )


async def _logo(view: View, pool_id: str, target: str) -> bytes | None:
    """The logo to set: an uploaded file, else the target's current one, unless the
    form asks to remove it (SetUICustomization replaces both parts at once)."""
    upload = view.files.get("logo")
    if upload is not None and upload.filename:
        data = await upload.read(ui_customization.MAX_IMAGE_BYTES + 1)
        if len(data) > ui_customization.MAX_IMAGE_BYTES:
            raise InvalidParameterException("The logo must be at most 100 KB.")
        return data
    if view.form.get("remove_logo"):
        return None
    own = await ui_customization.own_customization(view.ctx, pool_id, target)
    return own.image if own else None


async def _save(view: View, pool_id: str, target: str) -> None:
    request: dict[str, Any] = {"UserPoolId": pool_id}
    if target != ALL:
        request["ClientId"] = target
    css = view.form.get("css", "").strip()
    if css:
        request["CSS"] = css
    logo = await _logo(view, pool_id, target)
    if logo:
        request["ImageFile"] = base64.b64encode(logo).decode()
    await view.ops.call("SetUICustomization", request)


async def preview(view: View) -> Response:
    """The sign-in page with the posted CSS and logo (or the saved ones, for GET)."""
    pool = await _pool(view)
    target = _target(view)
    own = await ui_customization.own_customization(view.ctx, pool["Id"], target)
    name = pool["Name"]
    if target != ALL:
        client = await view.ops.call(
            "DescribeUserPoolClient", {"UserPoolId": pool["Id"], "ClientId": target}
        )
        name = client["UserPoolClient"]["ClientName"]
    css = view.form.get("css", "") if view.request.method == "POST" else (own.css if own else "")
    try:
        if css:
            ui_customization.check_css(css)
        logo = (
            await _logo(view, pool["Id"], target)
            if view.request.method == "POST"
            else (own.image if own else None)
        )
        if logo:
            media = ui_customization.image_type(logo)
            logo_url = f"data:{media};base64,{base64.b64encode(logo).decode()}"
        else:
            logo_url = None
    except CognitoError as error:
        body = (
            '<!doctype html><html lang="en"><title>Preview</title>'
            f"<p role=alert>The preview cannot show this branding: {error_text(error)}</p></html>"
        )
        return HTMLResponse(body, status_code=400, headers=hosted_render.PREVIEW_HEADERS)
    html = hosted_render.preview_html(
        css=css or None,
        logo=logo_url,
        app_name=name,
        username_label="Username",
        policy_hint="",
    )
    return HTMLResponse(html, headers=hosted_render.PREVIEW_HEADERS)


async def domain(view: View) -> Response:
    """Create the pool's domain (CreateUserPoolDomain), or delete it."""
    pool_id = view.param("pool_id")
    name = view.form.get("domain", "").strip()
    try:
        if view.form.get("delete"):
            await view.ops.call("DeleteUserPoolDomain", {"UserPoolId": pool_id, "Domain": name})
            notice = f"Deleted the domain {name}."
        else:
            await view.ops.call("CreateUserPoolDomain", {"UserPoolId": pool_id, "Domain": name})
            notice = f"Created the domain {name}."
    except CognitoError as error:
        return await index(view, error=error_text(error), status=400)
    return view.done(f"/admin/pools/{pool_id}/branding", notice)
