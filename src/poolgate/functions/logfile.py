"""Function log files: ``{log_dir}/{function name}.log``, one line per log line,
``<ISO 8601 UTC timestamp> <request id> <line>``, with Lambda's ``START``, ``END`` and
``REPORT`` lines around each invocation. Written by the runtime with one ``O_APPEND``
write per batch, so several server processes can share a file; read by
``poolgate logs`` (:func:`tail`, :func:`follow`).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

logger = logging.getLogger("poolgate.functions")


def iso_timestamp(when: float) -> str:
    """``2024-05-01T12:00:00.123Z``"""
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def format_lines(when: float, request_id: str, lines: Iterable[str]) -> str:
    prefix = f"{iso_timestamp(when)} {request_id} "
    return "".join(f"{prefix}{line}\n" for line in lines)


class LogFile:
    """Appends to one function's log file; opened on first write. A file that cannot
    be written (disk full, permissions) costs the log lines, never the invocation."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._failed = False

    def write(self, text: str) -> None:
        if not text:
            return
        try:
            if self._fd is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(
                    self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600
                )
            data = memoryview(text.encode("utf-8", "backslashreplace"))
            while data:
                data = data[os.write(self._fd, data) :]
        except OSError as exc:
            if not self._failed:  # once, not once per invocation
                logger.warning("cannot write function log %s: %s", self.path, exc)
            self._failed = True
        else:
            self._failed = False

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def tail(path: Path, lines: int, block: int = 64 * 1024) -> tuple[list[str], int]:
    """The last ``lines`` lines of the file and the offset where it ended, reading
    backwards from the end in blocks (a log file may be large)."""
    with path.open("rb") as file:
        end = file.seek(0, os.SEEK_END)
        if lines <= 0:
            return [], end
        position, data = end, b""
        while position > 0 and data.count(b"\n") <= lines:
            step = min(block, position)
            position -= step
            file.seek(position)
            data = file.read(step) + data
    text = data.decode("utf-8", "replace")
    return text.splitlines()[-lines:], end


def follow(
    path: Path,
    offset: int,
    emit: Callable[[str], None],
    *,
    poll: float = 0.5,
    keep_going: Callable[[], bool] = lambda: True,
) -> None:
    """``tail -F``: print lines appended from ``offset`` on, polling; start again from
    the beginning when the file is truncated or replaced."""
    identity: tuple[int, int] | None = None
    partial = b""
    while keep_going():
        try:
            stat = path.stat()
        except FileNotFoundError:
            identity, offset, partial = None, 0, b""
            time.sleep(poll)
            continue
        if identity is not None and (stat.st_dev, stat.st_ino) != identity:
            offset, partial = 0, b""
        identity = (stat.st_dev, stat.st_ino)
        if stat.st_size < offset:
            offset, partial = 0, b""
        if stat.st_size > offset:
            with path.open("rb") as file:
                file.seek(offset)
                data = file.read(stat.st_size - offset)
            offset += len(data)
            *complete, partial = (partial + data).split(b"\n")
            for line in complete:
                emit(line.decode("utf-8", "replace"))
            continue
        time.sleep(poll)
