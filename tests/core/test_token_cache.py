"""The verified-token cache (``core.keys.keyring``): bounded by estimated memory, not by
a count of tokens; least recently used tokens go first; hits and misses are reported."""

from __future__ import annotations

import os
import time
import tracemalloc
import uuid
from collections.abc import Callable
from typing import Any, cast

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from poolgate.core.context import Context
from poolgate.crypto.sealing import Sealer
from poolgate.store.base import Store

_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Counting:
    """A metrics recorder that keeps the token cache's reports."""

    def __init__(self) -> None:
        self.lookups: list[bool] = []
        self.sizes: list[int] = []

    def sign_in(self, flow: str, result: str) -> None:
        pass

    def tokens_issued(self, grant: str) -> None:
        pass

    def lockout(self) -> None:
        pass

    def throttled(self, what: str) -> None:
        pass

    def token_cache(self, hit: bool) -> None:
        self.lookups.append(hit)

    def token_cache_size(self, size_bytes: int) -> None:
        self.sizes.append(size_bytes)


def _context(budget: int, metrics: Counting | None = None) -> Context:
    # The token cache never touches the store.
    return Context(
        store=cast(Store, None),
        sealer=Sealer(os.urandom(32)),
        token_cache_bytes=budget,
        metrics=metrics or Counting(),
    )


def _token(groups: int = 0) -> tuple[str, dict[str, Any]]:
    now = int(time.time())
    claims = {
        "sub": str(uuid.uuid4()),
        "cognito:groups": [f"group-{i}" for i in range(groups)],
        "token_use": "access",
        "exp": now + 3600,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "username": f"user-{uuid.uuid4()}",
    }
    token = jwt.encode(claims, _KEY, algorithm="RS256")
    # What the server keeps: a token string and the claims decoded from it.
    return token, jwt.decode(token, options={"verify_signature": False})


def _fill(ctx: Context, tokens: list[tuple[str, dict[str, Any]]]) -> None:
    for token, claims in tokens:
        ctx.keyring.remember_token(token, "us-east-1_Pool", claims)


def _held(tokens: list[tuple[str, dict[str, Any]]], ctx: Context) -> list[bool]:
    now = time.time()
    return [ctx.keyring.verified_token(token, now) is not None for token, _ in tokens]


def test_budget_bounds_memory_whatever_the_token_size() -> None:
    budget = 256 * 1024
    small = _context(budget)
    big = _context(budget)
    small_tokens = [_token(groups=0) for _ in range(400)]
    big_tokens = [_token(groups=40) for _ in range(400)]
    _fill(small, small_tokens)
    _fill(big, big_tokens)
    for ctx in (small, big):
        assert 0.8 * budget < ctx.keyring.verified_bytes <= budget
    # Same budget, fewer big tokens: the bound is memory, not a count.
    assert sum(_held(big_tokens, big)) < sum(_held(small_tokens, small)) / 2


def test_estimate_is_close_to_what_entries_really_hold() -> None:
    tokens = [_token(groups)[0] for groups in (0, 5, 30) for _ in range(100)]
    ctx = _context(64 * 1024 * 1024)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for original in tokens:
            # A fresh copy, as a token arrives from the network, and its claims.
            token = "".join(list(original))
            claims = jwt.decode(token, options={"verify_signature": False})
            ctx.keyring.remember_token(token, "us-east-1_Pool", claims)
        del token, claims
        real = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert 0.8 * real < ctx.keyring.verified_bytes < 1.25 * real


def test_least_recently_used_go_first() -> None:
    tokens = [_token() for _ in range(10)]
    ctx = _context(10**9)
    _fill(ctx, tokens)
    one_entry = ctx.keyring.verified_bytes // 10
    ctx2 = _context(one_entry * 5 + one_entry // 2)
    _fill(ctx2, tokens[:5])
    assert ctx2.keyring.verified_token(tokens[0][0], time.time()) is not None  # used again
    _fill(ctx2, tokens[5:6])
    assert _held(tokens[:6], ctx2) == [True, False, True, True, True, True]


def test_zero_budget_caches_nothing_and_expired_tokens_are_dropped() -> None:
    token, claims = _token()
    off = _context(0)
    off.keyring.remember_token(token, "us-east-1_Pool", claims)
    assert off.keyring.verified_token(token, time.time()) is None
    assert off.keyring.verified_bytes == 0

    ctx = _context(10**6)
    ctx.keyring.remember_token(token, "us-east-1_Pool", claims)
    assert ctx.keyring.verified_token(token, claims["exp"] + 1) is None
    assert ctx.keyring.verified_bytes == 0


def test_hits_and_misses_are_reported() -> None:
    metrics = Counting()
    ctx = _context(10**6, metrics)
    token, claims = _token()
    lookup: Callable[[], object] = lambda: ctx.keyring.verified_token(token, time.time())  # noqa: E731
    lookup()
    ctx.keyring.remember_token(token, "us-east-1_Pool", claims)
    lookup()
    lookup()
    assert metrics.lookups == [False, True, True]
    assert metrics.sizes == [ctx.keyring.verified_bytes] and metrics.sizes[0] > 0
