"""The message outbox in SQL."""

from __future__ import annotations

import sqlalchemy as sa

from poolgate.store.records import (
    Message,
)
from poolgate.store.schema import (
    outbox,
)
from poolgate.store.sql_base import SqlBase


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
