"""Groups (``[[pools.groups]]``, CreateGroup's members): their check, plan and
execution, with UpdateGroup's semantics for a group that exists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from poolgate.apply.checks import PLACEHOLDER_POOL_ID, check_members
from poolgate.apply.report import Result
from poolgate.core.context import Context
from poolgate.core.groups import groups
from poolgate.core.records import Group, UserPool

# CreateGroup's members that UpdateGroup can change, and the Group field of each.
_GROUP_MEMBERS = {"Description": "description", "Precedence": "precedence", "RoleArn": "role_arn"}


def check_group(section: dict[str, Any], label: str, problems: list[str]) -> None:
    check_members(
        "CreateGroup",
        section,
        label,
        problems,
        placeholders={"UserPoolId": PLACEHOLDER_POOL_ID},
    )


@dataclass
class GroupPlan:
    name: str
    # The CreateGroup / UpdateGroup members the file gives.
    request: dict[str, Any]
    existing: Group | None
    changed: list[str]


async def plan_groups(
    ctx: Context, existing_pool: UserPool | None, section: dict[str, Any]
) -> list[GroupPlan]:
    plans: list[GroupPlan] = []
    for group_section in section.get("groups", []):
        name: str = group_section["GroupName"]
        request = {k: v for k, v in group_section.items() if k != "GroupName"}
        existing = None
        if existing_pool is not None:
            existing = await groups.find_group(ctx, existing_pool.id, name)
        changed: list[str] = []
        if existing is not None:
            # UpdateGroup semantics: what the file leaves out is kept.
            changed = [
                member
                for member, attribute in _GROUP_MEMBERS.items()
                if member in request and request[member] != getattr(existing, attribute)
            ]
        plans.append(GroupPlan(name, request, existing, changed))
    return plans


async def apply_group(ctx: Context, pool_id: str, plan: GroupPlan) -> Result:
    members = {attribute: plan.request.get(member) for member, attribute in _GROUP_MEMBERS.items()}
    if plan.existing is None:
        group = await groups.create_group(ctx, pool_id, plan.name, **members)
        return Result("group", group.name, group.name, "created")
    if plan.changed:
        await groups.update_group(ctx, pool_id, plan.name, **members)
        return Result("group", plan.name, plan.name, "updated", list(plan.changed))
    return Result("group", plan.name, plan.name, "unchanged")
