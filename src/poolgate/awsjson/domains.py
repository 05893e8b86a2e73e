"""Pool domain operations on the wire."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.core.context import Context
from poolgate.core.pools import domains


@operation("CreateUserPoolDomain")
async def create_user_pool_domain(ctx: Context, params: Params) -> dict[str, Any]:
    record = await domains.create_user_pool_domain(
        ctx, params["UserPoolId"], params["Domain"], params
    )
    body: dict[str, Any] = {"ManagedLoginVersion": record.settings["ManagedLoginVersion"]}
    if "CustomDomainConfig" in record.settings:
        body["CloudFrontDomain"] = record.domain
    return body


@operation("DescribeUserPoolDomain")
async def describe_user_pool_domain(ctx: Context, params: Params) -> dict[str, Any]:
    record = await domains.describe_user_pool_domain(ctx, params["Domain"])
    if record is None:
        # Cognito answers an unknown domain with an empty description, not an error.
        return {"DomainDescription": {}}
    description: dict[str, Any] = {
        "UserPoolId": record.pool_id,
        "AWSAccountId": ctx.account_id,
        "Domain": record.domain,
        "Version": "1",
        "Status": "ACTIVE",
        "ManagedLoginVersion": record.settings["ManagedLoginVersion"],
    }
    if "CustomDomainConfig" in record.settings:
        description["CustomDomainConfig"] = record.settings["CustomDomainConfig"]
        description["CloudFrontDistribution"] = record.domain
    return {"DomainDescription": description}


@operation("DeleteUserPoolDomain")
async def delete_user_pool_domain(ctx: Context, params: Params) -> dict[str, Any]:
    await domains.delete_user_pool_domain(ctx, params["UserPoolId"], params["Domain"])
    return {}
