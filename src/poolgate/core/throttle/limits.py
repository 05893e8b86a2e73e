"""Per-address limits: failed sign-ins (password spraying: a few guesses for each of
many users) and codes sent (mass sign-up, message bombing). The lockout of
``core.auth.lockout`` limits guesses per account; these limit one source across all
accounts and pools.

The address is the current request's (``core.audit.request_info``); calls without one
(``poolgate apply``, an administrator's flow made from the application's server) are
not limited per address.
"""

from __future__ import annotations

from poolgate.core.audit import request_info
from poolgate.core.context import Context
from poolgate.core.errors import LimitExceededException, TooManyRequestsException
from poolgate.core.throttle import counters
from poolgate.core.throttle.policy import Rate

SIGN_IN_FAILURES = "sign-in-failures/address"
CODE_SENDS = "code-sends/address"
TOO_MANY_FAILURES = "Too many failed sign-in attempts. Try again later."
TOO_MANY_CODES = "Attempt limit exceeded, please try after some time."


def _address(ctx: Context, rate: Rate | None) -> str | None:
    if rate is None:
        return None
    info = request_info.current()
    if info.loopback and not ctx.throttle.limit_loopback:
        return None
    return info.address_key


async def check_sign_in(ctx: Context) -> None:
    """Refuse a sign-in from an address that has failed too often in this window;
    before any password work, so a throttled attacker learns nothing more."""
    rate = ctx.throttle.sign_in_failures_per_address
    address = _address(ctx, rate)
    if address is None or rate is None:
        return
    if await counters.count(ctx, SIGN_IN_FAILURES, address, rate) >= rate.limit:
        raise TooManyRequestsException(
            TOO_MANY_FAILURES, detail=f"{address}: {rate.limit} failed sign-ins in the window"
        )


async def count_sign_in_failure(ctx: Context) -> None:
    rate = ctx.throttle.sign_in_failures_per_address
    address = _address(ctx, rate)
    if address is not None and rate is not None:
        await counters.hit(ctx, SIGN_IN_FAILURES, address, rate)


async def count_code_send(ctx: Context) -> None:
    """Count a code about to be sent for the current request's address; refuse past
    the limit (Cognito answers LimitExceededException when codes are requested too
    often)."""
    rate = ctx.throttle.code_sends_per_address
    address = _address(ctx, rate)
    if address is None or rate is None:
        return
    if await counters.hit(ctx, CODE_SENDS, address, rate) > rate.limit:
        raise LimitExceededException(
            TOO_MANY_CODES, detail=f"{address}: more than {rate.limit} codes in the window"
        )
