"""Throttle counters, the audit trail and the outbox's expiring codes, on SQLite and a
real PostgreSQL server."""

from __future__ import annotations

import asyncio

from poolgate.store.records import AuthEvent, Message
from poolgate.store.sql import SqlStore

POOL = "us-east-1_SSSSSSSSS"


async def test_counters_count_atomically_and_restart_after_expiry(store: SqlStore) -> None:
    hits = await asyncio.gather(
        *(store.hit_counter("fail", "1.2.3.4", 7, expires=100.0, now=10.0) for _ in range(20))
    )
    assert sorted(hits) == list(range(1, 21))
    assert await store.read_counters([("fail", "1.2.3.4", 7), ("fail", "x", 7)], 10.0) == {
        ("fail", "1.2.3.4", 7): 20
    }
    # Past its expiry a counter reads as nothing and its next hit starts again at 1.
    assert await store.read_counters([("fail", "1.2.3.4", 7)], 100.0) == {}
    assert await store.hit_counter("fail", "1.2.3.4", 7, expires=200.0, now=150.0) == 1
    assert await store.read_counter_row("fail", "1.2.3.4", 7) == (1, 200.0)
    assert await store.read_counter_row("fail", "nobody", 7) is None
    # Buckets and scopes are separate counters.
    assert await store.hit_counter("fail", "1.2.3.4", 8, expires=200.0, now=150.0) == 1
    assert await store.hit_counter("send", "1.2.3.4", 7, expires=200.0, now=150.0) == 1
    assert await store.purge_counters(250.0) == 3
    assert await store.read_counter_row("fail", "1.2.3.4", 7) is None


def event(event_id: str, created: float, **kw: object) -> AuthEvent:
    values: dict[str, object] = {
        "event_type": "SignIn",
        "outcome": "Pass",
        "pool_id": POOL,
        "sub": "sub-1",
        "client_id": "c1",
        "source_ip": "203.0.113.9",
        "request_id": "r1",
        "user_agent": "ua",
        "details": {"flow": "USER_PASSWORD_AUTH"},
    }
    values.update(kw)
    return AuthEvent(event_id=event_id, created=created, **values)  # type: ignore[arg-type]


async def test_auth_events_list_newest_first_by_user_and_type(store: SqlStore) -> None:
    await store.add_auth_event(event("e1", 1.0))
    await store.add_auth_event(event("e2", 2.0, outcome="Fail"))
    await store.add_auth_event(event("e3", 2.0, event_type="AdminDisableUser", actor="AKPG1"))
    await store.add_auth_event(event("e4", 3.0, sub="sub-2"))
    await store.add_auth_event(event("e5", 4.0, sub=None, details={"username": "ghost"}))
    listed = await store.list_auth_events(POOL, "sub-1", event_types=None, limit=10, before=None)
    assert [e.event_id for e in listed] == ["e3", "e2", "e1"]
    assert listed[0].actor == "AKPG1" and listed[2].details == {"flow": "USER_PASSWORD_AUTH"}
    sign_ins = await store.list_auth_events(
        POOL, "sub-1", event_types=("SignIn",), limit=1, before=None
    )
    assert [e.event_id for e in sign_ins] == ["e2"]
    rest = await store.list_auth_events(
        POOL, "sub-1", event_types=("SignIn",), limit=5, before=(2.0, "e2")
    )
    assert [e.event_id for e in rest] == ["e1"]

    feedback = {"FeedbackValue": "Invalid", "Provider": "Admin", "FeedbackDate": 5.0}
    assert await store.set_auth_event_feedback(POOL, "e1", feedback)
    assert not await store.set_auth_event_feedback(POOL, "missing", feedback)
    found = await store.get_auth_event(POOL, "e1")
    assert found is not None and found.feedback == feedback
    assert await store.get_auth_event("us-east-1_other0000", "e1") is None
    assert await store.purge_auth_events(2.5) == 3
    remaining = await store.list_auth_events(POOL, "sub-2", event_types=None, limit=10, before=None)
    assert [e.event_id for e in remaining] == ["e4"]


async def test_expired_codes_are_redacted_in_the_outbox(store: SqlStore) -> None:
    def message(body: str, **kw: object) -> Message:
        return Message(
            channel="EMAIL", recipient="a@example.com", subject="Code 123456", body=body,
            created=1.0, **kw,  # type: ignore[arg-type]
        )  # fmt: skip

    await store.add_message(message("Your code is 123456", expires=10.0, secret="123456"))
    await store.add_message(message("Old message 654321", expires=5.0))
    await store.add_message(message("Welcome, no code"))
    await store.add_message(message("Later code 111111", expires=99.0, secret="111111"))
    before = {m.body: m for m in await store.list_messages()}
    assert before["Your code is 123456"].secret == "123456"
    assert await store.redact_expired_messages(20.0, mask="******", notice="(expired)") == 2
    after = [(m.subject, m.body, m.secret, m.expires) for m in await store.list_messages()]
    assert after == [
        ("Code 123456", "Later code 111111", "111111", 99.0),
        ("Code 123456", "Welcome, no code", None, None),
        ("Code 123456", "(expired)", None, None),
        ("Code ******", "Your code is ******", None, None),
    ]
    assert await store.redact_expired_messages(20.0, mask="******", notice="(expired)") == 0
