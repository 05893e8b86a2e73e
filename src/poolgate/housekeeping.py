"""What the server does now and then, in the background of each worker: mask the
outbox's expired codes, drop ended throttle windows and events past their retention.
Every worker runs it; the statements are idempotent, so several at once do no harm."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from poolgate.core.audit import history
from poolgate.core.context import Context
from poolgate.core.messages import outbox
from poolgate.core.throttle import counters

log = logging.getLogger("poolgate")

INTERVAL = 60.0


async def run_once(ctx: Context) -> None:
    await outbox.redact_expired(ctx)
    await counters.purge(ctx)
    await history.purge(ctx)


async def _loop(ctx: Context, interval: float) -> None:
    while True:
        # Sleep first: a worker that has served nothing holds no pooled database
        # connection, which a database restart would leave dead for its first request.
        await asyncio.sleep(interval)
        try:
            await run_once(ctx)
        except Exception:
            log.exception("housekeeping failed; trying again in %.0f s", interval)


@contextlib.asynccontextmanager
async def running(ctx: Context, interval: float = INTERVAL) -> AsyncIterator[None]:
    task = asyncio.get_running_loop().create_task(_loop(ctx, interval))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
