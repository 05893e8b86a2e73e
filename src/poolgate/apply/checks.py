"""Checks of a section against botocore's model of the Cognito operation it feeds:
unknown keys and wrong types by their path in the file, then the model's constraints.

The kind modules (``pools``, ``clients``...) call ``check_members`` with the members
their section gives; nothing here looks at the store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from poolgate.apply.values import is_tables, label_of, show
from poolgate.awsjson.model import ServiceModel, service_model
from poolgate.awsjson.validation import validate_request
from poolgate.core.errors import CognitoError
from poolgate.suggest import did_you_mean

# Ids apply fills in itself; a file that sets one is mistaken about what it manages.
_SET_BY_APPLY = ("UserPoolId",)
# Only satisfies the model's required UserPoolId while a section is checked.
PLACEHOLDER_POOL_ID = "us-east-1_placeholder"
PLACEHOLDER_USERNAME = "placeholder"


def check_named_sections(
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
    if not is_tables(found):
        problems.append(f"{pool_label}: '{key}' must be an array of tables: write [[pools.{key}]]")
        return
    seen: set[str] = set()
    for index, item in enumerate(found):
        name = item.get(name_key)
        item_label = f"{label_of(kind, name, index)} of {pool_label}"
        if isinstance(name, str):
            if name in seen:
                problems.append(f"{item_label}: the file declares this {kind} twice")
            seen.add(name)
        check_one(item, item_label, problems)


def check_members(
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
            return [f"{where} must be a table, got {show(value)}"]
        problems: list[str] = []
        members = shape["members"]
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            ref = members.get(key)
            if ref is None:
                hint = did_you_mean(key, [*members, *nesting])
                problems.append(f"unknown setting {child!r}{hint}")
            else:
                problems.extend(_shape_problems(model, ref["shape"], item, child))
        return problems
    if kind == "list":
        if not isinstance(value, list):
            return [f"{where} must be an array, got {show(value)}"]
        member = shape["member"]["shape"]
        return [
            problem
            for index, item in enumerate(value)
            for problem in _shape_problems(model, member, item, f"{path}[{index}]")
        ]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{where} must be a table, got {show(value)}"]
        inner = shape["value"]["shape"]
        return [
            problem
            for key, item in value.items()
            for problem in _shape_problems(model, inner, item, f"{path}.{key}")
        ]
    expected = _SCALAR_TYPES.get(kind)
    if expected is not None and not expected[1](value):
        # A password's value stays out of the message, as in Cognito's own.
        shown = "a value of another type" if shape.get("sensitive") else show(value)
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
