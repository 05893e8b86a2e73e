"""Reporting unexpected failures without flooding the log.

A request that fails unexpectedly is logged with its traceback: that is a bug to
fix. A database outage fails every request the same way; a traceback each (8,000 in
ten seconds, 32 MB) would bury everything else. Those are logged as one line per
interval with the count, and the first of each kind still says what the error was.
"""

from __future__ import annotations

import logging
import threading
import time

from poolgate import metrics
from poolgate.store.errors import is_connection_error

INTERVAL_S = 10.0


class _Summary:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.since = 0.0
        self.count = 0


_summaries: dict[str, _Summary] = {}


def report_failure(log: logging.Logger, component: str, what: str, error: BaseException) -> None:
    """Log ``error``, raised while serving ``what`` in ``component``, and count it."""
    if is_connection_error(error):
        metrics.recorder().error(component, "database_unavailable")
        _summarise(log, component, error)
        return
    metrics.recorder().error(component, "internal")
    log.error("%s failed", what, exc_info=error)


def _summarise(log: logging.Logger, component: str, error: BaseException) -> None:
    summary = _summaries.setdefault(component, _Summary())
    now = time.monotonic()
    with summary.lock:
        summary.count += 1
        if now - summary.since < INTERVAL_S:
            return
        count, summary.count, summary.since = summary.count, 0, now
    reason = (str(error).splitlines() or [""])[0] or type(error).__name__
    log.error(
        "%s: the database is unavailable (%s: %s); %d request%s failed since the last report",
        component,
        type(error).__name__,
        reason[:200],
        count,
        "" if count == 1 else "s",
    )
