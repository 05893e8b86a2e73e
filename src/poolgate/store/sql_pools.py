"""Pools, app clients, domains and signing keys in SQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import orjson
import sqlalchemy as sa

from poolgate.store.cache import MISSING
from poolgate.store.records import (
    AppClient,
    PoolDomain,
    SigningKey,
    UserPool,
)
from poolgate.store.schema import (
    app_clients,
    pool_domains,
    signing_keys,
    user_pools,
)
from poolgate.store.sql_base import SqlBase, dumps

_POOL_BY_ID = sa.select(user_pools).where(user_pools.c.id == sa.bindparam("id"))
_CLIENT_BY_ID = sa.select(app_clients).where(app_clients.c.id == sa.bindparam("id"))


def _pool(row: Any) -> UserPool:
    return UserPool(
        id=row.id,
        name=row.name,
        arn=row.arn,
        created=row.created,
        modified=row.modified,
        settings=orjson.loads(row.settings),
        tags=orjson.loads(row.tags),
    )


def _pool_values(pool: UserPool) -> dict[str, Any]:
    return {
        "id": pool.id,
        "name": pool.name,
        "arn": pool.arn,
        "created": pool.created,
        "modified": pool.modified,
        "settings": dumps(pool.settings),
        "tags": dumps(pool.tags),
    }


def _client(row: Any) -> AppClient:
    return AppClient(
        id=row.id,
        pool_id=row.pool_id,
        name=row.name,
        created=row.created,
        modified=row.modified,
        settings=orjson.loads(row.settings),
        secret_sealed=row.secret_sealed,
    )


def _client_values(client: AppClient) -> dict[str, Any]:
    return {
        "id": client.id,
        "pool_id": client.pool_id,
        "name": client.name,
        "created": client.created,
        "modified": client.modified,
        "settings": dumps(client.settings),
        "secret_sealed": client.secret_sealed,
    }


def _domain(row: Any) -> PoolDomain:
    return PoolDomain(
        domain=row.domain,
        pool_id=row.pool_id,
        created=row.created,
        settings=orjson.loads(row.settings),
    )


def _key(row: Any) -> SigningKey:
    return SigningKey(
        kid=row.kid,
        pool_id=row.pool_id,
        use=row.use,
        public_jwk=orjson.loads(row.public_jwk),
        private_sealed=row.private_sealed,
        created=row.created,
        status=row.status,
        retire_after=row.retire_after,
        signs_from=row.signs_from,
    )


def _key_values(key: SigningKey) -> dict[str, Any]:
    return {
        "kid": key.kid,
        "pool_id": key.pool_id,
        "use": key.use,
        "public_jwk": dumps(key.public_jwk),
        "private_sealed": key.private_sealed,
        "created": key.created,
        "status": key.status,
        "retire_after": key.retire_after,
        "signs_from": key.signs_from,
    }


class PoolsSql(SqlBase):
    # Pools

    async def create_pool(self, pool: UserPool, keys: list[SigningKey]) -> None:
        async with self._write() as conn:
            await conn.execute(user_pools.insert().values(**_pool_values(pool)))
            for key in keys:
                await conn.execute(signing_keys.insert().values(**_key_values(key)))

    async def get_pool(self, pool_id: str) -> UserPool | None:
        # The parsed record is cached and shared by every caller: decoding the settings
        # JSON was the largest single cost of a GetUser. Records are frozen, and every
        # change builds a new one (dataclasses.replace, new settings dicts).
        if self._conn is not None:
            # In a transaction: its own view, which may hold uncommitted changes that a
            # rollback undoes, so it neither reads nor fills the shared cache.
            rows = await self._rows(_POOL_BY_ID, {"id": pool_id})
            return _pool(rows[0]) if rows else None
        cache = await self._fresh_cache()
        pool: UserPool | object | None = cache.get("pool", pool_id)
        if pool is MISSING:
            rows = await self._rows(_POOL_BY_ID, {"id": pool_id})
            pool = _pool(rows[0]) if rows else None
            if pool is not None:
                cache.put("pool", pool_id, pool)
        return cast(UserPool | None, pool)

    async def list_pools(self, limit: int, after: str | None) -> list[UserPool]:
        query = sa.select(user_pools).order_by(user_pools.c.id).limit(limit)
        if after is not None:
            query = query.where(user_pools.c.id > after)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [_pool(row) for row in rows]

    async def update_pool(
        self, pool_id: str, updater: Callable[[UserPool], UserPool]
    ) -> UserPool | None:
        async with self._write() as conn:
            query = self._locked(sa.select(user_pools).where(user_pools.c.id == pool_id))
            row = (await conn.execute(query)).first()
            if row is None:
                return None
            pool = updater(_pool(row))
            await conn.execute(
                user_pools.update().where(user_pools.c.id == pool_id).values(**_pool_values(pool))
            )
            await self._config_changed(conn)
        self._cache.drop("pool", pool_id)
        return pool

    async def delete_pool(self, pool_id: str) -> bool:
        async with self._write() as conn:
            result = await conn.execute(user_pools.delete().where(user_pools.c.id == pool_id))
            await self._config_changed(conn)
        # The pool's clients go with it: forget everything rather than track them.
        self._cache.clear()
        return bool(result.rowcount > 0)

    # App clients

    async def create_client(self, client: AppClient) -> None:
        async with self._write() as conn:
            await conn.execute(app_clients.insert().values(**_client_values(client)))

    async def get_client(self, client_id: str) -> AppClient | None:
        if self._conn is not None:  # in a transaction: not through the cache (get_pool)
            rows = await self._rows(_CLIENT_BY_ID, {"id": client_id})
            return _client(rows[0]) if rows else None
        cache = await self._fresh_cache()
        client: AppClient | object | None = cache.get("client", client_id)
        if client is MISSING:
            rows = await self._rows(_CLIENT_BY_ID, {"id": client_id})
            client = _client(rows[0]) if rows else None
            if client is not None:
                cache.put("client", client_id, client)
        return cast(AppClient | None, client)

    async def list_clients(self, pool_id: str, limit: int, after: str | None) -> list[AppClient]:
        query = (
            sa.select(app_clients)
            .where(app_clients.c.pool_id == pool_id)
            .order_by(app_clients.c.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(app_clients.c.id > after)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [_client(row) for row in rows]

    async def update_client(
        self, client_id: str, updater: Callable[[AppClient], AppClient]
    ) -> AppClient | None:
        async with self._write() as conn:
            query = self._locked(sa.select(app_clients).where(app_clients.c.id == client_id))
            row = (await conn.execute(query)).first()
            if row is None:
                return None
            client = updater(_client(row))
            await conn.execute(
                app_clients.update()
                .where(app_clients.c.id == client_id)
                .values(**_client_values(client))
            )
            await self._config_changed(conn)
        self._cache.drop("client", client_id)
        return client

    async def delete_client(self, client_id: str) -> bool:
        async with self._write() as conn:
            result = await conn.execute(app_clients.delete().where(app_clients.c.id == client_id))
            await self._config_changed(conn)
        self._cache.drop("client", client_id)
        return bool(result.rowcount > 0)

    # Domains

    async def create_domain(self, domain: PoolDomain) -> None:
        async with self._write() as conn:
            await conn.execute(
                pool_domains.insert().values(
                    domain=domain.domain,
                    pool_id=domain.pool_id,
                    created=domain.created,
                    settings=dumps(domain.settings),
                )
            )

    async def get_domain(self, domain: str) -> PoolDomain | None:
        async with self._read() as conn:
            row = (
                await conn.execute(sa.select(pool_domains).where(pool_domains.c.domain == domain))
            ).first()
        return _domain(row) if row else None

    async def get_pool_domain(self, pool_id: str) -> PoolDomain | None:
        async with self._read() as conn:
            row = (
                await conn.execute(sa.select(pool_domains).where(pool_domains.c.pool_id == pool_id))
            ).first()
        return _domain(row) if row else None

    async def delete_domain(self, domain: str) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                pool_domains.delete().where(pool_domains.c.domain == domain)
            )
            return result.rowcount > 0

    # Signing keys

    async def rotate_signing_keys(
        self, pool_id: str, keys: list[SigningKey], retire_after: float
    ) -> bool:
        """Add ``keys`` and give every key of the pool that has the same use and no
        retirement date ``retire_after``, in one transaction; False (nothing written)
        when the pool does not exist."""
        async with self._write() as conn:
            found = await conn.execute(sa.select(user_pools.c.id).where(user_pools.c.id == pool_id))
            if found.first() is None:
                return False
            for key in keys:
                await conn.execute(
                    signing_keys.update()
                    .where(
                        signing_keys.c.pool_id == pool_id,
                        signing_keys.c.use == key.use,
                        signing_keys.c.retire_after.is_(None),
                    )
                    .values(retire_after=retire_after)
                )
            for key in keys:
                await conn.execute(signing_keys.insert().values(**_key_values(key)))
        return True

    async def list_signing_keys(self, pool_id: str) -> list[SigningKey]:
        query = (
            sa.select(signing_keys)
            .where(signing_keys.c.pool_id == pool_id)
            .order_by(signing_keys.c.created, signing_keys.c.kid)
        )
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [_key(row) for row in rows]
