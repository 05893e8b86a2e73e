"""ListUsers in SQL: one indexed column per searchable attribute, keyset pagination
on (key, sub) so deep pages cost the same as the first."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from poolgate.store.records import User
from poolgate.store.schema import users
from poolgate.store.sql_base import SqlBase
from poolgate.store.sql_users import _user, _user_values

_COLUMNS: dict[str, Any] = {
    "username": users.c.username_key,
    "email": users.c.email_key,
    "phone_number": users.c.phone_key,
    "name": users.c.name_key,
    "given_name": users.c.given_name_key,
    "family_name": users.c.family_name_key,
    "preferred_username": users.c.preferred_username_key,
    "user_status": users.c.status,
    "sub": users.c.sub,
}
# Past every character a key can hold: [prefix, prefix + _TOP) is the prefix's range
# in byte-wise order.
_TOP = "\U0010ffff"


class SearchSql(SqlBase):
    async def list_users(
        self,
        pool_id: str,
        *,
        field: str | None,
        value: str | None,
        prefix: bool,
        limit: int,
        after: tuple[str, str] | None,
    ) -> list[tuple[User, tuple[str, str]]]:
        """Users in key order, each with the key to resume after it."""
        query = sa.select(users).where(users.c.pool_id == pool_id)
        if field == "enabled":
            wanted = [
                enabled
                for enabled, label in ((True, "Enabled"), (False, "Disabled"))
                if (label.startswith(value or "") if prefix else label == value)
            ]
            query = query.where(users.c.enabled.in_(wanted))
            column = users.c.username_key
        elif field is not None:
            column = _COLUMNS[field]
            if prefix:
                query = query.where(column >= value, column < (value or "") + _TOP)
            else:
                query = query.where(column == value)
        else:
            column = users.c.username_key
        if after is not None and field not in (None, "enabled") and not prefix:
            # Within one key value the page order is by sub alone: a plain range on the
            # index's last column, which every planner uses.
            query = query.where(users.c.sub > after[1])
        elif after is not None:
            query = query.where(sa.tuple_(column, users.c.sub) > sa.tuple_(after[0], after[1]))
        query = query.order_by(column, users.c.sub).limit(limit)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [(_user(row), (str(getattr(row, column.name)), row.sub)) for row in rows]

    async def create_users(self, batch: list[User]) -> None:
        """Insert many users in one statement (bulk loads and benchmarks)."""
        if not batch:
            return
        async with self._write() as conn:
            await conn.execute(users.insert(), [_user_values(user) for user in batch])
