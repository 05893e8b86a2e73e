"""The store on SQLAlchemy Core: SQLite (embedded default, WAL) and PostgreSQL.

``SqlStore`` combines one module per capability (``sql_pools``, ``sql_users``,
``sql_outbox``...) over the connection handling of ``sql_base``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa

from poolgate.store import migrate, schema
from poolgate.store.postgres import ConfigListener, EngineOptions, HotConnections, IdleReaper
from poolgate.store.records import AuthEvent, RefreshToken
from poolgate.store.sql_audit import AuditSql, event_values
from poolgate.store.sql_authorization_codes import AuthorizationCodesSql
from poolgate.store.sql_base import CONFIG_CHANNEL, SqliteEngine, make_engine
from poolgate.store.sql_deployment import DeploymentSql
from poolgate.store.sql_devices import DevicesSql
from poolgate.store.sql_federation import FederationSql
from poolgate.store.sql_groups import GroupsSql
from poolgate.store.sql_oauth_config import OAuthConfigSql
from poolgate.store.sql_outbox import OutboxSql
from poolgate.store.sql_pools import PoolsSql
from poolgate.store.sql_search import SearchSql
from poolgate.store.sql_sessions import SessionsSql
from poolgate.store.sql_throttle import ThrottleSql
from poolgate.store.sql_users import UsersSql, refresh_token_values

__all__ = ["EngineOptions", "SqlStore", "make_engine"]

# PostgreSQL: a sign-in's refresh token and its SignIn event in one statement (a
# data-modifying WITH), one round trip and atomic without BEGIN and COMMIT.
_TOKEN_PREFIX = "token_"
_ADD_SIGN_IN = schema.auth_events.insert().add_cte(
    schema.refresh_tokens.insert()
    .values({c.key: sa.bindparam(_TOKEN_PREFIX + c.key) for c in schema.refresh_tokens.c})
    .cte("new_refresh_token")
)


class SqlStore(
    PoolsSql,
    UsersSql,
    OutboxSql,
    SearchSql,
    GroupsSql,
    AuthorizationCodesSql,
    OAuthConfigSql,
    DeploymentSql,
    ThrottleSql,
    AuditSql,
    FederationSql,
    DevicesSql,
    SessionsSql,
):
    _listener: ConfigListener | None = None
    _reaper: IdleReaper | None = None

    @classmethod
    async def open(
        cls, url: str, *, migrate_schema: bool = True, options: EngineOptions | None = None
    ) -> SqlStore:
        options = options or EngineOptions()
        engine = make_engine(url, options)
        try:
            if migrate_schema:
                await migrate.upgrade(engine)
            await migrate.check_current(engine)
            store = cls(engine)
            await store._start_postgres(options)
        except BaseException:
            await engine.dispose()
            raise
        return store

    async def _start_postgres(self, options: EngineOptions) -> None:
        """PostgreSQL: one session per process LISTENs for configuration changes
        committed by any process or node, and empties the record cache on each; idle
        pooled connections are closed."""
        if isinstance(self.engine, SqliteEngine):
            return
        listener = ConfigListener(self.engine, CONFIG_CHANNEL, self._cache, options)
        await listener.start()
        self._listener = listener
        # Half the pool at most, so transactions always find connections.
        self._hot = HotConnections(
            self.engine, max(1, options.pool_size // 2), options.max_lifetime
        )
        self._reaper = IdleReaper(self.engine, options.idle_timeout, self._hot)
        self._reaper.start()

    async def close(self) -> None:
        if self._hot is not None:
            await self._hot.close()
        if self._reaper is not None:
            await self._reaper.stop()
            self._reaper = None
        if self._listener is not None:
            await self._listener.close()
            self._listener = None
        await self.engine.dispose()

    async def add_sign_in(self, refresh_tokens: list[RefreshToken], event: AuthEvent) -> None:
        if len(refresh_tokens) == 1 and not self._sqlite:
            params = event_values(event)
            for name, value in refresh_token_values(refresh_tokens[0]).items():
                params[_TOKEN_PREFIX + name] = value
            await self._run(_ADD_SIGN_IN, params)
            return
        # SQLite: one transaction, one commit and one wait for the WAL's sync (wal_sync).
        async with self.transaction() as tx:
            for token in refresh_tokens:
                await tx.add_refresh_token(token)
            await tx.add_auth_event(event)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlStore]:
        if self._conn is not None:
            yield self
            return
        async with self._write() as conn:
            yield SqlStore(self.engine, conn, self._cache)
