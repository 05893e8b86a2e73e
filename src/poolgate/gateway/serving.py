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
    max_header_bytes: int = 32 * 1024,
    max_headers: int = 100,
) -> Listener:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        server_header=False,
        # Poolgate configures logging itself (text or JSON); uvicorn's own config
        # would replace its handlers.
        log_config=None,
        **uvicorn_options(max_header_bytes, max_headers),
    )
    return Listener(config)


async def _serve(servers: list[Listener], sockets: list[socket.socket] | None) -> None:
    loop = asyncio.get_running_loop()

    def shutdown() -> None:
        for server in servers:
            if server.should_exit:
                server.force_exit = True
            server.should_exit = True

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, shutdown)

    async def run(server: Listener, sock: socket.socket | None) -> None:
        try:
            await server.serve(sockets=[sock] if sock is not None else None)
        finally:
            # One listener failing to start (port taken) stops the others too.
            shutdown()

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


def serve_all(servers: list[Listener], sockets: list[socket.socket] | None = None) -> bool:
    """Run ``servers`` until SIGINT/SIGTERM, then shut them all down gracefully.
    False when one of them failed to start (its lifespan startup failed).

    ``sockets``, one per server, are listening sockets bound by a parent process that
    forked several workers (``poolgate serve --workers N``)."""
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(_serve(servers, sockets))
    return all(server.started for server in servers)
