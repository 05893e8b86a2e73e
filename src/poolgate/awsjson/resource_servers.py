"""Resource servers on the wire."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.core.context import Context
from poolgate.core.pools import resource_servers
from poolgate.core.records import ResourceServer


def resource_server_type(server: ResourceServer) -> dict[str, Any]:
    """``ResourceServerType``."""
    return {
        "UserPoolId": server.pool_id,
        "Identifier": server.identifier,
        "Name": server.name,
        "Scopes": [dict(scope) for scope in server.scopes],
    }


@operation("CreateResourceServer")
async def create_resource_server(ctx: Context, params: Params) -> dict[str, Any]:
    server = await resource_servers.create_resource_server(
        ctx, params["UserPoolId"], params["Identifier"], params["Name"], params.get("Scopes")
    )
    return {"ResourceServer": resource_server_type(server)}


@operation("DescribeResourceServer")
async def describe_resource_server(ctx: Context, params: Params) -> dict[str, Any]:
    server = await resource_servers.describe_resource_server(
        ctx, params["UserPoolId"], params["Identifier"]
    )
    return {"ResourceServer": resource_server_type(server)}


@operation("ListResourceServers")
async def list_resource_servers(ctx: Context, params: Params) -> dict[str, Any]:
    found, token = await resource_servers.list_resource_servers(
        ctx, params["UserPoolId"], params.get("MaxResults"), params.get("NextToken")
    )
    body: dict[str, Any] = {"ResourceServers": [resource_server_type(s) for s in found]}
    if token:
        body["NextToken"] = token
    return body


@operation("UpdateResourceServer")
async def update_resource_server(ctx: Context, params: Params) -> dict[str, Any]:
    server = await resource_servers.update_resource_server(
        ctx, params["UserPoolId"], params["Identifier"], params["Name"], params.get("Scopes")
    )
    return {"ResourceServer": resource_server_type(server)}


@operation("DeleteResourceServer")
async def delete_resource_server(ctx: Context, params: Params) -> dict[str, Any]:
    await resource_servers.delete_resource_server(ctx, params["UserPoolId"], params["Identifier"])
    return {}
