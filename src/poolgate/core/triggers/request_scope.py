"""What the sign-in call being answered gives its triggers: its ClientMetadata and the
challenge it answers, held for the duration of one InitiateAuth or
RespondToAuthChallenge (a context variable, so the flows' many modules need not pass
it along).

InitiateAuth's ClientMetadata reaches only pre sign-up, pre authentication and user
migration, as their ``validationData``; RespondToAuthChallenge's reaches every trigger
the call runs as ``clientMetadata`` (API reference, ``ClientMetadata``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class SignInCall:
    client_metadata: dict[str, str] | None = None
    # None for InitiateAuth; the challenge name for RespondToAuthChallenge.
    challenge: str | None = None


_NONE = SignInCall()
_current: ContextVar[SignInCall | None] = ContextVar("poolgate_sign_in_call", default=None)


@contextlib.contextmanager
def sign_in_call(
    client_metadata: dict[str, str] | None, challenge: str | None = None
) -> Iterator[None]:
    token = _current.set(SignInCall(dict(client_metadata) if client_metadata else None, challenge))
    try:
        yield
    finally:
        _current.reset(token)


def _call() -> SignInCall:
    return _current.get() or _NONE


def validation_data() -> dict[str, str] | None:
    """For pre authentication and user migration: InitiateAuth's ClientMetadata."""
    call = _call()
    return call.client_metadata if call.challenge is None else None


def client_metadata() -> dict[str, str] | None:
    """For the triggers after the first step: RespondToAuthChallenge's ClientMetadata."""
    call = _call()
    return call.client_metadata if call.challenge is not None else None


def answered_challenge() -> str | None:
    return _call().challenge
