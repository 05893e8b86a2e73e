"""Small helpers the other modules share: reading the file's sections, naming a
resource in a message, and comparing settings as the store holds them."""

from __future__ import annotations

import json
from typing import Any

import orjson

from poolgate.core.records import Settings
from poolgate.gateway.config_values import is_tables, label_of

__all__ = ["differences", "is_tables", "label_of", "normal", "show"]


def normal(value: Any) -> Any:
    """``value`` as it reads back from the store (JSON), so comparisons see through
    tuple/list and similar representation differences."""
    return orjson.loads(orjson.dumps(value))


def differences(current: Settings, desired: Settings) -> list[str]:
    before, after = normal(current), normal(desired)
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."
