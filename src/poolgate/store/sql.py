"""The store on SQLAlchemy Core: SQLite (embedded default, WAL) and PostgreSQL.

``SqlStore`` combines one module per capability (``sql_pools``, ``sql_users``,
``sql_outbox``...) over the connection handling of ``sql_base``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from poolgate.store import migrate
from poolgate.store.sql_authorization_codes import AuthorizationCodesSql
from poolgate.store.sql_base import CONFIG_CHANNEL, SqliteEngine, make_engine
from poolgate.store.sql_devices import DevicesSql
from poolgate.store.sql_groups import GroupsSql
from poolgate.store.sql_oauth_config import OAuthConfigSql
from poolgate.store.sql_outbox import OutboxSql
from poolgate.store.sql_pools import PoolsSql
from poolgate.store.sql_search import SearchSql
from poolgate.store.sql_users import UsersSql

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["SqlStore", "make_engine"]


class SqlStore(
    PoolsSql,
    UsersSql,
    OutboxSql,
    SearchSql,
    GroupsSql,
    AuthorizationCodesSql,
    OAuthConfigSql,
    DevicesSql,
):
    _listener: AsyncConnection | None = None

    @classmethod
    async def open(cls, url: str, *, migrate_schema: bool = True) -> SqlStore:
        engine = make_engine(url)
        try:
            if migrate_schema:
                await migrate.upgrade(engine)
            await migrate.check_current(engine)
            store = cls(engine)
            await store._listen_for_config_changes()
        except BaseException:
            await engine.dispose()
            raise
        return store

    async def _listen_for_config_changes(self) -> None:
        """PostgreSQL: one session per process LISTENs for configuration changes
        committed by any process or node, and empties the record cache on each."""
        if isinstance(self.engine, SqliteEngine):
            return
        conn = await self.engine.connect()
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection
        cache = self._cache
        await driver.add_listener(CONFIG_CHANNEL, lambda *_: cache.clear())
        self._listener = conn

    async def close(self) -> None:
        if self._listener is not None:
            await self._listener.close()
            self._listener = None
        await self.engine.dispose()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlStore]:
        if self._conn is not None:
            yield self
            return
        async with self._write() as conn:
            yield SqlStore(self.engine, conn, self._cache, self._write_lock)
