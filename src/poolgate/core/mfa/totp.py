"""Time-based one-time passwords (RFC 6238) as authenticator apps and Cognito use them:
HMAC-SHA1, six digits, 30-second steps, a base32 secret of 160 bits (RFC 4226 section 4
recommends 160; Cognito's SecretCode is 32 base32 characters).

The codes come from ``cryptography``'s RFC 6238 implementation. What it leaves to the
verifier is done here: a window of one step either side for clock drift (RFC 6238
section 5.2 recommends at most one step of delay), and single use ("the verifier MUST
NOT accept the second attempt of the same OTP after the successful validation", section
5.2): a step is accepted only when it is later than the last step accepted.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from urllib.parse import quote, urlencode

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

STEP = 30
DIGITS = 6
DRIFT_STEPS = 1
SECRET_BYTES = 20


def new_secret() -> str:
    """A fresh secret as Cognito's AssociateSoftwareToken returns it: base32, no padding."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return base64.b32decode(padded)


def code_at(secret: str, when: float) -> str:
    # SHA1 is what RFC 6238's authenticator apps use (Google Authenticator ignores
    # any other); enforce_key_length=False: cryptography wants >= 128-bit keys only.
    totp = TOTP(_key(secret), DIGITS, SHA1(), STEP, enforce_key_length=False)
    return totp.generate(int(when)).decode()


def matching_step(secret: str, code: str, now: float, *, after_step: int = -1) -> int | None:
    """The time step whose code ``code`` is, within the drift window and later than
    ``after_step`` (the last step accepted); None when there is none. Every candidate
    is compared in constant time."""
    if len(code) != DIGITS or not code.isdigit():
        return None
    current = int(now) // STEP
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        expected = code_at(secret, step * STEP)
        if hmac.compare_digest(expected.encode(), code.encode()) and step > after_step:
            found = step
    return found


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The ``otpauth://`` URI authenticator apps read from a QR code (the Key Uri
    Format of Google Authenticator, which every authenticator app follows)."""
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1",
                       "digits": DIGITS, "period": STEP})  # fmt: skip
    return f"otpauth://totp/{label}?{query}"
