"""Signing keys parsed once and cached: RSA private keys are costly to load (PEM
parsing, sealed-box opening) and every sign-in needs two signatures.

Entries expire after a short time so a key rotated by another node is picked up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from poolgate.core.signing_keys import open_private_key

if TYPE_CHECKING:
    from poolgate.core.context import Context

_TTL = 60.0


@dataclass
class PoolKeys:
    loaded: float
    # use ("id" / "access") -> (kid, private key) of the active key.
    signers: dict[str, tuple[str, rsa.RSAPrivateKey]]
    # kid -> (use, public key) of every key that still verifies.
    verifiers: dict[str, tuple[str, rsa.RSAPublicKey]]


class KeyRing:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._pools: dict[str, PoolKeys] = {}

    async def keys(self, pool_id: str) -> PoolKeys:
        now = self._ctx.clock()
        cached = self._pools.get(pool_id)
        if cached is not None and now - cached.loaded < _TTL:
            return cached
        signers: dict[str, tuple[str, rsa.RSAPrivateKey]] = {}
        verifiers: dict[str, tuple[str, rsa.RSAPublicKey]] = {}
        for key in await self._ctx.store.list_signing_keys(pool_id):
            if key.status == "active":
                private = open_private_key(key, self._ctx.sealer)
                signers[key.use] = (key.kid, private)
                verifiers[key.kid] = (key.use, private.public_key())
            elif key.retire_after is not None and key.retire_after > now:
                public = RSAAlgorithm.from_jwk(key.public_jwk)
                assert isinstance(public, rsa.RSAPublicKey)
                verifiers[key.kid] = (key.use, public)
        entry = PoolKeys(loaded=now, signers=signers, verifiers=verifiers)
        self._pools[pool_id] = entry
        return entry

    def forget(self, pool_id: str) -> None:
        self._pools.pop(pool_id, None)
