"""The outbox: every message the embedded default sends, as the developer mailbox and
``poolgate mailbox`` read it.

A message's code (or temporary password) is kept in clear only while it is valid:
past its expiry it is shown masked, and ``redact_expired`` (run periodically by the
server) overwrites it in the store.
"""

from __future__ import annotations

import dataclasses

from poolgate.core.context import Context
from poolgate.core.records import Message

MASK = "******"
NOTICE = "(This message held a code that has expired; its text was removed.)"


async def list_messages(
    ctx: Context, *, recipient: str | None = None, limit: int = 100, after_id: int | None = None
) -> list[Message]:
    """Newest first; only those to ``recipient``, and with ids above ``after_id``, when
    given. Expired codes are masked even before the store was purged."""
    found = await ctx.store.list_messages(recipient=recipient, limit=limit, after_id=after_id)
    now = ctx.clock()
    return [_masked(m) if m.expires is not None and m.expires <= now else m for m in found]


def _masked(message: Message) -> Message:
    if message.secret:
        return dataclasses.replace(
            message,
            subject=message.subject.replace(message.secret, MASK),
            body=message.body.replace(message.secret, MASK),
            secret=None,
        )
    return dataclasses.replace(message, body=NOTICE)


async def redact_expired(ctx: Context) -> int:
    """Overwrite the codes of expired messages in the store; how many were."""
    return await ctx.store.redact_expired_messages(ctx.clock(), mask=MASK, notice=NOTICE)
