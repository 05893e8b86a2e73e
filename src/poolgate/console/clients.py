"""App clients: the list, creation, the client's page (its id, the secret shown on
request), editing and deletion."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from poolgate.console import client_form
from poolgate.console.client_form import ClientForm
from poolgate.console.view import View, error_text
from poolgate.core.errors import CognitoError, InvalidParameterException


async def index(view: View) -> Response:
    pool = await view.pool()
    found = await view.ops.pages(
        "ListUserPoolClients", {"UserPoolId": pool["Id"], "MaxResults": 60}, "UserPoolClients"
    )
    return view.page(
        "clients.html",
        title="App clients",
        pool=pool,
        clients=found,
        console_client=view.administrators.client.id,
    )


async def _choices(view: View, pool_id: str) -> dict[str, Any]:
    """What the form offers besides the standard values: the pool's custom scopes and
    identity providers."""
    servers = await view.ops.pages(
        "ListResourceServers", {"UserPoolId": pool_id, "MaxResults": 50}, "ResourceServers"
    )
    providers = await view.ops.pages(
        "ListIdentityProviders", {"UserPoolId": pool_id, "MaxResults": 60}, "Providers"
    )
    return {
        "scopes": client_form.STANDARD_SCOPES
        + [
            f"{server['Identifier']}/{scope['ScopeName']}"
            for server in servers
            for scope in server.get("Scopes") or []
        ],
        "providers": ["COGNITO", *[p["ProviderName"] for p in providers]],
        "auth_flows": client_form.AUTH_FLOWS,
        "oauth_flows": client_form.OAUTH_FLOWS,
        "units": client_form.UNITS,
    }


async def _form_page(
    view: View,
    pool: dict[str, Any],
    shown: ClientForm,
    *,
    mode: str,
    client: dict[str, Any] | None = None,
    error: str | None = None,
) -> Response:
    return view.page(
        "client_form.html",
        status=400 if error else 200,
        title="Create app client" if mode == "create" else f"Edit {shown.name}",
        pool=pool,
        client=client,
        form=shown,
        mode=mode,
        error=error,
        **await _choices(view, pool["Id"]),
    )


async def create(view: View) -> Response:
    pool = await view.pool()
    if view.request.method == "GET":
        return await _form_page(view, pool, ClientForm(), mode="create")
    shown = client_form.from_post(view.form, view.lists)
    try:
        created = await view.ops.call(
            "CreateUserPoolClient", client_form.create_request(pool["Id"], shown)
        )
    except CognitoError as error:
        return await _form_page(view, pool, shown, mode="create", error=error_text(error))
    client_id = created["UserPoolClient"]["ClientId"]
    return view.done(
        f"/admin/pools/{pool['Id']}/clients/{client_id}",
        f"Created app client {shown.name}: its client ID is {client_id}.",
    )


async def _client(view: View) -> dict[str, Any]:
    described = await view.ops.call(
        "DescribeUserPoolClient",
        {"UserPoolId": view.param("pool_id"), "ClientId": view.param("client_id")},
    )
    return dict(described["UserPoolClient"])


def _hosted_ui(view: View, client: dict[str, Any]) -> str | None:
    """The hosted sign-in page's address for the client, as the AWS console links it."""
    callbacks = client.get("CallbackURLs") or []
    flows = client.get("AllowedOAuthFlows") or []
    if not client.get("AllowedOAuthFlowsUserPoolClient") or not callbacks:
        return None
    kind = "code" if "code" in flows else "token" if "implicit" in flows else None
    if kind is None:
        return None
    query = {
        "client_id": client["ClientId"],
        "response_type": kind,
        "scope": " ".join(client.get("AllowedOAuthScopes") or []),
        "redirect_uri": client.get("DefaultRedirectURI") or callbacks[0],
    }
    return f"{view.ctx.public_url}/login?{urlencode(query)}"


async def _client_page(view: View, *, reveal: bool) -> Response:
    pool = await view.pool()
    client = await _client(view)
    return view.page(
        "client.html",
        title=client["ClientName"],
        pool=pool,
        client=client,
        form=client_form.from_description(client),
        hosted_ui=_hosted_ui(view, client),
        secret=client.get("ClientSecret") if reveal else None,
        console_client=view.administrators.client.id,
    )


async def show(view: View) -> Response:
    return await _client_page(view, reveal=False)


async def secret(view: View) -> Response:
    """The client secret, shown on request (a POST, so no link or prefetch reveals it),
    on a page that is never cached."""
    return await _client_page(view, reveal=True)


def _console_client(view: View, client: dict[str, Any]) -> None:
    if client["ClientId"] == view.administrators.client.id:
        raise InvalidParameterException(
            "The console's own app client is kept by Poolgate: changing or deleting it "
            "would lock every administrator out."
        )


async def edit(view: View) -> Response:
    pool = await view.pool()
    client = await _client(view)
    if view.request.method == "GET":
        return await _form_page(
            view, pool, client_form.from_description(client), mode="edit", client=client
        )
    shown = client_form.from_post(view.form, view.lists)
    shown.secret = "ClientSecret" in client
    try:
        _console_client(view, client)
        await view.ops.call("UpdateUserPoolClient", client_form.update_request(client, shown))
    except CognitoError as error:
        return await _form_page(
            view, pool, shown, mode="edit", client=client, error=error_text(error)
        )
    return view.done(
        f"/admin/pools/{pool['Id']}/clients/{client['ClientId']}",
        f"Saved app client {shown.name or client['ClientName']}.",
    )


async def delete(view: View) -> Response:
    pool = await view.pool()
    client = await _client(view)
    error = None
    if view.request.method == "POST":
        try:
            _console_client(view, client)
            await view.ops.call(
                "DeleteUserPoolClient", {"UserPoolId": pool["Id"], "ClientId": client["ClientId"]}
            )
        except CognitoError as failed:
            error = error_text(failed)
        else:
            return view.done(
                f"/admin/pools/{pool['Id']}/clients", f"Deleted app client {client['ClientName']}."
            )
    return view.page(
        "client_delete.html",
        status=400 if error else 200,
        title=f"Delete {client['ClientName']}",
        pool=pool,
        client=client,
        error=error,
    )
