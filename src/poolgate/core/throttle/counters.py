"""Sliding-window counters over the store's ``throttle_counters``.

Events are counted per fixed window; the count "in the last period" is the current
window's plus the previous window's weighted by how much of it the sliding period
still covers (the usual sliding-window estimate). A fixed window alone would let a
burst of up to twice the limit straddle a boundary, and would forget a burst the
moment a window ends."""

from __future__ import annotations

from poolgate.core.context import Context
from poolgate.core.throttle.policy import Rate


def bucket(rate: Rate, now: float) -> tuple[int, float]:
    """The window ``now`` falls in, and when its row may go: once the next window,
    which still weighs it, has ended too."""
    number = int(now // rate.period)
    return number, (number + 2) * rate.period


def _estimate(rate: Rate, now: float, current: int, previous: int) -> int:
    elapsed = now - (now // rate.period) * rate.period
    return current + int(previous * (1 - elapsed / rate.period))


async def _previous(ctx: Context, scope: str, subject: str, number: int, now: float) -> int:
    found = await ctx.store.read_counters([(scope, subject, number - 1)], now)
    return found.get((scope, subject, number - 1), 0)


async def hit(ctx: Context, scope: str, subject: str, rate: Rate) -> int:
    """Count one event; the count over the last period, this one included."""
    now = ctx.clock()
    number, expires = bucket(rate, now)
    current = await ctx.store.hit_counter(scope, subject, number, expires=expires, now=now)
    return _estimate(rate, now, current, await _previous(ctx, scope, subject, number, now))


async def count(ctx: Context, scope: str, subject: str, rate: Rate) -> int:
    """The count over the last period."""
    now = ctx.clock()
    number, _ = bucket(rate, now)
    keys = [(scope, subject, number), (scope, subject, number - 1)]
    found = await ctx.store.read_counters(keys, now)
    return _estimate(rate, now, found.get(keys[0], 0), found.get(keys[1], 0))


async def purge(ctx: Context) -> int:
    """Drop the counters no window weighs any more."""
    return await ctx.store.purge_counters(ctx.clock())
