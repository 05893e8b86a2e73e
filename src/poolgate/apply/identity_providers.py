"""Identity providers (``[[pools.identity_providers]]``, CreateIdentityProvider's
members: ProviderName, ProviderType, ProviderDetails, AttributeMapping,
IdpIdentifiers): their check, plan and execution. Providers are matched by
ProviderName; a provider's type cannot change. They are applied before the pool's app
clients, whose SupportedIdentityProviders may name them.

Poolgate's own key ``upstream = { pool = "PoolName", client = "ClientName" }`` makes an
OIDC provider another pool of this deployment: ``oidc_issuer``, ``client_id`` and
``client_secret`` come from that pool and its app client (which Cognito generates, so
a file cannot spell them). ``run`` applies the upstream pool first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from poolgate.apply.checks import PLACEHOLDER_POOL_ID, check_members
from poolgate.apply.report import Result
from poolgate.core.context import Context
from poolgate.core.errors import CognitoError
from poolgate.core.federation import details, mapping, providers
from poolgate.core.pools import clients, pools
from poolgate.core.records import IdentityProvider, UserPool

_UPSTREAM_KEYS = {"client_id", "client_secret", "oidc_issuer"}
# Stands in for the upstream's values while the file is checked.
_PENDING = {"client_id": "pending", "oidc_issuer": "https://upstream.invalid"}


def check_identity_provider(section: dict[str, Any], label: str, problems: list[str]) -> None:
    members = {k: v for k, v in section.items() if k != "upstream"}
    upstream = section.get("upstream")
    placeholders: dict[str, Any] = {"UserPoolId": PLACEHOLDER_POOL_ID}
    if upstream is not None:
        if (
            not isinstance(upstream, dict)
            or set(upstream) != {"pool", "client"}
            or not all(isinstance(v, str) and v for v in upstream.values())
        ):
            problems.append(
                f'{label}: upstream must be {{ pool = "PoolName", client = "ClientName" }}'
            )
            return
        if section.get("ProviderType") != "OIDC":
            problems.append(f'{label}: upstream is for OIDC providers (ProviderType = "OIDC")')
            return
        given = set(section.get("ProviderDetails") or {}) & _UPSTREAM_KEYS
        if given:
            problems.append(
                f"{label}: upstream fills {', '.join(sorted(given))}; remove them from "
                "ProviderDetails"
            )
            return
    check_members(
        "CreateIdentityProvider",
        members,
        label,
        problems,
        placeholders=placeholders,
        nesting=("upstream",),
    )


@dataclass
class IdentityProviderPlan:
    name: str
    type: str
    request: dict[str, Any]
    existing: IdentityProvider | None
    changed: list[str]
    upstream: dict[str, str] | None = None


def upstream_pools(section: dict[str, Any]) -> set[str]:
    """The pools this pool's providers sign in through (apply runs them first)."""
    return {
        item["upstream"]["pool"]
        for item in section.get("identity_providers", [])
        if isinstance(item.get("upstream"), dict)
    }


async def upstream_details(ctx: Context, upstream: dict[str, str]) -> dict[str, str] | None:
    """The upstream pool's issuer and its client's id and secret; None while the pool
    or the client does not exist yet."""
    found: list[UserPool] = []
    token: str | None = None
    while True:
        page, token = await pools.list_user_pools(ctx, 60, token)
        found += [pool for pool in page if pool.name == upstream["pool"]]
        if token is None:
            break
    if len(found) != 1:
        return None
    pool = found[0]
    token = None
    while True:
        page_clients, token = await clients.list_user_pool_clients(ctx, pool.id, 60, token)
        for client in page_clients:
            if client.name == upstream["client"]:
                values = {"oidc_issuer": ctx.issuer(pool.id), "client_id": client.id}
                secret = clients.client_secret(ctx, client)
                if secret:
                    values["client_secret"] = secret
                return values
        if token is None:
            return None


async def plan_identity_providers(
    ctx: Context,
    pool: UserPool,
    existing_pool: UserPool | None,
    section: dict[str, Any],
    pool_label: str,
    problems: list[str],
) -> list[IdentityProviderPlan]:
    plans: list[IdentityProviderPlan] = []
    for item in section.get("identity_providers", []):
        name: str = item["ProviderName"]
        kind: str = item["ProviderType"]
        label = f"identity provider {name!r} of {pool_label}"
        upstream = item.get("upstream")
        request = {
            k: v for k, v in item.items() if k not in ("ProviderName", "ProviderType", "upstream")
        }
        given = dict(item.get("ProviderDetails") or {})
        resolved = None
        if upstream is not None:
            resolved = await upstream_details(ctx, upstream)
            given.update(resolved or _PENDING)
        existing = None
        if existing_pool is not None:
            existing = await ctx.store.get_identity_provider(existing_pool.id, name)
        if existing is not None and existing.type != kind:
            problems.append(
                f"{label}: ProviderType cannot change (the provider is {existing.type}); "
                "delete it to change it, or make the file match"
            )
            continue
        try:
            values, secrets = details.check(kind, given)
            attribute_mapping = mapping.checked(pool, kind, item.get("AttributeMapping"))
        except CognitoError as exc:
            problems.append(f"{label}: {exc.message}")
            continue
        changed: list[str] = []
        if existing is not None:
            if (
                (upstream is not None and resolved is None)
                or values != existing.details
                or secrets != details.secrets_of(ctx, existing)
            ):
                changed.append("ProviderDetails")
            if attribute_mapping != existing.attribute_mapping:
                changed.append("AttributeMapping")
            if list(item.get("IdpIdentifiers") or []) != existing.idp_identifiers:
                changed.append("IdpIdentifiers")
        plans.append(IdentityProviderPlan(name, kind, request, existing, changed, upstream))
    return plans


async def apply_identity_provider(ctx: Context, pool_id: str, plan: IdentityProviderPlan) -> Result:
    request = dict(plan.request)
    if plan.upstream is not None:
        resolved = await upstream_details(ctx, plan.upstream)
        if resolved is None:
            raise CognitoError(
                f"identity provider {plan.name!r}: the upstream pool "
                f"{plan.upstream['pool']!r} or its client {plan.upstream['client']!r} "
                "does not exist"
            )
        request["ProviderDetails"] = {**(request.get("ProviderDetails") or {}), **resolved}
    if plan.existing is None:
        await providers.create_identity_provider(ctx, pool_id, plan.name, plan.type, request)
        return Result("identity_provider", plan.name, plan.name, "created")
    if plan.changed:
        await providers.update_identity_provider(
            ctx, pool_id, plan.name, {"IdpIdentifiers": [], **request}
        )
        return Result("identity_provider", plan.name, plan.name, "updated", list(plan.changed))
    return Result("identity_provider", plan.name, plan.name, "unchanged")
