"""Single-use challenge sessions (the custom authentication flow's "session can only be
used once"), on SQLite and a real PostgreSQL server."""

from __future__ import annotations

import asyncio

from poolgate.store.sql import SqlStore


async def test_a_session_is_spent_once(store: SqlStore) -> None:
    assert await store.spend_session("sid-1", expires=100.0, now=10.0) is True
    assert await store.spend_session("sid-1", expires=100.0, now=20.0) is False
    assert await store.spend_session("sid-2", expires=100.0, now=20.0) is True


async def test_racing_spenders_one_wins(store: SqlStore) -> None:
    results = await asyncio.gather(
        *(store.spend_session("sid-race", expires=100.0, now=10.0) for _ in range(12))
    )
    assert sorted(results) == [False] * 11 + [True]


async def test_spent_sessions_are_forgotten_once_expired(store: SqlStore) -> None:
    assert await store.spend_session("old", expires=50.0, now=10.0) is True
    # Spending another session past the first one's expiry clears it away: it could
    # not be replayed anyway (its sealed expiry has passed).
    assert await store.spend_session("new", expires=200.0, now=60.0) is True
    assert await store.spend_session("old", expires=50.0, now=60.0) is True
    assert await store.spend_session("new", expires=200.0, now=60.0) is False
