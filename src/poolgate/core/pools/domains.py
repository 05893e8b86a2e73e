"""Pool domains: CreateUserPoolDomain, DescribeUserPoolDomain, DeleteUserPoolDomain.

A prefix domain names the pool's hosted pages; Poolgate serves them at its own public
URL and also recognises the domain in the Host header (``{prefix}.auth.{region}...``
or a custom domain), so existing redirect configurations keep working.
"""

from __future__ import annotations

from typing import Any

from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException
from poolgate.core.pools.pools import require_pool
from poolgate.core.records import PoolDomain
from poolgate.store.base import Conflict


async def create_user_pool_domain(
    ctx: Context, pool_id: str, domain: str, request: dict[str, Any]
) -> PoolDomain:
    await require_pool(ctx, pool_id)
    if await ctx.store.get_pool_domain(pool_id) is not None:
        raise InvalidParameterException(f"User pool {pool_id} already has a domain configured.")
    settings: dict[str, Any] = {"ManagedLoginVersion": request.get("ManagedLoginVersion") or 1}
    if request.get("CustomDomainConfig"):
        settings["CustomDomainConfig"] = request["CustomDomainConfig"]
    record = PoolDomain(domain=domain, pool_id=pool_id, created=ctx.clock(), settings=settings)
    try:
        await ctx.store.create_domain(record)
    except Conflict:
        raise InvalidParameterException(
            "Domain already associated with another user pool."
        ) from None
    return record


async def domain_of_pool(ctx: Context, pool_id: str) -> PoolDomain | None:
    return await ctx.store.get_pool_domain(pool_id)


async def describe_user_pool_domain(ctx: Context, domain: str) -> PoolDomain | None:
    return await ctx.store.get_domain(domain)


async def delete_user_pool_domain(ctx: Context, pool_id: str, domain: str) -> None:
    await require_pool(ctx, pool_id)
    record = await ctx.store.get_domain(domain)
    if record is None or record.pool_id != pool_id:
        raise InvalidParameterException(
            f"No such domain or user pool exists: {domain} for {pool_id}."
        )
    await ctx.store.delete_domain(domain)
