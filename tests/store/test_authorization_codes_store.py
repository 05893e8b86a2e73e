"""OAuth authorization codes (single use, by hash): the store contract on SQLite and
a real PostgreSQL server, with callers racing to redeem one code."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from sqlalchemy import text

from poolgate.store.base import Conflict
from poolgate.store.sql import SqlStore
from tests.store.factories import authorization_code, pool, user

ALICE = user("alice")


@pytest.fixture
async def ready(store: SqlStore) -> SqlStore:
    await store.create_pool(pool(), [])
    await store.create_user(ALICE)
    return store


async def test_a_code_is_consumed_once(ready: SqlStore) -> None:
    issued = authorization_code("h1", ALICE.sub)
    await ready.add_authorization_code(issued)
    assert await ready.consume_authorization_code("h1", 1100.0) == (
        replace(issued, used=1100.0),
        True,
    )
    # Replayed: the code as first used, and not consumed by this call.
    assert await ready.consume_authorization_code("h1", 1150.0) == (
        replace(issued, used=1100.0),
        False,
    )
    assert await ready.consume_authorization_code("unknown", 1100.0) == (None, False)


async def test_the_store_leaves_expiry_to_its_caller(ready: SqlStore) -> None:
    # Past ``expires`` the code is still handed back (core answers "expired"), and
    # consumed: an expired code must not become redeemable by a later call either.
    await ready.add_authorization_code(authorization_code("h1", ALICE.sub, expires=1300.0))
    code, fresh = await ready.consume_authorization_code("h1", 2000.0)
    assert fresh is True and code is not None and code.expires == 1300.0 and code.used == 2000.0


async def test_codes_long_expired_are_dropped_as_others_are_consumed(ready: SqlStore) -> None:
    await ready.add_authorization_code(authorization_code("stale", ALICE.sub, expires=100.0))
    await ready.add_authorization_code(authorization_code("recent", ALICE.sub, expires=3000.0))
    await ready.add_authorization_code(authorization_code("live", ALICE.sub, expires=5000.0))
    # At 4000, "stale" expired more than an hour ago; "recent" less than one.
    code, fresh = await ready.consume_authorization_code("live", 4000.0)
    assert fresh and code is not None and code.code_hash == "live"
    assert await ready.consume_authorization_code("stale", 4001.0) == (None, False)
    code, fresh = await ready.consume_authorization_code("recent", 4002.0)
    assert fresh and code == authorization_code("recent", ALICE.sub, expires=3000.0, used=4002.0)


async def test_authorization_code_conflicts(ready: SqlStore) -> None:
    await ready.add_authorization_code(authorization_code("h1", ALICE.sub))
    with pytest.raises(Conflict):
        await ready.add_authorization_code(authorization_code("h1", ALICE.sub, client_id="x"))
    with pytest.raises(Conflict):  # a code needs its user
        await ready.add_authorization_code(
            authorization_code("h2", "00000000-0000-4000-8000-000000000000")
        )
    assert await ready.consume_authorization_code("h2", 1100.0) == (None, False)
    code, _ = await ready.consume_authorization_code("h1", 1100.0)
    assert code is not None and code.client_id == "c" * 26


async def test_record_code_tokens_for_a_replay(ready: SqlStore) -> None:
    issued = authorization_code("h1", ALICE.sub)
    await ready.add_authorization_code(issued)
    await ready.consume_authorization_code("h1", 1100.0)
    await ready.record_code_tokens("h1", "origin-1")
    await ready.record_code_tokens("unknown", "origin-2")  # no error, nothing written
    code, fresh = await ready.consume_authorization_code("h1", 1200.0)
    assert fresh is False
    assert code == replace(issued, grant={**issued.grant, "origin_jti": "origin-1"}, used=1100.0)


async def test_two_processes_redeem_one_code_at_once(
    ready: SqlStore, other_store: SqlStore
) -> None:
    """Two token requests with one code, through two processes' connections: exactly
    one gets it, the other sees it used."""
    for i in range(10):
        issued = authorization_code(f"race-{i}", ALICE.sub)
        await ready.add_authorization_code(issued)
        results = await asyncio.gather(
            ready.consume_authorization_code(issued.code_hash, 1100.0 + i),
            other_store.consume_authorization_code(issued.code_hash, 1100.5 + i),
        )
        assert sorted(fresh for _, fresh in results) == [False, True]
        winner = next(code for code, fresh in results if fresh)
        loser = next(code for code, fresh in results if not fresh)
        assert winner is not None and loser == winner
        assert winner.used in (1100.0 + i, 1100.5 + i)


async def test_many_callers_redeem_one_code_at_once(ready: SqlStore) -> None:
    await ready.add_authorization_code(authorization_code("h1", ALICE.sub))
    results = await asyncio.gather(
        *(ready.consume_authorization_code("h1", 1100.0 + i) for i in range(8))
    )
    assert [fresh for _, fresh in results].count(True) == 1
    assert len({code.used for code, _ in results if code is not None}) == 1


async def _wait_until_blocked(store: SqlStore, backend: str, waiter: asyncio.Task[object]) -> None:
    """Until ``waiter`` waits for a lock held by the test (PostgreSQL: seen in
    pg_stat_activity; SQLite: BEGIN IMMEDIATE keeps retrying)."""
    if backend == "postgresql":
        query = text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        for _ in range(200):
            async with store.engine.connect() as conn:
                if (await conn.execute(query)).scalar_one() > 0:
                    break
            await asyncio.sleep(0.025)
        else:
            raise AssertionError("the second redemption never waited for the first")
    await asyncio.sleep(0.2)
    assert not waiter.done()


@pytest.mark.parametrize("first_commits", [True, False], ids=["commit", "rollback"])
async def test_a_redemption_in_flight_holds_off_the_second(
    ready: SqlStore, other_store: SqlStore, backend: str, first_commits: bool
) -> None:
    """The first redemption, still in its transaction, holds the code: the second
    waits, then loses if the first committed, or wins if it rolled back (a failed
    exchange leaves the code as it was)."""
    await ready.add_authorization_code(authorization_code("h1", ALICE.sub))
    holding, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with ready.transaction() as tx:
            code, fresh = await tx.consume_authorization_code("h1", 1100.0)
            assert fresh and code is not None and code.used == 1100.0
            holding.set()
            await release.wait()
            if not first_commits:
                raise RuntimeError("the token exchange failed")

    holder = asyncio.create_task(first())
    await holding.wait()
    second = asyncio.create_task(other_store.consume_authorization_code("h1", 1200.0))
    await _wait_until_blocked(ready, backend, second)
    release.set()
    if first_commits:
        await asyncio.wait_for(holder, 10)
    else:
        with pytest.raises(RuntimeError):
            await asyncio.wait_for(holder, 10)
    code, fresh = await asyncio.wait_for(second, 10)
    assert fresh is not first_commits
    assert code is not None and code.used == (1100.0 if first_commits else 1200.0)
