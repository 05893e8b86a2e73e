"""Resource servers and their custom scopes (``identifier/scope`` in access tokens and
in the app clients' AllowedOAuthScopes)."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import Response

from poolgate.console.view import View, error_text
from poolgate.core.errors import CognitoError


def server_url(pool_id: str, identifier: str) -> str:
    return f"/admin/pools/{pool_id}/resource-servers/view?{urlencode({'identifier': identifier})}"


def scopes_from_text(text: str) -> list[dict[str, str]]:
    """One scope per line: its name, a space, its description."""
    scopes = []
    for line in text.splitlines():
        name, _, description = line.strip().partition(" ")
        if name:
            scopes.append({"ScopeName": name, "ScopeDescription": description.strip()})
    return scopes


def scopes_as_text(scopes: list[dict[str, str]]) -> str:
    return "\n".join(f"{s['ScopeName']} {s.get('ScopeDescription', '')}".strip() for s in scopes)


async def index(view: View) -> Response:
    pool = await view.pool()
    error = None
    if view.request.method == "POST":
        identifier = view.form.get("identifier", "").strip()
        try:
            await view.ops.call(
                "CreateResourceServer",
                {
                    "UserPoolId": pool["Id"],
                    "Identifier": identifier,
                    "Name": view.form.get("name", "").strip(),
                    "Scopes": scopes_from_text(view.form.get("scopes", "")),
                },
            )
        except CognitoError as failed:
            error = error_text(failed)
        else:
            return view.done(
                server_url(pool["Id"], identifier), f"Created resource server {identifier}."
            )
    servers = await view.ops.pages(
        "ListResourceServers", {"UserPoolId": pool["Id"], "MaxResults": 50}, "ResourceServers"
    )
    return view.page(
        "resource_servers.html",
        status=400 if error else 200,
        title="Resource servers",
        pool=pool,
        servers=servers,
        error=error,
        form=view.form,
        server_url=lambda identifier: server_url(pool["Id"], identifier),
    )


async def show(view: View) -> Response:
    pool = await view.pool()
    identifier = view.query("identifier") or view.form.get("identifier", "")
    key = {"UserPoolId": pool["Id"], "Identifier": identifier}
    error = None
    if view.request.method == "POST":
        try:
            await view.ops.call(
                "UpdateResourceServer",
                {
                    **key,
                    "Name": view.form.get("name", "").strip(),
                    "Scopes": scopes_from_text(view.form.get("scopes", "")),
                },
            )
        except CognitoError as failed:
            error = error_text(failed)
        else:
            return view.done(server_url(pool["Id"], identifier), "Saved the resource server.")
    server = (await view.ops.call("DescribeResourceServer", key))["ResourceServer"]
    return view.page(
        "resource_server.html",
        status=400 if error else 200,
        title=server["Name"],
        pool=pool,
        server=server,
        error=error,
        scopes_text=(view.form.get("scopes", "") if error else scopes_as_text(server["Scopes"])),
    )


async def delete(view: View) -> Response:
    pool_id = view.param("pool_id")
    identifier = view.form.get("identifier", "")
    await view.ops.call("DeleteResourceServer", {"UserPoolId": pool_id, "Identifier": identifier})
    return view.done(
        f"/admin/pools/{pool_id}/resource-servers", f"Deleted resource server {identifier}."
    )
