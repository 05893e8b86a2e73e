"""How messages leave: core decides *what* to send, a ``Sender`` decides *how*. The
embedded default keeps every message in the store's outbox (read on the developer
mailbox and by tests); transports to the outside world (SMTP) live in ``poolgate.mail``.
"""

from __future__ import annotations

from typing import Protocol

from poolgate.core.messages.templates import EMAIL, SMS
from poolgate.core.records import Message
from poolgate.store.base import Store


class Sender(Protocol):
    async def send(self, message: Message) -> None: ...


class OutboxSender:
    """Keeps messages in the store's outbox: the developer mailbox and tests read them."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def send(self, message: Message) -> None:
        await self.store.add_message(message)


class RoutingSender:
    """EMAIL messages to one sender, SMS messages to another."""

    def __init__(self, email: Sender, sms: Sender) -> None:
        self.email = email
        self.sms = sms

    async def send(self, message: Message) -> None:
        if message.channel == EMAIL:
            await self.email.send(message)
        elif message.channel == SMS:
            await self.sms.send(message)
        else:
            raise ValueError(f"unknown message channel {message.channel!r}")
