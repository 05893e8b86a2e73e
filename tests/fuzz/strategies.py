"""Hypothesis strategies for request bodies, built from botocore's shapes: mostly
well-formed (the right JSON types, lengths near the model's bounds, enum values, the
ids of a real pool, client and user so requests get past the lookups), sometimes
wrong (a value of another JSON type, a null, a member missing), always bounded in size.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

# Values a fuzzed request may carry for members that name things, so that some
# requests reach the code past "does not exist".
Known = Mapping[str, list[Any]]

_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=24
) | st.sampled_from(["", " ", "a", "0", "-1", "true", "x" * 200, "é", "\u0000", "../", "%00"])
_ANY_JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=6,
)


class Shapes:
    def __init__(self, shapes: dict[str, dict[str, Any]], known: Known) -> None:
        self.shapes = shapes
        self.known = known
        self._cache: dict[tuple[str, int], st.SearchStrategy[Any]] = {}

    def request(self, shape_name: str | None) -> st.SearchStrategy[Any]:
        if shape_name is None:
            return st.just({})
        shaped = self.value(shape_name, 0)
        return weighted(
            (85, shaped),
            (7, shaped.flatmap(_drop_a_member)),
            (4, st.dictionaries(_TEXT, _ANY_JSON, max_size=3)),
            (4, _ANY_JSON),
        )

    def value(self, name: str, depth: int) -> st.SearchStrategy[Any]:
        key = (name, depth)
        if key not in self._cache:
            self._cache[key] = self._build(name, depth)
        return self._cache[key]

    def _build(self, name: str, depth: int) -> st.SearchStrategy[Any]:
        shape = self.shapes[name]
        kind = shape["type"]
        if shape.get("document"):
            return _ANY_JSON
        if kind == "structure":
            if depth > 3:
                return st.just({})
            members = shape.get("members", {})
            required = set(shape.get("required", ()))

            def member(member_name: str, ref: dict[str, Any]) -> st.SearchStrategy[Any]:
                typed = self.value(ref["shape"], depth + 1)
                known = self.known.get(member_name)
                if known:
                    typed = weighted((75, st.sampled_from(known)), (25, typed))
                # Now and then a value of any JSON type: a little goes a long way, as one
                # wrong member stops the whole request at deserialization.
                return weighted((97, typed), (3, _ANY_JSON))

            return st.fixed_dictionaries(
                {m: member(m, ref) for m, ref in members.items() if m in required},
                optional={m: member(m, ref) for m, ref in members.items() if m not in required},
            )
        if kind == "list":
            if depth > 3:
                return st.just([])
            return st.lists(self.value(shape["member"]["shape"], depth + 1), max_size=3)
        if kind == "map":
            if depth > 3:
                return st.just({})
            keys = self.value(shape["key"]["shape"], depth + 1).filter(lambda k: isinstance(k, str))
            return st.dictionaries(keys, self.value(shape["value"]["shape"], depth + 1), max_size=3)
        if kind == "string":
            if "enum" in shape:
                return weighted((90, st.sampled_from(shape["enum"])), (10, _TEXT))
            low, high = int(shape.get("min", 0)), min(int(shape.get("max", 64)), 256)
            sized = st.text(
                alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                min_size=min(low, high),
                max_size=high,
            )
            plain = st.text(
                alphabet="abcdefghijkmnopqrstuvwxyz0123456789_-",
                min_size=low,
                max_size=max(low, min(high, 40)),
            )
            matching = _matching(shape.get("pattern"), low, high)
            if matching is None:
                return weighted((80, plain), (10, sized), (10, _TEXT))
            return weighted((80, matching), (10, plain), (5, sized), (5, _TEXT))
        if kind in ("integer", "long"):
            low = int(shape.get("min", -(2**31)))
            high = int(shape.get("max", 2**31 - 1))
            return st.integers(low, high) | st.integers(low - 3, low) | st.integers(high, high + 3)
        if kind == "boolean":
            return st.booleans()
        if kind == "timestamp":
            return st.integers(0, 2**33) | st.just("2026-01-01T00:00:00Z")
        if kind == "blob":
            return st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode()) | _TEXT
        if kind in ("double", "float"):
            return st.floats(allow_nan=False, allow_infinity=False)
        return _ANY_JSON


def weighted(*choices: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of ``choices``, each drawn in proportion to its weight (``st.one_of`` would
    draw them evenly, and folds repeated strategies into one)."""
    table = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.integers(0, len(table) - 1).flatmap(lambda index: table[index])


def _matching(pattern: str | None, low: int, high: int) -> st.SearchStrategy[str] | None:
    """Strings the model's (Java) pattern accepts, where Python's ``re`` can read it:
    Unicode property classes (``\\p{L}``...) are narrowed to ASCII letters and digits."""
    if not pattern:
        return None
    python = re.sub(r"\\p\{\w+\}", "a-zA-Z0-9", pattern)
    try:
        re.compile(python)
    except re.error:
        return None
    return st.from_regex(python, fullmatch=True, alphabet=st.characters(codec="ascii")).filter(
        lambda text: low <= len(text) <= max(high, low)
    )


def _drop_a_member(value: Any) -> st.SearchStrategy[Any]:
    if not isinstance(value, dict) or not value:
        return st.just(value)
    return st.sampled_from(sorted(value)).map(lambda k: {m: v for m, v in value.items() if m != k})
