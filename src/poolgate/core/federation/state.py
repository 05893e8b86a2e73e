"""What travels to the provider and back: the app's authorization request, the
provider's name, the nonce and PKCE verifier sent to it, and a hash of a random value
kept in a browser cookie, so the answer is accepted only in the browser that left
(OAuth 2.0 Security BCP, RFC 9700 4.7: CSRF and state). Sealed with the master key and
carried in ``state`` (OAuth) or ``RelayState`` (SAML): any node can finish a sign-in
another began, and nothing is stored for abandoned ones.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

import orjson
from cryptography.exceptions import InvalidTag

from poolgate.core.context import Context
from poolgate.crypto.sealing import MasterKeyError

LIFETIME = 900  # Fifteen minutes to sign in at the provider.
_PURPOSE = "federation-state"


@dataclass
class FederationState:
    params: dict[str, str]
    provider: str
    binding_hash: str
    expires: float
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    # The SAML AuthnRequest's ID, which the response's InResponseTo must name.
    request_id: str | None = None

    def code_challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def new_binding() -> tuple[str, str]:
    """A value for the browser's cookie, and the hash the state keeps of it."""
    value = secrets.token_urlsafe(24)
    return value, _hash(value)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def seal(ctx: Context, state: FederationState) -> str:
    payload = {
        "q": state.params,
        "p": state.provider,
        "b": state.binding_hash,
        "e": state.expires,
        "n": state.nonce,
        "v": state.verifier,
        "r": state.request_id,
    }
    sealed = ctx.sealer.seal(orjson.dumps(payload), _PURPOSE)
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def open_state(ctx: Context, value: str, binding: str | None) -> FederationState | None:
    """The state, if it is ours, unexpired, and came back to the browser it left."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        payload = orjson.loads(ctx.sealer.open(raw, _PURPOSE))
    except (binascii.Error, ValueError, InvalidTag, MasterKeyError, orjson.JSONDecodeError):
        return None
    if payload["e"] < ctx.clock():
        return None
    if not binding or not hmac.compare_digest(_hash(binding), payload["b"]):
        return None
    return FederationState(
        params=payload["q"],
        provider=payload["p"],
        binding_hash=payload["b"],
        expires=payload["e"],
        nonce=payload["n"],
        verifier=payload["v"],
        request_id=payload["r"],
    )
