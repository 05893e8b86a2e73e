"""The outbox of messages (codes and invitations a developer reads on the mailbox page
and through the CLI): the store contract on SQLite and a real PostgreSQL server.

The outbox has no deletion or expiry: messages stay until the database goes."""

from __future__ import annotations

from dataclasses import replace

from poolgate.store.sql import SqlStore
from tests.store.factories import message


async def test_add_message_numbers_messages_in_order(store: SqlStore) -> None:
    first = await store.add_message(message("alice@example.com"))
    second = await store.add_message(message("bob@example.com"))
    assert second > first
    assert await store.list_messages() == [
        replace(message("bob@example.com"), id=second),
        replace(message("alice@example.com"), id=first),
    ]


async def test_list_messages_newest_first_with_recipient_and_limit(store: SqlStore) -> None:
    ids = {}
    for i in range(6):
        recipient = "alice@example.com" if i % 2 == 0 else "+15550100"
        sent = message(recipient, body=f"code {i}", created=float(100 + i))
        if recipient.startswith("+"):
            sent = replace(sent, channel="SMS", subject="", pool_id=None, username=None)
        ids[i] = await store.add_message(sent)

    to_alice = await store.list_messages(recipient="alice@example.com")
    assert [m.body for m in to_alice] == ["code 4", "code 2", "code 0"]
    assert [m.id for m in to_alice] == [ids[4], ids[2], ids[0]]
    assert to_alice[0] == replace(
        message("alice@example.com", body="code 4", created=104.0), id=ids[4]
    )
    sms = await store.list_messages(recipient="+15550100", limit=1)
    assert sms == [
        replace(
            message("+15550100", body="code 5", created=105.0),
            id=ids[5],
            channel="SMS",
            subject="",
            pool_id=None,
            username=None,
        )
    ]
    assert [m.body for m in await store.list_messages(limit=4)] == [
        "code 5",
        "code 4",
        "code 3",
        "code 2",
    ]
    # Recipients are matched exactly.
    assert await store.list_messages(recipient="ALICE@example.com") == []
    assert await store.list_messages(recipient="alice@example") == []


async def test_list_messages_after_an_id(store: SqlStore) -> None:
    ids = [await store.add_message(message("alice@example.com", body=f"b{i}")) for i in range(5)]
    await store.add_message(message("bob@example.com", body="bob"))
    # What a mailbox page polling for news asks: only messages newer than the last seen.
    newer = await store.list_messages(after_id=ids[2])
    assert [m.body for m in newer] == ["bob", "b4", "b3"]
    newer_to_alice = await store.list_messages(recipient="alice@example.com", after_id=ids[2])
    assert [m.id for m in newer_to_alice] == [ids[4], ids[3]]
    assert await store.list_messages(recipient="alice@example.com", after_id=ids[4]) == []
    assert [m.body for m in await store.list_messages(after_id=ids[0], limit=2)] == ["bob", "b4"]
