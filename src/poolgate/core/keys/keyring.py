"""Signing keys parsed once and cached: RSA private keys are costly to load (PEM
parsing, sealed-box opening) and every sign-in needs two signatures.

Entries expire after a short time so a key rotated by another node is picked up, and
a key published ahead of its start (``rotation``) begins signing within that time.

Access tokens whose signature was checked are remembered with their claims until they
expire, within a memory budget (``Context.token_cache_bytes``): a count of entries
would not bound memory, since a token's size grows with its claims (groups, scopes).
"""

from __future__ import annotations

import sys
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
# Per cached token beyond its string and claims: the OrderedDict's entry and link node,
# the (pool id, claims) tuple. Calibrated with tracemalloc against _entry_bytes: the
# estimate is within 5 % of what an entry really holds, on the high side.
_ENTRY_OVERHEAD = 200


def _entry_bytes(token: str, claims: dict[str, Any]) -> int:
    """Estimated memory one cached token holds: the token string, the claims dict, its
    keys and values (one level into lists such as ``cognito:groups``)."""
    size = _ENTRY_OVERHEAD + sys.getsizeof(token) + sys.getsizeof(claims)
    for key, value in claims.items():
        size += sys.getsizeof(key) + sys.getsizeof(value)
        if isinstance(value, list):
            size += sum(sys.getsizeof(item) for item in value)
    return size


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
        # token -> (pool id, claims, estimated bytes), least recently used first.
        self._verified: OrderedDict[str, tuple[str, dict[str, Any], int]] = OrderedDict()
        self._verified_bytes = 0
        self._max_verified_bytes = ctx.token_cache_bytes

    @property
    def verified_bytes(self) -> int:
        """Estimated memory the verified tokens hold (at most ``token_cache_bytes``)."""
        return self._verified_bytes

    def verified_token(self, token: str, now: float) -> tuple[str, dict[str, Any]] | None:
        """A token whose signature this process already checked, while unexpired."""
        found = self._verified.get(token)
        if found is not None and found[1]["exp"] <= now:
            self._forget_token(token)
            found = None
        self._ctx.metrics.token_cache(found is not None)
        if found is None:
            return None
        self._verified.move_to_end(token)
        return found[0], found[1]

    def remember_token(self, token: str, pool_id: str, claims: dict[str, Any]) -> None:
        size = _entry_bytes(token, claims)
        if size > self._max_verified_bytes:
            return  # bigger than the whole budget (or caching is off): not kept
        if token in self._verified:
            self._forget_token(token)
        self._verified[token] = (pool_id, claims, size)
        self._verified_bytes += size
        while self._verified_bytes > self._max_verified_bytes:
            _, (_, _, evicted) = self._verified.popitem(last=False)
            self._verified_bytes -= evicted
        # Reported when a token is stored, not when an expired one is dropped: the
        # gauge may lag by the expired tokens' size until the next store.
        self._ctx.metrics.token_cache_size(self._verified_bytes)

    def _forget_token(self, token: str) -> None:
        self._verified_bytes -= self._verified.pop(token)[2]

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
