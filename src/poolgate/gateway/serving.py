"""Serving the identity provider and the gateway from one process: one uvicorn
``Server`` per listener, all on one event loop (``asyncio.gather``).

uvicorn's servers each install SIGINT/SIGTERM handlers when they start, so the second
would take the signals from the first; here the handlers are installed once and tell
every server to shut down together, each running its lifespan shutdown (the store,
the function workers) before the process exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import Callable, Generator
from typing import Any

import uvicorn

from poolgate.middleware.http_limits import uvicorn_options

__all__ = ["Listener", "listener", "serve_all"]


class Listener(uvicorn.Server):
    """A uvicorn server that leaves signal handling to ``serve_all``."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def listener(
    app: Any,
    host: str,
    port: int,
    log_level: str,
    *,
    drain_timeout: int | None = None,
    max_header_bytes: int = 32 * 1024,
    max_headers: int = 100,
) -> Listener:
    """A server for ``app``; on shutdown it stops accepting, lets in-flight requests
    finish for up to ``drain_timeout`` seconds (None: as long as they take), then exits."""
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=drain_timeout,
        # Poolgate configures logging itself (text or JSON); uvicorn's own config
        # would replace its handlers.
        log_config=None,
        **uvicorn_options(max_header_bytes, max_headers),
    )
    return Listener(config)


async def _serve(
    servers: list[Listener],
    sockets: list[socket.socket] | None,
    on_stop: Callable[[], None] | None,
) -> None:
    loop = asyncio.get_running_loop()

    def stop() -> None:
        """Shut every server down gracefully: stop accepting, drain, then exit."""
        if on_stop is not None:
            on_stop()
        for server in servers:
            server.should_exit = True

    def on_signal() -> None:
        # A second SIGINT/SIGTERM cuts the drain short, as uvicorn's own handler does.
        for server in servers:
            if server.should_exit:
                server.force_exit = True
        stop()

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, on_signal)

    async def run(server: Listener, sock: socket.socket | None) -> None:
        try:
            await server.serve(sockets=[sock] if sock is not None else None)
        finally:
            # One listener failing to start (port taken) stops the others too; one that
            # finished draining first (no requests in flight) leaves the others to
            # finish theirs: forcing them would cancel those requests mid-way.
            stop()

    bound = sockets if sockets is not None else [None] * len(servers)
    await asyncio.gather(*(run(server, sock) for server, sock in zip(servers, bound, strict=True)))


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop where it is installed (Linux, macOS): its loop and transports take about
    half the per-request CPU of asyncio's own, which matters on every hot path."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def serve_all(
    servers: list[Listener],
    sockets: list[socket.socket] | None = None,
    on_stop: Callable[[], None] | None = None,
) -> bool:
    """Run ``servers`` until SIGINT/SIGTERM, then shut them all down gracefully.
    False when one of them failed to start (its lifespan startup failed).

    ``sockets``, one per server, are listening sockets bound beforehand (by this
    process, or by a parent that forked several workers). ``on_stop`` is told when
    the shutdown begins (readiness starts answering 503)."""
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(_serve(servers, sockets, on_stop))
    return all(server.started for server in servers)
