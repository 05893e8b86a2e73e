"""The outbox: every message the embedded default sends, as the developer mailbox and
``poolgate mailbox`` read it."""

from __future__ import annotations

from poolgate.core.context import Context
from poolgate.core.records import Message


async def list_messages(
    ctx: Context, *, recipient: str | None = None, limit: int = 100, after_id: int | None = None
) -> list[Message]:
    """Newest first; only those to ``recipient``, and with ids above ``after_id``, when
    given."""
    return await ctx.store.list_messages(recipient=recipient, limit=limit, after_id=after_id)
