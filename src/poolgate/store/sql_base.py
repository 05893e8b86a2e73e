"""What every SQL store module shares: the engine and how transactions start.

Write transactions on SQLite start with ``BEGIN IMMEDIATE`` so that a transaction that
reads then writes takes the write lock up front instead of failing with "database is
locked" when it upgrades; on PostgreSQL the same read-modify-write takes a row lock
(``SELECT ... FOR UPDATE``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from poolgate.store.base import Conflict
from poolgate.store.cache import RecordCache

_WRITE = "poolgate_write"


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let our "begin" hook decide how transactions start.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            # WAL with synchronous=NORMAL keeps every committed transaction across a
            # crash of the process (kill -9); only an OS crash may lose the last ones.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            # Reads run in autocommit (each statement its own snapshot); writes take
            # the write lock up front.
            if conn.get_execution_options().get(_WRITE, False):
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


class SqlBase:
    """Connection handling for the capability modules (``sql_pools``, ``sql_users``...)
    that ``SqlStore`` combines."""

    def __init__(
        self,
        engine: AsyncEngine,
        conn: AsyncConnection | None = None,
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
    async def _read(self) -> AsyncIterator[AsyncConnection]:
        if self._conn is not None:
            yield self._conn
            return
        async with self.engine.connect() as conn:
            # One statement needs no explicit transaction; on SQLite skipping
            # BEGIN/COMMIT saves two round trips through aiosqlite's thread.
            yield conn

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        if self._conn is not None:
            yield self._conn
            return
        async with contextlib.AsyncExitStack() as stack:
            if self._sqlite:
                await stack.enter_async_context(self._write_lock)
            conn = await stack.enter_async_context(self.engine.connect())
            await conn.execution_options(**{_WRITE: True})
            try:
                async with conn.begin():
                    yield conn
            except IntegrityError as exc:
                raise Conflict(str(exc.orig)) from exc

    def _locked(self, query: sa.Select[Any]) -> sa.Select[Any]:
        return query if self._sqlite else query.with_for_update()
