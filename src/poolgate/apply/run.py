"""An apply run's three stages: check the whole document, plan every pool while only
reading, then execute the plans; the gateway's sections are validated alongside."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from poolgate.apply.gateway import configured, parse_gateway
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
    results = [await apply_pool(ctx, plan) for plan in plans]
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
    if problems:
        raise ApplyError(problems)
    return plans
