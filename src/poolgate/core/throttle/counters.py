"""Fixed-window counters over the store's ``throttle_counters``: the window a moment
falls in, and the count of events in it. A fixed window lets a burst of up to twice
the limit straddle a boundary; the limits are set with that in mind."""

from __future__ import annotations

from poolgate.core.context import Context
from poolgate.core.throttle.policy import Rate


def bucket(rate: Rate, now: float) -> tuple[int, float]:
    """The window ``now`` falls in, and when it ends."""
    number = int(now // rate.period)
    return number, (number + 1) * rate.period


async def hit(ctx: Context, scope: str, subject: str, rate: Rate) -> int:
    """Count one event; the count in the current window, this one included."""
    now = ctx.clock()
    number, ends = bucket(rate, now)
    return await ctx.store.hit_counter(scope, subject, number, expires=ends, now=now)


async def count(ctx: Context, scope: str, subject: str, rate: Rate) -> int:
    now = ctx.clock()
    number, _ = bucket(rate, now)
    found = await ctx.store.read_counters([(scope, subject, number)], now)
    return found.get((scope, subject, number), 0)


async def purge(ctx: Context) -> int:
    """Drop the counters whose windows have ended."""
    return await ctx.store.purge_counters(ctx.clock())
