"""SQLite's group sync (``store/wal_sync.py``): with ``synchronous=FULL`` a write returns
only after an ``fdatasync`` of the WAL that began after its commit, and writers that
commit meanwhile share one."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest

from poolgate.store import wal_sync
from poolgate.store.sql import SqlStore
from poolgate.store.sql_base import SqliteEngine
from tests.store.factories import client, key, pool, refresh_token, user

SQLITE = pytest.mark.parametrize("backend", ["sqlite"])

ALICE = user("alice")
FULL, NORMAL = 2, 1  # what PRAGMA synchronous reads


class Journal:
    """What happened, in order: commits of the writer connection, syncs of the WAL
    (their start and end, from the syncing thread) and writers' returns."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, object]] = []
        self._lock = threading.Lock()

    def add(self, kind: str, detail: object = None) -> None:
        with self._lock:
            self.entries.append((kind, detail))

    def index(self, entry: tuple[str, object]) -> int:
        return self.entries.index(entry)


@pytest.fixture
def journal(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> Journal:
    engine = store.engine
    assert isinstance(engine, SqliteEngine)
    log = Journal()
    syncs = iter(range(1_000_000))
    real_fdatasync = os.fdatasync

    def fdatasync(fd: int) -> None:
        number = next(syncs)
        log.add("sync-start", number)
        real_fdatasync(fd)
        log.add("sync-end", number)

    monkeypatch.setattr(wal_sync.os, "fdatasync", fdatasync)
    engine.writer().driver().set_trace_callback(
        lambda sql: log.add("commit") if sql.strip().upper() == "COMMIT" else None
    )
    return log


def committed_hashes(store_url: str) -> set[str]:
    """What another connection (another process) sees."""
    with closing(sqlite3.connect(store_url.split(":///", 1)[1])) as conn:
        return {row[0] for row in conn.execute("SELECT token_hash FROM refresh_tokens")}


@SQLITE
async def test_a_write_returns_after_a_sync_that_began_after_its_commit(
    store: SqlStore, store_url: str, journal: Journal
) -> None:
    await store.create_pool(pool(), [key("k1")])
    await store.create_client(client())
    await store.create_user(ALICE)
    count = 40

    async def add(i: int) -> None:
        async with store.transaction() as tx:
            await tx.add_refresh_token(refresh_token(f"h{i}", ALICE.sub, f"origin-{i}"))
            journal.add("body", i)
        journal.add("returned", i)

    journal.entries.clear()
    await asyncio.gather(*(add(i) for i in range(count)))

    entries = journal.entries
    for i in range(count):
        body, returned = journal.index(("body", i)), journal.index(("returned", i))
        commit = next(n for n in range(body, len(entries)) if entries[n][0] == "commit")
        covering = [
            entry[1]
            for entry in entries[commit:returned]
            if entry[0] == "sync-start" and ("sync-end", entry[1]) in entries[:returned]
        ]
        assert covering, f"writer {i} returned before a sync of its commit: {entries}"
    syncs = [entry for entry in entries if entry[0] == "sync-start"]
    assert 1 <= len(syncs) < count / 2, f"{len(syncs)} syncs for {count} writers"
    assert committed_hashes(store_url) == {f"h{i}" for i in range(count)}


@SQLITE
async def test_a_transaction_that_changed_nothing_waits_for_no_sync(
    store: SqlStore, journal: Journal
) -> None:
    await store.create_pool(pool(), [key("k1")])
    journal.entries.clear()
    async with store.transaction() as tx:
        assert await tx.get_pool("us-east-1_TTTTTTTTT") is not None
    assert not [entry for entry in journal.entries if entry[0] == "sync-start"]


@SQLITE
async def test_only_the_writer_commits_without_syncing(store: SqlStore) -> None:
    engine = store.engine
    assert isinstance(engine, SqliteEngine)
    assert engine.reader().driver().execute("PRAGMA synchronous").fetchone()[0] == FULL
    assert engine.writer().driver().execute("PRAGMA synchronous").fetchone()[0] == NORMAL


async def test_normal_durability_has_no_sync_to_wait_for(tmp_path: Path) -> None:
    from poolgate.store.postgres import EngineOptions

    opened = await SqlStore.open(
        f"sqlite:///{tmp_path / 'n.db'}", options=EngineOptions(sqlite_synchronous="normal")
    )
    try:
        engine = opened.engine
        assert isinstance(engine, SqliteEngine)
        assert engine._wal_sync is None
        await opened.create_pool(pool(), [key("k1")])
        assert engine.writer().driver().execute("PRAGMA synchronous").fetchone()[0] == NORMAL
    finally:
        await opened.close()


async def test_the_wal_file_is_reopened_when_sqlite_made_a_new_one(tmp_path: Path) -> None:
    database = tmp_path / "w.db"
    sync = wal_sync.WalSync(str(database))
    try:
        await sync.durable()  # no WAL yet: nothing to sync
        with closing(sqlite3.connect(database)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE t (x)")
            conn.execute("INSERT INTO t VALUES (1)")
            conn.commit()
            await sync.durable()
            first = sync._fd
            assert first is not None
        # The last connection closed: SQLite checkpointed and deleted the WAL.
        assert not Path(str(database) + "-wal").exists()
        with closing(sqlite3.connect(database)) as conn:
            conn.execute("INSERT INTO t VALUES (2)")
            conn.commit()
            await sync.durable()
            assert sync._fd is not None
            assert os.fstat(sync._fd).st_ino == os.stat(str(database) + "-wal").st_ino
    finally:
        sync.close()
