"""PostgreSQL connections (store/postgres.py): a connection the server closed is
replaced before use, idle ones are closed, and the budget is read from the server."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import asyncpg
import pytest

from poolgate.config import normalize_database_url
from poolgate.store.postgres import EngineOptions, connection_budget
from poolgate.store.sql import SqlStore
from tests.conftest import PG_DSN


@pytest.fixture
async def pg_store(pg_database: str) -> AsyncIterator[SqlStore]:
    options = EngineOptions(pool_size=4, idle_timeout=0.2, application_name="poolgate-conn")
    store = await SqlStore.open(normalize_database_url(pg_database), options=options)
    yield store
    await store.close()


async def sessions(database: str, name: str = "poolgate-conn") -> list[int]:
    conn = await asyncpg.connect(PG_DSN)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2",
            database,
            name,
        )
        return [row["pid"] for row in rows]
    finally:
        await conn.close()


async def terminate(pids: list[int]) -> None:
    conn = await asyncpg.connect(PG_DSN)
    try:
        for pid in pids:
            await conn.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await conn.close()


async def busy(store: SqlStore, count: int) -> None:
    """``count`` reads at once, each holding a pooled connection for a moment."""

    async def read() -> None:
        async with store.engine.connect() as conn:  # type: ignore[union-attr]
            from sqlalchemy import text

            await conn.execute(text("SELECT pg_sleep(0.05)"))

    await asyncio.gather(*(read() for _ in range(count)))


async def test_idle_connections_are_closed(pg_store: SqlStore, pg_database: str) -> None:
    database = pg_database.rsplit("/", 1)[1]
    await busy(pg_store, 4)
    assert len(await sessions(database)) == 4 + 1  # the pool and the LISTEN session
    time.sleep(0.3)  # longer than idle_timeout
    assert pg_store._reaper is not None
    assert await pg_store._reaper.reap() == 4
    assert len(await sessions(database)) == 1  # only LISTEN stays
    # The pool opens connections again when it needs them.
    await busy(pg_store, 2)
    assert len(await sessions(database)) == 3


async def test_a_connection_the_server_closed_is_replaced_before_use(
    pg_store: SqlStore, pg_database: str
) -> None:
    database = pg_database.rsplit("/", 1)[1]
    await busy(pg_store, 3)
    await terminate(await sessions(database))
    await asyncio.sleep(0.1)  # asyncpg reads the termination from the socket
    # Through SQLAlchemy's execution path (no retry there): every pooled connection is
    # dead, and none of them fails a statement.
    for _ in range(5):
        assert isinstance(await pg_store.list_pools(10, None), list)
        assert await pg_store.schema_revision()


async def test_the_connection_budget_is_read_from_the_server(pg_store: SqlStore) -> None:
    budget = await connection_budget(pg_store.engine)  # type: ignore[arg-type]
    assert budget.max_connections >= 20
    assert 0 < budget.reserved < budget.max_connections
    assert budget.in_use >= 1


@pytest.fixture
async def counted_store(pg_database: str) -> AsyncIterator[tuple[SqlStore, list[int]]]:
    changes: list[int] = []
    options = EngineOptions(
        pool_size=4,
        idle_timeout=0.2,
        application_name="poolgate-conn",
        on_pool_change=changes.append,
    )
    store = await SqlStore.open(normalize_database_url(pg_database), options=options)
    yield store, changes
    await store.close()


async def test_hot_statements_keep_their_connection_checked_out(
    counted_store: tuple[SqlStore, list[int]], pg_database: str
) -> None:
    store, changes = counted_store
    database = pg_database.rsplit("/", 1)[1]
    changes.clear()
    for _ in range(20):
        assert await store.get_client("no-such-client") is None  # a read on the driver
    assert changes.count(1) == 1, changes  # one checkout, kept for the next reads
    assert len(await sessions(database)) == 1 + 1  # that one and the LISTEN session
    # Many at once: at most half the pool is kept; the rest check out as before.
    await asyncio.gather(*(store.get_client(f"c{i}") for i in range(40)))
    assert store._hot is not None and store._hot._held <= 2


async def test_hot_connections_go_back_to_the_pool_and_close_when_idle(
    counted_store: tuple[SqlStore, list[int]], pg_database: str
) -> None:
    store, changes = counted_store
    database = pg_database.rsplit("/", 1)[1]
    await store.get_client("no-such-client")
    assert store._hot is not None and store._reaper is not None
    assert await store._hot.release_idle(0.0) == 1
    assert changes[-1] == -1  # checked in
    time.sleep(0.3)  # longer than the pool's idle_timeout
    assert await store._reaper.reap() == 1
    assert len(await sessions(database)) == 1  # only LISTEN stays


async def test_a_hot_connection_the_server_closed_is_replaced_before_use(
    counted_store: tuple[SqlStore, list[int]], pg_database: str
) -> None:
    store, _ = counted_store
    database = pg_database.rsplit("/", 1)[1]
    await store.get_client("no-such-client")
    before = await sessions(database)
    await terminate(before)
    await asyncio.sleep(0.1)  # asyncpg reads the termination from the socket
    for _ in range(5):
        assert await store.get_client("no-such-client") is None
    assert set(await sessions(database)).isdisjoint(before)
