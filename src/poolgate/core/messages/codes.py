"""One-time codes: sign-up confirmation, forgot password, attribute verification.

Six digits, single use, stored only as an HMAC under a key derived from the master key
(a plain hash of six digits falls to a million guesses), compared in constant time,
expiring, with a limit on wrong guesses per code and on codes sent per hour.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from poolgate.core.context import Context
from poolgate.core.errors import (
    CodeMismatchException,
    ExpiredCodeException,
    LimitExceededException,
)
from poolgate.core.records import Code, User
from poolgate.store.base import Store

SIGN_UP = "signup"
FORGOT_PASSWORD = "forgot_password"
# Sign-in codes (SMS_MFA, EMAIL_OTP, SMS_OTP): Cognito's last three minutes.
SIGN_IN = "sign_in"

LIFETIME = {SIGN_UP: 24 * 3600, FORGOT_PASSWORD: 3600, SIGN_IN: 180}
DEFAULT_LIFETIME = 24 * 3600
MAX_WRONG_GUESSES = 5
MAX_SENDS_PER_HOUR = 5

ATTEMPT_LIMIT = "Attempt limit exceeded, please try after some time."
WRONG_CODE = "Invalid verification code provided, please try again."


def verify_purpose(attribute: str) -> str:
    return f"verify:{attribute}"


def _hash(ctx: Context, user: User, purpose: str, code: str) -> str:
    key = ctx.sealer.mac_key("one-time-codes")
    message = f"{user.pool_id}\x00{user.sub}\x00{purpose}\x00{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def note_send(ctx: Context, user: User, purpose: str) -> None:
    """Count a code sent to ``user``; refuse past the hourly limit. Mutates
    ``user.state``: the caller stores the user."""
    now = ctx.clock()
    sends = user.state.setdefault("code_sends", {})
    recent = [t for t in sends.get(purpose, []) if now - t < 3600]
    if len(recent) >= MAX_SENDS_PER_HOUR:
        raise LimitExceededException(ATTEMPT_LIMIT)
    sends[purpose] = [*recent, now]


def new_code() -> str:
    """Six random digits, made before anything is stored so that the message carrying
    it (a custom message trigger included) is ready before the transaction that keeps
    its HMAC."""
    return f"{secrets.randbelow(1_000_000):06d}"


async def store_code(
    ctx: Context, store: Store, user: User, purpose: str, destination: str, code: str
) -> None:
    """Keep ``code``'s HMAC as ``user``'s code for ``purpose``, replacing any earlier."""
    now = ctx.clock()
    await store.put_code(
        Code(
            pool_id=user.pool_id,
            sub=user.sub,
            purpose=purpose,
            code_hash=_hash(ctx, user, purpose, code),
            created=now,
            expires=now + LIFETIME.get(purpose, DEFAULT_LIFETIME),
            destination=destination,
        )
    )


def masked(error: Exception) -> Exception:
    """The error to answer with PreventUserExistenceErrors: "no live code" (expired or
    never requested) reads as a wrong code, which is what a name nobody has gets."""
    if isinstance(error, ExpiredCodeException):
        return CodeMismatchException(WRONG_CODE)
    return error


@dataclass
class Verdict:
    ok: bool
    error: Exception | None = None


async def check(ctx: Context, store: Store, user: User, purpose: str, code: str) -> Verdict:
    """Check ``code`` inside the caller's transaction. A wrong guess is recorded (the
    caller must commit before raising ``verdict.error``); a right one consumes it."""
    stored = await store.get_code(user.pool_id, user.sub, purpose)
    if stored is None:
        return Verdict(
            False, ExpiredCodeException("Invalid code provided, please request a code again.")
        )
    if stored.attempts >= MAX_WRONG_GUESSES:
        return Verdict(False, LimitExceededException(ATTEMPT_LIMIT))
    if ctx.clock() > stored.expires:
        await store.delete_code(user.pool_id, user.sub, purpose)
        return Verdict(
            False, ExpiredCodeException("Invalid code provided, please request a code again.")
        )
    if not hmac.compare_digest(stored.code_hash, _hash(ctx, user, purpose, code)):
        stored.attempts += 1
        await store.put_code(stored)
        return Verdict(
            False, CodeMismatchException("Invalid verification code provided, please try again.")
        )
    await store.delete_code(user.pool_id, user.sub, purpose)
    return Verdict(True)
