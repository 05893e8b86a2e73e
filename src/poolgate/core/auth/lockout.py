"""Temporary lockout after failed sign-ins, as Cognito documents it ("Amazon Cognito
locks out users after five failed sign-in attempts, starting at 1 second and doubling
after each failed attempt up to about 15 minutes"; attempts during a lockout are
refused without extending it; the count resets after 15 minutes without attempts).

State lives in ``user.state["lockout"]``; callers store the user.
"""

from __future__ import annotations

from poolgate.core.errors import NotAuthorizedException
from poolgate.core.records import User

FREE_FAILURES = 5
MAX_LOCK = 15 * 60.0
RESET_AFTER = 15 * 60.0
LOCKED_MESSAGE = "Password attempts exceeded"


def locked(user: User, now: float) -> bool:
    state = user.state.get("lockout") or {}
    return bool(state.get("until", 0) > now)


def check(user: User, now: float) -> None:
    """Refuse while locked; leaves the state untouched."""
    if locked(user, now):
        raise NotAuthorizedException(LOCKED_MESSAGE)


def record_failure(user: User, now: float) -> None:
    state = dict(user.state.get("lockout") or {})
    if now - state.get("last", 0) > RESET_AFTER:
        state["failures"] = 0
    failures = state.get("failures", 0) + 1
    state["failures"] = failures
    state["last"] = now
    if failures >= FREE_FAILURES:
        state["until"] = now + min(2.0 ** (failures - FREE_FAILURES), MAX_LOCK)
    user.state["lockout"] = state


def record_success(user: User) -> bool:
    """Clear the failure count; True when there was one to clear (so a write is due)."""
    return user.state.pop("lockout", None) is not None
