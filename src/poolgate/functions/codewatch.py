"""Noticing that a function's code changed, so its workers pick up the new code.

Before an invocation the runtime asks :meth:`CodeWatcher.changed`; at most once per
``interval`` that scans the ``.py`` files under the code directory (their paths,
mtimes and sizes) in a thread, so a large tree never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

# Directories that hold no code a handler imports from source.
SKIPPED_DIRS = frozenset({"__pycache__", "node_modules"})


def code_signature(root: Path) -> int:
    """A hash of every ``.py`` file's path, mtime and size under ``root``: any edit,
    addition, removal or rename changes it. Hidden directories are skipped, and
    symbolic links to directories are not followed (no cycles)."""
    entries: list[tuple[str, int, int]] = []
    pending = [str(root)]
    while pending:
        try:
            scan = os.scandir(pending.pop())
        except OSError:
            continue
        with scan:
            for entry in scan:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name not in SKIPPED_DIRS and not entry.name.startswith("."):
                            pending.append(entry.path)
                    elif entry.name.endswith(".py"):
                        stat = entry.stat()
                        entries.append((entry.path, stat.st_mtime_ns, stat.st_size))
                except OSError:  # removed while we looked
                    continue
    entries.sort()
    return hash(tuple(entries))


class CodeWatcher:
    def __init__(self, root: Path, interval: float) -> None:
        self.root = root
        self.interval = interval
        self._signature: int | None = None
        self._next_scan = 0.0
        self._scan: asyncio.Future[int] | None = None

    async def changed(self) -> bool:
        """Whether the code changed since the previous scan. The first scan only takes
        the baseline. Concurrent callers share one scan; one of them gets ``True``."""
        scan = self._scan
        if scan is None:
            if time.monotonic() < self._next_scan:
                return False
            loop = asyncio.get_running_loop()
            scan = self._scan = loop.run_in_executor(None, code_signature, self.root)
        signature = await asyncio.shield(scan)
        if self._scan is not scan:  # another caller already took this result
            return False
        self._scan = None
        self._next_scan = time.monotonic() + self.interval
        previous, self._signature = self._signature, signature
        return previous is not None and previous != signature
