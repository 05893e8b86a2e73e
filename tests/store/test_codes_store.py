"""One-time codes (sign-up, forgot password, attribute verification): the store
contract on SQLite and a real PostgreSQL server."""

from __future__ import annotations

import asyncio

import pytest

from poolgate.store.base import Conflict
from poolgate.store.sql import SqlStore
from tests.store.factories import OTHER_POOL, POOL, code, pool, user

ALICE = user("alice")
BOB = user("bob")


@pytest.fixture
async def ready(store: SqlStore) -> SqlStore:
    await store.create_pool(pool(), [])
    await store.create_pool(pool(OTHER_POOL), [])
    for u in (ALICE, BOB):
        await store.create_user(u)
    return store


async def test_code_round_trip(ready: SqlStore) -> None:
    signup = code(ALICE.sub)
    await ready.put_code(signup)
    assert await ready.get_code(POOL, ALICE.sub, "SIGN_UP") == signup
    assert await ready.get_code(POOL, ALICE.sub, "FORGOT_PASSWORD") is None
    assert await ready.get_code(POOL, BOB.sub, "SIGN_UP") is None
    assert await ready.get_code(OTHER_POOL, ALICE.sub, "SIGN_UP") is None


async def test_one_live_code_per_user_and_purpose(ready: SqlStore) -> None:
    await ready.put_code(code(ALICE.sub, code_hash="1" * 64, attempts=4))
    await ready.put_code(code(ALICE.sub, "FORGOT_PASSWORD", code_hash="2" * 64))
    await ready.put_code(code(ALICE.sub, "VERIFY:email", code_hash="3" * 64))
    await ready.put_code(code(BOB.sub, code_hash="4" * 64))
    # A new sign-up code replaces the old one, attempts and all.
    fresh = code(ALICE.sub, code_hash="5" * 64, created=200.0, expires=300.0, attempts=0)
    await ready.put_code(fresh)
    assert await ready.get_code(POOL, ALICE.sub, "SIGN_UP") == fresh
    assert await ready.get_code(POOL, ALICE.sub, "FORGOT_PASSWORD") == code(
        ALICE.sub, "FORGOT_PASSWORD", code_hash="2" * 64
    )
    assert await ready.get_code(POOL, ALICE.sub, "VERIFY:email") == code(
        ALICE.sub, "VERIFY:email", code_hash="3" * 64
    )
    assert await ready.get_code(POOL, BOB.sub, "SIGN_UP") == code(BOB.sub, code_hash="4" * 64)


async def test_delete_code(ready: SqlStore) -> None:
    await ready.put_code(code(ALICE.sub))
    await ready.put_code(code(ALICE.sub, "FORGOT_PASSWORD"))
    await ready.put_code(code(BOB.sub))
    await ready.delete_code(POOL, ALICE.sub, "SIGN_UP")
    assert await ready.get_code(POOL, ALICE.sub, "SIGN_UP") is None
    # Deleting what is not there is not an error.
    await ready.delete_code(POOL, ALICE.sub, "SIGN_UP")
    await ready.delete_code(OTHER_POOL, BOB.sub, "SIGN_UP")
    assert await ready.get_code(POOL, ALICE.sub, "FORGOT_PASSWORD") is not None
    assert await ready.get_code(POOL, BOB.sub, "SIGN_UP") == code(BOB.sub)


async def test_a_code_needs_its_user(ready: SqlStore) -> None:
    with pytest.raises(Conflict):
        await ready.put_code(code("00000000-0000-4000-8000-000000000000"))
    with pytest.raises(Conflict):
        await ready.put_code(code(ALICE.sub, pool_id=OTHER_POOL))


async def test_racing_replacements_leave_one_code(ready: SqlStore, other_store: SqlStore) -> None:
    """Two requests for a new code at once (a double click on "resend", from two
    processes): both succeed and one of the two codes is the live one."""
    for attempt in range(5):
        await ready.delete_code(POOL, ALICE.sub, "SIGN_UP")
        if attempt % 2:
            await ready.put_code(code(ALICE.sub, code_hash="0" * 64))
        first = code(ALICE.sub, code_hash="a" * 64, created=float(attempt))
        second = code(ALICE.sub, code_hash="b" * 64, created=float(attempt))
        await asyncio.gather(ready.put_code(first), other_store.put_code(second))
        assert await ready.get_code(POOL, ALICE.sub, "SIGN_UP") in (first, second)
