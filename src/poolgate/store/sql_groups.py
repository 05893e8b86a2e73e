"""User pool groups and their members in SQL.

Memberships reference both the group and the user with ``ON DELETE CASCADE``, so
deleting a user or a pool drops the user's memberships with it; ``delete_group``
also removes the group's memberships itself, in the same transaction.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from poolgate.store.records import Group, RefreshToken, User
from poolgate.store.schema import groups, refresh_tokens, user_groups, users
from poolgate.store.sql_base import SqlBase
from poolgate.store.sql_users import _refresh_token, _user


def _group(row: Any) -> Group:
    return Group(
        pool_id=row.pool_id,
        name=row.name,
        created=row.created,
        modified=row.modified,
        description=row.description,
        precedence=row.precedence,
        role_arn=row.role_arn,
    )


def _group_values(group: Group) -> dict[str, Any]:
    return {
        "pool_id": group.pool_id,
        "name": group.name,
        "description": group.description,
        "precedence": group.precedence,
        "role_arn": group.role_arn,
        "created": group.created,
        "modified": group.modified,
    }


_GROUPS_FOR_TOKEN = (
    sa.select(groups)
    .join(
        user_groups,
        sa.and_(
            user_groups.c.pool_id == groups.c.pool_id,
            user_groups.c.group_name == groups.c.name,
        ),
    )
    .where(
        user_groups.c.pool_id == sa.bindparam("pool_id"), user_groups.c.sub == sa.bindparam("sub")
    )
    .order_by(groups.c.name)
)

# What every REFRESH_TOKEN_AUTH reads: the token, its user and the user's groups, in one
# round trip instead of three. One row per group (one with NULL groups for a user in
# none); the user's and the groups' columns are prefixed, as all three tables have
# pool_id. It lives here, not in sql_users, because it builds groups and this module
# already imports sql_users' row readers (the other way round would be a cycle).
_USER_PREFIX = "user_"
_GROUP_PREFIX = "group_"
_USER_COLUMNS = [str(column.key) for column in users.c]
_GROUP_COLUMNS = [str(column.key) for column in groups.c]
_REFRESH_TOKEN_WITH_USER = (
    sa.select(
        refresh_tokens,
        *(column.label(_USER_PREFIX + column.key) for column in users.c),
        *(column.label(_GROUP_PREFIX + column.key) for column in groups.c),
    )
    .select_from(
        refresh_tokens.outerjoin(
            users,
            sa.and_(
                users.c.pool_id == refresh_tokens.c.pool_id, users.c.sub == refresh_tokens.c.sub
            ),
        ).outerjoin(
            user_groups.join(
                groups,
                sa.and_(
                    groups.c.pool_id == user_groups.c.pool_id,
                    groups.c.name == user_groups.c.group_name,
                ),
            ),
            sa.and_(user_groups.c.pool_id == users.c.pool_id, user_groups.c.sub == users.c.sub),
        )
    )
    .where(refresh_tokens.c.token_hash == sa.bindparam("token_hash"))
    .order_by(groups.c.name)
)


def _prefixed(row: Any, prefix: str, columns: list[str]) -> SimpleNamespace:
    return SimpleNamespace(**{name: getattr(row, prefix + name) for name in columns})


class GroupsSql(SqlBase):
    async def create_group(self, group: Group) -> None:
        async with self._write() as conn:
            await conn.execute(groups.insert().values(**_group_values(group)))

    async def get_group(self, pool_id: str, name: str, *, for_update: bool = False) -> Group | None:
        query = sa.select(groups).where(groups.c.pool_id == pool_id, groups.c.name == name)
        if for_update:
            query = self._locked(query)
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        return _group(row) if row else None

    async def list_groups(self, pool_id: str, limit: int, after: str | None) -> list[Group]:
        query = (
            sa.select(groups)
            .where(groups.c.pool_id == pool_id)
            .order_by(groups.c.name)
            .limit(limit)
        )
        if after is not None:
            query = query.where(groups.c.name > after)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [_group(row) for row in rows]

    async def put_group(self, group: Group) -> None:
        async with self._write() as conn:
            await conn.execute(
                groups.update()
                .where(groups.c.pool_id == group.pool_id, groups.c.name == group.name)
                .values(**_group_values(group))
            )

    async def delete_group(self, pool_id: str, name: str) -> bool:
        async with self._write() as conn:
            # Explicitly, not only by the foreign key's cascade: memberships must go
            # even on a connection where SQLite's foreign_keys pragma is off.
            await conn.execute(
                user_groups.delete().where(
                    user_groups.c.pool_id == pool_id, user_groups.c.group_name == name
                )
            )
            result = await conn.execute(
                groups.delete().where(groups.c.pool_id == pool_id, groups.c.name == name)
            )
            return result.rowcount > 0

    # Members

    async def add_user_to_group(self, pool_id: str, group_name: str, sub: str, when: float) -> None:
        # Adding a member twice is not an error in Cognito: keep the first row.
        insert = sqlite.insert if self._sqlite else postgresql.insert
        statement = (
            insert(user_groups)
            .values(pool_id=pool_id, group_name=group_name, sub=sub, added=when)
            .on_conflict_do_nothing(index_elements=["pool_id", "group_name", "sub"])
        )
        async with self._write() as conn:
            await conn.execute(statement)

    async def remove_user_from_group(self, pool_id: str, group_name: str, sub: str) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                user_groups.delete().where(
                    user_groups.c.pool_id == pool_id,
                    user_groups.c.group_name == group_name,
                    user_groups.c.sub == sub,
                )
            )
            return result.rowcount > 0

    async def list_groups_for_user(
        self, pool_id: str, sub: str, limit: int, after: str | None
    ) -> list[Group]:
        query = (
            sa.select(groups)
            .join(
                user_groups,
                sa.and_(
                    user_groups.c.pool_id == groups.c.pool_id,
                    user_groups.c.group_name == groups.c.name,
                ),
            )
            .where(user_groups.c.pool_id == pool_id, user_groups.c.sub == sub)
            .order_by(groups.c.name)
            .limit(limit)
        )
        if after is not None:
            query = query.where(groups.c.name > after)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [_group(row) for row in rows]

    async def list_users_in_group(
        self, pool_id: str, group_name: str, limit: int, after_sub: str | None
    ) -> list[User]:
        query = (
            sa.select(users)
            .join(
                user_groups,
                sa.and_(user_groups.c.pool_id == users.c.pool_id, user_groups.c.sub == users.c.sub),
            )
            .where(user_groups.c.pool_id == pool_id, user_groups.c.group_name == group_name)
            .order_by(users.c.sub)
            .limit(limit)
        )
        if after_sub is not None:
            query = query.where(users.c.sub > after_sub)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [_user(row) for row in rows]

    async def get_refresh_token_with_user(
        self, token_hash: str
    ) -> tuple[RefreshToken | None, User | None, list[Group]]:
        rows = await self._rows(_REFRESH_TOKEN_WITH_USER, {"token_hash": token_hash})
        if not rows:
            return None, None, []
        first = rows[0]
        if getattr(first, _USER_PREFIX + "sub") is None:
            return _refresh_token(first), None, []
        user = _user(_prefixed(first, _USER_PREFIX, _USER_COLUMNS))
        found = [
            _group(_prefixed(row, _GROUP_PREFIX, _GROUP_COLUMNS))
            for row in rows
            if getattr(row, _GROUP_PREFIX + "name") is not None
        ]
        return _refresh_token(first), user, found

    async def groups_for_token(self, pool_id: str, sub: str) -> list[Group]:
        # Every sign-in and refresh runs this: one indexed query (ix_user_groups_user),
        # no pagination, built once. The claims' order is decided by core.groups.
        rows = await self._rows(_GROUPS_FOR_TOKEN, {"pool_id": pool_id, "sub": sub})
        return [_group(row) for row in rows]
