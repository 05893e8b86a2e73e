"""User pools: CreateUserPool, DescribeUserPool, ListUserPools, UpdateUserPool,
DeleteUserPool (Amazon Cognito API reference, "User pools")."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from poolgate.core import ids
from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException, ResourceNotFoundException
from poolgate.core.keys.signing_keys import generate_pool_keys
from poolgate.core.mfa import pool_config as mfa_config
from poolgate.core.pagination import decode_token, encode_token
from poolgate.core.pools.pool_settings import MAX_CUSTOM_ATTRIBUTES, custom_attribute, pool_settings
from poolgate.core.records import UserPool
from poolgate.core.triggers import lambda_config
from poolgate.store.base import Conflict

_POOL_ID = re.compile(r"^[\w-]+_[0-9a-zA-Z]+$")


async def require_pool(ctx: Context, pool_id: str) -> UserPool:
    pool = await ctx.store.get_pool(pool_id)
    if pool is None:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return pool


async def find_pool(ctx: Context, pool_id: str) -> UserPool | None:
    return await ctx.store.get_pool(pool_id)


async def describe_user_pool_extras(ctx: Context, pool: UserPool) -> tuple[str | None, int]:
    """What DescribeUserPool adds to a pool's settings: its domain and its user count."""
    domain = await ctx.store.get_pool_domain(pool.id)
    return (domain.domain if domain else None), await ctx.store.count_users(pool.id)


async def pools_named(ctx: Context, reference: str) -> list[UserPool]:
    """The pools ``reference`` names: a pool id, or a pool name, oldest first.

    Cognito lets several pools share a name. Where Poolgate takes a name (``poolgate
    apply``, the gateway's ``user_pool``), it means the oldest of them: the pool that
    was created or adopted first is never displaced by a newer namesake (see
    docs/decisions.md)."""
    if _POOL_ID.match(reference):
        pool = await ctx.store.get_pool(reference)
        if pool is not None:
            return [pool]
    found: list[UserPool] = []
    after: str | None = None
    while True:
        page = await ctx.store.list_pools(60, after)
        found.extend(pool for pool in page if pool.name == reference)
        if len(page) < 60:
            return oldest_first(found)
        after = page[-1].id


def oldest_first(found: list[UserPool]) -> list[UserPool]:
    """Pools by creation time; the id breaks a tie, so the order never changes."""
    return sorted(found, key=lambda pool: (pool.created, pool.id))


async def create_user_pool(
    ctx: Context, name: str, request: dict[str, Any], tags: dict[str, str] | None = None
) -> UserPool:
    """``request`` holds CreateUserPool's members (PoolName and UserPoolTags aside)."""
    settings = pool_settings(request)
    settings["LambdaConfig"] = lambda_config.normalize(ctx, settings["LambdaConfig"])
    now = ctx.clock()
    for _ in range(5):
        pool_id = ids.new_pool_id(ctx.region)
        pool = UserPool(
            id=pool_id,
            name=name,
            arn=ids.pool_arn(ctx.region, ctx.account_id, pool_id),
            created=now,
            modified=now,
            settings=settings,
            tags=dict(tags or {}),
        )
        keys = await generate_pool_keys(pool_id, ctx.sealer, now)
        try:
            await ctx.store.create_pool(pool, keys)
        except Conflict:
            continue  # an id collision: 62**9 makes this vanishingly rare
        return pool
    raise RuntimeError("could not allocate a unique user pool id")


async def list_user_pools(
    ctx: Context, max_results: int, next_token: str | None
) -> tuple[list[UserPool], str | None]:
    pools = await ctx.store.list_pools(max_results + 1, decode_token(next_token))
    if len(pools) > max_results:
        pools = pools[:max_results]
        return pools, encode_token(pools[-1].id)
    return pools, None


async def update_user_pool(
    ctx: Context,
    pool_id: str,
    request: dict[str, Any],
    *,
    name: str | None = None,
    tags: dict[str, str] | None = None,
    mfa: dict[str, Any] | None = None,
) -> UserPool:
    """Replace the pool's mutable configuration with ``request`` plus defaults.
    ``mfa``: SetUserPoolMfaConfig's members applied in the same write (``poolgate
    apply``), so the pool is never seen with the one change and not the other."""
    now = ctx.clock()
    # Checked before the write: it asks which functions the deployment declares.
    triggers = lambda_config.normalize(ctx, request.get("LambdaConfig") or {})

    def settings_of(pool: UserPool) -> dict[str, Any]:
        settings = pool_settings(request, previous=pool.settings)
        settings["LambdaConfig"] = triggers
        return settings if mfa is None else mfa_config.configured(settings, mfa)

    def change(pool: UserPool) -> UserPool:
        return replace(
            pool,
            name=name or pool.name,
            settings=settings_of(pool),
            tags=pool.tags if tags is None else dict(tags),
            modified=now,
        )

    pool = await ctx.store.update_pool(pool_id, change)
    if pool is None:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    return pool


async def delete_user_pool(ctx: Context, pool_id: str) -> None:
    pool = await require_pool(ctx, pool_id)
    if pool.settings.get("DeletionProtection") == "ACTIVE":
        raise InvalidParameterException(
            "The user pool cannot be deleted because deletion protection is activated. "
            "Deletion protection must be inactivated first."
        )
    await ctx.store.delete_pool(pool_id)


async def tag_pool(ctx: Context, arn: str, tags: dict[str, str]) -> None:
    now = ctx.clock()
    pool_id = _pool_id(arn)

    def change(pool: UserPool) -> UserPool:
        merged = {**pool.tags, **tags}
        if len(merged) > 50:
            raise InvalidParameterException("A user pool can have at most 50 tags.")
        return replace(pool, tags=merged, modified=now)

    if await ctx.store.update_pool(pool_id, change) is None:
        raise ResourceNotFoundException(f"Resource {arn} does not exist.")


async def untag_pool(ctx: Context, arn: str, keys: list[str]) -> None:
    pool_id = _pool_id(arn)

    def change(pool: UserPool) -> UserPool:
        return replace(pool, tags={k: v for k, v in pool.tags.items() if k not in keys})

    if await ctx.store.update_pool(pool_id, change) is None:
        raise ResourceNotFoundException(f"Resource {arn} does not exist.")


async def pool_tags(ctx: Context, arn: str) -> dict[str, str]:
    pool = await ctx.store.get_pool(_pool_id(arn))
    if pool is None or pool.arn != arn:
        raise ResourceNotFoundException(f"Resource {arn} does not exist.")
    return pool.tags


def _pool_id(arn: str) -> str:
    pool_id = ids.pool_id_from_arn(arn)
    if pool_id is None:
        raise InvalidParameterException(f"Invalid ARN: {arn}")
    return pool_id


async def add_custom_attributes(
    ctx: Context, pool_id: str, requested: list[dict[str, Any]]
) -> None:
    """AddCustomAttributes: new ``custom:`` attributes; existing ones never change."""
    now = ctx.clock()

    def change(pool: UserPool) -> UserPool:
        schema = list(pool.settings["SchemaAttributes"])
        names = {a["Name"] for a in schema}
        for item in requested:
            attribute = custom_attribute(item)
            if attribute["Name"] in names:
                raise InvalidParameterException(
                    f"Existing attribute already has name {attribute['Name']}."
                )
            names.add(attribute["Name"])
            schema.append(attribute)
        customs = [a for a in schema if "custom:" in a["Name"]]
        if len(customs) > MAX_CUSTOM_ATTRIBUTES:
            raise InvalidParameterException(
                f"A user pool can have at most {MAX_CUSTOM_ATTRIBUTES} custom attributes."
            )
        return replace(pool, settings={**pool.settings, "SchemaAttributes": schema}, modified=now)

    if await ctx.store.update_pool(pool_id, change) is None:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
