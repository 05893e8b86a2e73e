"""An in-process cache of configuration records (pools, clients).

Every token check and sign-in reads its pool and client; they change rarely. A
process drops its own entry whenever it writes one; the store empties the cache when
another process or node changed configuration (``SqlBase._fresh_cache``), and ``ttl``
bounds how stale an entry can get if that signal is ever missed.
"""

from __future__ import annotations

import time
from typing import Any

_MISSING = object()


class RecordCache:
    def __init__(self, ttl: float = 5.0, max_entries: int = 10_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[tuple[str, str], tuple[float, Any]] = {}
        # The configuration counter the entries were read under (SQLite).
        self.version: int | None = None
        # PostgreSQL: False while the process's LISTEN session is lost, when a change
        # made elsewhere would go unheard; the store then reads through the cache.
        self.subscribed = True

    def get(self, kind: str, key: str) -> Any:
        """The cached value, or ``MISSING``."""
        entry = self._entries.get((kind, key))
        if entry is None or entry[0] < time.monotonic():
            return _MISSING
        return entry[1]

    def put(self, kind: str, key: str, value: Any) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[(kind, key)] = (time.monotonic() + self.ttl, value)

    def drop(self, kind: str, key: str) -> None:
        self._entries.pop((kind, key), None)

    def clear(self) -> None:
        self._entries.clear()


MISSING = _MISSING
