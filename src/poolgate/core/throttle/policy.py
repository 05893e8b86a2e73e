"""The throttles' limits. Each is a ``Rate`` (at most N events per period), or None
when turned off; the deployment's settings build the policy (``Rate.parse``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_RATE_RE = re.compile(r"\A\s*(\d+)\s*/\s*(\d*)\s*(s|m|h|d)\s*\Z")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    period: float  # seconds

    @classmethod
    def parse(cls, text: str) -> Rate | None:
        """``"100/5m"`` (100 per five minutes), ``"60/1h"``, ``"10/s"``; ``"off"``, ``""``
        or a limit of 0 turn the throttle off. Raises ValueError on anything else."""
        text = text.strip().lower()
        if text in ("", "off", "0"):
            return None
        match = _RATE_RE.match(text)
        if match is None:
            raise ValueError(
                f"{text!r} is not a rate: write N/PERIOD, such as 100/5m, 60/1h or 10/s"
            )
        limit, count, unit = int(match.group(1)), int(match.group(2) or 1), match.group(3)
        if count == 0:
            raise ValueError(f"{text!r}: the period must not be zero")
        return None if limit == 0 else cls(limit, float(count * _UNITS[unit]))


@dataclass(frozen=True)
class ThrottlePolicy:
    # Failed sign-ins (wrong password, unknown user, locked account, bad SECRET_HASH)
    # from one address, across all users and pools: password spraying. Successful
    # sign-ins are not counted, so one busy address (a NAT, a load test) signs in freely.
    sign_in_failures_per_address: Rate | None = Rate(100, 300.0)
    # Codes sent (sign-up, resend, forgot password, attribute verification) on requests
    # from one address: mass sign-up, message bombing.
    code_sends_per_address: Rate | None = Rate(60, 3600.0)
    # Loopback addresses are not limited per address: on a developer's machine every
    # request comes from there. Behind a reverse proxy the source is the forwarded
    # client address (uvicorn's proxy headers), not the proxy's.
    limit_loopback: bool = False
    # Cognito's request-rate quotas per operation category (quotas.CATEGORIES),
    # requests per second for the whole deployment; empty: none.
    quotas: dict[str, int] = field(default_factory=dict)
