"""The throttles' counters in SQL: one atomic upsert per counted event, correct with
several worker processes and several nodes (the database decides every increment)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from poolgate.store.schema import throttle_counters
from poolgate.store.sql_base import SqlBase

_t = throttle_counters
_p = sa.bindparam


def _upsert(insert: Any) -> Any:
    """INSERT ... ON CONFLICT DO UPDATE ... RETURNING count, for one dialect's insert.

    A row past its expiry restarts at 1: a counter that "resets after a quiet period"
    (the lockout's) is one row whose expiry moves with every hit."""
    statement = insert(_t).values(
        scope=_p("scope"),
        subject=_p("subject"),
        bucket=_p("bucket"),
        count=1,
        expires=_p("expires"),
    )
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[_t.c.scope, _t.c.subject, _t.c.bucket],
        set_={
            "count": sa.case((_t.c.expires <= _p("now"), 1), else_=_t.c.count + 1),
            "expires": excluded.expires,
        },
    ).returning(_t.c.count)


_UPSERT = {"sqlite": _upsert(sqlite.insert), "postgresql": _upsert(postgresql.insert)}

Counter = tuple[str, str, int]


class ThrottleSql(SqlBase):
    async def hit_counter(
        self, scope: str, subject: str, bucket: int, *, expires: float, now: float
    ) -> int:
        """Add one to the counter and return its new value (1 if it had expired)."""
        params = {
            "scope": scope,
            "subject": subject,
            "bucket": bucket,
            "expires": expires,
            "now": now,
        }
        async with self._write() as conn:
            statement = _UPSERT[conn.dialect.name]
            result = await conn.execute(statement, params)
            return int(result.scalar_one())

    async def read_counters(self, counters: list[Counter], now: float) -> dict[Counter, int]:
        """The live counts of ``counters`` (absent or expired ones are left out)."""
        if not counters:
            return {}
        wanted = sa.or_(
            *(
                sa.and_(_t.c.scope == scope, _t.c.subject == subject, _t.c.bucket == bucket)
                for scope, subject, bucket in counters
            )
        )
        query = sa.select(_t.c.scope, _t.c.subject, _t.c.bucket, _t.c.count).where(
            wanted, _t.c.expires > now
        )
        async with self._read() as conn:
            rows: list[Any] = list((await conn.execute(query)).all())
        # (``row.count`` would be the tuple's method: the columns are read by position.)
        return {(row[0], row[1], int(row[2])): int(row[3]) for row in rows}

    async def read_counter_row(
        self, scope: str, subject: str, bucket: int
    ) -> tuple[int, float] | None:
        """The count and expiry of one counter, expired or not (the lockout emulation
        needs both)."""
        query = sa.select(_t.c.count, _t.c.expires).where(
            _t.c.scope == scope, _t.c.subject == subject, _t.c.bucket == bucket
        )
        async with self._read() as conn:
            row: Any = (await conn.execute(query)).first()
        return None if row is None else (int(row[0]), float(row[1]))

    async def purge_counters(self, now: float) -> int:
        async with self._write() as conn:
            result = await conn.execute(_t.delete().where(_t.c.expires <= now))
            return int(result.rowcount)
