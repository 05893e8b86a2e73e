"""``poolgate serve --workers N``: N processes serving the same ports.

The parent prepares what must exist exactly once (``startup``: the schema, the master
key, the admin key, the ports' ownership), then forks the workers; the kernel spreads
connections among them. Each worker opens its own store and caches: nothing is shared
in memory, so every worker sees the others' writes through the database (configuration
records within the cache's few seconds). The parent restarts a worker that dies and
stops them all on SIGINT/SIGTERM.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import signal
import socket
import time
from collections.abc import Callable

from poolgate import metrics

log = logging.getLogger("poolgate.workers")


def bind(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A listening socket. With ``reuse_port`` each worker binds its own and the
    kernel spreads new connections evenly among them (SO_REUSEPORT); one socket
    shared by all workers leaves the spreading to whichever worker wakes first."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only
    # when the socket says it is TCP; without it every response waits ~40 ms for
    # delayed ACKs (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def supervise(count: int, run_worker: Callable[[], bool]) -> bool:
    """Fork ``count`` workers running ``run_worker`` and keep them running until a
    signal asks to stop. False if the workers keep failing to start."""
    children: dict[int, float] = {}
    stopping = False
    failures = 0

    supervisor = os.getpid()

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _die_with(supervisor)
            ok = False
            try:
                ok = run_worker()
            finally:
                os._exit(0 if ok else 3)
        children[pid] = time.monotonic()

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    # The workers share the parent's imported modules copy-on-write; a collection in a
    # worker would write to every one of those objects and copy their pages. Frozen
    # objects are never collected (CPython's advice for pre-fork servers). No full
    # collection first: it costs every start ~40 ms to free the ~200 objects of garbage
    # the imports and the database check leave (measured), which frozen cost nothing.
    gc.freeze()
    for _ in range(count):
        spawn()
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        started = children.pop(pid, None)
        metrics.process_exited(pid)
        if stopping or started is None:
            continue
        code = os.waitstatus_to_exitcode(status)
        log.warning("worker %d exited (%s); starting another", pid, code)
        # A worker that dies at once (port, config, schema) would loop forever.
        failures = failures + 1 if time.monotonic() - started < 5 else 0
        if failures >= 3:
            log.error("workers keep failing to start; stopping")
            stop(signal.SIGTERM, None)
            continue
        spawn()
    return failures < 3


def _die_with(supervisor: int) -> None:
    """Ask the kernel (Linux) for SIGTERM when the supervisor dies, even by SIGKILL:
    orphaned workers would go on serving beside a restarted server, sharing its port
    through SO_REUSEPORT."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != supervisor:  # it died before the request took effect
        os._exit(0)


_PR_SET_PDEATHSIG = 1


def can_reuse_port() -> bool:
    return hasattr(socket, "SO_REUSEPORT")
