"""The audit trail in SQL: auth events per user, newest first, with feedback."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa

from poolgate.store.records import AuthEvent
from poolgate.store.schema import auth_events
from poolgate.store.sql_base import SqlBase, dumps

_e = auth_events
_ADD = _e.insert()


def event_values(event: AuthEvent) -> dict[str, Any]:
    """The parameters of an ``auth_events`` insert."""
    return {
        "event_id": event.event_id,
        "pool_id": event.pool_id,
        "sub": event.sub,
        "event_type": event.event_type,
        "outcome": event.outcome,
        "created": event.created,
        "client_id": event.client_id,
        "source_ip": event.source_ip,
        "request_id": event.request_id,
        "user_agent": event.user_agent,
        "actor": event.actor,
        "details": dumps(event.details),
        "feedback": None if event.feedback is None else dumps(event.feedback),
    }


class AuditSql(SqlBase):
    async def add_auth_event(self, event: AuthEvent) -> None:
        await self._run(_ADD, event_values(event))

    async def list_auth_events(
        self,
        pool_id: str,
        sub: str,
        *,
        event_types: tuple[str, ...] | None,
        limit: int,
        before: tuple[float, str] | None,
    ) -> list[AuthEvent]:
        """The user's events, newest first, starting after ``before`` (created, id)."""
        query = (
            sa.select(_e)
            .where(_e.c.pool_id == pool_id, _e.c.sub == sub)
            .order_by(_e.c.created.desc(), _e.c.event_id.desc())
            .limit(limit)
        )
        if event_types is not None:
            query = query.where(_e.c.event_type.in_(event_types))
        if before is not None:
            created, event_id = before
            query = query.where(
                sa.or_(
                    _e.c.created < created,
                    sa.and_(_e.c.created == created, _e.c.event_id < event_id),
                )
            )
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [_event(row) for row in rows]

    async def get_auth_event(self, pool_id: str, event_id: str) -> AuthEvent | None:
        query = sa.select(_e).where(_e.c.pool_id == pool_id, _e.c.event_id == event_id)
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else _event(row)

    async def set_auth_event_feedback(
        self, pool_id: str, event_id: str, feedback: dict[str, object]
    ) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                _e.update()
                .where(_e.c.pool_id == pool_id, _e.c.event_id == event_id)
                .values(feedback=dumps(feedback))
            )
            return int(result.rowcount) > 0

    async def purge_auth_events(self, before: float) -> int:
        async with self._write() as conn:
            result = await conn.execute(_e.delete().where(_e.c.created < before))
            return int(result.rowcount)


def _event(row: Any) -> AuthEvent:
    return AuthEvent(
        event_id=row.event_id,
        event_type=row.event_type,
        outcome=row.outcome,
        created=row.created,
        pool_id=row.pool_id,
        sub=row.sub,
        client_id=row.client_id,
        source_ip=row.source_ip,
        request_id=row.request_id,
        user_agent=row.user_agent,
        actor=row.actor,
        details=orjson.loads(row.details),
        feedback=None if row.feedback is None else orjson.loads(row.feedback),
    )
