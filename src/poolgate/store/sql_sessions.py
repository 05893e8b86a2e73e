"""Single-use challenge sessions: the first call that spends a session id wins."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from poolgate.store.schema import spent_sessions
from poolgate.store.sql_base import SqlBase

_t = spent_sessions


def _claim(insert: Any) -> Any:
    return (
        insert(_t)
        .values(session_id=sa.bindparam("session_id"), expires=sa.bindparam("expires"))
        .on_conflict_do_nothing(index_elements=[_t.c.session_id])
        .returning(_t.c.session_id)
    )


_CLAIM = {"sqlite": _claim(sqlite.insert), "postgresql": _claim(postgresql.insert)}


class SessionsSql(SqlBase):
    async def spend_session(self, session_id: str, expires: float, now: float) -> bool:
        """True for the one call that spends ``session_id``; False if it was spent."""
        async with self._write() as conn:
            won = (
                await conn.execute(
                    _CLAIM[conn.dialect.name], {"session_id": session_id, "expires": expires}
                )
            ).first()
            # Spent sessions past their expiry can no longer be replayed anyway.
            await conn.execute(_t.delete().where(_t.c.expires < now))
        return won is not None
