"""Users (``[[pools.users]]``, AdminCreateUser's members plus ``Groups``,
``Password`` and ``Permanent``): their check, plan and execution. Users are created
once without an invitation; one who exists is only added to the groups they miss."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from poolgate.apply.checks import PLACEHOLDER_POOL_ID, PLACEHOLDER_USERNAME, check_members
from poolgate.apply.report import Action, Result
from poolgate.apply.values import show
from poolgate.core.auth import passwords
from poolgate.core.context import Context
from poolgate.core.errors import CognitoError
from poolgate.core.groups import groups
from poolgate.core.records import User, UserPool
from poolgate.core.users import admin_users, attributes, lookup

# A user section's keys that are not AdminCreateUser members (see the package's doc).
_USER_EXTRAS = ("Groups", "Password", "Permanent")
# AdminCreateUser members a user section cannot use, and why.
_USER_REFUSED = {
    "MessageAction": "cannot be set: apply creates users without sending an invitation "
    '(MessageAction "SUPPRESS") and never resends one',
    "DesiredDeliveryMediums": "cannot be set: apply sends no invitation (MessageAction "
    '"SUPPRESS"), so there is nothing to deliver',
    "ValidationData": "is for Lambda triggers, which apply does not run; remove it",
    "ClientMetadata": "is for Lambda triggers, which apply does not run; remove it",
}


def check_user(section: dict[str, Any], label: str, problems: list[str]) -> None:
    before = len(problems)
    members = {k: v for k, v in section.items() if k not in _USER_EXTRAS}
    for key, why in _USER_REFUSED.items():
        if key in members:
            problems.append(f"{label}: {key} {why}")
            del members[key]
    check_members(
        "AdminCreateUser",
        members,
        label,
        problems,
        placeholders={"UserPoolId": PLACEHOLDER_POOL_ID},
        nesting=_USER_EXTRAS,
    )
    names = section.get("Groups", [])
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        problems.append(f"{label}: Groups must be an array of group names, got {show(names)}")
    else:
        for name in names:
            check_members(
                "AdminAddUserToGroup",
                {"GroupName": name},
                label,
                problems,
                placeholders={
                    "UserPoolId": PLACEHOLDER_POOL_ID,
                    "Username": PLACEHOLDER_USERNAME,
                },
            )
    password: dict[str, Any] = {k: section[k] for k in ("Password", "Permanent") if k in section}
    if password:
        check_members(
            "AdminSetUserPassword",
            password,
            label,
            problems,
            placeholders={
                "UserPoolId": PLACEHOLDER_POOL_ID,
                "Username": PLACEHOLDER_USERNAME,
                # Reported below in words of the file rather than as a null Password.
                "Password": password.get("Password", PLACEHOLDER_USERNAME),
            },
        )
    if len(problems) > before:
        return
    if "Password" in section and section.get("Permanent") is not True:
        problems.append(
            f"{label}: Password sets a permanent password and needs Permanent = true; for "
            "a password the user must change at the first sign-in, use TemporaryPassword"
        )
    elif "Permanent" in section and "Password" not in section:
        problems.append(f"{label}: Permanent needs the Password it makes permanent")
    elif "TemporaryPassword" not in section and "Password" not in section:
        problems.append(
            f"{label}: give TemporaryPassword (the user chooses a new password at the first "
            "sign-in) or Password with Permanent = true: apply sends no invitation, so "
            "nobody would learn a generated password"
        )


@dataclass
class UserPlan:
    name: str
    section: dict[str, Any]
    existing: User | None
    # The file's groups the user is not in yet (all of them for a new user).
    missing_groups: list[str]


async def plan_users(
    ctx: Context,
    pool: UserPool,
    existing_pool: UserPool | None,
    section: dict[str, Any],
    pool_label: str,
    problems: list[str],
) -> list[UserPlan]:
    declared = {group["GroupName"] for group in section.get("groups", [])}
    known_groups: dict[str, bool] = {}
    seen: dict[str, str] = {}
    plans: list[UserPlan] = []
    for user_section in section.get("users", []):
        name: str = user_section["Username"]
        label = f"user {name!r} of {pool_label}"
        key = lookup.key_of(pool, name)
        if key in seen and seen[key] != name:
            problems.append(
                f"{label}: the pool's usernames are case-insensitive, and the file declares "
                f"{seen[key]!r} too"
            )
            continue
        seen[key] = name
        wanted: list[str] = list(dict.fromkeys(user_section.get("Groups", [])))
        for group in wanted:
            if group not in declared and not await _group_exists(
                ctx, existing_pool, group, known_groups
            ):
                problems.append(
                    f"{label}: Groups names {group!r}, which is neither a [[pools.groups]] "
                    "entry of the file nor a group of the pool"
                )
        existing = None
        if existing_pool is not None:
            existing = await lookup.find_user(ctx, existing_pool, name)
        if existing is None:
            _check_new_user(pool, user_section, label, problems)
            plans.append(UserPlan(name, user_section, None, wanted))
            continue
        current = await _groups_of(ctx, existing_pool, existing)
        missing = [group for group in wanted if group not in current]
        plans.append(UserPlan(name, user_section, existing, missing))
    return plans


def _check_new_user(
    pool: UserPool, section: dict[str, Any], label: str, problems: list[str]
) -> None:
    """What AdminCreateUser (and AdminSetUserPassword) would refuse, found before
    anything is written."""
    try:
        _stored, _sub, implied = lookup.new_username(pool, section["Username"])
        given = attributes.parse(pool, section.get("UserAttributes"), admin=True)
        attributes.check_required(pool, {**given, **implied})
        for key in ("TemporaryPassword", "Password"):
            if key in section:
                passwords.check_policy(pool, section[key])
    except CognitoError as exc:
        problems.append(f"{label}: {exc.message}")


async def _group_exists(
    ctx: Context, existing_pool: UserPool | None, name: str, known: dict[str, bool]
) -> bool:
    if existing_pool is None:
        return False
    if name not in known:
        known[name] = await groups.find_group(ctx, existing_pool.id, name) is not None
    return known[name]


async def _groups_of(ctx: Context, pool: UserPool | None, user: User) -> set[str]:
    assert pool is not None
    return await groups.group_names_of(ctx, pool.id, user.sub)


async def apply_user(ctx: Context, pool: UserPool, plan: UserPlan) -> Result:
    section = plan.section
    if plan.existing is None:
        password = section.get("Password")
        user = await admin_users.admin_create_user(
            ctx,
            pool,
            plan.name,
            section.get("UserAttributes"),
            section.get("TemporaryPassword", password),
            "SUPPRESS",
            None,
            bool(section.get("ForceAliasCreation", False)),
        )
        if password is not None:
            await admin_users.admin_set_user_password(ctx, pool, user.username, password, True)
        action: Action = "created"
        changed: list[str] = []
    else:
        user = plan.existing
        action = "updated" if plan.missing_groups else "unchanged"
        changed = ["Groups"] if plan.missing_groups else []
    for group in plan.missing_groups:
        await groups.admin_add_user_to_group(ctx, pool.id, user.username, group)
    return Result("user", plan.name, user.username, action, changed)
