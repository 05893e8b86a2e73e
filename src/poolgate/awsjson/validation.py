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
budget; a value that exhausts it counts as not matching (see ``_pattern_matcher``).

Every shape is compiled once into a closure (cached per model and shape name), so
a request costs a walk over the members it actually contains.
"""

from __future__ import annotations

import binascii
import functools
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import regex

from poolgate.awsjson.model import Operation, ServiceModel
from poolgate.core.errors import InvalidParameterException, SerializationException

__all__ = ["validate_request"]

# (value, path, errors): appends constraint messages, raises SerializationException.
Check = Callable[[Any, str, list[str]], None]
# Constraint messages a well-typed scalar value breaks; empty when it is valid.
Violations = Callable[[Any], Sequence[str]]
TypeCheck = Callable[[Any], None]

_NOT_NULL = "Member must not be null"
_NONE: tuple[str, ...] = ()
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


def validate_request(model: ServiceModel, operation: Operation, params: object) -> None:
    """Raise if ``params`` (a decoded JSON body) does not fit the operation's input."""
    check = _compiler(model).root(operation.input_shape)
    errors: list[str] = []
    check(params, "", errors)
    if errors:
        count = len(errors)
        noun = "error" if count == 1 else "errors"
        raise InvalidParameterException(f"{count} validation {noun} detected: " + "; ".join(errors))


# --------------------------------------------------------------------------- rendering


# Rendering walks client-supplied nesting (e.g. unknown members inside list elements);
# deeper than any model shape goes, the rest is elided instead of recursing further.
_RENDER_DEPTH = 32


def _java_text(value: object, depth: int = 0) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (list, dict)) and depth >= _RENDER_DEPTH:
        return "..."
    if isinstance(value, list):
        return "[" + ", ".join(_java_text(item, depth + 1) for item in value) + "]"
    if isinstance(value, dict):
        inner = ", ".join(f"{k}={_java_text(v, depth + 1)}" for k, v in value.items())
        return "{" + inner + "}"
    return str(value)


def _message(value: object, path: str, hidden: bool, constraint: str) -> str:
    if hidden:
        return f"Value at '{path}' failed to satisfy constraint: {constraint}"
    rendered = "null" if value is None else "'" + _java_text(value) + "'"
    return f"Value {rendered} at '{path}' failed to satisfy constraint: {constraint}"


def _null_message(path: str) -> str:
    return f"Value null at '{path}' failed to satisfy constraint: {_NOT_NULL}"


def _bracket(prefix: str, constraints: Sequence[str]) -> str:
    return f"{prefix} must satisfy constraint: [" + ", ".join(constraints) + "]"


# ------------------------------------------------------------------ serialization errors


def _token(value: object) -> str:
    if value is True:
        return "TRUE_VALUE"
    if value is False:
        return "FALSE_VALUE"
    if isinstance(value, int):
        return "NUMBER_VALUE"
    if isinstance(value, float):
        return "DECIMAL_VALUE"
    return "STRING_VALUE"


def _scalar_mismatch(value: object, target: str, java_class: str) -> SerializationException:
    if isinstance(value, dict):
        return SerializationException("Start of structure or map found where not expected")
    if isinstance(value, list):
        return SerializationException(f"Unrecognized collection type class {java_class}")
    return SerializationException(f"{_token(value)} can not be converted to {target}")


def _container_mismatch(value: object) -> SerializationException:
    if isinstance(value, dict):
        return SerializationException("Start of structure or map found where not expected")
    if isinstance(value, list):
        return SerializationException("Start of list found where not expected")
    return SerializationException("Unexpected field type")


# ------------------------------------------------------------------------- patterns

# What Java's predefined classes mean without UNICODE_CHARACTER_CLASS, written as
# class contents so they work both inside and outside brackets.
_JAVA_CLASSES = {
    "w": "a-zA-Z0-9_",
    "W": "\\x00-\\x2F\\x3A-\\x40\\x5B-\\x5E\\x60\\x7B-\\U0010FFFF",
    "d": "0-9",
    "D": "\\x00-\\x2F\\x3A-\\U0010FFFF",
    "s": " \\t\\n\\x0B\\f\\r",
    "S": "\\x00-\\x08\\x0E-\\x1F\\x21-\\U0010FFFF",
}


def _java_to_regex(pattern: str) -> str:
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            replacement = _JAVA_CLASSES.get(escaped)
            if replacement is None:
                out.append(pattern[i : i + 2])
            elif in_class:
                out.append(replacement)
            else:
                out.append("[" + replacement + "]")
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


# Matching time is only bounded for short values; longer ones (up to 20000 characters
# in the model, unbounded for e.g. EmailAddressType) can backtrack quadratically on
# patterns like ``[C]+@[C]+`` -- seconds of CPU for one hostile request.
_UNGUARDED_LENGTH = 256
_MATCH_TIMEOUT = 0.02
# A repeated group can backtrack exponentially even on short values.
_NESTED_REPEAT = regex.compile(r"\)[*+{]")
# One repeated character class (tokens, ``[A-Za-z0-9-_=.]+``) matches in linear time
# whatever its length, so it skips the timeout, which costs more than the match, and
# runs on the standard library's engine when it can: 3 us for an access token, where
# ``regex`` takes 21 us.
_ONE_CLASS = regex.compile(r"\[(?:\\.|[^\]\\])*\](?:[*+]|\{\d+(?:,\d*)?\})?")


@functools.cache
def _pattern_matcher(pattern: str) -> Callable[[str], bool]:
    """A whole-value matcher for a Java pattern, compiled once per pattern text.

    A match that exceeds the time budget counts as a mismatch: only contrived input
    gets near it, and failing it is safer than letting it pin a CPU.
    """
    translated = _java_to_regex(pattern)
    if _ONE_CLASS.fullmatch(pattern) is not None:
        try:
            linear = re.compile(translated).fullmatch
        except re.error:  # \p{...} classes: only ``regex`` knows them
            linear = regex.compile(translated).fullmatch
        return lambda value: linear(value) is not None
    fullmatch = regex.compile(translated).fullmatch
    always_guard = _NESTED_REPEAT.search(pattern) is not None

    def matches(value: str) -> bool:
        if len(value) <= _UNGUARDED_LENGTH and not always_guard:
            # The timeout argument costs ~1 us per call, double the match itself.
            return fullmatch(value) is not None
        try:
            return fullmatch(value, timeout=_MATCH_TIMEOUT) is not None
        except TimeoutError:
            return False

    return matches


# -------------------------------------------------------------------------- scalars


@dataclass(frozen=True, slots=True)
class _Scalar:
    typecheck: TypeCheck
    violations: Violations | None  # None: the shape has no constraints at all
    described: tuple[str, ...]  # every constraint, for the bracketed list forms


def _string_scalar(shape: dict[str, Any]) -> _Scalar:
    max_len: int | None = shape.get("max")
    min_len: int | None = shape.get("min")
    raw_pattern: str | None = shape.get("pattern")
    enum: list[str] | None = shape.get("enum")
    described: list[str] = []
    if max_len is not None:
        described.append(f"Member must have length less than or equal to {max_len}")
    if min_len is not None:
        described.append(f"Member must have length greater than or equal to {min_len}")
    if raw_pattern is not None:
        described.append(f"Member must satisfy regular expression pattern: {raw_pattern}")
    if enum is not None:
        described.append("Member must satisfy enum value set: [" + ", ".join(enum) + "]")

    def typecheck(value: Any) -> None:
        if not isinstance(value, str):
            raise _scalar_mismatch(value, "a String", "java.lang.String")

    if not described:
        return _Scalar(typecheck, None, ())

    upper = max_len if max_len is not None else -1
    lower = min_len if min_len is not None else 0
    matches = _pattern_matcher(raw_pattern) if raw_pattern is not None else None
    allowed = frozenset(enum) if enum is not None else None
    max_msg = f"Member must have length less than or equal to {max_len}"
    min_msg = f"Member must have length greater than or equal to {min_len}"
    pattern_msg = f"Member must satisfy regular expression pattern: {raw_pattern}"
    enum_msg = described[-1]

    def violations(value: Any) -> Sequence[str]:
        # Smithy defines string length in Unicode code points, which len() counts.
        size = len(value)
        length_bad = (upper >= 0 and size > upper) or size < lower
        pattern_bad = matches is not None and not matches(value)
        enum_bad = allowed is not None and value not in allowed
        if not (length_bad or pattern_bad or enum_bad):
            return _NONE
        found: list[str] = []
        if upper >= 0 and size > upper:
            found.append(max_msg)
        if size < lower:
            found.append(min_msg)
        if pattern_bad:
            found.append(pattern_msg)
        if enum_bad:
            found.append(enum_msg)
        return found

    return _Scalar(typecheck, violations, tuple(described))


def _range_violations(
    max_value: int | None, min_value: int | None, noun: str
) -> tuple[Violations | None, tuple[str, ...]]:
    described: list[str] = []
    if max_value is not None:
        described.append(f"Member must have {noun} less than or equal to {max_value}")
    if min_value is not None:
        described.append(f"Member must have {noun} greater than or equal to {min_value}")
    if not described:
        return None, ()
    max_msg = f"Member must have {noun} less than or equal to {max_value}"
    min_msg = f"Member must have {noun} greater than or equal to {min_value}"

    def violations(size: Any) -> Sequence[str]:
        too_big = max_value is not None and size > max_value
        too_small = min_value is not None and size < min_value
        if too_big:
            return (max_msg, min_msg) if too_small else (max_msg,)
        return (min_msg,) if too_small else _NONE

    return violations, tuple(described)


def _integer_scalar(shape: dict[str, Any], long: bool) -> _Scalar:
    low, high = _INT64 if long else _INT32
    target, java_class = (
        ("a Long", "java.lang.Long") if long else ("an Integer", "java.lang.Integer")
    )

    def typecheck(value: Any) -> None:
        # bool is an int subclass in Python but a distinct JSON token.
        if type(value) is not int or not low <= value <= high:
            raise _scalar_mismatch(value, target, java_class)

    violations, described = _range_violations(shape.get("max"), shape.get("min"), "value")
    return _Scalar(typecheck, violations, described)


def _check_boolean(value: Any) -> None:
    if not isinstance(value, bool):
        raise _scalar_mismatch(value, "a Boolean", "java.lang.Boolean")


def _check_timestamp(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _scalar_mismatch(value, "a Date", "java.util.Date")
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise SerializationException("STRING_VALUE can not be converted to a Date") from None


def _check_base64(value: Any) -> None:
    if not isinstance(value, str):
        if isinstance(value, (dict, list)):
            raise _scalar_mismatch(value, "bytes", "java.nio.ByteBuffer")
        raise SerializationException("only base-64-encoded strings are convertible to bytes")
    if len(value) % 4:
        raise SerializationException(
            f"Base64 encoded length is expected a multiple of 4 bytes but found: {len(value)}"
        )
    try:
        binascii.a2b_base64(value, strict_mode=True)
    except ValueError:
        raise SerializationException("Invalid Base64 character detected") from None


def _blob_scalar(shape: dict[str, Any]) -> _Scalar:
    size_violations, described = _range_violations(shape.get("max"), shape.get("min"), "length")
    if size_violations is None:
        return _Scalar(_check_base64, None, ())
    sized = size_violations

    def violations(value: Any) -> Sequence[str]:
        decoded = len(value) // 4 * 3 - value[-2:].count("=")
        return sized(decoded)

    return _Scalar(_check_base64, violations, described)


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
        self._scalars: dict[str, _Scalar] = {}
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

    def _scalar(self, name: str) -> _Scalar:
        found = self._scalars.get(name)
        if found is not None:
            return found
        shape = self._shapes[name]
        kind = shape["type"]
        if kind == "string":
            scalar = _string_scalar(shape)
        elif kind in ("integer", "long"):
            scalar = _integer_scalar(shape, long=kind == "long")
        elif kind == "boolean":
            scalar = _Scalar(_check_boolean, None, ())
        elif kind == "timestamp":
            scalar = _Scalar(_check_timestamp, None, ())
        elif kind == "blob":
            scalar = _blob_scalar(shape)
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
                errors.extend(_message(value, path, hidden, rule) for rule in found)

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
                raise _container_mismatch(value)
            start = len(errors)
            # Fast pass: visit only what the client sent (usually a handful of members)
            # and in request order, which is also the order AWS deserializes in.
            for key, item in value.items():
                entry = members.get(key)
                if entry is None or item is None:
                    continue
                entry[1](item, _member_path(path, entry[0]), errors)
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
                        errors.append(_null_message(_member_path(path, local)))
                    continue
                member_check(item, _member_path(path, local), errors)

        return check

    def _list(self, name: str, shape: dict[str, Any]) -> Check:
        member_name: str = shape["member"]["shape"]
        hidden = self._is_hidden(name)
        size_rules, _ = _range_violations(shape.get("max"), shape.get("min"), "length")

        if self._is_scalar(member_name):
            element = self._scalar(member_name)
            typecheck = element.typecheck
            violations = element.violations
            broken = _bracket("Member", element.described)
            broken_or_null = _bracket("Member", (*element.described, _NOT_NULL))

            def check_scalars(value: Any, path: str, errors: list[str]) -> None:
                if not isinstance(value, list):
                    raise _container_mismatch(value)
                if size_rules is not None:
                    for rule in size_rules(len(value)):
                        errors.append(_message(value, path, hidden, rule))
                bad = null = False
                for item in value:
                    if item is None:
                        null = True
                        continue
                    typecheck(item)
                    if violations is not None and violations(item):
                        bad = True
                if null:
                    errors.append(_message(value, path, hidden, broken_or_null))
                elif bad:
                    errors.append(_message(value, path, hidden, broken))

            return check_scalars

        member_check = self.check(member_name)

        def check_nested(value: Any, path: str, errors: list[str]) -> None:
            if not isinstance(value, list):
                raise _container_mismatch(value)
            if size_rules is not None:
                for rule in size_rules(len(value)):
                    errors.append(_message(value, path, hidden, rule))
            for index, item in enumerate(value, 1):
                item_path = f"{path}.{index}.member"
                if item is None:
                    errors.append(_null_message(item_path))
                else:
                    member_check(item, item_path, errors)

        return check_nested

    def _map(self, name: str, shape: dict[str, Any]) -> Check:
        key_name: str = shape["key"]["shape"]
        value_name: str = shape["value"]["shape"]
        hidden = self._is_hidden(name)
        size_rules, _ = _range_violations(shape.get("max"), shape.get("min"), "length")
        key_scalar = self._scalar(key_name)
        key_violations = key_scalar.violations
        keys_broken = _bracket("Map keys", key_scalar.described)

        value_scalar = self._scalar(value_name) if self._is_scalar(value_name) else None
        value_check = None if value_scalar is not None else self.check(value_name)
        value_described = value_scalar.described if value_scalar is not None else ()
        values_broken = _bracket("Map value", value_described)

        def check(value: Any, path: str, errors: list[str]) -> None:
            if not isinstance(value, dict):
                raise _container_mismatch(value)
            if size_rules is not None:
                for rule in size_rules(len(value)):
                    errors.append(_message(value, path, hidden, rule))
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
                        nested.append(_null_message(item_path))
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
                errors.append(_message(value, path, hidden, keys_broken))
            if bad_value:
                errors.append(_message(value, path, hidden, values_broken))
            errors.extend(nested)

        return check


@functools.cache
def _compiler(model: ServiceModel) -> _Compiler:
    return _Compiler(model.shapes)
