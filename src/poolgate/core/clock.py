"""Time as core sees it: injected, so expiry, lockout and rotation are testable."""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]
"""Returns the current time in epoch seconds."""

system_clock: Clock = time.time


class FrozenClock:
    """A clock for tests that moves only when told to."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
