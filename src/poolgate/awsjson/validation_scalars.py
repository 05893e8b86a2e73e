"""The leaves of request validation (see ``validation``): scalar checks for strings, numbers,
booleans, timestamps and blobs, Java patterns, and values rendered the way Coral
renders them in its messages."""

from __future__ import annotations

import binascii
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import regex

from poolgate.core.errors import SerializationException

# (value, path, errors): appends constraint messages, raises SerializationException.
Check = Callable[[Any, str, list[str]], None]
# Constraint messages a well-typed scalar value breaks; empty when it is valid.
Violations = Callable[[Any], Sequence[str]]
TypeCheck = Callable[[Any], None]

NOT_NULL = "Member must not be null"
_NONE: tuple[str, ...] = ()
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)

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


def message(value: object, path: str, hidden: bool, constraint: str) -> str:
    if hidden:
        return f"Value at '{path}' failed to satisfy constraint: {constraint}"
    rendered = "null" if value is None else "'" + _java_text(value) + "'"
    return f"Value {rendered} at '{path}' failed to satisfy constraint: {constraint}"


def null_message(path: str) -> str:
    return f"Value null at '{path}' failed to satisfy constraint: {NOT_NULL}"


def bracket(prefix: str, constraints: Sequence[str]) -> str:
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


def container_mismatch(value: object) -> SerializationException:
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
def pattern_matcher(pattern: str) -> Callable[[str], bool]:
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
class Scalar:
    typecheck: TypeCheck
    violations: Violations | None  # None: the shape has no constraints at all
    described: tuple[str, ...]  # every constraint, for the bracketed list forms


def string_scalar(shape: dict[str, Any]) -> Scalar:
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
        return Scalar(typecheck, None, ())

    upper = max_len if max_len is not None else -1
    lower = min_len if min_len is not None else 0
    matches = pattern_matcher(raw_pattern) if raw_pattern is not None else None
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

    return Scalar(typecheck, violations, tuple(described))


def range_violations(
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


def integer_scalar(shape: dict[str, Any], long: bool) -> Scalar:
    low, high = _INT64 if long else _INT32
    target, java_class = (
        ("a Long", "java.lang.Long") if long else ("an Integer", "java.lang.Integer")
    )

    def typecheck(value: Any) -> None:
        # bool is an int subclass in Python but a distinct JSON token.
        if type(value) is not int or not low <= value <= high:
            raise _scalar_mismatch(value, target, java_class)

    violations, described = range_violations(shape.get("max"), shape.get("min"), "value")
    return Scalar(typecheck, violations, described)


def check_boolean(value: Any) -> None:
    if not isinstance(value, bool):
        raise _scalar_mismatch(value, "a Boolean", "java.lang.Boolean")


def check_timestamp(value: Any) -> None:
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


def blob_scalar(shape: dict[str, Any]) -> Scalar:
    size_violations, described = range_violations(shape.get("max"), shape.get("min"), "length")
    if size_violations is None:
        return Scalar(_check_base64, None, ())
    sized = size_violations

    def violations(value: Any) -> Sequence[str]:
        decoded = len(value) // 4 * 3 - value[-2:].count("=")
        return sized(decoded)

    return Scalar(_check_base64, violations, described)
