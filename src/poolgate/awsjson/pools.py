"""User pool operations on the wire."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.awsjson.shapes import pool_description
from poolgate.core.context import Context
from poolgate.core.pools import pools

_NOT_SETTINGS = {"PoolName", "UserPoolTags", "UserPoolId"}


def _settings_request(params: Params) -> dict[str, Any]:
    return {k: v for k, v in params.items() if k not in _NOT_SETTINGS}


@operation("CreateUserPool")
async def create_user_pool(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.create_user_pool(
        ctx, params["PoolName"], _settings_request(params), params.get("UserPoolTags")
    )
    return {"UserPool": pool_description(pool, None)}


@operation("DescribeUserPool")
async def describe_user_pool(ctx: Context, params: Params) -> dict[str, Any]:
    pool = await pools.require_pool(ctx, params["UserPoolId"])
    domain, users = await pools.describe_user_pool_extras(ctx, pool)
    return {"UserPool": pool_description(pool, domain, users)}


@operation("ListUserPools")
async def list_user_pools(ctx: Context, params: Params) -> dict[str, Any]:
    found, token = await pools.list_user_pools(ctx, params["MaxResults"], params.get("NextToken"))
    body: dict[str, Any] = {
        "UserPools": [
            {
                "Id": pool.id,
                "Name": pool.name,
                "LambdaConfig": pool.settings.get("LambdaConfig", {}),
                "LastModifiedDate": pool.modified,
                "CreationDate": pool.created,
            }
            for pool in found
        ]
    }
    if token:
        body["NextToken"] = token
    return body


@operation("UpdateUserPool")
async def update_user_pool(ctx: Context, params: Params) -> dict[str, Any]:
    await pools.update_user_pool(
        ctx,
        params["UserPoolId"],
        _settings_request(params),
        name=params.get("PoolName"),
        tags=params.get("UserPoolTags"),
    )
    return {}


@operation("DeleteUserPool")
async def delete_user_pool(ctx: Context, params: Params) -> dict[str, Any]:
    await pools.delete_user_pool(ctx, params["UserPoolId"])
    return {}
