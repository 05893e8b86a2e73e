"""Input validation against the service model, worded like AWS's Coral front end.

``validate_request`` checks a JSON-decoded request body against an operation's
input shape and raises what Cognito answers for the same body:

* ``SerializationException`` when a value has the wrong JSON type. AWS
  deserializes before it validates, so this wins over constraint violations and
  stops at the first offender (in request order). Messages mimic Coral's
  deserializer, e.g. ``STRING_VALUE can not be converted to an Integer``,
  ``Start of structure or map found where not expected``, ``Start of list found
  where not expected``, ``Unexpected field type``.
* ``InvalidParameterException`` carrying every constraint violation::

      2 validation errors detected: Value 'x' at 'a' failed to satisfy
      constraint: ...; Value null at 'b' failed to satisfy constraint: Member
      must not be null

Message conventions, taken from AWS responses seen in the wild where noted:

* Paths are member names with the first letter lower-cased, joined by dots:
  ``policies.passwordPolicy.minimumLength``. List elements that are structures,
  lists or maps are addressed as ``<list>.<n>.member`` (1-based, as AWS does:
  ``userAttributes.1.member.name``), map values of those kinds as
  ``<map>.<key>.member`` (as DynamoDB's ``requestItems.<table>.member.keys``).
* Values are rendered the way Java's ``toString`` would, in single quotes:
  ``'abc'``, ``'7'`` (AWS quotes numbers too: ``Value '0' at 'maxResults'``),
  ``'true'``, ``'[A, B]'``, ``'{k=v}'``; an absent value is ``null`` without
  quotes. A value whose shape is sensitive, or contains a sensitive shape
  (``userAttributes`` holds sensitive values), is never rendered:
  ``Value at 'password' failed ...`` (Cognito's own wording). A missing required
  member still reads ``Value null at 'password'``: null reveals nothing.
* One value breaking several constraints yields one error per constraint, in
  the order max length, min length, pattern, enum (max value, min value for
  numbers), matching Cognito's ``length ...; pattern ...`` for passwords.
* Scalar elements of a list are reported once for the whole list:
  ``Value '[FOO]' at 'explicitAuthFlows' failed to satisfy constraint: Member
  must satisfy constraint: [Member must satisfy enum value set: [...]]``. As in
  AWS, the bracket lists all of the element shape's constraints, not only the
  broken ones, plus ``Member must not be null`` when an element is null. Maps
  likewise report ``Map keys must satisfy constraint: [...]`` and then
  ``Map value must satisfy constraint: [...]``.
* Missing required members and member violations are listed in model order.
  (AWS's order is not documented; model order is stable and readable.)
* Collection sizes use AWS's wording ``Member must have length ...``.
* Every violation is reported, as AWS does.

Types follow the JSON tokens: integers must be JSON integers (not booleans, not
decimals) within 32 bits (64 for ``long``), timestamps are numbers or ISO 8601
strings, blobs are padded base64 strings whose decoded size is checked.

Patterns are Java regular expressions matched against the whole value. They are
compiled with the ``regex`` module (for ``\\p{L}`` and friends) after rewriting
``\\w``, ``\\d``, ``\\s`` and their negations to the ASCII-only classes they mean
in Java, so ``[\\w\\s+=,.@-]+`` rejects ``Café`` as Java (and so AWS) would, while
``[\\p{L}]+`` accepts it. Matching a value longer than 256 characters has a time
budget; a value that exhausts it counts as not matching (see ``pattern_matcher``).

Every shape is compiled once into a closure (cached per model and shape name), so
a request costs a walk over the members it actually contains.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from poolgate.awsjson.model import Operation, ServiceModel
from poolgate.awsjson.validation_scalars import (
    NOT_NULL,
    Check,
    Scalar,
    blob_scalar,
    bracket,
    check_boolean,
    check_timestamp,
    container_mismatch,
    integer_scalar,
    message,
    null_message,
    range_violations,
    string_scalar,
)
from poolgate.core.errors import InvalidParameterException

__all__ = ["validate_request"]


def validate_request(model: ServiceModel, operation: Operation, params: object) -> None:
    """Raise if ``params`` (a decoded JSON body) does not fit the operation's input."""
    check = _compiler(model).root(operation.input_shape)
    errors: list[str] = []
    check(params, "", errors)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise InvalidParameterException(f"{count} validation {noun} detected: " + "; ".join(errors))


# ------------------------------------------------------------------------- compiler


def _accept_anything(value: Any, path: str, errors: list[str]) -> None:
    return None


def _member_path(parent: str, local: str) -> str:
    return f"{parent}.{local}" if parent else local


class _Compiler:
    """Builds and caches one Check per shape name of one model."""

    def __init__(self, shapes: dict[str, dict[str, Any]]) -> None:
        self._shapes = shapes
        self._checks: dict[str, Check] = {}
        self._scalars: dict[str, Scalar] = {}
        self._hidden: dict[str, bool] = {}
        self._roots: dict[str | None, Check] = {}
        # Reentrant because building a shape builds its members; the lock keeps a
        # half-built recursive placeholder from escaping to another thread.
        self._lock = threading.RLock()

    def root(self, shape_name: str | None) -> Check:
        found = self._roots.get(shape_name)
        if found is not None:
            return found
        with self._lock:
            if shape_name is None:
                built = self._structure({"type": "structure", "members": {}})
            else:
                built = self.check(shape_name)
            self._roots[shape_name] = built
            return built

    def check(self, name: str) -> Check:
        found = self._checks.get(name)
        if found is not None:
            return found
        # A placeholder lets recursive shapes refer to themselves while being built.
        cell: list[Check] = []

        def forward(value: Any, path: str, errors: list[str]) -> None:
            cell[0](value, path, errors)

        self._checks[name] = forward
        built = self._build(name)
        cell.append(built)
        self._checks[name] = built
        return built

    # -- helpers ---------------------------------------------------------------------

    def _is_scalar(self, name: str) -> bool:
        shape = self._shapes[name]
        return not shape.get("document") and shape["type"] not in ("structure", "list", "map")

    def _is_hidden(self, name: str, visiting: frozenset[str] = frozenset()) -> bool:
        """Whether rendering a value of this shape could reveal a sensitive value."""
        known = self._hidden.get(name)
        if known is not None:
            return known
        if name in visiting:
            return False
        shape = self._shapes[name]
        inner = [ref["shape"] for ref in shape.get("members", {}).values()]
        inner += [shape[part]["shape"] for part in ("member", "key", "value") if part in shape]
        nested = visiting | {name}
        hidden = bool(shape.get("sensitive")) or any(self._is_hidden(n, nested) for n in inner)
        if not visiting:
            self._hidden[name] = hidden
        return hidden

    def _scalar(self, name: str) -> Scalar:
        found = self._scalars.get(name)
        if found is not None:
            return found
        shape = self._shapes[name]
        kind = shape["type"]
        if kind == "string":
            scalar = string_scalar(shape)
        elif kind in ("integer", "long"):
            scalar = integer_scalar(shape, long=kind == "long")
        elif kind == "boolean":
            scalar = Scalar(check_boolean, None, ())
        elif kind == "timestamp":
            scalar = Scalar(check_timestamp, None, ())
        elif kind == "blob":
            scalar = blob_scalar(shape)
        else:
            raise ValueError(f"shape {name} has unsupported type {kind!r}")
        self._scalars[name] = scalar
        return scalar

    # -- builders --------------------------------------------------------------------

    def _build(self, name: str) -> Check:
        shape = self._shapes[name]
        if shape.get("document"):
            return _accept_anything
        kind = shape["type"]
        if kind == "structure":
            return self._structure(shape)
        if kind == "list":
            return self._list(name, shape)
        if kind == "map":
            return self._map(name, shape)
        return self._scalar_check(name)

    def _scalar_check(self, name: str) -> Check:
        scalar = self._scalar(name)
        typecheck = scalar.typecheck
        violations = scalar.violations
        hidden = self._is_hidden(name)

        if violations is None:

            def check_type(value: Any, path: str, errors: list[str]) -> None:
                typecheck(value)

            return check_type

        found_in = violations

        def check(value: Any, path: str, errors: list[str]) -> None:
            typecheck(value)
            found = found_in(value)
            if found:
                errors.extend(message(value, path, hidden, rule) for rule in found)

        return check

    def _structure(self, shape: dict[str, Any]) -> Check:
        required = set(shape.get("required", ()))
        members: dict[str, tuple[str, Check, bool]] = {
            key: (key[:1].lower() + key[1:], self.check(ref["shape"]), key in required)
            for key, ref in shape["members"].items()
        }
        required_keys = tuple(key for key in members if key in required)

        def check(value: Any, path: str, errors: list[str]) -> None:
            if not isinstance(value, dict):
                raise container_mismatch(value)
            start = len(errors)
            # Fast pass: visit only what the client sent (usually a handful of members)
            # and in request order, which is also the order AWS deserializes in.
            absent = None
            for key, item in value.items():
                entry = members.get(key)
                if item is None:
                    # JSON null is an absent member, as AWS's deserializer reads it;
                    # dropped so that handlers never meet a None they did not expect.
                    absent = [*(absent or []), key]
                    continue
                if entry is None:
                    continue
                entry[1](item, _member_path(path, entry[0]), errors)
            for key in absent or ():
                del value[key]
            missing = False
            for key in required_keys:
                if value.get(key) is None:
                    missing = True
                    break
            if not missing and len(errors) == start:
                return
            # Failure path only: redo in model order so messages list the way AWS's
            # generated validators walk members. Types were already accepted above.
            del errors[start:]
            for key, (local, member_check, is_required) in members.items():
                item = value.get(key)
                if item is None:
                    if is_required:
                        errors.append(null_message(_member_path(path, local)))
                    continue
                member_check(item, _member_path(path, local), errors)

        return check

    def _list(self, name: str, shape: dict[str, Any]) -> Check:
        member_name: str = shape["member"]["shape"]
        hidden = self._is_hidden(name)
        size_rules, _ = range_violations(shape.get("max"), shape.get("min"), "length")

        if self._is_scalar(member_name):
            element = self._scalar(member_name)
            typecheck = element.typecheck
            violations = element.violations
            broken = bracket("Member", element.described)
            broken_or_null = bracket("Member", (*element.described, NOT_NULL))

            def check_scalars(value: Any, path: str, errors: list[str]) -> None:
                if not isinstance(value, list):
                    raise container_mismatch(value)
                if size_rules is not None:
                    for rule in size_rules(len(value)):
                        errors.append(message(value, path, hidden, rule))
                bad = null = False
                for item in value:
                    if item is None:
                        null = True
                        continue
                    typecheck(item)
                    if violations is not None and violations(item):
                        bad = True
                if null:
                    errors.append(message(value, path, hidden, broken_or_null))
                elif bad:
                    errors.append(message(value, path, hidden, broken))

            return check_scalars

        member_check = self.check(member_name)

        def check_nested(value: Any, path: str, errors: list[str]) -> None:
            if not isinstance(value, list):
                raise container_mismatch(value)
            if size_rules is not None:
                for rule in size_rules(len(value)):
                    errors.append(message(value, path, hidden, rule))
            for index, item in enumerate(value, 1):
                item_path = f"{path}.{index}.member"
                if item is None:
                    errors.append(null_message(item_path))
                else:
                    member_check(item, item_path, errors)

        return check_nested

    def _map(self, name: str, shape: dict[str, Any]) -> Check:
        key_name: str = shape["key"]["shape"]
        value_name: str = shape["value"]["shape"]
        hidden = self._is_hidden(name)
        size_rules, _ = range_violations(shape.get("max"), shape.get("min"), "length")
        key_scalar = self._scalar(key_name)
        key_violations = key_scalar.violations
        keys_broken = bracket("Map keys", key_scalar.described)

        value_scalar = self._scalar(value_name) if self._is_scalar(value_name) else None
        value_check = None if value_scalar is not None else self.check(value_name)
        value_described = value_scalar.described if value_scalar is not None else ()
        values_broken = bracket("Map value", value_described)

        def check(value: Any, path: str, errors: list[str]) -> None:
            if not isinstance(value, dict):
                raise container_mismatch(value)
            if size_rules is not None:
                for rule in size_rules(len(value)):
                    errors.append(message(value, path, hidden, rule))
            bad_key = bad_value = False
            nested: list[str] = []
            absent: list[str] = []
            for key, item in value.items():
                # JSON object keys are always strings, so keys need no type check.
                if key_violations is not None and key_violations(key):
                    bad_key = True
                if value_check is not None:
                    item_path = f"{path}.{key}.member"
                    if item is None:
                        nested.append(null_message(item_path))
                    else:
                        value_check(item, item_path, nested)
                elif item is None:
                    # Browser SDKs send {"DEVICE_KEY": null} in AuthParameters when no
                    # device is remembered (amazon-cognito-identity-js refreshSession);
                    # Cognito takes a null string value as absent, and so do we.
                    absent.append(key)
                else:
                    assert value_scalar is not None
                    value_scalar.typecheck(item)
                    if value_scalar.violations is not None and value_scalar.violations(item):
                        bad_value = True
            for key in absent:
                del value[key]
            if bad_key:
                errors.append(message(value, path, hidden, keys_broken))
            if bad_value:
                errors.append(message(value, path, hidden, values_broken))
            errors.extend(nested)

        return check


@functools.cache
def _compiler(model: ServiceModel) -> _Compiler:
    return _Compiler(model.shapes)
