"""Proof Key for Code Exchange (RFC 7636): only S256 is accepted."""

from __future__ import annotations

import base64
import hashlib
import hmac


def verifier_matches(challenge: str, verifier: str) -> bool:
    """RFC 7636 4.6: BASE64URL(SHA256(verifier)) == challenge."""
    digest = hashlib.sha256(verifier.encode()).digest()
    computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return hmac.compare_digest(computed, challenge)
