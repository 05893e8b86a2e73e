"""App clients (``[[pools.clients]]``, CreateUserPoolClient's members): their check,
plan and execution. Clients are matched by ClientName within their pool."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from poolgate.apply.checks import PLACEHOLDER_POOL_ID, check_members
from poolgate.apply.report import Result
from poolgate.apply.values import differences
from poolgate.core.context import Context
from poolgate.core.errors import CognitoError
from poolgate.core.pools import clients, resource_servers
from poolgate.core.pools.clients import client_settings
from poolgate.core.records import AppClient, UserPool


def check_client(section: dict[str, Any], label: str, problems: list[str]) -> None:
    check_members(
        "CreateUserPoolClient",
        section,
        label,
        problems,
        placeholders={"UserPoolId": PLACEHOLDER_POOL_ID},
    )


@dataclass
class ClientPlan:
    name: str
    request: dict[str, Any]
    generate_secret: bool
    existing: AppClient | None
    changed: list[str]


async def plan_clients(
    ctx: Context,
    pool: UserPool,
    existing_pool: UserPool | None,
    section: dict[str, Any],
    pool_label: str,
    problems: list[str],
    identity_providers: set[str],
) -> list[ClientPlan]:
    by_name: dict[str, list[AppClient]] = defaultdict(list)
    # A pool the file creates has no resource servers yet, so no custom scopes.
    scopes: set[str] = set()
    if existing_pool is not None:
        for client in await _all_clients(ctx, existing_pool.id):
            by_name[client.name].append(client)
        scopes = await resource_servers.custom_scopes(ctx, existing_pool.id)
    plans: list[ClientPlan] = []
    for client_section in section.get("clients", []):
        plan = _plan_client(
            pool,
            by_name[client_section["ClientName"]],
            client_section,
            pool_label,
            problems,
            scopes,
            identity_providers,
        )
        if plan is not None:
            plans.append(plan)
    return plans


def _plan_client(
    pool: UserPool,
    matches: list[AppClient],
    section: dict[str, Any],
    pool_label: str,
    problems: list[str],
    custom_scopes: set[str],
    identity_providers: set[str],
) -> ClientPlan | None:
    name: str = section["ClientName"]
    label = f"client {name!r} of {pool_label}"
    if len(matches) > 1:
        ids = ", ".join(sorted(client.id for client in matches))
        problems.append(
            f"{label}: {len(matches)} clients of the pool have this name ({ids}); apply "
            "matches clients by name, so rename or delete all but one"
        )
        return None
    existing = matches[0] if matches else None
    generate_secret = bool(section.get("GenerateSecret", False))
    if existing is not None and (existing.secret_sealed is not None) != generate_secret:
        has = "has a secret" if existing.secret_sealed is not None else "has no secret"
        problems.append(
            f"{label}: GenerateSecret cannot change once the client exists (the client "
            f"{has}); delete the client to change it, or make the file match"
        )
        return None
    request = {k: v for k, v in section.items() if k not in ("ClientName", "GenerateSecret")}
    try:
        desired = client_settings(request, pool, generate_secret, custom_scopes, identity_providers)
    except CognitoError as exc:
        problems.append(f"{label}: {exc.message}")
        return None
    changed = [] if existing is None else differences(existing.settings, desired)
    return ClientPlan(name, request, generate_secret, existing, changed)


async def _all_clients(ctx: Context, pool_id: str) -> list[AppClient]:
    found: list[AppClient] = []
    token: str | None = None
    while True:
        page, token = await clients.list_user_pool_clients(ctx, pool_id, 60, token)
        found.extend(page)
        if token is None:
            return found


async def apply_client(ctx: Context, pool_id: str, plan: ClientPlan) -> Result:
    if plan.existing is None:
        client, secret = await clients.create_user_pool_client(
            ctx, pool_id, plan.name, plan.request, plan.generate_secret
        )
        return Result("client", client.name, client.id, "created", secret=secret)
    if plan.changed:
        client = await clients.update_user_pool_client(
            ctx, pool_id, plan.existing.id, plan.request, None
        )
        return Result("client", client.name, client.id, "updated", list(plan.changed))
    return Result("client", plan.existing.name, plan.existing.id, "unchanged")
