"""An apply run's three stages: check the whole document, plan every pool while only
reading, then execute the plans; the gateway's sections are validated alongside."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from poolgate.apply.gateway import configured, parse_gateway
from poolgate.apply.identity_providers import upstream_details, upstream_pools
from poolgate.apply.pools import PoolPlan, apply_pool, check_pool, plan_pool, pools_by_name
from poolgate.apply.report import ApplyError, ApplyReport
from poolgate.apply.values import is_tables, label_of
from poolgate.core.context import Context


async def apply(
    ctx: Context, document: Mapping[str, Any], *, base_dir: Path | None = None
) -> ApplyReport:
    """Make the store match ``document`` (a parsed TOML file); raise ``ApplyError``
    without writing anything when any part of it cannot be applied. ``base_dir`` (the
    file's directory) resolves the functions' relative ``code_dir``."""
    problems = check(document)
    gateway = parse_gateway(document, base_dir or Path.cwd(), problems)
    if problems:
        raise ApplyError(problems)
    assert gateway is not None
    plans = await _plan(ctx, document.get("pools", []))
    # A pool that another pool's identity provider signs in through goes first; the
    # report keeps the file's order.
    upstream = {name for section in document.get("pools", []) for name in upstream_pools(section)}
    order = sorted(range(len(plans)), key=lambda i: plans[i].name not in upstream)
    done = {index: await apply_pool(ctx, plans[index]) for index in order}
    results = [done[index] for index in range(len(plans))]
    results += configured(gateway)
    return ApplyReport(results)


def check(document: Mapping[str, Any]) -> list[str]:
    """Problems with the document itself, found without looking at the store."""
    problems: list[str] = []
    sections = document.get("pools", [])
    if not is_tables(sections):
        return ["'pools' must be an array of tables: write [[pools]]"]
    seen: set[str] = set()
    for index, section in enumerate(sections):
        name = section.get("PoolName")
        if isinstance(name, str):
            if name in seen:
                problems.append(f"pool {name!r}: the file declares this pool twice")
            seen.add(name)
        check_pool(section, label_of("pool", name, index), problems)
    return problems


async def _plan(ctx: Context, sections: list[dict[str, Any]]) -> list[PoolPlan]:
    """What to do for each pool of the file; reads only."""
    problems: list[str] = []
    by_name = await pools_by_name(ctx)
    claimed_domains: dict[str, str] = {}
    plans: list[PoolPlan] = []
    for section in sections:
        matches = by_name.get(section["PoolName"], [])
        plan = await plan_pool(ctx, section, matches, claimed_domains, problems)
        if plan is not None:
            plans.append(plan)
    declared = {section["PoolName"] for section in sections}
    for section in sections:
        for name in sorted(upstream_pools(section) - declared):
            clients = [
                item["upstream"]["client"]
                for item in section.get("identity_providers", [])
                if isinstance(item.get("upstream"), dict) and item["upstream"]["pool"] == name
            ]
            for client in clients:
                if await upstream_details(ctx, {"pool": name, "client": client}) is None:
                    problems.append(
                        f"pool {section['PoolName']!r}: the upstream pool {name!r} (client "
                        f"{client!r}) is neither in this file nor in the store"
                    )
    if problems:
        raise ApplyError(problems)
    return plans
