"""Signing keys parsed once and cached: RSA private keys are costly to load (PEM
parsing, sealed-box opening) and every sign-in needs two signatures.

Entries expire after a short time so a key rotated by another node is picked up, and
a key published ahead of its start (``rotation``) begins signing within that time.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from poolgate.core.keys import rotation
from poolgate.core.keys.signing_keys import TOKEN_USES, open_private_key

if TYPE_CHECKING:
    from poolgate.core.context import Context

_TTL = 60.0
_VERIFIED_TOKENS = 50_000


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
        # token -> (pool id, claims), least recently used first.
        self._verified: OrderedDict[str, tuple[str, dict[str, Any]]] = OrderedDict()

    def verified_token(self, token: str, now: float) -> tuple[str, dict[str, Any]] | None:
        """A token whose signature this process already checked, while unexpired."""
        found = self._verified.get(token)
        if found is None:
            return None
        if found[1]["exp"] <= now:
            del self._verified[token]
            return None
        self._verified.move_to_end(token)
        return found

    def remember_token(self, token: str, pool_id: str, claims: dict[str, Any]) -> None:
        self._verified[token] = (pool_id, claims)
        if len(self._verified) > _VERIFIED_TOKENS:
            self._verified.popitem(last=False)

    async def keys(self, pool_id: str) -> PoolKeys:
        now = self._ctx.clock()
        cached = self._pools.get(pool_id)
        if cached is not None and now - cached.loaded < _TTL:
            return cached
        signers: dict[str, tuple[str, rsa.RSAPrivateKey]] = {}
        verifiers: dict[str, tuple[str, rsa.RSAPublicKey]] = {}
        stored = await self._ctx.store.list_signing_keys(pool_id)
        for use in TOKEN_USES:
            key = rotation.signing_key(stored, use, now)
            if key is not None:
                signers[use] = (key.kid, open_private_key(key, self._ctx.sealer))
        for key in stored:
            if rotation.published(key, now):
                public = RSAAlgorithm.from_jwk(key.public_jwk)
                assert isinstance(public, rsa.RSAPublicKey)
                verifiers[key.kid] = (key.use, public)
        entry = PoolKeys(loaded=now, signers=signers, verifiers=verifiers)
        self._pools[pool_id] = entry
        return entry

    def forget(self, pool_id: str) -> None:
        self._pools.pop(pool_id, None)
