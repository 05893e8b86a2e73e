"""Monitoring: what the server counts and measures, exported for Prometheus.

Callers record through ``recorder()``: the adapters (requests per operation and
outcome), core through ``Context.metrics`` (sign-ins, tokens, lockouts), the function
runtime (invocations), the store's pool (connections in use). Until ``enable()`` is
called the recorder does nothing, so tests and one-shot commands pay nothing.

``enable()`` switches to ``prometheus.PrometheusRecorder`` in prometheus_client's
multiprocess mode: every worker process writes its samples to files in one directory
and ``/metrics`` (any worker's) adds them up, so the counters of ``serve --workers N``
are the node's, not one worker's.
"""

from __future__ import annotations

import os
from pathlib import Path


class Recorder:
    """Records nothing; the interface every recorder has (``core.context.Metrics``
    and what the adapters, the runtime and the store report)."""

    def request(self, endpoint: str, operation: str, outcome: str, seconds: float) -> None:
        """A request answered: ``endpoint`` is the API (``awsjson``, ``oauth``,
        ``hosted``, ``wellknown``, ``gateway``), ``operation`` the Cognito operation or
        the route, ``outcome`` ``ok`` or the error (``__type``, or the HTTP status)."""

    def sign_in(self, flow: str, result: str) -> None:
        pass

    def tokens_issued(self, grant: str) -> None:
        pass

    def lockout(self) -> None:
        pass

    def throttled(self, what: str) -> None:
        pass

    def invocation(self, function: str, outcome: str, seconds: float) -> None:
        """A function (gateway handler or trigger) ran: ``outcome`` ``ok`` or the
        failure (``HandlerError``, ``FunctionTimeout``...)."""

    def token_cache(self, hit: bool) -> None:
        """A verified-token cache lookup: hit or miss."""

    def token_cache_size(self, size_bytes: int) -> None:
        """The verified-token cache's estimated size (this process's)."""

    def pool_change(self, delta: int) -> None:
        """Database connections checked out (+1) or returned (-1)."""

    def error(self, component: str, kind: str) -> None:
        """An unexpected failure answered 500: ``kind`` is ``internal`` or
        ``database_unavailable``."""


_recorder = Recorder()


def recorder() -> Recorder:
    return _recorder


def enable(directory: Path) -> None:
    """Record for Prometheus from now on, in ``directory`` (emptied first: the caller
    owns it). Call it before forking workers and before anything reads
    ``recorder()``: prometheus_client reads PROMETHEUS_MULTIPROC_DIR when imported."""
    global _recorder
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    from poolgate.metrics.prometheus import PrometheusRecorder

    _recorder = PrometheusRecorder()


def process_exited(pid: int) -> None:
    """A worker is gone: its live gauges (connections in use) no longer count."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR") and type(_recorder) is not Recorder:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
