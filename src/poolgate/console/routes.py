"""The console's addresses, under ``/admin/`` on the identity provider's port.

Names that Cognito lets hold a slash (usernames, group names, resource-server
identifiers, provider names) travel in the query string or the form, never in the
path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from poolgate.console import (
    account,
    branding,
    clients,
    groups,
    identity_providers,
    keys,
    pools,
    render,
    resource_servers,
    signin,
    triggers,
    users,
)
from poolgate.console.view import Console, Handler, guarded

Page = Callable[[Console, Request], Awaitable[Response]]

POOL = "/admin/pools/{pool_id}"

# (path, handler, methods) of every page behind a session.
PAGES: list[tuple[str, Handler, list[str]]] = [
    ("/admin/", pools.index, ["GET"]),
    ("/admin/pools/new", pools.create, ["GET", "POST"]),
    (POOL, pools.overview, ["GET"]),
    (f"{POOL}/settings", pools.settings, ["GET", "POST"]),
    (f"{POOL}/delete", pools.delete, ["GET", "POST"]),
    (f"{POOL}/clients", clients.index, ["GET"]),
    (f"{POOL}/clients/new", clients.create, ["GET", "POST"]),
    (f"{POOL}/clients/{{client_id}}", clients.show, ["GET"]),
    (f"{POOL}/clients/{{client_id}}/secret", clients.secret, ["POST"]),
    (f"{POOL}/clients/{{client_id}}/edit", clients.edit, ["GET", "POST"]),
    (f"{POOL}/clients/{{client_id}}/delete", clients.delete, ["GET", "POST"]),
    (f"{POOL}/users", users.index, ["GET"]),
    (f"{POOL}/users/new", users.create, ["GET", "POST"]),
    (f"{POOL}/users/view", users.show, ["GET"]),
    (f"{POOL}/users/delete", users.delete, ["GET", "POST"]),
    (f"{POOL}/users/{{action}}", users.act, ["POST"]),
    (f"{POOL}/groups", groups.index, ["GET", "POST"]),
    (f"{POOL}/groups/view", groups.show, ["GET"]),
    (f"{POOL}/groups/{{action}}", groups.act, ["POST"]),
    (f"{POOL}/branding", branding.index, ["GET", "POST"]),
    (f"{POOL}/branding/preview", branding.preview, ["GET", "POST"]),
    (f"{POOL}/domain", branding.domain, ["POST"]),
    (f"{POOL}/resource-servers", resource_servers.index, ["GET", "POST"]),
    (f"{POOL}/resource-servers/view", resource_servers.show, ["GET", "POST"]),
    (f"{POOL}/resource-servers/delete", resource_servers.delete, ["POST"]),
    (f"{POOL}/identity-providers", identity_providers.index, ["GET", "POST"]),
    (f"{POOL}/identity-providers/view", identity_providers.show, ["GET", "POST"]),
    (f"{POOL}/identity-providers/delete", identity_providers.delete, ["POST"]),
    (f"{POOL}/triggers", triggers.index, ["GET", "POST"]),
    (f"{POOL}/keys", keys.index, ["GET", "POST"]),
    ("/admin/account", account.index, ["GET"]),
    ("/admin/account/{action}", account.act, ["POST"]),
]

# The sign-in's own pages: they work without a session.
OPEN: list[tuple[str, Page, list[str]]] = [
    ("/admin/login", signin.login, ["GET"]),
    ("/admin/callback", signin.callback, ["GET"]),
    ("/admin/logout", signin.logout, ["POST"]),
    ("/admin/signed-out", signin.signed_out, ["GET"]),
]


def console_routes(get_console: Callable[[], Console]) -> list[BaseRoute]:
    def open_page(handler: Page) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            return await handler(get_console(), request)

        return endpoint

    async def to_console(_: Request) -> Response:
        return render.redirect("/admin/")

    routes: list[BaseRoute] = [Route("/admin", to_console, methods=["GET"])]
    routes += [Route(path, open_page(h), methods=m) for path, h, m in OPEN]
    routes += [Route(path, guarded(get_console, h), methods=m) for path, h, m in PAGES]
    routes.append(Mount("/admin/static", StaticFiles(directory=render.STATIC), name="console"))
    return routes
