"""Resource servers and their custom scopes: CreateResourceServer,
DescribeResourceServer, ListResourceServers, UpdateResourceServer,
DeleteResourceServer (Amazon Cognito API reference; developer guide, "Scopes, M2M, and
APIs with resource servers").

A custom scope is named ``{Identifier}/{ScopeName}`` in app clients'
``AllowedOAuthScopes`` and in access tokens' ``scope`` claim. An identifier may itself
contain ``/`` (``https://api.example.com``); a scope name may not.

Deleting a resource server, or a scope by UpdateResourceServer, is allowed while app
clients still list its scopes, and those clients' settings are left as they are: the
API reference only says that afterwards "users can no longer generate access tokens
with scopes that are associated with that resource server". Whoever grants scopes
must check them against ``custom_scopes`` at the time of the grant.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException, ResourceNotFoundException
from poolgate.core.pagination import decode_token, encode_token
from poolgate.core.pools.pools import require_pool
from poolgate.core.records import ResourceServer
from poolgate.store.base import Conflict

# ListResourceServersLimitType's maximum; used when MaxResults is absent (the current
# API reference and botocore's model make it optional).
MAX_RESULTS = 50
# ResourceServerScopeListType's maximum.
MAX_SCOPES = 100
# ScopeNameType's pattern: printable ASCII without space, '"', '/' and '\'.
_SCOPE_NAME = re.compile(r"[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}")


def _not_found(identifier: str, pool_id: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(
        f"Resource server {identifier} does not exist in user pool {pool_id}."
    )


def _scopes(requested: list[dict[str, Any]] | None) -> list[dict[str, str]]:
    """``ResourceServerScopeType`` items, checked: names unique within the server."""
    scopes: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in requested or []:
        name = str(item["ScopeName"])
        description = str(item["ScopeDescription"])
        # The model's pattern refuses these on the wire; repeated for other callers.
        if not _SCOPE_NAME.fullmatch(name):
            raise InvalidParameterException(f"Invalid scope name: {name!r}.")
        if name in seen:
            raise InvalidParameterException(
                f"Duplicate scope name {name}: scope names must be unique within a resource server."
            )
        seen.add(name)
        scopes.append({"ScopeName": name, "ScopeDescription": description})
    if len(scopes) > MAX_SCOPES:
        raise InvalidParameterException(
            f"A resource server can have at most {MAX_SCOPES} scopes; got {len(scopes)}."
        )
    return scopes


async def require_resource_server(ctx: Context, pool_id: str, identifier: str) -> ResourceServer:
    server = await ctx.store.get_resource_server(pool_id, identifier)
    if server is None:
        raise _not_found(identifier, pool_id)
    return server


async def create_resource_server(
    ctx: Context,
    pool_id: str,
    identifier: str,
    name: str,
    scopes: list[dict[str, Any]] | None = None,
) -> ResourceServer:
    """CreateResourceServer."""
    await require_pool(ctx, pool_id)
    now = ctx.clock()
    server = ResourceServer(
        pool_id=pool_id,
        identifier=identifier,
        name=name,
        scopes=_scopes(scopes),
        created=now,
        modified=now,
    )
    try:
        await ctx.store.create_resource_server(server)
    except Conflict:
        # The pool may have been deleted since require_pool: its foreign key refused.
        await require_pool(ctx, pool_id)
        raise InvalidParameterException(
            f"{identifier} already exists in user pool {pool_id}."
        ) from None
    return server


async def describe_resource_server(ctx: Context, pool_id: str, identifier: str) -> ResourceServer:
    """DescribeResourceServer."""
    await require_pool(ctx, pool_id)
    return await require_resource_server(ctx, pool_id, identifier)


async def list_resource_servers(
    ctx: Context, pool_id: str, max_results: int | None, next_token: str | None
) -> tuple[list[ResourceServer], str | None]:
    """ListResourceServers, by identifier."""
    await require_pool(ctx, pool_id)
    size = max_results or MAX_RESULTS
    if not 1 <= size <= MAX_RESULTS:
        # The model's range refuses this on the wire; repeated for other callers.
        raise InvalidParameterException(
            f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy "
            f"constraint: Member must have value less than or equal to {MAX_RESULTS}"
        )
    found = await ctx.store.list_resource_servers(pool_id, size + 1, decode_token(next_token))
    if len(found) > size:
        page = found[:size]
        return page, encode_token(page[-1].identifier)
    return found, None


async def update_resource_server(
    ctx: Context,
    pool_id: str,
    identifier: str,
    name: str,
    scopes: list[dict[str, Any]] | None = None,
) -> ResourceServer:
    """UpdateResourceServer: Name and Scopes are replaced by the request's (Scopes left
    out: none). App clients that list a removed scope keep it in their settings."""
    await require_pool(ctx, pool_id)
    checked = _scopes(scopes)
    now = ctx.clock()
    async with ctx.store.transaction() as store:
        server = await store.get_resource_server(pool_id, identifier, for_update=True)
        if server is None:
            raise _not_found(identifier, pool_id)
        server = replace(server, name=name, scopes=checked, modified=now)
        await store.put_resource_server(server)
    return server


async def delete_resource_server(ctx: Context, pool_id: str, identifier: str) -> None:
    """DeleteResourceServer. Allowed while app clients list its scopes (see the module's
    documentation); their settings are left as they are."""
    await require_pool(ctx, pool_id)
    if not await ctx.store.delete_resource_server(pool_id, identifier):
        raise _not_found(identifier, pool_id)


async def custom_scopes(ctx: Context, pool_id: str) -> set[str]:
    """Every ``identifier/ScopeName`` the pool's resource servers define."""
    scopes: set[str] = set()
    after: str | None = None
    while True:
        page = await ctx.store.list_resource_servers(pool_id, 100, after)
        for server in page:
            scopes.update(f"{server.identifier}/{scope['ScopeName']}" for scope in server.scopes)
        if len(page) < 100:
            return scopes
        after = page[-1].identifier
