"""Transactions, the configuration counter and the record cache across processes:
the store contract on SQLite and a real PostgreSQL server.

A transaction commits when its block exits and rolls back when it raises; nothing it
wrote survives a rollback, not even in a cache."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, TypeVar

import pytest
from sqlalchemy import text

from poolgate.store.base import Conflict
from poolgate.store.records import Group, ResourceServer, UICustomization
from poolgate.store.sql import SqlStore
from tests.store.factories import (
    CLIENT,
    POOL,
    authorization_code,
    client,
    code,
    key,
    message,
    pool,
    refresh_token,
    user,
)
from tests.store.recording import open_store

ALICE = user("alice")
BOB = user("bob")
_T = TypeVar("_T")


class Refused(Exception):
    pass


async def config_version(store: SqlStore) -> int:
    async with store.engine.connect() as conn:
        result = await conn.execute(text("SELECT version FROM config_version WHERE id = 1"))
        return int(result.scalar_one())


async def in_new_request(call: Callable[[], Awaitable[_T]]) -> _T:
    """Run ``call`` as a new request would: a new asyncio task with a fresh context."""

    async def run() -> _T:
        return await call()

    return await asyncio.create_task(run(), context=contextvars.Context())


async def write_everything(tx: SqlStore) -> None:
    """A write of every kind of record the store keeps, and the updates on top."""
    await tx.create_pool(pool(), [key("k1")])
    await tx.create_client(client())
    await tx.update_client(CLIENT, lambda c: replace(c, name="renamed"))
    await tx.update_pool(POOL, lambda p: replace(p, name="renamed"))
    await tx.create_user(ALICE)
    await tx.put_user(replace(ALICE, status="RESET_REQUIRED"))
    await tx.create_users([BOB])
    await tx.put_code(code(ALICE.sub))
    await tx.add_refresh_token(refresh_token("h1", ALICE.sub, "origin-1"))
    await tx.add_refresh_token(refresh_token("h2", BOB.sub, "origin-2"))
    await tx.revoke_refresh_token("h2", 5.0)
    await tx.add_authorization_code(authorization_code("ac1", ALICE.sub))
    await tx.consume_authorization_code("ac1", 1100.0)
    await tx.record_code_tokens("ac1", "origin-1")
    await tx.add_message(message("alice@example.com"))
    await tx.create_group(Group(pool_id=POOL, name="staff", created=1.0, modified=1.0))
    await tx.add_user_to_group(POOL, "staff", ALICE.sub, 2.0)
    await tx.create_resource_server(
        ResourceServer(pool_id=POOL, identifier="api", name="API", scopes=[], created=1, modified=1)
    )
    await tx.put_ui_customization(
        UICustomization(pool_id=POOL, client_id="ALL", version="1", created=1.0, modified=1.0)
    )


async def test_a_transaction_commits_every_write_at_once(
    store: SqlStore, other_store: SqlStore
) -> None:
    async with store.transaction() as tx:
        await write_everything(tx)
        # Inside, the transaction reads its own writes...
        assert await tx.get_user(POOL, "alice") == replace(ALICE, status="RESET_REQUIRED")
        assert await tx.count_users(POOL) == 2
        # ...which nobody else sees yet.
        assert await other_store.get_pool(POOL) is None
        assert await other_store.get_user(POOL, "alice") is None
        assert await other_store.list_messages() == []

    for reader in (store, other_store):
        stored_pool = await reader.get_pool(POOL)
        assert stored_pool is not None and stored_pool.name == "renamed"
        stored_client = await reader.get_client(CLIENT)
        assert stored_client is not None and stored_client.name == "renamed"
        assert await reader.list_signing_keys(POOL) == [key("k1")]
        assert await reader.get_user(POOL, "alice") == replace(ALICE, status="RESET_REQUIRED")
        assert await reader.count_users(POOL) == 2
        assert await reader.get_code(POOL, ALICE.sub, "SIGN_UP") == code(ALICE.sub)
        assert await reader.get_refresh_token("h1") == refresh_token("h1", ALICE.sub, "origin-1")
        assert await reader.origin_revoked("origin-2") is True
        consumed, fresh = await reader.consume_authorization_code("ac1", 1200.0)
        assert not fresh and consumed is not None and consumed.grant["origin_jti"] == "origin-1"
        assert [m.recipient for m in await reader.list_messages()] == ["alice@example.com"]
        assert [g.name for g in await reader.groups_for_token(POOL, ALICE.sub)] == ["staff"]
        assert [s.identifier for s in await reader.list_resource_servers(POOL, 10, None)] == ["api"]
        assert await reader.get_ui_customization(POOL, "ALL") is not None


async def test_a_transaction_that_raises_leaves_nothing_behind(
    store: SqlStore, other_store: SqlStore
) -> None:
    with pytest.raises(Refused):
        async with store.transaction() as tx:
            await write_everything(tx)
            # Read back inside, so that a cache could have kept the uncommitted rows.
            assert (await tx.get_pool(POOL)) is not None
            assert (await tx.get_client(CLIENT)) is not None
            raise Refused

    for reader in (store, other_store):
        assert await reader.get_pool(POOL) is None
        assert await reader.get_client(CLIENT) is None
        assert await reader.list_pools(10, None) == []
        assert await reader.list_signing_keys(POOL) == []
        assert await reader.get_user(POOL, "alice") is None
        assert await reader.count_users(POOL) == 0
        assert await reader.get_refresh_token("h1") is None
        assert await reader.list_messages() == []
        assert await reader.get_group(POOL, "staff") is None
        assert await reader.get_ui_customization(POOL, "ALL") is None
    assert await config_version(store) == 0


async def test_a_rolled_back_change_to_existing_rows_is_undone(store: SqlStore) -> None:
    await store.create_pool(pool(), [])
    await store.create_client(client())
    await store.create_user(ALICE)
    await store.put_code(code(ALICE.sub))
    await store.add_refresh_token(refresh_token("h1", ALICE.sub, "origin-1"))
    await store.add_authorization_code(authorization_code("ac1", ALICE.sub))
    assert await store.get_pool(POOL) == pool()  # cached before the transaction
    version = await config_version(store)

    with pytest.raises(Refused):
        async with store.transaction() as tx:
            await tx.update_pool(POOL, lambda p: replace(p, name="renamed"))
            await tx.update_client(CLIENT, lambda c: replace(c, name="renamed"))
            assert (await tx.get_pool(POOL)) == pool(name="renamed")
            assert (await tx.get_client(CLIENT)) == client(name="renamed")
            await tx.put_user(replace(ALICE, enabled=False))
            await tx.delete_code(POOL, ALICE.sub, "SIGN_UP")
            assert await tx.revoke_user_tokens(POOL, ALICE.sub, 9.0) == 1
            assert (await tx.consume_authorization_code("ac1", 1100.0))[1] is True
            assert await tx.delete_user(POOL, BOB.sub) is False
            raise Refused

    assert await store.get_pool(POOL) == pool()
    assert await in_new_request(lambda: store.get_pool(POOL)) == pool()
    assert await store.get_client(CLIENT) == client()
    assert await store.get_user(POOL, "alice") == ALICE
    assert await store.get_code(POOL, ALICE.sub, "SIGN_UP") == code(ALICE.sub)
    assert await store.origin_revoked("origin-1") is False
    assert (await store.consume_authorization_code("ac1", 1200.0))[1] is True
    assert await config_version(store) == version


async def test_a_conflict_inside_a_transaction_rolls_it_back(store: SqlStore) -> None:
    """AdminCreateUser's shape: create the user, then a write that conflicts."""
    await store.create_pool(pool(), [])
    await store.create_user(BOB)
    with pytest.raises(Conflict):
        async with store.transaction() as tx:
            await tx.create_user(ALICE)
            await tx.put_code(code(ALICE.sub))
            await tx.create_user(replace(BOB, sub=ALICE.sub[::-1]))
    assert await store.get_user(POOL, "alice") is None
    assert await store.count_users(POOL) == 1
    # The store is usable after the failed transaction.
    await store.create_user(ALICE)
    assert await store.get_user(POOL, "alice") == ALICE


async def test_nested_transactions_join_the_outer_one(store: SqlStore) -> None:
    await store.create_pool(pool(), [])
    with pytest.raises(Refused):
        async with store.transaction() as tx:
            async with tx.transaction() as inner:
                await inner.create_user(ALICE)
            # The inner block ended without committing anything on its own.
            assert await tx.get_user(POOL, "alice") == ALICE
            raise Refused
    assert await store.get_user(POOL, "alice") is None

    async with store.transaction() as tx:
        async with tx.transaction() as inner:
            await inner.create_user(ALICE)
        await tx.create_user(BOB)
    assert await store.count_users(POOL) == 2


async def test_the_config_counter_counts_changes_to_pools_and_clients(store: SqlStore) -> None:
    assert await config_version(store) == 0
    await store.create_pool(pool(), [])
    await store.create_client(client())
    # Creation needs no bump: nothing can have cached what did not exist.
    assert await config_version(store) == 0
    await store.update_pool(POOL, lambda p: replace(p, name="a"))
    assert await config_version(store) == 1
    await store.update_client(CLIENT, lambda c: replace(c, name="b"))
    assert await config_version(store) == 2
    assert await store.update_pool("us-east-1_missing00", lambda p: p) is None
    assert await store.update_client("z" * 26, lambda c: c) is None
    assert await config_version(store) == 2
    assert await store.delete_client(CLIENT)
    assert await config_version(store) == 3
    assert await store.delete_pool(POOL)
    assert await config_version(store) == 4
    # Users, codes and tokens are not configuration.
    await store.create_pool(pool(), [])
    await store.create_user(ALICE)
    await store.put_user(replace(ALICE, enabled=False))
    assert await config_version(store) == 4


@pytest.mark.parametrize("kind", ["user", "user_by_sub", "group", "resource_server"])
async def test_a_read_for_update_holds_off_another_transaction(
    store: SqlStore, other_store: SqlStore, kind: str
) -> None:
    """A transaction that read a row ``for_update`` keeps another transaction (here
    another process's) from reading it for update until it commits; that one then
    sees the committed change. (PostgreSQL: a row lock; SQLite: the write lock every
    transaction takes.)"""
    await store.create_pool(pool(), [])
    await store.create_user(ALICE)
    await store.create_group(Group(pool_id=POOL, name="staff", created=1.0, modified=1.0))
    await store.create_resource_server(
        ResourceServer(pool_id=POOL, identifier="api", name="v0", scopes=[], created=1, modified=1)
    )

    async def read(tx: SqlStore) -> Any:
        if kind == "user":
            return await tx.get_user(POOL, "alice", for_update=True)
        if kind == "user_by_sub":
            return await tx.get_user_by_sub(POOL, ALICE.sub, for_update=True)
        if kind == "group":
            return await tx.get_group(POOL, "staff", for_update=True)
        return await tx.get_resource_server(POOL, "api", for_update=True)

    async def change(tx: SqlStore, current: Any) -> None:
        if kind.startswith("user"):
            await tx.put_user(replace(current, modified=2.0))
        elif kind == "group":
            await tx.put_group(replace(current, modified=2.0))
        else:
            assert await tx.put_resource_server(replace(current, modified=2.0))

    locked, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with store.transaction() as tx:
            current = await read(tx)
            assert (current is not None and current.modified == 1.0) or kind.startswith("user")
            locked.set()
            await release.wait()
            await change(tx, current)

    async def second() -> float:
        await locked.wait()
        async with other_store.transaction() as tx:
            return float((await read(tx)).modified)

    holder, waiter = asyncio.create_task(first()), asyncio.create_task(second())
    await locked.wait()
    await asyncio.sleep(0.3)
    assert not waiter.done()
    release.set()
    await asyncio.wait_for(holder, 10)
    assert await asyncio.wait_for(waiter, 10) == 2.0


async def _eventually(check: Callable[[], Awaitable[bool]]) -> bool:
    for _ in range(200):
        if await in_new_request(check):
            return True
        await asyncio.sleep(0.025)
    return False


async def test_a_change_through_another_process_reaches_this_ones_cache(
    store: SqlStore, other_store: SqlStore
) -> None:
    """Pools and clients are cached per process; a change another process commits
    reaches this one (SQLite: the counter, read per request; PostgreSQL: NOTIFY)."""
    store._cache.ttl = 3600.0  # only invalidation, never age, may refresh the cache
    await store.create_pool(pool(), [])
    await store.create_client(client())
    await store.create_client(client("d" * 26))
    assert await store.get_pool(POOL) == pool()
    assert await store.get_client(CLIENT) == client()
    assert await store.get_client("d" * 26) == client("d" * 26)

    await other_store.update_pool(POOL, lambda p: replace(p, name="renamed"))
    await other_store.update_client(CLIENT, lambda c: replace(c, name="renamed"))
    await other_store.delete_client("d" * 26)

    async def fresh() -> bool:
        current_pool = await store.get_pool(POOL)
        current_client = await store.get_client(CLIENT)
        return (
            current_pool is not None
            and current_pool.name == "renamed"
            and current_client is not None
            and current_client.name == "renamed"
            and await store.get_client("d" * 26) is None
        )

    assert await _eventually(fresh)


async def test_committed_writes_survive_closing_and_reopening(
    backend: str, store_url: str, store: SqlStore
) -> None:
    first = await open_store(backend, store_url)
    await first.create_pool(pool(), [key("k1")])
    await first.create_user(ALICE)
    message_id = await first.add_message(message("alice@example.com"))
    await first.close()

    second = await open_store(backend, store_url)
    try:
        assert await second.get_pool(POOL) == pool()
        assert await second.list_signing_keys(POOL) == [key("k1")]
        assert await second.get_user(POOL, "alice") == ALICE
        assert await second.list_messages() == [
            replace(message("alice@example.com"), id=message_id)
        ]
    finally:
        await second.close()
