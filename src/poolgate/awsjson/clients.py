"""App client operations on the wire."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.core.context import Context
from poolgate.core.pools import clients
from poolgate.core.records import AppClient

_NOT_SETTINGS = {"UserPoolId", "ClientId", "ClientName", "GenerateSecret"}


def client_description(ctx: Context, client: AppClient) -> dict[str, Any]:
    """``UserPoolClientType`` as DescribeUserPoolClient returns it."""
    body: dict[str, Any] = {
        "UserPoolId": client.pool_id,
        "ClientName": client.name,
        "ClientId": client.id,
    }
    secret = clients.client_secret(ctx, client)
    if secret is not None:
        body["ClientSecret"] = secret
    body["LastModifiedDate"] = client.modified
    body["CreationDate"] = client.created
    body.update(client.settings)
    return body


def _settings_request(params: Params) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k not in _NOT_SETTINGS}


@operation("CreateUserPoolClient")
async def create_user_pool_client(ctx: Context, params: Params) -> dict[str, Any]:
    client, _ = await clients.create_user_pool_client(
        ctx,
        params["UserPoolId"],
        params["ClientName"],
        _settings_request(params),
        bool(params.get("GenerateSecret", False)),
    )
    return {"UserPoolClient": client_description(ctx, client)}


@operation("DescribeUserPoolClient")
async def describe_user_pool_client(ctx: Context, params: Params) -> dict[str, Any]:
    client = await clients.require_client(ctx, params["UserPoolId"], params["ClientId"])
    return {"UserPoolClient": client_description(ctx, client)}


@operation("ListUserPoolClients")
async def list_user_pool_clients(ctx: Context, params: Params) -> dict[str, Any]:
    found, token = await clients.list_user_pool_clients(
        ctx, params["UserPoolId"], params.get("MaxResults") or 60, params.get("NextToken")
    )
    body: dict[str, Any] = {
        "UserPoolClients": [
            {"ClientId": c.id, "UserPoolId": c.pool_id, "ClientName": c.name} for c in found
        ]
    }
    if token:
        body["NextToken"] = token
    return body


@operation("UpdateUserPoolClient")
async def update_user_pool_client(ctx: Context, params: Params) -> dict[str, Any]:
    client = await clients.update_user_pool_client(
        ctx,
        params["UserPoolId"],
        params["ClientId"],
        _settings_request(params),
        params.get("ClientName"),
    )
    return {"UserPoolClient": client_description(ctx, client)}


@operation("DeleteUserPoolClient")
async def delete_user_pool_client(ctx: Context, params: Params) -> dict[str, Any]:
    await clients.delete_user_pool_client(ctx, params["UserPoolId"], params["ClientId"])
    return {}
