"""Users, one-time codes and refresh tokens in SQL."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from poolgate.store.records import (
    Code,
    RefreshToken,
    User,
)
from poolgate.store.schema import (
    codes,
    refresh_tokens,
    users,
)
from poolgate.store.sql_base import SqlBase, dumps

# The statements every sign-in, refresh and token check runs, built once: building a
# SELECT and its cache key costs SQLAlchemy about 0.2 ms, ten times what SQLite then
# takes to answer it.
_p = sa.bindparam
_USER_BY_USERNAME = sa.select(users).where(
    users.c.pool_id == _p("pool_id"), users.c.username_key == _p("key")
)
_USER_BY_SUB = sa.select(users).where(users.c.pool_id == _p("pool_id"), users.c.sub == _p("key"))
_USER_FOR_TOKEN = sa.select(
    users,
    sa.select(refresh_tokens.c.revoked)
    .where(refresh_tokens.c.origin_jti == _p("origin_jti"), refresh_tokens.c.revoked.is_not(None))
    .limit(1)
    .scalar_subquery()
    .label("origin_revoked"),
).where(users.c.pool_id == _p("pool_id"), users.c.sub == _p("sub"))
_REFRESH_TOKEN = sa.select(refresh_tokens).where(refresh_tokens.c.token_hash == _p("token_hash"))
_ADD_REFRESH_TOKEN = refresh_tokens.insert()


class UsersSql(SqlBase):
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

    async def _one_user(
        self, query: sa.Select[Any], for_update: bool, params: dict[str, str]
    ) -> User | None:
        if for_update and not self._sqlite:
            async with self._read() as conn:
                row = (await conn.execute(self._locked(query), params)).first()
            return _user(row) if row else None
        rows = await self._rows(query, params)
        return _user(rows[0]) if rows else None

    async def get_user(
        self, pool_id: str, username_key: str, *, for_update: bool = False
    ) -> User | None:
        params = {"pool_id": pool_id, "key": username_key}
        return await self._one_user(_USER_BY_USERNAME, for_update, params)

    async def get_user_by_sub(
        self, pool_id: str, sub: str, *, for_update: bool = False
    ) -> User | None:
        return await self._one_user(_USER_BY_SUB, for_update, {"pool_id": pool_id, "key": sub})

    async def get_user_for_token(
        self, pool_id: str, sub: str, origin_jti: str
    ) -> tuple[User | None, bool]:
        """The user an access token speaks for, and whether the token's refresh-token
        family has been revoked: one round trip for every self-service call."""
        params = {"pool_id": pool_id, "sub": sub, "origin_jti": origin_jti}
        rows = await self._rows(_USER_FOR_TOKEN, params)
        row = rows[0] if rows else None
        if row is None:
            return None, await self.origin_revoked(origin_jti)
        return _user(row), row.origin_revoked is not None

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
        # One statement that inserts or replaces: a DELETE then INSERT let two requests
        # racing on PostgreSQL both find no row (or both delete the old one) and the
        # second insert fail on the primary key.
        insert = sqlite.insert if self._sqlite else postgresql.insert
        statement = insert(codes).values(
            pool_id=code.pool_id,
            sub=code.sub,
            purpose=code.purpose,
            code_hash=code.code_hash,
            created=code.created,
            expires=code.expires,
            attempts=code.attempts,
            destination=code.destination,
        )
        statement = statement.on_conflict_do_update(
            index_elements=["pool_id", "sub", "purpose"],
            set_={
                name: statement.excluded[name]
                for name in ("code_hash", "created", "expires", "attempts", "destination")
            },
        )
        async with self._write() as conn:
            await conn.execute(statement)

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
        await self._run(_ADD_REFRESH_TOKEN, refresh_token_values(token))

    async def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        rows = await self._rows(_REFRESH_TOKEN, {"token_hash": token_hash})
        return _refresh_token(rows[0]) if rows else None

    async def refresh_tokens_of_origin(self, origin_jti: str) -> list[RefreshToken]:
        query = sa.select(refresh_tokens).where(refresh_tokens.c.origin_jti == origin_jti)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [_refresh_token(row) for row in rows]

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
        """Whether any refresh token of this origin is revoked (as ``_USER_FOR_TOKEN``
        asks), not whichever row the database happens to return first."""
        query = (
            sa.select(refresh_tokens.c.revoked)
            .where(refresh_tokens.c.origin_jti == origin_jti, refresh_tokens.c.revoked.is_not(None))
            .limit(1)
        )
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        return row is not None


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
        "attributes": dumps(user.attributes),
        "credential_sealed": user.credential_sealed,
        "state": dumps(user.state),
    }


def refresh_token_values(token: RefreshToken) -> dict[str, Any]:
    """The parameters of a ``refresh_tokens`` insert."""
    return {
        "token_hash": token.token_hash,
        "pool_id": token.pool_id,
        "client_id": token.client_id,
        "sub": token.sub,
        "origin_jti": token.origin_jti,
        "auth_time": token.auth_time,
        "created": token.created,
        "expires": token.expires,
        "revoked": token.revoked,
        "scope": token.scope,
        "device_key": token.device_key,
    }


def _refresh_token(row: Any) -> RefreshToken:
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
        scope=row.scope,
        device_key=row.device_key,
    )
