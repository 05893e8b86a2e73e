"""What every SQL store module shares: the engine and how transactions start.

Write transactions on SQLite start with ``BEGIN IMMEDIATE`` so that a transaction that
reads then writes takes the write lock up front instead of failing with "database is
locked" when it upgrades; on PostgreSQL the same read-modify-write takes a row lock
(``SELECT ... FOR UPDATE``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar, cast

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from poolgate.store.base import Conflict
from poolgate.store.cache import RecordCache

_T = TypeVar("_T")


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


class SqliteConnection:
    """The part of ``AsyncConnection`` the store modules use, over a pysqlite
    connection that runs on the event loop's own thread.

    A SQLite statement on an indexed table takes microseconds; handing it to a worker
    thread (aiosqlite) cost about 0.8 ms of CPU per statement in thread hops and
    wake-ups, more than everything else a GetUser does. WAL readers never wait for
    writers, and writers of this process queue on ``SqlBase``'s lock, so a statement
    here does not block the loop for longer than it runs; waiting for another
    process's write lock is done asynchronously (``SqlBase._begin_immediate``).
    """

    def __init__(self, conn: sa.Connection) -> None:
        self.sync_connection = conn
        self.dialect = conn.dialect

    async def execute(self, statement: Any, parameters: Any = None) -> sa.CursorResult[Any]:
        return self.sync_connection.execute(statement, parameters)

    async def run_sync(self, fn: Callable[..., _T], *args: Any) -> _T:
        return fn(self.sync_connection, *args)

    async def commit(self) -> None:
        self.sync_connection.commit()

    async def execution_options(self, **options: Any) -> SqliteConnection:
        self.sync_connection.execution_options(**options)
        return self

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[None]:
        with self.sync_connection.begin():
            yield


class SqliteEngine:
    """The part of ``AsyncEngine`` the store uses, handing out ``SqliteConnection``s."""

    def __init__(self, engine: sa.Engine) -> None:
        self.sync_engine = engine
        self.dialect = engine.dialect
        self._reader: SqliteConnection | None = None

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[SqliteConnection]:
        with self.sync_engine.connect() as conn:
            yield SqliteConnection(conn)

    def reader(self) -> SqliteConnection:
        """The connection every single-statement read of this process shares: reads
        run to completion without yielding to the loop, so they never interleave, and
        sharing it skips a pool checkout and reset per read."""
        if self._reader is None:
            self._reader = SqliteConnection(self.sync_engine.connect())
        return self._reader

    async def dispose(self) -> None:
        if self._reader is not None:
            self._reader.sync_connection.close()
            self._reader = None
        self.sync_engine.dispose()


# What the store modules are written against: either engine, either connection.
Engine = AsyncEngine | SqliteEngine
DbConnection = AsyncConnection | SqliteConnection

# SQLite's busy handler sleeps the calling thread, which here is the event loop, so it
# only covers the rare busy reader (WAL recovery); a writer waiting for another
# process's write lock retries BEGIN IMMEDIATE with asyncio.sleep instead.
_BUSY_TIMEOUT_MS = 50
_WRITE_LOCK_WAIT_S = 30.0


def sqlite_path_url(url: str) -> str:
    """pysqlite's URL for a SQLite URL written with any driver (``sqlite+aiosqlite``)."""
    return "sqlite:///" + url.split(":///", 1)[1]


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            sqlite_path_url(url), connect_args={"check_same_thread": False, "timeout": 0}
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Transactions are begun by ``SqlBase._write`` (BEGIN IMMEDIATE), never
            # implicitly by the driver.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            # WAL with synchronous=NORMAL keeps every committed transaction across a
            # crash of the process (kill -9); only an OS crash may lose the last ones.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            cursor.close()

        return SqliteEngine(engine)
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


class SqlBase:
    """Connection handling for the capability modules (``sql_pools``, ``sql_users``...)
    that ``SqlStore`` combines."""

    def __init__(
        self,
        engine: Engine,
        conn: DbConnection | None = None,
        cache: RecordCache | None = None,
        write_lock: asyncio.Lock | None = None,
    ) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        # Set on the store handed out by ``transaction()``: every call joins it.
        self._conn = conn
        self._cache = cache if cache is not None else RecordCache()
        # SQLite has one writer at a time. Writers of this process queue here instead
        # of each taking a pooled connection and sleeping in SQLite's busy handler,
        # which is what made tail latency collapse under concurrent sign-ins.
        self._write_lock = write_lock if write_lock is not None else asyncio.Lock()

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[DbConnection]:
        if self._conn is not None:
            yield self._conn
            return
        if isinstance(self.engine, SqliteEngine):
            yield self.engine.reader()
            return
        async with self.engine.connect() as conn:
            # One statement needs no explicit transaction (SQLite runs in autocommit;
            # PostgreSQL's implicit one ends when the connection goes back).
            yield conn

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[DbConnection]:
        if self._conn is not None:
            yield self._conn
            return
        async with contextlib.AsyncExitStack() as stack:
            if self._sqlite:
                await stack.enter_async_context(self._write_lock)
            conn = cast(DbConnection, await stack.enter_async_context(self.engine.connect()))
            try:
                async with conn.begin():
                    if isinstance(conn, SqliteConnection):
                        await _begin_immediate(conn)
                    yield conn
            except IntegrityError as exc:
                raise Conflict(str(exc.orig)) from exc

    def _locked(self, query: sa.Select[Any]) -> sa.Select[Any]:
        return query if self._sqlite else query.with_for_update()


async def _begin_immediate(conn: SqliteConnection) -> None:
    """Take SQLite's write lock up front, so that a transaction that reads then writes
    does not fail with "database is locked" when it upgrades; while another process
    holds it, wait without blocking the event loop."""
    dbapi = conn.sync_connection.connection.driver_connection
    assert dbapi is not None
    deadline = time.monotonic() + _WRITE_LOCK_WAIT_S
    pause = 0.0005
    while True:
        try:
            dbapi.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.02)
