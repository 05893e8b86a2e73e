"""User pools (``[[pools]]``, CreateUserPool's members): their check, plan and
execution, each calling on the pool's clients, domain, groups and users in turn.
Pools are matched by PoolName (the oldest, when several share it); create-only
settings that differ are refused. ``[pools.mfa]`` holds SetUserPoolMfaConfig's
members (TOTP, email and SMS MFA, passkeys), which CreateUserPool cannot set."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from poolgate.apply.checks import PLACEHOLDER_POOL_ID, check_members, check_named_sections
from poolgate.apply.clients import ClientPlan, apply_client, check_client, plan_clients
from poolgate.apply.domains import DomainPlan, apply_domain, check_domain, plan_domain
from poolgate.apply.groups import GroupPlan, apply_group, check_group, plan_groups
from poolgate.apply.identity_providers import (
    IdentityProviderPlan,
    apply_identity_provider,
    check_identity_provider,
    plan_identity_providers,
)
from poolgate.apply.report import Action, Result
from poolgate.apply.users import UserPlan, apply_user, check_user, plan_users
from poolgate.apply.values import differences, label_of, normal, show
from poolgate.core.context import Context
from poolgate.core.errors import CognitoError
from poolgate.core.federation import providers
from poolgate.core.mfa import pool_config as mfa_config
from poolgate.core.mfa.pool_config import configured
from poolgate.core.pools import pools
from poolgate.core.pools.pool_settings import CREATE_ONLY, pool_settings
from poolgate.core.pools.pools import oldest_first
from poolgate.core.records import Settings, UserPool
from poolgate.core.triggers import lambda_config

# Tables nested in a pool section that are not CreateUserPool members.
_POOL_NESTING = ("clients", "domain", "groups", "users", "identity_providers", "mfa")
# The request member behind each create-only setting of a pool.
_CREATE_ONLY_MEMBER = {"SchemaAttributes": "Schema"}


def check_pool(section: dict[str, Any], label: str, problems: list[str]) -> None:
    members = {k: v for k, v in section.items() if k not in _POOL_NESTING}
    check_members("CreateUserPool", members, label, problems, nesting=_POOL_NESTING)
    check_named_sections(
        section, "identity_providers", "ProviderName", "identity provider", label, problems,
        check_identity_provider,
    )  # fmt: skip
    check_named_sections(section, "clients", "ClientName", "client", label, problems, check_client)
    mfa = section.get("mfa")
    if mfa is not None:
        if not isinstance(mfa, dict):
            problems.append(f"{label}: 'mfa' must be a table: write [pools.mfa]")
        else:
            check_members(
                "SetUserPoolMfaConfig", mfa, f"the mfa of {label}", problems,
                placeholders={"UserPoolId": PLACEHOLDER_POOL_ID},
            )  # fmt: skip
            if "MfaConfiguration" in section:
                problems.append(
                    f"{label}: set MfaConfiguration in [pools.mfa], beside the factors it needs"
                )
    domain = section.get("domain")
    if domain is not None:
        if not isinstance(domain, dict):
            problems.append(f"{label}: 'domain' must be a table: write [pools.domain]")
        else:
            name = domain.get("Domain")
            check_domain(domain, f"{label_of('domain', name, 0)} of {label}", problems)
    check_named_sections(section, "groups", "GroupName", "group", label, problems, check_group)
    check_named_sections(section, "users", "Username", "user", label, problems, check_user)


@dataclass
class PoolPlan:
    name: str
    request: dict[str, Any]
    tags: dict[str, str] | None
    existing: UserPool | None
    changed: list[str]
    clients: list[ClientPlan]
    domain: DomainPlan | None
    groups: list[GroupPlan] = field(default_factory=list)
    users: list[UserPlan] = field(default_factory=list)
    # Said in the report: which pool of a shared name this run manages, and why.
    note: str | None = None
    identity_providers: list[IdentityProviderPlan] = field(default_factory=list)
    mfa: dict[str, Any] | None = None


async def plan_pool(
    ctx: Context,
    section: dict[str, Any],
    matches: list[UserPool],
    claimed_domains: dict[str, str],
    problems: list[str],
) -> PoolPlan | None:
    name: str = section["PoolName"]
    label = f"pool {name!r}"
    matches = oldest_first(matches)
    existing = matches[0] if matches else None
    note = _shared_name_note(matches)
    request = {
        k: v
        for k, v in section.items()
        if k not in _POOL_NESTING and k not in ("PoolName", "UserPoolTags")
    }
    tags: dict[str, str] | None = section.get("UserPoolTags")
    mfa: dict[str, Any] | None = section.get("mfa")
    try:
        # As CreateUserPool would build it: the reference for create-only settings.
        fresh = pool_settings(request)
        desired = fresh if existing is None else pool_settings(request, existing.settings)
        if mfa is not None:
            desired = configured(desired, mfa)
        # Every trigger names a function the file (or --config) declares.
        triggers = lambda_config.normalize(ctx, fresh["LambdaConfig"])
        fresh["LambdaConfig"] = desired["LambdaConfig"] = triggers
    except CognitoError as exc:
        problems.append(f"{label}: {exc.message}")
        return None
    changed: list[str] = []
    if existing is None:
        # Stands in for the pool until it exists, for the client checks that read it.
        pool = UserPool(id=name, name=name, arn="", created=0, modified=0, settings=fresh)
    else:
        pool = existing
        for key in CREATE_ONLY:
            if normal(fresh.get(key)) != normal(existing.settings.get(key)):
                problems.append(f"{label}: {_create_only_problem(key, existing, fresh)}")
        changed = differences(existing.settings, desired)
        if tags is not None and tags != existing.tags:
            changed.append("UserPoolTags")

    provider_plans = await plan_identity_providers(ctx, pool, existing, section, label, problems)
    provider_names = {plan.name for plan in provider_plans}
    if existing is not None:
        provider_names |= await providers.provider_names(ctx, existing.id)
    client_plans = await plan_clients(ctx, pool, existing, section, label, problems, provider_names)
    domain_plan = None
    if section.get("domain") is not None:
        domain_plan = await plan_domain(
            ctx, existing, section["domain"], label, claimed_domains, problems
        )
    group_plans = await plan_groups(ctx, existing, section)
    # Users are checked against the pool as this run leaves it (policy, schema).
    planned = UserPool(id=pool.id, name=name, arn=pool.arn, created=0, modified=0, settings=desired)
    user_plans = await plan_users(ctx, planned, existing, section, label, problems)
    return PoolPlan(
        name,
        request,
        tags,
        existing,
        changed,
        client_plans,
        domain_plan,
        group_plans,
        user_plans,
        note=note,
        identity_providers=provider_plans,
        mfa=mfa,
    )


def _shared_name_note(matches: list[UserPool]) -> str | None:
    """Several pools answer to the name: apply manages the oldest, the one it created
    or adopted on its first run, since a newer namesake (made by hand, a script, a
    test) must not take over the declared setup."""
    if len(matches) < 2:
        return None
    others = ", ".join(pool.id for pool in matches[1:])
    return (
        f"{len(matches)} user pools have this name; apply manages the oldest, "
        f"{matches[0].id} (newer: {others}). Rename or delete the newer ones to "
        "silence this note."
    )


def _create_only_problem(key: str, existing: UserPool, fresh: Settings) -> str:
    member = _CREATE_ONLY_MEMBER.get(key, key)
    advice = "delete and recreate the pool to change it, or make the file match the pool"
    if key == "SchemaAttributes":
        # The full attribute list is too long to be a readable message.
        return (
            f"{member} differs from the pool's attributes, which are fixed once the pool "
            f"exists; {advice}"
        )
    return (
        f"{member} cannot change once the pool exists (the pool has "
        f"{show(existing.settings.get(key))}, the file asks for {show(fresh.get(key))}); "
        f"{advice}"
    )


async def pools_by_name(ctx: Context) -> dict[str, list[UserPool]]:
    found: dict[str, list[UserPool]] = defaultdict(list)
    token: str | None = None
    while True:
        page, token = await pools.list_user_pools(ctx, 60, token)
        for pool in page:
            found[pool.name].append(pool)
        if token is None:
            return found


async def apply_pool(ctx: Context, plan: PoolPlan) -> Result:
    action: Action
    if plan.existing is None:
        pool = await pools.create_user_pool(ctx, plan.name, plan.request, plan.tags)
        if plan.mfa is not None:
            pool = await mfa_config.set_user_pool_mfa_config(ctx, pool.id, plan.mfa)
        action = "created"
    elif plan.changed:
        # One write: UpdateUserPool alone would reset MFA to OFF, even for a moment.
        pool = await pools.update_user_pool(
            ctx, plan.existing.id, plan.request, tags=plan.tags, mfa=plan.mfa
        )
        action = "updated"
    else:
        pool, action = plan.existing, "unchanged"
    result = Result("pool", pool.name, pool.id, action, list(plan.changed))
    if plan.note is not None:
        result.notes.append(plan.note)
    for provider in plan.identity_providers:
        result.children.append(await apply_identity_provider(ctx, pool.id, provider))
    for client in plan.clients:
        result.children.append(await apply_client(ctx, pool.id, client))
    if plan.domain is not None:
        result.children.append(await apply_domain(ctx, pool.id, plan.domain))
    for group in plan.groups:
        result.children.append(await apply_group(ctx, pool.id, group))
    for user in plan.users:
        result.children.append(await apply_user(ctx, pool, user))
    return result
