"""``poolgate apply``: a project's identity setup, declared in a TOML file, made so.

The file uses Cognito's API member names, so settings copy over from AWS's docs::

    [[pools]]              # CreateUserPool members: PoolName, Policies, Schema...
    [[pools.clients]]      # CreateUserPoolClient members: ClientName, ExplicitAuthFlows...
    [pools.domain]         # CreateUserPoolDomain members: Domain, ManagedLoginVersion
    [[pools.groups]]       # CreateGroup members: GroupName, Description, Precedence, RoleArn
    [[pools.users]]        # AdminCreateUser members: Username, UserAttributes,
                           # TemporaryPassword; and Groups = [...], Password + Permanent

Capitalised keys are API members; lower-case keys are Poolgate's own nesting. A user's
``Groups`` lists AdminAddUserToGroup's GroupName for each group, and ``Password`` with
``Permanent = true`` are AdminSetUserPassword's members (a confirmed account). Resources
are matched by name (pools by PoolName, clients by ClientName within their pool, the
domain by Domain, groups by GroupName, users by Username, which may be an email or phone
number the pool signs in with) and nothing the file does not mention is touched or
deleted.

Users are created once, with AdminCreateUser's ``MessageAction = "SUPPRESS"`` (apply
sends no invitation), so the file must give the password: ``TemporaryPassword`` (the
user chooses a new one at the first sign-in) or ``Password`` with ``Permanent = true``.
A user who exists already is left as they are (``unchanged``): apply never resets a
password a person may have changed, nor their attributes; it only adds them to the
file's groups they are missing (``updated``). Groups are created, or updated with
UpdateGroup's semantics: the members the file gives are set, the others kept.

Applying runs in three stages so that a file with any mistake changes nothing:

1. check the document against botocore's model (types, unknown keys, constraints);
2. plan: read what exists and build each resource's desired configuration with core's
   own builders (``pool_settings``, ``client_settings``), so Cognito's defaults and
   semantic checks apply before anything is written, and refuse what cannot be done
   (ambiguous names, create-only settings that differ);
3. execute through the core operations, skipping unchanged resources so their
   LastModifiedDate stays.

Each resource kind has its own check, plan and execute function.

``[[functions]]`` and ``[[apis]]`` (the API gateway) are configuration, not stored
state: apply validates them with the rest of the file and reports them as
``configured``; ``poolgate serve --config FILE --gateway-port PORT`` loads them.
"""

from __future__ import annotations

import difflib
import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson

from poolgate.awsjson.model import ServiceModel, service_model
from poolgate.awsjson.validation import validate_request
from poolgate.core import (
    admin_users,
    attributes,
    clients,
    domains,
    groups,
    passwords,
    pools,
    resource_servers,
    users,
)
from poolgate.core.clients import client_settings
from poolgate.core.context import Context
from poolgate.core.errors import CognitoError
from poolgate.core.pool_settings import CREATE_ONLY, pool_settings
from poolgate.core.records import AppClient, Group, Settings, User, UserPool
from poolgate.gateway import config as gateway_config

__all__ = ["ApplyError", "ApplyReport", "Result", "apply", "check"]

# "configured": validated configuration the server reads at start (functions, apis).
Action = Literal["created", "updated", "unchanged", "configured"]

# Tables nested in a pool section that are not CreateUserPool members.
_POOL_NESTING = ("clients", "domain", "groups", "users")
# A user section's keys that are not AdminCreateUser members (see the module's doc).
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
# CreateGroup's members that UpdateGroup can change, and the Group field of each.
_GROUP_MEMBERS = {"Description": "description", "Precedence": "precedence", "RoleArn": "role_arn"}
# Ids apply fills in itself; a file that sets one is mistaken about what it manages.
_SET_BY_APPLY = ("UserPoolId",)
# Only satisfies the model's required UserPoolId while a section is checked.
_PLACEHOLDER_POOL_ID = "us-east-1_placeholder"
_PLACEHOLDER_USERNAME = "placeholder"
# How a result kind appears in the JSON report: its key under the parent, and
# whether the parent holds a list of them. Keys mirror the file's.
_SECTIONS: dict[str, tuple[str, bool]] = {
    "pool": ("pools", True),
    "client": ("clients", True),
    "domain": ("domain", False),
    "group": ("groups", True),
    "user": ("users", True),
    "function": ("functions", True),
    "api": ("apis", True),
}
_CHILD_KINDS: dict[str, tuple[str, ...]] = {"pool": ("client", "domain", "group", "user")}
# The request member behind each create-only setting of a pool.
_CREATE_ONLY_MEMBER = {"SchemaAttributes": "Schema"}


class ApplyError(Exception):
    """The document cannot be applied and nothing was changed; each problem names the
    resource it concerns."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Result:
    """What apply did to one resource."""

    kind: str
    name: str
    id: str
    action: Action
    # Top-level settings an update changed.
    changed: list[str] = field(default_factory=list)
    # A client secret, only in the run that generated it.
    secret: str | None = None
    children: list[Result] = field(default_factory=list)

    def walk(self) -> Iterator[Result]:
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "id": self.id, "action": self.action}
        if self.changed:
            body["changed"] = list(self.changed)
        if self.secret is not None:
            body["secret"] = self.secret
        for kind in _CHILD_KINDS.get(self.kind, ()):
            key, many = _SECTIONS[kind]
            body[key] = [] if many else None
        for child in self.children:
            key, many = _SECTIONS[child.kind]
            if many:
                body[key].append(child.to_dict())
            else:
                body[key] = child.to_dict()
        return body


@dataclass
class ApplyReport:
    results: list[Result]

    def walk(self) -> Iterator[Result]:
        for result in self.results:
            yield from result.walk()

    def counts(self) -> dict[str, int]:
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for result in self.walk():
            # "configured" appears only when the file has gateway sections.
            counts[result.action] = counts.get(result.action, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"pools": []}
        for result in self.results:
            key, _many = _SECTIONS[result.kind]
            body.setdefault(key, []).append(result.to_dict())
        return body


async def apply(
    ctx: Context, document: Mapping[str, Any], *, base_dir: Path | None = None
) -> ApplyReport:
    """Make the store match ``document`` (a parsed TOML file); raise ``ApplyError``
    without writing anything when any part of it cannot be applied. ``base_dir`` (the
    file's directory) resolves the functions' relative ``code_dir``."""
    problems = check(document)
    try:
        gateway = gateway_config.parse(document, base_dir or Path.cwd())
    except gateway_config.GatewayConfigError as exc:
        problems += exc.problems
    if problems:
        raise ApplyError(problems)
    plans = await _plan(ctx, document.get("pools", []))
    results = [await _apply_pool(ctx, plan) for plan in plans]
    results += [Result("function", name, name, "configured") for name in gateway.functions]
    results += [Result("api", api.name, api.id, "configured") for api in gateway.apis]
    return ApplyReport(results)


# --------------------------------------------------------------------------- check


def check(document: Mapping[str, Any]) -> list[str]:
    """Problems with the document itself, found without looking at the store."""
    problems: list[str] = []
    sections = document.get("pools", [])
    if not _is_tables(sections):
        return ["'pools' must be an array of tables: write [[pools]]"]
    seen: set[str] = set()
    for index, section in enumerate(sections):
        name = section.get("PoolName")
        if isinstance(name, str):
            if name in seen:
                problems.append(f"pool {name!r}: the file declares this pool twice")
            seen.add(name)
        _check_pool(section, _label("pool", name, index), problems)
    return problems


def _check_pool(section: dict[str, Any], label: str, problems: list[str]) -> None:
    members = {k: v for k, v in section.items() if k not in _POOL_NESTING}
    _check_members("CreateUserPool", members, label, problems, nesting=_POOL_NESTING)
    client_sections = section.get("clients", [])
    if not _is_tables(client_sections):
        problems.append(f"{label}: 'clients' must be an array of tables: write [[pools.clients]]")
    else:
        seen: set[str] = set()
        for index, client in enumerate(client_sections):
            name = client.get("ClientName")
            client_label = f"{_label('client', name, index)} of {label}"
            if isinstance(name, str):
                if name in seen:
                    problems.append(f"{client_label}: the file declares this client twice")
                seen.add(name)
            _check_client(client, client_label, problems)
    domain = section.get("domain")
    if domain is not None:
        if not isinstance(domain, dict):
            problems.append(f"{label}: 'domain' must be a table: write [pools.domain]")
        else:
            name = domain.get("Domain")
            _check_domain(domain, f"{_label('domain', name, 0)} of {label}", problems)
    _check_named_sections(section, "groups", "GroupName", "group", label, problems, _check_group)
    _check_named_sections(section, "users", "Username", "user", label, problems, _check_user)


def _check_named_sections(
    section: dict[str, Any],
    key: str,
    name_key: str,
    kind: str,
    pool_label: str,
    problems: list[str],
    check_one: Callable[[dict[str, Any], str, list[str]], None],
) -> None:
    """The ``[[pools.KEY]]`` sections of a pool: each checked, names unique."""
    found = section.get(key, [])
    if not _is_tables(found):
        problems.append(f"{pool_label}: '{key}' must be an array of tables: write [[pools.{key}]]")
        return
    seen: set[str] = set()
    for index, item in enumerate(found):
        name = item.get(name_key)
        item_label = f"{_label(kind, name, index)} of {pool_label}"
        if isinstance(name, str):
            if name in seen:
                problems.append(f"{item_label}: the file declares this {kind} twice")
            seen.add(name)
        check_one(item, item_label, problems)


def _check_group(section: dict[str, Any], label: str, problems: list[str]) -> None:
    _check_members(
        "CreateGroup",
        section,
        label,
        problems,
        placeholders={"UserPoolId": _PLACEHOLDER_POOL_ID},
    )


def _check_user(section: dict[str, Any], label: str, problems: list[str]) -> None:
    before = len(problems)
    members = {k: v for k, v in section.items() if k not in _USER_EXTRAS}
    for key, why in _USER_REFUSED.items():
        if key in members:
            problems.append(f"{label}: {key} {why}")
            del members[key]
    _check_members(
        "AdminCreateUser",
        members,
        label,
        problems,
        placeholders={"UserPoolId": _PLACEHOLDER_POOL_ID},
        nesting=_USER_EXTRAS,
    )
    names = section.get("Groups", [])
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        problems.append(f"{label}: Groups must be an array of group names, got {_show(names)}")
    else:
        for name in names:
            _check_members(
                "AdminAddUserToGroup",
                {"GroupName": name},
                label,
                problems,
                placeholders={
                    "UserPoolId": _PLACEHOLDER_POOL_ID,
                    "Username": _PLACEHOLDER_USERNAME,
                },
            )
    password: dict[str, Any] = {k: section[k] for k in ("Password", "Permanent") if k in section}
    if password:
        _check_members(
            "AdminSetUserPassword",
            password,
            label,
            problems,
            placeholders={
                "UserPoolId": _PLACEHOLDER_POOL_ID,
                "Username": _PLACEHOLDER_USERNAME,
                # Reported below in words of the file rather than as a null Password.
                "Password": password.get("Password", _PLACEHOLDER_USERNAME),
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


def _check_client(section: dict[str, Any], label: str, problems: list[str]) -> None:
    _check_members(
        "CreateUserPoolClient",
        section,
        label,
        problems,
        placeholders={"UserPoolId": _PLACEHOLDER_POOL_ID},
    )


def _check_domain(section: dict[str, Any], label: str, problems: list[str]) -> None:
    _check_members(
        "CreateUserPoolDomain",
        section,
        label,
        problems,
        placeholders={"UserPoolId": _PLACEHOLDER_POOL_ID},
    )


def _check_members(
    operation_name: str,
    members: dict[str, Any],
    label: str,
    problems: list[str],
    *,
    placeholders: Mapping[str, Any] | None = None,
    nesting: tuple[str, ...] = (),
) -> None:
    model = service_model()
    operation = model.operation(operation_name)
    assert operation is not None and operation.input_shape is not None
    for key in _SET_BY_APPLY:
        if key in members:
            problems.append(f"{label}: {key} is filled in by poolgate apply; remove it")
    found = _shape_problems(model, operation.input_shape, members, "", nesting)
    if found:
        # Constraint messages about a value of the wrong type would only confuse.
        problems.extend(f"{label}: {problem}" for problem in found)
        return
    try:
        validate_request(model, operation, {**members, **(placeholders or {})})
    except CognitoError as exc:
        problems.append(f"{label}: {exc.message}")


def _shape_problems(
    model: ServiceModel, shape_name: str, value: Any, path: str, nesting: tuple[str, ...] = ()
) -> list[str]:
    """Unknown keys and values of the wrong type, by their path in the file.

    The model validator ignores unknown members (as AWS does) and names no path for
    a type error; in a hand-written file both are typos worth a precise message.
    """
    shape = model.shapes[shape_name]
    if shape.get("document"):
        return []
    kind = shape["type"]
    where = path or "the section"
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{where} must be a table, got {_show(value)}"]
        problems: list[str] = []
        members = shape["members"]
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            ref = members.get(key)
            if ref is None:
                close = difflib.get_close_matches(key, [*members, *nesting], n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                problems.append(f"unknown setting {child!r}{hint}")
            else:
                problems.extend(_shape_problems(model, ref["shape"], item, child))
        return problems
    if kind == "list":
        if not isinstance(value, list):
            return [f"{where} must be an array, got {_show(value)}"]
        member = shape["member"]["shape"]
        return [
            problem
            for index, item in enumerate(value)
            for problem in _shape_problems(model, member, item, f"{path}[{index}]")
        ]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{where} must be a table, got {_show(value)}"]
        inner = shape["value"]["shape"]
        return [
            problem
            for key, item in value.items()
            for problem in _shape_problems(model, inner, item, f"{path}.{key}")
        ]
    expected = _SCALAR_TYPES.get(kind)
    if expected is not None and not expected[1](value):
        # A password's value stays out of the message, as in Cognito's own.
        shown = "a value of another type" if shape.get("sensitive") else _show(value)
        return [f"{where} must be {expected[0]}, got {shown}"]
    return []


_SCALAR_TYPES: dict[str, tuple[str, Any]] = {
    "string": ("a string", lambda v: isinstance(v, str)),
    "blob": ("a string", lambda v: isinstance(v, str)),
    "boolean": ("true or false", lambda v: isinstance(v, bool)),
    "integer": ("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "long": ("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "double": (
        "a number",
        lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    ),
    "float": (
        "a number",
        lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    ),
}


# --------------------------------------------------------------------------- plan


@dataclass
class _ClientPlan:
    name: str
    request: dict[str, Any]
    generate_secret: bool
    existing: AppClient | None
    changed: list[str]


@dataclass
class _DomainPlan:
    domain: str
    request: dict[str, Any]
    exists: bool


@dataclass
class _GroupPlan:
    name: str
    # The CreateGroup / UpdateGroup members the file gives.
    request: dict[str, Any]
    existing: Group | None
    changed: list[str]


@dataclass
class _UserPlan:
    name: str
    section: dict[str, Any]
    existing: User | None
    # The file's groups the user is not in yet (all of them for a new user).
    missing_groups: list[str]


@dataclass
class _PoolPlan:
    name: str
    request: dict[str, Any]
    tags: dict[str, str] | None
    existing: UserPool | None
    changed: list[str]
    clients: list[_ClientPlan]
    domain: _DomainPlan | None
    groups: list[_GroupPlan] = field(default_factory=list)
    users: list[_UserPlan] = field(default_factory=list)


async def _plan(ctx: Context, sections: list[dict[str, Any]]) -> list[_PoolPlan]:
    """What to do for each pool of the file; reads only."""
    problems: list[str] = []
    by_name = await _pools_by_name(ctx)
    claimed_domains: dict[str, str] = {}
    plans: list[_PoolPlan] = []
    for section in sections:
        matches = by_name.get(section["PoolName"], [])
        plan = await _plan_pool(ctx, section, matches, claimed_domains, problems)
        if plan is not None:
            plans.append(plan)
    if problems:
        raise ApplyError(problems)
    return plans


async def _plan_pool(
    ctx: Context,
    section: dict[str, Any],
    matches: list[UserPool],
    claimed_domains: dict[str, str],
    problems: list[str],
) -> _PoolPlan | None:
    name: str = section["PoolName"]
    label = f"pool {name!r}"
    if len(matches) > 1:
        ids = ", ".join(sorted(pool.id for pool in matches))
        problems.append(
            f"{label}: {len(matches)} user pools have this name ({ids}); apply matches pools "
            "by name, so rename or delete all but one"
        )
        return None
    existing = matches[0] if matches else None
    request = {
        k: v
        for k, v in section.items()
        if k not in _POOL_NESTING and k not in ("PoolName", "UserPoolTags")
    }
    tags: dict[str, str] | None = section.get("UserPoolTags")
    try:
        # As CreateUserPool would build it: the reference for create-only settings.
        fresh = pool_settings(request)
        desired = fresh if existing is None else pool_settings(request, existing.settings)
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
            if _normal(fresh.get(key)) != _normal(existing.settings.get(key)):
                problems.append(f"{label}: {_create_only_problem(key, existing, fresh)}")
        changed = _differences(existing.settings, desired)
        if tags is not None and tags != existing.tags:
            changed.append("UserPoolTags")

    client_plans = await _plan_clients(ctx, pool, existing, section, label, problems)
    domain_plan = None
    if section.get("domain") is not None:
        domain_plan = await _plan_domain(
            ctx, existing, section["domain"], label, claimed_domains, problems
        )
    group_plans = await _plan_groups(ctx, existing, section)
    # Users are checked against the pool as this run leaves it (policy, schema).
    planned = UserPool(id=pool.id, name=name, arn=pool.arn, created=0, modified=0, settings=desired)
    user_plans = await _plan_users(ctx, planned, existing, section, label, problems)
    return _PoolPlan(
        name,
        request,
        tags,
        existing,
        changed,
        client_plans,
        domain_plan,
        group_plans,
        user_plans,
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
        f"{_show(existing.settings.get(key))}, the file asks for {_show(fresh.get(key))}); "
        f"{advice}"
    )


async def _plan_clients(
    ctx: Context,
    pool: UserPool,
    existing_pool: UserPool | None,
    section: dict[str, Any],
    pool_label: str,
    problems: list[str],
) -> list[_ClientPlan]:
    by_name: dict[str, list[AppClient]] = defaultdict(list)
    # A pool the file creates has no resource servers yet, so no custom scopes.
    scopes: set[str] = set()
    if existing_pool is not None:
        for client in await _all_clients(ctx, existing_pool.id):
            by_name[client.name].append(client)
        scopes = await resource_servers.custom_scopes(ctx, existing_pool.id)
    plans: list[_ClientPlan] = []
    for client_section in section.get("clients", []):
        plan = _plan_client(
            pool,
            by_name[client_section["ClientName"]],
            client_section,
            pool_label,
            problems,
            scopes,
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
) -> _ClientPlan | None:
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
        desired = client_settings(request, pool, generate_secret, custom_scopes)
    except CognitoError as exc:
        problems.append(f"{label}: {exc.message}")
        return None
    changed = [] if existing is None else _differences(existing.settings, desired)
    return _ClientPlan(name, request, generate_secret, existing, changed)


async def _plan_domain(
    ctx: Context,
    existing_pool: UserPool | None,
    section: dict[str, Any],
    pool_label: str,
    claimed: dict[str, str],
    problems: list[str],
) -> _DomainPlan | None:
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
        differing = _differences(record.settings, _domain_settings(request))
        if differing:
            # Cognito has no update for a prefix domain's settings.
            problems.append(
                f"{label}: {', '.join(differing)} cannot change once the domain exists; "
                "delete the domain (DeleteUserPoolDomain) to change it"
            )
            return None
        return _DomainPlan(domain, request, exists=True)
    if existing_pool is not None:
        current = await ctx.store.get_pool_domain(existing_pool.id)
        if current is not None:
            # Replacing it would break every link to the old hosted pages: the
            # operator decides that, not apply.
            problems.append(
                f"{label}: the pool already has the domain {current.domain!r} and a pool has "
                "only one; delete it (DeleteUserPoolDomain) first, or put it in the file"
            )
            return None
    return _DomainPlan(domain, request, exists=False)


async def _plan_groups(
    ctx: Context, existing_pool: UserPool | None, section: dict[str, Any]
) -> list[_GroupPlan]:
    plans: list[_GroupPlan] = []
    for group_section in section.get("groups", []):
        name: str = group_section["GroupName"]
        request = {k: v for k, v in group_section.items() if k != "GroupName"}
        existing = None
        if existing_pool is not None:
            existing = await ctx.store.get_group(existing_pool.id, name)
        changed: list[str] = []
        if existing is not None:
            # UpdateGroup semantics: what the file leaves out is kept.
            changed = [
                member
                for member, attribute in _GROUP_MEMBERS.items()
                if member in request and request[member] != getattr(existing, attribute)
            ]
        plans.append(_GroupPlan(name, request, existing, changed))
    return plans


async def _plan_users(
    ctx: Context,
    pool: UserPool,
    existing_pool: UserPool | None,
    section: dict[str, Any],
    pool_label: str,
    problems: list[str],
) -> list[_UserPlan]:
    declared = {group["GroupName"] for group in section.get("groups", [])}
    known_groups: dict[str, bool] = {}
    seen: dict[str, str] = {}
    plans: list[_UserPlan] = []
    for user_section in section.get("users", []):
        name: str = user_section["Username"]
        label = f"user {name!r} of {pool_label}"
        key = users.key_of(pool, name)
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
            existing = await users.find_user(ctx, existing_pool, name)
        if existing is None:
            _check_new_user(pool, user_section, label, problems)
            plans.append(_UserPlan(name, user_section, None, wanted))
            continue
        current = await _groups_of(ctx, existing_pool, existing)
        missing = [group for group in wanted if group not in current]
        plans.append(_UserPlan(name, user_section, existing, missing))
    return plans


def _check_new_user(
    pool: UserPool, section: dict[str, Any], label: str, problems: list[str]
) -> None:
    """What AdminCreateUser (and AdminSetUserPassword) would refuse, found before
    anything is written."""
    try:
        _stored, _sub, implied = users.new_username(pool, section["Username"])
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
        known[name] = await ctx.store.get_group(existing_pool.id, name) is not None
    return known[name]


async def _groups_of(ctx: Context, pool: UserPool | None, user: User) -> set[str]:
    assert pool is not None
    found: set[str] = set()
    after: str | None = None
    while True:
        page = await ctx.store.list_groups_for_user(pool.id, user.sub, 60, after)
        found.update(group.name for group in page)
        if len(page) < 60:
            return found
        after = page[-1].name


def _domain_settings(request: dict[str, Any]) -> Settings:
    """A domain's settings as ``domains.create_user_pool_domain`` stores them."""
    settings: Settings = {"ManagedLoginVersion": request.get("ManagedLoginVersion") or 1}
    if request.get("CustomDomainConfig"):
        settings["CustomDomainConfig"] = request["CustomDomainConfig"]
    return settings


async def _pools_by_name(ctx: Context) -> dict[str, list[UserPool]]:
    found: dict[str, list[UserPool]] = defaultdict(list)
    token: str | None = None
    while True:
        page, token = await pools.list_user_pools(ctx, 60, token)
        for pool in page:
            found[pool.name].append(pool)
        if token is None:
            return found


async def _all_clients(ctx: Context, pool_id: str) -> list[AppClient]:
    found: list[AppClient] = []
    token: str | None = None
    while True:
        page, token = await clients.list_user_pool_clients(ctx, pool_id, 60, token)
        found.extend(page)
        if token is None:
            return found


# --------------------------------------------------------------------------- execute


async def _apply_pool(ctx: Context, plan: _PoolPlan) -> Result:
    action: Action
    if plan.existing is None:
        pool = await pools.create_user_pool(ctx, plan.name, plan.request, plan.tags)
        action = "created"
    elif plan.changed:
        pool = await pools.update_user_pool(ctx, plan.existing.id, plan.request, tags=plan.tags)
        action = "updated"
    else:
        pool, action = plan.existing, "unchanged"
    result = Result("pool", pool.name, pool.id, action, list(plan.changed))
    for client in plan.clients:
        result.children.append(await _apply_client(ctx, pool.id, client))
    if plan.domain is not None:
        result.children.append(await _apply_domain(ctx, pool.id, plan.domain))
    for group in plan.groups:
        result.children.append(await _apply_group(ctx, pool.id, group))
    for user in plan.users:
        result.children.append(await _apply_user(ctx, pool, user))
    return result


async def _apply_client(ctx: Context, pool_id: str, plan: _ClientPlan) -> Result:
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


async def _apply_domain(ctx: Context, pool_id: str, plan: _DomainPlan) -> Result:
    if plan.exists:
        return Result("domain", plan.domain, plan.domain, "unchanged")
    record = await domains.create_user_pool_domain(ctx, pool_id, plan.domain, plan.request)
    return Result("domain", record.domain, record.domain, "created")


async def _apply_group(ctx: Context, pool_id: str, plan: _GroupPlan) -> Result:
    members = {attribute: plan.request.get(member) for member, attribute in _GROUP_MEMBERS.items()}
    if plan.existing is None:
        group = await groups.create_group(ctx, pool_id, plan.name, **members)
        return Result("group", group.name, group.name, "created")
    if plan.changed:
        await groups.update_group(ctx, pool_id, plan.name, **members)
        return Result("group", plan.name, plan.name, "updated", list(plan.changed))
    return Result("group", plan.name, plan.name, "unchanged")


async def _apply_user(ctx: Context, pool: UserPool, plan: _UserPlan) -> Result:
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


# --------------------------------------------------------------------------- helpers


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _label(kind: str, name: Any, index: int) -> str:
    if isinstance(name, str) and name:
        return f"{kind} {name!r}"
    return f"{kind} #{index + 1}"


def _normal(value: Any) -> Any:
    """``value`` as it reads back from the store (JSON), so comparisons see through
    tuple/list and similar representation differences."""
    return orjson.loads(orjson.dumps(value))


def _differences(current: Settings, desired: Settings) -> list[str]:
    before, after = _normal(current), _normal(desired)
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."
