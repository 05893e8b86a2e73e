"""Rotating a pool's signing keys, as the design asks: the new key is published in the
JWKS before it signs, and the old one stays published until the last token it signed
has expired.

Cognito itself never rotates a pool's keys; a self-hosted deployment wants to (a key
that may have leaked, a schedule). Verifiers cache the JWKS (Poolgate serves it with
``max-age=300``) and many refetch only for a ``kid`` they do not know, so a key that
signed at once could be refused by a verifier holding the previous set for up to five
minutes. The new key therefore waits ``PUBLICATION_DELAY`` (twice the cache's age)
before it signs; the old one keeps signing until then, and is published until
``LONGEST_TOKEN`` after that, the longest an id or access token can live (one day,
CreateUserPoolClient's limit). After that the old key is in no JWKS and verifies
nothing.

The key that signs for a use is the active key with the latest start
(``signs_from``, else its creation) that has started (``signing_key``); every node
reaches the same answer from the stored keys, within its keyring's minute of caching.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from poolgate.core.context import Context
from poolgate.core.errors import ResourceNotFoundException
from poolgate.core.keys.signing_keys import TOKEN_USES, generate_signing_key
from poolgate.core.records import SigningKey

PUBLICATION_DELAY = 600.0
LONGEST_TOKEN = 86400.0 + 300.0  # a day, and five minutes of verifiers' clock skew


def starts(key: SigningKey) -> float:
    return key.signs_from if key.signs_from is not None else key.created


def published(key: SigningKey, now: float) -> bool:
    """Still in the JWKS (it verifies tokens)."""
    return key.retire_after is None or key.retire_after > now


def signing_key(keys: Iterable[SigningKey], use: str, now: float) -> SigningKey | None:
    """The key that signs tokens of ``use`` at ``now``."""
    ready = [
        key
        for key in keys
        if key.use == use and key.status == "active" and starts(key) <= now and published(key, now)
    ]
    return max(ready, key=lambda key: (starts(key), key.created, key.kid), default=None)


@dataclass(frozen=True)
class KeyState:
    """A key as the console shows it: ``signing``, ``next`` (published, signing from
    ``signs_from``), ``retiring`` (published until ``retire_after``, no longer signing)
    or ``expired`` (in no JWKS)."""

    key: SigningKey
    state: str


def states(keys: list[SigningKey], now: float) -> list[KeyState]:
    signers = {key.kid for use in TOKEN_USES if (key := signing_key(keys, use, now))}
    found = []
    for key in keys:
        if key.kid in signers:
            state = "signing"
        elif not published(key, now):
            state = "expired"
        elif key.status == "active" and starts(key) > now:
            state = "next"
        else:
            state = "retiring"
        found.append(KeyState(key, state))
    return found


async def pool_key_states(ctx: Context, pool_id: str) -> list[KeyState]:
    """The pool's keys, newest first, with what each does now."""
    if await ctx.store.get_pool(pool_id) is None:
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    keys = await ctx.store.list_signing_keys(pool_id)
    found = states(keys, ctx.clock())
    return sorted(found, key=lambda s: (starts(s.key), s.key.use), reverse=True)


async def rotate(ctx: Context, pool_id: str) -> list[SigningKey]:
    """New id and access keys for the pool, signing after ``PUBLICATION_DELAY``; the
    current keys retire ``LONGEST_TOKEN`` after that."""
    now = ctx.clock()
    signs_from = now + PUBLICATION_DELAY
    fresh = []
    for use in TOKEN_USES:
        key = await asyncio.to_thread(generate_signing_key, pool_id, use, ctx.sealer, now)
        fresh.append(dataclasses.replace(key, signs_from=signs_from))
    if not await ctx.store.rotate_signing_keys(pool_id, fresh, signs_from + LONGEST_TOKEN):
        raise ResourceNotFoundException(f"User pool {pool_id} does not exist.")
    ctx.keyring.forget(pool_id)
    return fresh
