"""What every SQL store module shares: the engine and how transactions start.

Write transactions on SQLite start with ``BEGIN IMMEDIATE`` so that a transaction that
reads then writes takes the write lock up front instead of failing with "database is
locked" when it upgrades; on PostgreSQL the same read-modify-write takes a row lock
(``SELECT ... FOR UPDATE``).
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.compiler import SQLCompiler

from poolgate.store.base import Conflict
from poolgate.store.cache import RecordCache
from poolgate.store.postgres import EngineOptions, HotConnections, driver_of
from poolgate.store.schema import config_version
from poolgate.store.wal_sync import WalSync

if TYPE_CHECKING:
    # Imported only for PostgreSQL (make_engine): 0.1 s of every SQLite cold start.
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

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
    process's write lock is done asynchronously (``_begin_immediate``).
    """

    def __init__(self, conn: sa.Connection) -> None:
        self.sync_connection = conn
        self.dialect = conn.dialect
        self._driver: sqlite3.Connection | None = None

    async def execute(self, statement: Any, parameters: Any = None) -> sa.CursorResult[Any]:
        return self.sync_connection.execute(statement, parameters)

    def driver(self) -> sqlite3.Connection:
        # Looked up once: SQLite connections are never invalidated and reconnected
        # (that is for network databases), and the lookup walks three SQLAlchemy objects.
        if self._driver is None:
            dbapi = self.sync_connection.connection.driver_connection
            assert isinstance(dbapi, sqlite3.Connection)
            self._driver = dbapi
        return self._driver

    async def run_sync(self, fn: Callable[..., _T], *args: Any) -> _T:
        return fn(self.sync_connection, *args)

    async def commit(self) -> None:
        self.sync_connection.commit()

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[None]:
        with self.sync_connection.begin():
            yield


class SqliteEngine:
    """The part of ``AsyncEngine`` the store uses, handing out ``SqliteConnection``s.

    With ``wal_sync`` (``synchronous=FULL``, the default) the writer connection commits
    without syncing and a write returns once a sync shared with the writers that
    committed meanwhile has finished (``wal_sync``)."""

    def __init__(self, engine: sa.Engine, wal_sync: WalSync | None = None) -> None:
        self.sync_engine = engine
        self.dialect = engine.dialect
        self._reader: SqliteConnection | None = None
        self._writer: SqliteConnection | None = None
        self._wal_sync = wal_sync
        # SQLite has one writer at a time. Writers of this process queue here instead
        # of each taking a pooled connection and sleeping in SQLite's busy handler,
        # which is what made tail latency collapse under concurrent sign-ins.
        self._write_lock = asyncio.Lock()

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

    def writer(self) -> SqliteConnection:
        """The connection of this process's write transactions, which ``write`` runs
        one at a time (SQLite has one writer anyway)."""
        if self._writer is None:
            writer = SqliteConnection(self.sync_engine.connect())
            if self._wal_sync is not None:
                writer.driver().execute("PRAGMA synchronous=NORMAL")
            self._writer = writer
        return self._writer

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqliteConnection]:
        """One write transaction; on disk when this returns."""
        async with self._write_lock:
            conn = self.writer()
            changes = conn.driver().total_changes
            async with conn.begin():
                await _begin_immediate(conn)
                yield conn
            wrote = conn.driver().total_changes != changes
        if wrote and self._wal_sync is not None:
            await self._wal_sync.durable()

    async def dispose(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                conn.sync_connection.close()
        self._reader = self._writer = None
        if self._wal_sync is not None:
            self._wal_sync.close()
        self.sync_engine.dispose()


# What the store modules are written against: either engine, either connection.
Engine: TypeAlias = "AsyncEngine | SqliteEngine"
DbConnection: TypeAlias = "AsyncConnection | SqliteConnection"

CONFIG_CHANNEL = "poolgate_config"
_BUMP_CONFIG_VERSION = (
    config_version.update()
    .where(config_version.c.id == 1)
    .values(version=config_version.c.version + 1)
)
_READ_CONFIG_VERSION = "SELECT version FROM config_version WHERE id = 1"
# When this asyncio task last read the counter. Every request is a new task that starts
# unset (uvicorn creates it from the server's context, which never reads the store), so
# a request always sees changes committed before it began; its later reads reuse it.
_config_checked_at: contextvars.ContextVar[float] = contextvars.ContextVar(
    "poolgate_config_checked_at", default=float("-inf")
)
_RECHECK_S = 0.05

# SQLite's busy handler sleeps the calling thread, which here is the event loop, so it
# only covers the rare busy reader (WAL recovery); a writer waiting for another
# process's write lock retries BEGIN IMMEDIATE with asyncio.sleep instead.
_BUSY_TIMEOUT_MS = 50
_WRITE_LOCK_WAIT_S = 30.0


def sqlite_path_url(url: str) -> str:
    """pysqlite's URL for a SQLite URL written with any driver (``sqlite+aiosqlite``)."""
    return "sqlite:///" + url.split(":///", 1)[1]


def make_engine(url: str, options: EngineOptions | None = None) -> Engine:
    options = options or EngineOptions()
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            sqlite_path_url(url), connect_args={"check_same_thread": False, "timeout": 0}
        )
        synchronous = options.sqlite_synchronous.upper()
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError(f"sqlite_synchronous must be FULL or NORMAL, not {synchronous!r}")

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Transactions are begun by ``SqlBase._write`` (BEGIN IMMEDIATE), never
            # implicitly by the driver.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            # WAL keeps every committed transaction across a crash of the process
            # (kill -9) with either setting; FULL also syncs the WAL before a write is
            # acknowledged (in COMMIT, or for the writer connection in ``WalSync``), so
            # an OS crash or a power loss does not lose acknowledged writes either
            # (NORMAL may lose the last ones). The cost is in docs/benchmarks/.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            cursor.close()

        path = sqlite_path_url(url).split(":///", 1)[1]
        in_memory = path in ("", ":memory:") or path.startswith("file::memory:")
        return SqliteEngine(engine, None if synchronous != "FULL" or in_memory else WalSync(path))
    from poolgate.store.postgres import make_pg_engine

    return make_pg_engine(url, options)


class SqlBase:
    """Connection handling for the capability modules (``sql_pools``, ``sql_users``...)
    that ``SqlStore`` combines."""

    def __init__(
        self,
        engine: Engine,
        conn: DbConnection | None = None,
        cache: RecordCache | None = None,
    ) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        # Set on the store handed out by ``transaction()``: every call joins it.
        self._conn = conn
        self._cache = cache if cache is not None else RecordCache()
        # PostgreSQL, on the store ``SqlStore.open`` returns (``postgres.HotConnections``).
        self._hot: HotConnections | None = None

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[DbConnection]:
        if self._conn is not None:
            yield self._conn
            return
        if isinstance(self.engine, SqliteEngine):
            yield self.engine.reader()  # autocommit: each statement its own snapshot
            return
        async with self.engine.connect() as conn:
            # One statement needs no explicit transaction: PostgreSQL's implicit one
            # ends when the connection goes back to the pool.
            yield conn

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[DbConnection]:
        if self._conn is not None:
            yield self._conn
            return
        try:
            if isinstance(self.engine, SqliteEngine):
                async with self.engine.write() as conn:
                    yield conn
            else:
                async with self.engine.connect() as pg_conn, pg_conn.begin():
                    yield pg_conn
        except IntegrityError as exc:
            raise Conflict(str(exc.orig)) from exc

    def _sqlite_connection(self) -> SqliteConnection:
        """This store's transaction, or the process's shared read connection."""
        assert isinstance(self.engine, SqliteEngine)
        if isinstance(self._conn, SqliteConnection):
            return self._conn
        return self.engine.reader()

    async def _rows(self, statement: sa.Executable, params: dict[str, Any]) -> list[Any]:
        """The rows of one of the hot statements built once at import (``sql_users``,
        ``sql_groups``), by column name.

        This skips SQLAlchemy's execution path, which costs about 70 us per statement
        where SQLite answers an indexed lookup in 10 us: the statement is compiled once
        per dialect and run on the driver's connection (sqlite3, asyncpg). The hot
        tables hold only strings, numbers and bytes, which both drivers return as
        SQLAlchemy would.
        """
        if isinstance(self.engine, SqliteEngine):
            conn = self._sqlite_connection()
            sql, binds, row_type = _compiled_for(statement, conn.dialect)
            cursor = conn.driver().execute(sql, _arguments(binds, params))
            if row_type is None:
                return []
            return [row_type._make(row) for row in cursor.fetchall()]
        for attempt in (1, 2):
            async with self._statement_connection() as (pg_conn, driver):
                sql, binds, row_type = _compiled_for(statement, pg_conn.dialect)
                try:
                    records = await driver.fetch(sql, *_arguments(binds, params))
                except _connection_errors() as exc:
                    # The driver's error bypassed SQLAlchemy, which would have dropped
                    # the dead connection and its pool; do it here, then retry a read
                    # (not inside a transaction, which died with the connection).
                    await pg_conn.invalidate(exc)
                    if self._conn is not None:
                        raise
                    await self.engine.dispose(close=False)
                    if self._hot is not None:
                        await self._hot.release_idle(0.0)
                    if attempt == 2:
                        raise
                    continue
                return [row_type._make(record) for record in records]
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def _statement_connection(self) -> AsyncIterator[tuple[AsyncConnection, Any]]:
        """PostgreSQL: the connection of one statement on the driver, and the driver's.
        Outside a transaction, one of the connections kept checked out for them."""
        if self._conn is None and self._hot is not None:
            async with self._hot.lease() as leased:
                yield leased
            return
        async with self._read() as pg_conn:
            assert not isinstance(pg_conn, SqliteConnection)
            yield pg_conn, await driver_of(pg_conn)

    async def _run(self, statement: sa.Executable, params: dict[str, Any]) -> None:
        """``_rows`` for a hot single-statement write (the refresh token of a sign-in).

        On PostgreSQL, outside a transaction, the statement runs alone in autocommit on
        asyncpg: atomic by itself, and without BEGIN and COMMIT round trips. Inside one
        it goes through SQLAlchemy, whose asyncpg adapter begins the transaction at its
        first statement, which a statement run on the driver would escape."""
        if self._conn is None and not isinstance(self.engine, SqliteEngine):
            # Every integrity error, as SQLAlchemy's IntegrityError in ``_write``: a
            # foreign key (the user deleted meanwhile) as much as a unique key.
            from asyncpg.exceptions import IntegrityConstraintViolationError

            async with self._statement_connection() as (pg_conn, driver):
                sql, binds, _ = _compiled_for(statement, pg_conn.dialect)
                try:
                    await driver.execute(sql, *_arguments(binds, params))
                except IntegrityConstraintViolationError as exc:
                    raise Conflict(str(exc)) from exc
                except _connection_errors() as exc:
                    await pg_conn.invalidate(exc)  # not retried: it may have committed
                    raise
            return
        async with self._write() as conn:
            if isinstance(conn, SqliteConnection):
                sql, binds, _ = _compiled_for(statement, conn.dialect)
                try:
                    conn.driver().execute(sql, _arguments(binds, params))
                except sqlite3.IntegrityError as exc:
                    raise Conflict(str(exc)) from exc
            else:
                await conn.execute(statement, params)

    @staticmethod
    async def _config_changed(conn: DbConnection) -> None:
        """In the write transaction that changes a pool or a client: tell the other
        worker processes (and nodes) to drop their cached copies."""
        await conn.execute(_BUMP_CONFIG_VERSION)
        if not isinstance(conn, SqliteConnection):
            # Delivered to every listening session when the transaction commits.
            await conn.execute(sa.text(f"NOTIFY {CONFIG_CHANNEL}"))

    async def _fresh_cache(self) -> RecordCache:
        """The record cache, emptied first if another process changed configuration.

        SQLite: a read of the one-row counter (6 us), once per asyncio task (one request)
        and at least every ``_RECHECK_S``, so a change made through one worker is seen by
        the next request on any other. PostgreSQL: a NOTIFY listener empties it
        (``postgres.ConfigListener``); while that session is lost, the cache is emptied
        at every read, so nothing stale is served until it is back."""
        if isinstance(self.engine, SqliteEngine):
            now = time.monotonic()
            if now - _config_checked_at.get() >= _RECHECK_S:
                row = self._sqlite_connection().driver().execute(_READ_CONFIG_VERSION).fetchone()
                version = row[0] if row else 0
                if version != self._cache.version:
                    self._cache.clear()
                    self._cache.version = version
                _config_checked_at.set(now)
        elif not self._cache.subscribed:
            self._cache.clear()
        return self._cache

    def _locked(self, query: sa.Select[Any]) -> sa.Select[Any]:
        return query if self._sqlite else query.with_for_update()


async def _begin_immediate(conn: SqliteConnection) -> None:
    """Take SQLite's write lock up front, so that a transaction that reads then writes
    does not fail with "database is locked" when it upgrades; while another process
    holds it, wait without blocking the event loop."""
    dbapi = conn.driver()
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


# A statement's positional parameters: (name, value fixed in the statement or _NAMED).
_Binds = tuple[tuple[str, Any], ...]
_NAMED = object()
_compiled: dict[tuple[int, str], tuple[sa.Executable, str, _Binds, Any]] = {}


def _arguments(binds: _Binds, params: dict[str, Any]) -> tuple[Any, ...]:
    return tuple([params[name] if fixed is _NAMED else fixed for name, fixed in binds])


def _compiled_for(statement: sa.Executable, dialect: sa.Dialect) -> tuple[str, _Binds, Any]:
    """The SQL text, its parameters in order and a row type (None for a write)."""
    key = (id(statement), dialect.name)
    entry = _compiled.get(key)
    if entry is None or entry[0] is not statement:
        compiled = cast(SQLCompiler, cast(sa.ClauseElement, statement).compile(dialect=dialect))
        # Literals in the statement (``.limit(1)``) are binds that carry their value.
        fixed = {
            name: (_NAMED if bind.required else bind.value) for name, bind in compiled.binds.items()
        }
        names = compiled.positiontup or ()
        binds = tuple((name, fixed.get(name, _NAMED)) for name in names)
        row_type = None
        if isinstance(statement, sa.Select):
            row_type = _row_type([str(column.key) for column in statement.selected_columns])
        entry = (statement, str(compiled), binds, row_type)
        _compiled[key] = entry
    return entry[1], entry[2], entry[3]


def _connection_errors() -> tuple[type[BaseException], ...]:
    """What asyncpg raises when the connection itself is gone (a restarted or
    administratively terminated server, a broken socket)."""
    from asyncpg.exceptions import (
        InterfaceError,
        InternalClientError,
        OperatorInterventionError,
        PostgresConnectionError,
    )

    return (
        OSError,
        InterfaceError,
        InternalClientError,
        OperatorInterventionError,
        PostgresConnectionError,
    )


def _row_type(names: list[str]) -> Any:
    """Rows with attribute access by column name, as SQLAlchemy's ``Row`` has."""
    return collections.namedtuple("Row", names)  # type: ignore[misc]
