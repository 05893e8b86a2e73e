"""PostgreSQL connections that survive a database restart, an administrator's
``pg_terminate_backend`` and an idle night.

- A pooled connection the server already closed is noticed when it is checked out
  (asyncpg sees the socket close at once) and replaced there, before a statement can
  fail on it: no pre-ping round trip, no request lost to a dead connection.
- Connections unused for ``idle_timeout`` seconds are closed (``IdleReaper``), and none
  lives longer than ``max_lifetime``; the pool hands out the most recently used first,
  so the others are the ones that go idle.
- One session per process LISTENs for configuration changes (``ConfigListener``); when
  it is lost it is opened again, and until then the caller is told to bypass its cache.
- ``connection_budget`` reads ``max_connections``, so a node can refuse a configuration
  that cannot fit before it takes connections others need.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, exc

from poolgate.store.cache import RecordCache

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger("poolgate.store")

APPLICATION_NAME = "poolgate"


@dataclass(frozen=True)
class EngineOptions:
    """How a process connects; the defaults suit tests and one-shot commands."""

    # PostgreSQL: the most connections one process holds for queries (the LISTEN
    # session is one more).
    pool_size: int = 10
    idle_timeout: float = 60.0
    max_lifetime: float = 1800.0
    connect_timeout: float = 10.0
    # SQLite's synchronous pragma (FULL or NORMAL).
    sqlite_synchronous: str = "FULL"
    # Told +1 when a connection is checked out and -1 when it comes back.
    on_pool_change: Callable[[int], None] | None = None
    # Shown in pg_stat_activity; servers' sessions are told apart from commands'.
    application_name: str = APPLICATION_NAME


def make_pg_engine(url: str, options: EngineOptions) -> AsyncEngine:
    from sqlalchemy.ext.asyncio import create_async_engine

    # No pool_pre_ping: on asyncpg it costs BEGIN, a ping and ROLLBACK (three round
    # trips) on every checkout, more than the query it guards; the checkout check
    # below catches the connections the server closed. No overflow: connections
    # beyond the pool would be opened and closed per use (asyncpg tries TLS first),
    # which cost a fifth of a GetUser's CPU at 16 concurrent requests; a request waits
    # for a pooled connection instead, and the pool is the budget the operator sets.
    engine = create_async_engine(
        url,
        pool_size=options.pool_size,
        max_overflow=0,
        pool_use_lifo=True,
        pool_recycle=options.max_lifetime if options.max_lifetime > 0 else -1,
        connect_args={
            "timeout": options.connect_timeout,
            "server_settings": {"application_name": options.application_name},
        },
    )
    pool = engine.sync_engine.pool
    observer = options.on_pool_change

    @event.listens_for(pool, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if dbapi_connection.driver_connection.is_closed():
            # The server closed it while it sat in the pool: SQLAlchemy discards it and
            # checks out (or opens) another.
            raise exc.DisconnectionError("the server closed this pooled connection")
        if observer is not None:
            observer(1)

    @event.listens_for(pool, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()
        if observer is not None:
            observer(-1)

    return engine


class _Held:
    __slots__ = ("conn", "driver", "opened", "used")

    def __init__(self, conn: AsyncConnection, driver: Any, now: float) -> None:
        self.conn = conn
        self.driver = driver
        self.opened = now
        self.used = now


class HotConnections:
    """Pooled connections kept checked out between the hot single statements
    (``SqlBase._rows`` and ``_run`` outside a transaction: a GetUser's read, a
    refresh's, a sign-in's inserts).

    Checking a connection out of SQLAlchemy's pool and back costs about 70 us of CPU
    (greenlet, pool events, the adapter's objects), more than the asyncpg round trip
    of the statement itself (about 15 us on the client's side), and a GetUser or a
    refresh paid it on every statement. Up to ``limit`` connections stay checked out
    here, last used first; beyond that a statement checks one out as before. They
    remain the pool's (its size is still the process's budget, and the checkout check
    and metrics see them), and go back to it once unused for ``IDLE_S`` (the
    ``IdleReaper``) or older than ``max_lifetime``, so idle closing and recycling
    still happen. One the server closed is dropped before use."""

    IDLE_S = 2.0

    def __init__(self, engine: AsyncEngine, limit: int, max_lifetime: float) -> None:
        self.engine = engine
        self.limit = limit
        self.max_lifetime = max_lifetime
        self._idle: list[_Held] = []
        self._held = 0
        self._closed = False

    @contextlib.asynccontextmanager
    async def lease(self) -> AsyncIterator[tuple[AsyncConnection, Any]]:
        """A connection and its asyncpg driver connection. The caller invalidates the
        connection (``AsyncConnection.invalidate``) when the driver failed on it."""
        held = await self._take()
        if held is None:
            async with self.engine.connect() as conn:
                yield conn, await driver_of(conn)
            return
        try:
            yield held.conn, held.driver
        finally:
            await self._give_back(held)

    async def _take(self) -> _Held | None:
        while self._idle:
            held = self._idle.pop()
            if not held.driver.is_closed():
                return held
            await self._drop(held)
        if self._held >= self.limit or self._closed:
            return None
        self._held += 1
        try:
            conn = await self.engine.connect()
            try:
                return _Held(conn, await driver_of(conn), time.monotonic())
            except BaseException:
                await conn.close()
                raise
        except BaseException:
            self._held -= 1
            raise

    async def _give_back(self, held: _Held) -> None:
        now = time.monotonic()
        expired = self.max_lifetime > 0 and now - held.opened > self.max_lifetime
        if self._closed or expired or held.conn.invalidated or held.driver.is_closed():
            await self._drop(held)
            return
        held.used = now
        self._idle.append(held)

    async def _drop(self, held: _Held) -> None:
        self._held -= 1
        with contextlib.suppress(Exception):
            if held.driver.is_closed() and not held.conn.invalidated:
                await held.conn.invalidate()
            await held.conn.close()  # back to the pool, which discards an invalidated one

    async def release_idle(self, idle_s: float | None = None) -> int:
        """Give back to the pool the connections unused for ``idle_s``; how many."""
        limit = self.IDLE_S if idle_s is None else idle_s
        now = time.monotonic()
        stale = [held for held in self._idle if now - held.used >= limit]
        self._idle = [held for held in self._idle if now - held.used < limit]
        for held in stale:
            await self._drop(held)
        return len(stale)

    async def close(self) -> None:
        """Give every connection back; those in use go back when their statement ends."""
        self._closed = True
        await self.release_idle(0.0)


async def driver_of(conn: AsyncConnection) -> Any:
    """The asyncpg connection under SQLAlchemy's (untyped: asyncpg ships no stubs)."""
    raw = await conn.get_raw_connection()
    return raw.driver_connection


class IdleReaper:
    """Closes the pooled connections nobody used for ``idle_timeout`` seconds, so a
    node that was busy once does not keep its peak number of connections forever."""

    def __init__(
        self, engine: AsyncEngine, idle_timeout: float, hot: HotConnections | None = None
    ) -> None:
        self.engine = engine
        self.idle_timeout = idle_timeout
        self.hot = hot
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.idle_timeout > 0 and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        interval = max(0.5, min(self.idle_timeout / 2, 30.0))
        if self.hot is not None:
            interval = min(interval, self.hot.IDLE_S)
        while True:
            await asyncio.sleep(interval)
            try:
                if self.hot is not None:
                    await self.hot.release_idle()
                await self.reap()
            except Exception as error:  # never let housekeeping stop the server
                log.warning("closing idle database connections failed: %s", error)

    async def reap(self) -> int:
        """Close the connections idle for longer than ``idle_timeout``; how many."""
        from sqlalchemy.util import greenlet_spawn

        pool: Any = self.engine.sync_engine.pool
        queue = pool._pool  # SQLAlchemy's QueuePool keeps idle records in this queue
        now = time.monotonic()
        fresh: list[Any] = []
        stale: list[Any] = []
        # Taken out and put back without awaiting, so no checkout interleaves.
        while True:
            try:
                record = queue.get(False)
            except Exception:  # sqlalchemy.util.queue.Empty
                break
            idle = now - record.info.get("idle_since", now)
            (stale if idle >= self.idle_timeout else fresh).append(record)
        for record in reversed(fresh) if queue.use_lifo else fresh:
            queue.put(record, False)

        def close(record: Any) -> None:
            try:
                record.close()
            finally:
                pool._dec_overflow()  # what QueuePool does when it closes a surplus one

        for record in stale:
            with contextlib.suppress(Exception):
                await greenlet_spawn(close, record)
        return len(stale)


class ConfigListener:
    """The process's LISTEN session for configuration changes, reopened whenever it
    is lost. The cache is emptied on every change and whenever the session (re)opens,
    since changes made while it was away were not heard; ``listening`` is False while
    it is away, so the cache must not be trusted then (``RecordCache.subscribed``).

    The session is a connection of its own, outside the pool, so it never takes a
    pooled connection away from queries."""

    # How often a quiet session is checked, to notice one lost without the server
    # closing it (a network partition); a terminated backend is noticed at once.
    CHECK_S = 5.0

    def __init__(
        self,
        engine: AsyncEngine,
        channel: str,
        cache: RecordCache,
        options: EngineOptions | None = None,
    ) -> None:
        self.engine = engine
        self.channel = channel
        self.cache = cache
        self.options = options or EngineOptions()
        self._lost = asyncio.Event()
        self._conn: Any = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Open the session now (a failure raises), then keep it open."""
        await self._open()
        self._task = asyncio.get_running_loop().create_task(self._watch())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._drop()

    async def _open(self) -> None:
        import asyncpg

        _, params = self.engine.dialect.create_connect_args(self.engine.url)
        conn = await asyncpg.connect(
            **params,
            timeout=self.options.connect_timeout,
            server_settings={"application_name": self.options.application_name},
        )
        try:
            self._lost.clear()
            conn.add_termination_listener(lambda *_: self._mark_lost())
            await conn.add_listener(self.channel, lambda *_: self.cache.clear())
        except BaseException:
            conn.terminate()
            raise
        self._conn = conn
        self.cache.clear()  # what changed while nobody listened
        self.listening = True

    @property
    def listening(self) -> bool:
        return self.cache.subscribed

    @listening.setter
    def listening(self, value: bool) -> None:
        self.cache.subscribed = value

    def _mark_lost(self) -> None:
        self.listening = False
        self._lost.set()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        self.listening = False
        if conn is not None and not conn.is_closed():
            try:
                await asyncio.wait_for(conn.close(), 2.0)
            except Exception:
                conn.terminate()

    async def _alive(self) -> bool:
        try:
            await asyncio.wait_for(self._conn.fetchval("SELECT 1"), self.CHECK_S)
            return True
        except Exception:
            return False

    async def _watch(self) -> None:
        pause = 0.05
        while True:
            if self._conn is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._lost.wait(), self.CHECK_S)
                if not self._lost.is_set() and await self._alive():
                    continue
                self.listening = False
                log.warning("the LISTEN session for configuration changes was lost; reopening")
                await self._drop()
            try:
                await self._open()
                log.info("the LISTEN session for configuration changes is back")
                pause = 0.05
            except Exception as error:
                self.listening = False
                log.debug("reopening the LISTEN session failed: %s", error)
                await asyncio.sleep(pause)
                pause = min(pause * 2, 2.0)


@dataclass(frozen=True)
class ConnectionBudget:
    max_connections: int
    reserved: int  # superuser_reserved_connections (+ reserved_connections, 16+)
    in_use: int

    @property
    def available(self) -> int:
        """What ordinary roles may open in all (other nodes' sessions included)."""
        return self.max_connections - self.reserved


async def connection_budget(engine: AsyncEngine) -> ConnectionBudget:
    from sqlalchemy import text

    async with engine.connect() as conn:
        settings: dict[str, str] = dict(
            (
                await conn.execute(
                    text(
                        "SELECT name, setting FROM pg_settings WHERE name IN "
                        "('max_connections', 'superuser_reserved_connections', "
                        "'reserved_connections')"
                    )
                )
            ).all()
        )
        in_use = (await conn.execute(text("SELECT count(*) FROM pg_stat_activity"))).scalar()
    reserved = int(settings.get("superuser_reserved_connections", 3)) + int(
        settings.get("reserved_connections", 0)
    )
    return ConnectionBudget(int(settings["max_connections"]), reserved, int(in_use or 0))


async def active_sessions(engine: AsyncEngine, application_name: str) -> int:
    """Sessions of ``application_name`` open on this database, other than ours."""
    from sqlalchemy import text

    async with engine.connect() as conn:
        result = await conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
                "AND datname = current_database() AND pid <> pg_backend_pid()"
            ),
            {"name": application_name},
        )
        return int(result.scalar() or 0)
