"""A pool's domain (``[pools.domain]``, CreateUserPoolDomain's members): its check,
plan and execution. A domain is created once and never changed or replaced by apply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from poolgate.apply.checks import PLACEHOLDER_POOL_ID, check_members
from poolgate.apply.report import Result
from poolgate.apply.values import differences
from poolgate.core.context import Context
from poolgate.core.pools import domains
from poolgate.core.records import Settings, UserPool


def check_domain(section: dict[str, Any], label: str, problems: list[str]) -> None:
    check_members(
        "CreateUserPoolDomain",
        section,
        label,
        problems,
        placeholders={"UserPoolId": PLACEHOLDER_POOL_ID},
    )


@dataclass
class DomainPlan:
    domain: str
    request: dict[str, Any]
    exists: bool


async def plan_domain(
    ctx: Context,
    existing_pool: UserPool | None,
    section: dict[str, Any],
    pool_label: str,
    claimed: dict[str, str],
    problems: list[str],
) -> DomainPlan | None:
    domain: str = section["Domain"]
    label = f"domain {domain!r} of {pool_label}"
    if domain in claimed:
        problems.append(f"{label}: the file gives this domain to {claimed[domain]} too")
        return None
    claimed[domain] = pool_label
    request = {k: v for k, v in section.items() if k != "Domain"}
    record = await domains.describe_user_pool_domain(ctx, domain)
    if record is not None:
        if existing_pool is None or record.pool_id != existing_pool.id:
            problems.append(f"{label}: the domain belongs to another user pool ({record.pool_id})")
            return None
        differing = differences(record.settings, _domain_settings(request))
        if differing:
            # Cognito has no update for a prefix domain's settings.
            problems.append(
                f"{label}: {', '.join(differing)} cannot change once the domain exists; "
                "delete the domain (DeleteUserPoolDomain) to change it"
            )
            return None
        return DomainPlan(domain, request, exists=True)
    if existing_pool is not None:
        current = await domains.domain_of_pool(ctx, existing_pool.id)
        if current is not None:
            # Replacing it would break every link to the old hosted pages: the
            # operator decides that, not apply.
            problems.append(
                f"{label}: the pool already has the domain {current.domain!r} and a pool has "
                "only one; delete it (DeleteUserPoolDomain) first, or put it in the file"
            )
            return None
    return DomainPlan(domain, request, exists=False)


def _domain_settings(request: dict[str, Any]) -> Settings:
    """A domain's settings as ``domains.create_user_pool_domain`` stores them."""
    settings: Settings = {"ManagedLoginVersion": request.get("ManagedLoginVersion") or 1}
    if request.get("CustomDomainConfig"):
        settings["CustomDomainConfig"] = request["CustomDomainConfig"]
    return settings


async def apply_domain(ctx: Context, pool_id: str, plan: DomainPlan) -> Result:
    if plan.exists:
        return Result("domain", plan.domain, plan.domain, "unchanged")
    record = await domains.create_user_pool_domain(ctx, pool_id, plan.domain, plan.request)
    return Result("domain", record.domain, record.domain, "created")
