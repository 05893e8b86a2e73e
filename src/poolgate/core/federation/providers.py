"""CreateIdentityProvider, DescribeIdentityProvider, UpdateIdentityProvider,
DeleteIdentityProvider, ListIdentityProviders and GetIdentityProviderByIdentifier
(Cognito API reference).

Social providers are named after their type ("Google", "Facebook",
"LoginWithAmazon", "SignInWithApple"), as Cognito requires. IdP identifiers are unique
within a pool. UpdateIdentityProvider changes only the members sent.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from poolgate.core.context import Context
from poolgate.core.errors import (
    DuplicateProviderException,
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from poolgate.core.federation import details as details_
from poolgate.core.federation import mapping as mapping_
from poolgate.core.pagination import decode_token, encode_token
from poolgate.core.pools.pools import require_pool
from poolgate.core.records import IdentityProvider
from poolgate.store.base import Conflict

MAX_PROVIDERS = 300  # Cognito's quota of identity providers per pool.


def _not_found(pool_id: str, name: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"Identity provider {name} does not exist in pool {pool_id}.")


async def all_providers(ctx: Context, pool_id: str) -> list[IdentityProvider]:
    found: list[IdentityProvider] = []
    after: str | None = None
    while True:
        page = await ctx.store.list_identity_providers(pool_id, 100, after)
        found.extend(page)
        if len(page) < 100:
            return found
        after = page[-1].name


async def provider_names(ctx: Context, pool_id: str) -> set[str]:
    return {provider.name for provider in await all_providers(ctx, pool_id)}


async def require_provider(ctx: Context, pool_id: str, name: str) -> IdentityProvider:
    provider = await ctx.store.get_identity_provider(pool_id, name)
    if provider is None:
        raise _not_found(pool_id, name)
    return provider


def _check_name(name: str, provider_type: str) -> None:
    if name.lower() == "cognito":
        raise InvalidParameterException(f"{name} is reserved for the user pool itself.")
    if provider_type in details_.SOCIAL and name != provider_type:
        raise InvalidParameterException(
            f"A {provider_type} identity provider must be named {provider_type}."
        )
    if provider_type not in details_.SOCIAL and name in details_.SOCIAL:
        raise InvalidParameterException(f"{name} is reserved for the {name} provider type.")


async def _check_identifiers(
    ctx: Context, pool_id: str, name: str, identifiers: list[str]
) -> list[str]:
    unique = list(dict.fromkeys(identifiers))
    if len(unique) != len(identifiers):
        raise InvalidParameterException("IdpIdentifiers must be unique.")
    taken = {
        identifier: provider.name
        for provider in await all_providers(ctx, pool_id)
        if provider.name != name
        for identifier in provider.idp_identifiers
    }
    for identifier in unique:
        if identifier in taken:
            raise DuplicateProviderException(
                f"The identifier {identifier} is already used by provider {taken[identifier]}."
            )
    return unique


def _refuse_acr(request: dict[str, Any]) -> None:
    if request.get("AcrMapping"):
        # Fail closed: Poolgate does not request or map ACR levels.
        raise InvalidParameterException("AcrMapping is not supported by Poolgate.")


async def create_identity_provider(
    ctx: Context, pool_id: str, name: str, provider_type: str, request: dict[str, Any]
) -> IdentityProvider:
    pool = await require_pool(ctx, pool_id)
    _check_name(name, provider_type)
    _refuse_acr(request)
    values, secrets = details_.check(provider_type, dict(request.get("ProviderDetails") or {}))
    mapping = mapping_.checked(pool, provider_type, request.get("AttributeMapping"))
    identifiers = await _check_identifiers(ctx, pool_id, name, request.get("IdpIdentifiers") or [])
    if len(await all_providers(ctx, pool_id)) >= MAX_PROVIDERS:
        raise LimitExceededException(f"A user pool has at most {MAX_PROVIDERS} identity providers.")
    now = ctx.clock()
    provider = IdentityProvider(
        pool_id=pool_id,
        name=name,
        type=provider_type,
        details=values,
        attribute_mapping=mapping,
        idp_identifiers=identifiers,
        created=now,
        modified=now,
        secrets_sealed=details_.seal(ctx, pool_id, name, secrets),
    )
    try:
        await ctx.store.create_identity_provider(provider)
    except Conflict:
        raise DuplicateProviderException(
            f"A provider with the name {name} already exists in this user pool."
        ) from None
    return provider


async def update_identity_provider(
    ctx: Context, pool_id: str, name: str, request: dict[str, Any]
) -> IdentityProvider:
    pool = await require_pool(ctx, pool_id)
    _refuse_acr(request)
    current = await require_provider(ctx, pool_id, name)
    changes: dict[str, Any] = {"modified": ctx.clock()}
    if request.get("ProviderDetails") is not None:
        values, secrets = details_.check(
            current.type,
            dict(request["ProviderDetails"]),
            details_.secrets_of(ctx, current),
        )
        changes["details"] = values
        changes["secrets_sealed"] = details_.seal(ctx, pool_id, name, secrets)
    if request.get("AttributeMapping") is not None:
        changes["attribute_mapping"] = mapping_.checked(
            pool, current.type, request["AttributeMapping"]
        )
    if request.get("IdpIdentifiers") is not None:
        changes["idp_identifiers"] = await _check_identifiers(
            ctx, pool_id, name, request["IdpIdentifiers"]
        )
    updated = replace(current, **changes)
    if not await ctx.store.put_identity_provider(updated):
        raise _not_found(pool_id, name)
    return updated


async def delete_identity_provider(ctx: Context, pool_id: str, name: str) -> None:
    await require_pool(ctx, pool_id)
    if not await ctx.store.delete_identity_provider(pool_id, name):
        raise _not_found(pool_id, name)


async def describe_identity_provider(ctx: Context, pool_id: str, name: str) -> IdentityProvider:
    await require_pool(ctx, pool_id)
    return await require_provider(ctx, pool_id, name)


async def list_identity_providers(
    ctx: Context, pool_id: str, max_results: int | None, next_token: str | None
) -> tuple[list[IdentityProvider], str | None]:
    await require_pool(ctx, pool_id)
    limit = max_results or 60
    found = await ctx.store.list_identity_providers(pool_id, limit + 1, decode_token(next_token))
    if len(found) > limit:
        found = found[:limit]
        return found, encode_token(found[-1].name)
    return found, None


async def provider_by_identifier(ctx: Context, pool_id: str, identifier: str) -> IdentityProvider:
    await require_pool(ctx, pool_id)
    for provider in await all_providers(ctx, pool_id):
        if identifier in provider.idp_identifiers:
            return provider
    raise ResourceNotFoundException(f"No identity provider has the identifier {identifier}.")
