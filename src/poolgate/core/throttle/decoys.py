"""What a name that belongs to nobody costs and answers, so that with
PreventUserExistenceErrors an attacker cannot tell it from a user's:

- a lockout: after five wrong passwords a real user is locked out ("Password attempts
  exceeded", ``core.auth.lockout``); an unknown name is too, on the same schedule,
  its failures counted in the store as a user's are (one write per failure either way);
- a limit on codes: a real user gets five codes per purpose an hour, and five wrong
  guesses of a code (``core.messages.codes``); an unknown name's simulated deliveries
  and guesses are counted alike.

The name is keyed as the pool's case sensitivity keys usernames.
"""

from __future__ import annotations

from poolgate.core.auth import lockout
from poolgate.core.context import Context
from poolgate.core.errors import (
    CodeMismatchException,
    LimitExceededException,
    NotAuthorizedException,
)
from poolgate.core.messages import codes
from poolgate.core.records import UserPool
from poolgate.core.throttle import counters
from poolgate.core.throttle.policy import Rate
from poolgate.core.users import lookup

_LOCKOUT = "lockout/unknown-name"
_CODE_SENDS = "code-sends/unknown-name"
_CODE_GUESSES = "code-guesses/unknown-name"
_CODES_PER_HOUR = Rate(codes.MAX_SENDS_PER_HOUR, 3600.0)


def _subject(pool: UserPool, name: str) -> str:
    return f"{pool.id}:{lookup.key_of(pool, name)}"[:512]


async def check_lockout(ctx: Context, pool: UserPool, name: str) -> None:
    """Refuse while the name is "locked", as ``lockout.check`` refuses a user."""
    row = await ctx.store.read_counter_row(_LOCKOUT, _subject(pool, name), 0)
    if row is None:
        return
    failures, expires = row
    now = ctx.clock()
    if expires <= now or failures < lockout.FREE_FAILURES:
        return
    last = expires - lockout.RESET_AFTER
    until = last + min(2.0 ** (failures - lockout.FREE_FAILURES), lockout.MAX_LOCK)
    if until > now:
        raise NotAuthorizedException(lockout.LOCKED_MESSAGE)


async def record_failure(ctx: Context, pool: UserPool, name: str) -> None:
    """A wrong password for the name: one more failure; the count restarts after
    ``RESET_AFTER`` without attempts, as a user's does."""
    now = ctx.clock()
    await ctx.store.hit_counter(
        _LOCKOUT, _subject(pool, name), 0, expires=now + lockout.RESET_AFTER, now=now
    )


async def note_send(ctx: Context, pool: UserPool, name: str, purpose: str) -> None:
    """A simulated code delivery to the name; refused past the hourly limit a user has."""
    subject = f"{purpose}:{_subject(pool, name)}"
    if await counters.hit(ctx, _CODE_SENDS, subject, _CODES_PER_HOUR) > _CODES_PER_HOUR.limit:
        raise LimitExceededException(codes.ATTEMPT_LIMIT)


async def wrong_code(ctx: Context, pool: UserPool, name: str, purpose: str) -> None:
    """A code "checked" for the name: always wrong, and past five guesses in a day the
    attempt limit, as for a user's live code. Always raises."""
    subject = f"{purpose}:{_subject(pool, name)}"
    day = Rate(codes.MAX_WRONG_GUESSES, 86400.0)
    if await counters.hit(ctx, _CODE_GUESSES, subject, day) > codes.MAX_WRONG_GUESSES:
        raise LimitExceededException(codes.ATTEMPT_LIMIT)
    raise CodeMismatchException(codes.WRONG_CODE)
