"""Readers of the gateway configuration's values: each checks one key of a section
(a string, a number, a list of strings...) and reports a problem in the section's
words instead of raising, so one pass finds every mistake."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from poolgate.suggest import did_you_mean


def is_tables(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def label_of(kind: str, name: Any, index: int) -> str:
    if isinstance(name, str) and name:
        return f"{kind} {name!r}"
    return f"{kind} #{index + 1}"


def unknown_keys(
    section: dict[str, Any], known: tuple[str, ...], label: str, problems: list[str]
) -> None:
    for key in section:
        if key not in known:
            problems.append(f"{label}: unknown setting {key!r}{did_you_mean(key, known)}")


def required_str(section: dict[str, Any], key: str, label: str, problems: list[str]) -> str | None:
    if key not in section:
        problems.append(f"{label}: {key} is required")
        return None
    return optional_str(section, key, label, problems)


def optional_str(section: dict[str, Any], key: str, label: str, problems: list[str]) -> str | None:
    value = section.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        problems.append(f"{label}: {key} must be a non-empty string, got {value!r}")
        return None
    return value


def choice(
    section: dict[str, Any],
    key: str,
    allowed: tuple[str, ...],
    default: str | None,
    label: str,
    problems: list[str],
) -> str | None:
    value = section.get(key, default)
    if value is None:
        problems.append(f"{label}: {key} is required ({' or '.join(allowed)})")
        return None
    if value not in allowed:
        problems.append(f"{label}: {key} must be {' or '.join(allowed)}, got {value!r}")
        return None
    return str(value)


def number(
    section: dict[str, Any], key: str, default: float, label: str, problems: list[str]
) -> float | None:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{label}: {key} must be a number, got {value!r}")
        return None
    return float(value)


def integer(
    section: dict[str, Any], key: str, default: int | None, label: str, problems: list[str]
) -> int | None:
    value = section.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{label}: {key} must be an integer, got {value!r}")
        return None
    return value


def boolean(
    section: dict[str, Any], key: str, default: bool, label: str, problems: list[str]
) -> bool | None:
    value = section.get(key, default)
    if not isinstance(value, bool):
        problems.append(f"{label}: {key} must be true or false, got {value!r}")
        return None
    return value


def string_list(
    section: dict[str, Any], key: str, label: str, problems: list[str]
) -> list[str] | None:
    value = section.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.append(f"{label}: {key} must be an array of strings, got {value!r}")
        return None
    return list(value)


def string_table(
    section: dict[str, Any], key: str, label: str, problems: list[str]
) -> dict[str, str] | None:
    value = section.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        problems.append(f"{label}: {key} must be a table of strings, got {value!r}")
        return None
    return dict(value)
