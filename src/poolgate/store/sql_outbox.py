"""The message outbox in SQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from poolgate.store.records import (
    Message,
)
from poolgate.store.schema import (
    outbox,
)
from poolgate.store.sql_base import SqlBase

_o = outbox


class OutboxSql(SqlBase):
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
                    expires=message.expires,
                    secret=message.secret,
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
        return [_message(row) for row in rows]

    async def redact_expired_messages(self, now: float, *, mask: str, notice: str) -> int:
        """Replace the secret of every message whose code expired by ``now`` with
        ``mask`` (the whole body with ``notice`` when the secret is not known), and
        forget the secret."""
        known = _o.c.secret.is_not(None)
        async with self._write() as conn:
            result = await conn.execute(
                _o.update()
                .where(_o.c.expires <= now)
                .values(
                    body=sa.case(
                        (known, sa.func.replace(_o.c.body, _o.c.secret, mask)), else_=notice
                    ),
                    subject=sa.case(
                        (known, sa.func.replace(_o.c.subject, _o.c.secret, mask)),
                        else_=_o.c.subject,
                    ),
                    secret=None,
                    expires=None,
                )
            )
            return int(result.rowcount)


def _message(row: Any) -> Message:
    return Message(
        id=row.id,
        pool_id=row.pool_id,
        username=row.username,
        channel=row.channel,
        recipient=row.recipient,
        subject=row.subject,
        body=row.body,
        purpose=row.purpose,
        created=row.created,
        expires=row.expires,
        secret=row.secret,
    )
