"""Token signing keys: RSA-2048, one for id tokens and one for access tokens per pool,
as Cognito has. Private parts are sealed with the master key before they are stored.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from poolgate.core.records import SigningKey
from poolgate.crypto.sealing import Sealer

TOKEN_USES = ("id", "access")


def _b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _sealing_purpose(kid: str) -> str:
    return f"signing-key:{kid}"


def generate_signing_key(pool_id: str, use: str, sealer: Sealer, now: float) -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = private.public_key().public_numbers()
    der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # Cognito's kids are base64 SHA-256 digests; ours are the digest of the public key.
    kid = base64.b64encode(hashlib.sha256(der).digest()).decode()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    jwk = {
        "alg": "RS256",
        "e": _b64url_uint(numbers.e),
        "kid": kid,
        "kty": "RSA",
        "n": _b64url_uint(numbers.n),
        "use": "sig",
    }
    return SigningKey(
        kid=kid,
        pool_id=pool_id,
        use=use,
        public_jwk=jwk,
        private_sealed=sealer.seal(pem, _sealing_purpose(kid)),
        created=now,
    )


async def generate_pool_keys(pool_id: str, sealer: Sealer, now: float) -> list[SigningKey]:
    """Both keys of a new pool; generated off the event loop (about 0.1 s of CPU)."""
    return [
        await asyncio.to_thread(generate_signing_key, pool_id, use, sealer, now)
        for use in TOKEN_USES
    ]


def open_private_key(key: SigningKey, sealer: Sealer) -> rsa.RSAPrivateKey:
    pem = sealer.open(key.private_sealed, _sealing_purpose(key.kid))
    private = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    return private


def reseal(key: SigningKey, old: Sealer, new: Sealer) -> bytes:
    """The key's private part sealed with ``new`` (master-key rotation)."""
    purpose = _sealing_purpose(key.kid)
    return new.seal(old.open(key.private_sealed, purpose), purpose)


def jwks(keys: list[SigningKey], now: float) -> dict[str, list[dict[str, str]]]:
    """The public keys that verify this pool's tokens: those signing, those published
    ahead of their start, and retiring ones whose last token has not yet expired
    (``rotation``)."""
    return {"keys": [key.public_jwk for key in keys if _published(key, now)]}


def _published(key: SigningKey, now: float) -> bool:
    # rotation.published, which imports this module.
    return key.retire_after is None or key.retire_after > now
