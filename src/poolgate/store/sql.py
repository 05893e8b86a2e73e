"""The store on SQLAlchemy Core: SQLite (embedded default, WAL) and PostgreSQL.

Write transactions on SQLite start with ``BEGIN IMMEDIATE`` so that a transaction that
reads then writes takes the write lock up front instead of failing with "database is
locked" when it upgrades; on PostgreSQL the same read-modify-write takes a row lock
(``SELECT ... FOR UPDATE``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from poolgate.core.records import (
    AppClient,
    Code,
    Message,
    PoolDomain,
    RefreshToken,
    SigningKey,
    User,
    UserPool,
)
from poolgate.store import migrate
from poolgate.store.base import Conflict
from poolgate.store.schema import (
    app_clients,
    codes,
    outbox,
    pool_domains,
    refresh_tokens,
    signing_keys,
    user_pools,
    users,
)

_WRITE = "poolgate_write"


def _dumps(value: Any) -> str:
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
            write = conn.get_execution_options().get(_WRITE, False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


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
        "settings": _dumps(pool.settings),
        "tags": _dumps(pool.tags),
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
        "settings": _dumps(client.settings),
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
    )


class SqlStore:
    def __init__(self, engine: AsyncEngine, conn: AsyncConnection | None = None) -> None:
        self.engine = engine
        self._sqlite = engine.dialect.name == "sqlite"
        # Set on the store handed out by ``transaction()``: every call joins it.
        self._conn = conn

    @classmethod
    async def open(cls, url: str, *, migrate_schema: bool = True) -> SqlStore:
        engine = make_engine(url)
        try:
            if migrate_schema:
                await migrate.upgrade(engine)
            await migrate.check_current(engine)
        except BaseException:
            await engine.dispose()
            raise
        return cls(engine)

    async def close(self) -> None:
        await self.engine.dispose()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqlStore]:
        if self._conn is not None:
            yield self
            return
        async with self._write() as conn:
            yield SqlStore(self.engine, conn)

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[AsyncConnection]:
        if self._conn is not None:
            yield self._conn
            return
        async with self.engine.connect() as conn, conn.begin():
            yield conn

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        if self._conn is not None:
            yield self._conn
            return
        async with self.engine.connect() as conn:
            await conn.execution_options(**{_WRITE: True})
            try:
                async with conn.begin():
                    yield conn
            except IntegrityError as exc:
                raise Conflict(str(exc.orig)) from exc

    def _locked(self, query: sa.Select[Any]) -> sa.Select[Any]:
        return query if self._sqlite else query.with_for_update()

    # Pools

    async def create_pool(self, pool: UserPool, keys: list[SigningKey]) -> None:
        async with self._write() as conn:
            await conn.execute(user_pools.insert().values(**_pool_values(pool)))
            for key in keys:
                await conn.execute(
                    signing_keys.insert().values(
                        kid=key.kid,
                        pool_id=key.pool_id,
                        use=key.use,
                        public_jwk=_dumps(key.public_jwk),
                        private_sealed=key.private_sealed,
                        created=key.created,
                        status=key.status,
                        retire_after=key.retire_after,
                    )
                )

    async def get_pool(self, pool_id: str) -> UserPool | None:
        async with self._read() as conn:
            row = (
                await conn.execute(sa.select(user_pools).where(user_pools.c.id == pool_id))
            ).first()
        return _pool(row) if row else None

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
            return pool

    async def delete_pool(self, pool_id: str) -> bool:
        async with self._write() as conn:
            result = await conn.execute(user_pools.delete().where(user_pools.c.id == pool_id))
            return result.rowcount > 0

    # App clients

    async def create_client(self, client: AppClient) -> None:
        async with self._write() as conn:
            await conn.execute(app_clients.insert().values(**_client_values(client)))

    async def get_client(self, client_id: str) -> AppClient | None:
        async with self._read() as conn:
            row = (
                await conn.execute(sa.select(app_clients).where(app_clients.c.id == client_id))
            ).first()
        return _client(row) if row else None

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
            return client

    async def delete_client(self, client_id: str) -> bool:
        async with self._write() as conn:
            result = await conn.execute(app_clients.delete().where(app_clients.c.id == client_id))
            return result.rowcount > 0

    # Domains

    async def create_domain(self, domain: PoolDomain) -> None:
        async with self._write() as conn:
            await conn.execute(
                pool_domains.insert().values(
                    domain=domain.domain,
                    pool_id=domain.pool_id,
                    created=domain.created,
                    settings=_dumps(domain.settings),
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

    async def list_signing_keys(self, pool_id: str) -> list[SigningKey]:
        query = (
            sa.select(signing_keys)
            .where(signing_keys.c.pool_id == pool_id)
            .order_by(signing_keys.c.created, signing_keys.c.kid)
        )
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [_key(row) for row in rows]

    # Users

    async def create_user(self, user: User) -> None:
        async with self._write() as conn:
            await conn.execute(users.insert().values(**_user_values(user)))

    async def put_user(self, user: User) -> None:
        values = _user_values(user)
        async with self._write() as conn:
            await conn.execute(
                users.update()
                .where(users.c.pool_id == user.pool_id, users.c.sub == user.sub)
                .values(**values)
            )

    async def _one_user(self, query: sa.Select[Any], for_update: bool) -> User | None:
        if for_update:
            query = self._locked(query)
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        return _user(row) if row else None

    async def get_user(
        self, pool_id: str, username_key: str, *, for_update: bool = False
    ) -> User | None:
        query = sa.select(users).where(
            users.c.pool_id == pool_id, users.c.username_key == username_key
        )
        return await self._one_user(query, for_update)

    async def get_user_by_sub(
        self, pool_id: str, sub: str, *, for_update: bool = False
    ) -> User | None:
        query = sa.select(users).where(users.c.pool_id == pool_id, users.c.sub == sub)
        return await self._one_user(query, for_update)

    async def find_users_by_alias(self, pool_id: str, field: str, key: str) -> list[User]:
        column = {
            "email": users.c.email_key,
            "phone_number": users.c.phone_key,
            "preferred_username": users.c.preferred_username_key,
        }[field]
        query = sa.select(users).where(users.c.pool_id == pool_id, column == key).limit(50)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [_user(row) for row in rows]

    async def delete_user(self, pool_id: str, sub: str) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                users.delete().where(users.c.pool_id == pool_id, users.c.sub == sub)
            )
            return result.rowcount > 0

    async def count_users(self, pool_id: str) -> int:
        query = sa.select(sa.func.count()).select_from(users).where(users.c.pool_id == pool_id)
        async with self._read() as conn:
            return int((await conn.execute(query)).scalar_one())

    # One-time codes

    async def put_code(self, code: Code) -> None:
        async with self._write() as conn:
            await conn.execute(
                codes.delete().where(
                    codes.c.pool_id == code.pool_id,
                    codes.c.sub == code.sub,
                    codes.c.purpose == code.purpose,
                )
            )
            await conn.execute(
                codes.insert().values(
                    pool_id=code.pool_id,
                    sub=code.sub,
                    purpose=code.purpose,
                    code_hash=code.code_hash,
                    created=code.created,
                    expires=code.expires,
                    attempts=code.attempts,
                    destination=code.destination,
                )
            )

    async def get_code(self, pool_id: str, sub: str, purpose: str) -> Code | None:
        query = sa.select(codes).where(
            codes.c.pool_id == pool_id, codes.c.sub == sub, codes.c.purpose == purpose
        )
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        return Code(
            pool_id=row.pool_id,
            sub=row.sub,
            purpose=row.purpose,
            code_hash=row.code_hash,
            created=row.created,
            expires=row.expires,
            attempts=row.attempts,
            destination=row.destination,
        )

    async def delete_code(self, pool_id: str, sub: str, purpose: str) -> None:
        async with self._write() as conn:
            await conn.execute(
                codes.delete().where(
                    codes.c.pool_id == pool_id, codes.c.sub == sub, codes.c.purpose == purpose
                )
            )

    # Refresh tokens

    async def add_refresh_token(self, token: RefreshToken) -> None:
        async with self._write() as conn:
            await conn.execute(
                refresh_tokens.insert().values(
                    token_hash=token.token_hash,
                    pool_id=token.pool_id,
                    client_id=token.client_id,
                    sub=token.sub,
                    origin_jti=token.origin_jti,
                    auth_time=token.auth_time,
                    created=token.created,
                    expires=token.expires,
                    revoked=token.revoked,
                )
            )

    async def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        query = sa.select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        return RefreshToken(
            token_hash=row.token_hash,
            pool_id=row.pool_id,
            client_id=row.client_id,
            sub=row.sub,
            origin_jti=row.origin_jti,
            auth_time=row.auth_time,
            created=row.created,
            expires=row.expires,
            revoked=row.revoked,
        )

    async def revoke_refresh_token(self, token_hash: str, when: float) -> None:
        async with self._write() as conn:
            await conn.execute(
                refresh_tokens.update()
                .where(
                    refresh_tokens.c.token_hash == token_hash, refresh_tokens.c.revoked.is_(None)
                )
                .values(revoked=when)
            )

    async def revoke_user_tokens(self, pool_id: str, sub: str, when: float) -> int:
        async with self._write() as conn:
            result = await conn.execute(
                refresh_tokens.update()
                .where(
                    refresh_tokens.c.pool_id == pool_id,
                    refresh_tokens.c.sub == sub,
                    refresh_tokens.c.revoked.is_(None),
                )
                .values(revoked=when)
            )
            return int(result.rowcount)

    async def origin_revoked(self, origin_jti: str) -> bool:
        query = (
            sa.select(refresh_tokens.c.revoked)
            .where(refresh_tokens.c.origin_jti == origin_jti)
            .limit(1)
        )
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        return row is not None and row.revoked is not None

    # Outbox

    async def add_message(self, message: Message) -> int:
        async with self._write() as conn:
            result = await conn.execute(
                outbox.insert()
                .values(
                    pool_id=message.pool_id,
                    username=message.username,
                    channel=message.channel,
                    recipient=message.recipient,
                    subject=message.subject,
                    body=message.body,
                    purpose=message.purpose,
                    created=message.created,
                )
                .returning(outbox.c.id)
            )
            return int(result.scalar_one())

    async def list_messages(
        self, *, recipient: str | None = None, limit: int = 100, after_id: int | None = None
    ) -> list[Message]:
        query = sa.select(outbox).order_by(outbox.c.id.desc()).limit(limit)
        if recipient is not None:
            query = query.where(outbox.c.recipient == recipient)
        if after_id is not None:
            query = query.where(outbox.c.id > after_id)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [
            Message(
                id=row.id,
                pool_id=row.pool_id,
                username=row.username,
                channel=row.channel,
                recipient=row.recipient,
                subject=row.subject,
                body=row.body,
                purpose=row.purpose,
                created=row.created,
            )
            for row in rows
        ]


def _user(row: Any) -> User:
    return User(
        pool_id=row.pool_id,
        username=row.username,
        sub=row.sub,
        status=row.status,
        enabled=bool(row.enabled),
        created=row.created,
        modified=row.modified,
        attributes=orjson.loads(row.attributes),
        credential_sealed=row.credential_sealed,
        state=orjson.loads(row.state),
        username_key=row.username_key,
        email_key=row.email_key,
        phone_key=row.phone_key,
        preferred_username_key=row.preferred_username_key,
        name_key=row.name_key,
        given_name_key=row.given_name_key,
        family_name_key=row.family_name_key,
    )


def _user_values(user: User) -> dict[str, Any]:
    return {
        "pool_id": user.pool_id,
        "sub": user.sub,
        "username": user.username,
        "username_key": user.username_key,
        "email_key": user.email_key,
        "phone_key": user.phone_key,
        "preferred_username_key": user.preferred_username_key,
        "name_key": user.name_key,
        "given_name_key": user.given_name_key,
        "family_name_key": user.family_name_key,
        "status": user.status,
        "enabled": user.enabled,
        "created": user.created,
        "modified": user.modified,
        "attributes": _dumps(user.attributes),
        "credential_sealed": user.credential_sealed,
        "state": _dumps(user.state),
    }
