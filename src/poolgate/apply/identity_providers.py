"""Identity providers (``[[pools.identity_providers]]``, CreateIdentityProvider's
members: ProviderName, ProviderType, ProviderDetails, AttributeMapping,
IdpIdentifiers): their check, plan and execution. Providers are matched by
ProviderName; a provider's type cannot change. They are applied before the pool's app
clients, whose SupportedIdentityProviders may name them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from poolgate.apply.checks import PLACEHOLDER_POOL_ID, check_members
from poolgate.apply.report import Result
from poolgate.core.context import Context
from poolgate.core.errors import CognitoError
from poolgate.core.federation import details, mapping, providers
from poolgate.core.records import IdentityProvider, UserPool


def check_identity_provider(section: dict[str, Any], label: str, problems: list[str]) -> None:
    check_members(
        "CreateIdentityProvider",
        section,
        label,
        problems,
        placeholders={"UserPoolId": PLACEHOLDER_POOL_ID},
    )


@dataclass
class IdentityProviderPlan:
    name: str
    type: str
    request: dict[str, Any]
    existing: IdentityProvider | None
    changed: list[str]


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
        request = {k: v for k, v in item.items() if k not in ("ProviderName", "ProviderType")}
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
            values, secrets = details.check(kind, dict(item.get("ProviderDetails") or {}))
            attribute_mapping = mapping.checked(pool, kind, item.get("AttributeMapping"))
        except CognitoError as exc:
            problems.append(f"{label}: {exc.message}")
            continue
        changed: list[str] = []
        if existing is not None:
            if values != existing.details or secrets != details.secrets_of(ctx, existing):
                changed.append("ProviderDetails")
            if attribute_mapping != existing.attribute_mapping:
                changed.append("AttributeMapping")
            if list(item.get("IdpIdentifiers") or []) != existing.idp_identifiers:
                changed.append("IdpIdentifiers")
        plans.append(IdentityProviderPlan(name, kind, request, existing, changed))
    return plans


async def apply_identity_provider(ctx: Context, pool_id: str, plan: IdentityProviderPlan) -> Result:
    if plan.existing is None:
        await providers.create_identity_provider(ctx, pool_id, plan.name, plan.type, plan.request)
        return Result("identity_provider", plan.name, plan.name, "created")
    if plan.changed:
        request = {"IdpIdentifiers": [], **plan.request}
        await providers.update_identity_provider(ctx, pool_id, plan.name, request)
        return Result("identity_provider", plan.name, plan.name, "updated", list(plan.changed))
    return Result("identity_provider", plan.name, plan.name, "unchanged")
