"""Users: the store contract on SQLite and a real PostgreSQL server."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from poolgate.store.base import Conflict
from poolgate.store.records import Group
from poolgate.store.sql import SqlStore
from tests.store.factories import (
    OTHER_POOL,
    POOL,
    authorization_code,
    code,
    pool,
    refresh_token,
    user,
)


@pytest.fixture
async def ready(store: SqlStore) -> SqlStore:
    await store.create_pool(pool(), [])
    await store.create_pool(pool(OTHER_POOL), [])
    return store


async def test_user_round_trip_by_username_and_by_sub(ready: SqlStore) -> None:
    alice = user(
        "Alice",
        phone_key="+32470000000",
        preferred_username_key="ally",
        name_key="alice liddell",
        given_name_key="alice",
        family_name_key="liddell",
        status="FORCE_CHANGE_PASSWORD",
        enabled=False,
    )
    await ready.create_user(alice)
    assert await ready.get_user(POOL, "alice") == alice
    assert await ready.get_user_by_sub(POOL, alice.sub) == alice
    # Lookups are by the key, exactly: not by the username as typed, not in another pool.
    assert await ready.get_user(POOL, "Alice") is None
    assert await ready.get_user(OTHER_POOL, "alice") is None
    assert await ready.get_user_by_sub(OTHER_POOL, alice.sub) is None
    assert await ready.get_user_by_sub(POOL, "00000000-0000-0000-0000-000000000000") is None

    bare = user("bare", credential_sealed=None, state={}, attributes={}, email_key=None)
    await ready.create_user(bare)
    assert await ready.get_user(POOL, "bare") == bare


async def test_create_user_conflicts_write_nothing(ready: SqlStore) -> None:
    alice = user("alice")
    await ready.create_user(alice)
    with pytest.raises(Conflict):  # the username key is taken in the pool
        await ready.create_user(user("alice", sub="11111111-1111-4111-8111-111111111111"))
    with pytest.raises(Conflict):  # the sub is taken in the pool
        await ready.create_user(user("alicia", sub=alice.sub))
    with pytest.raises(Conflict):  # a user needs its pool
        await ready.create_user(user("alice", pool_id="us-east-1_missing00"))
    assert await ready.count_users(POOL) == 1
    assert await ready.get_user(POOL, "alicia") is None
    # The same username in another pool is another user.
    await ready.create_user(user("alice", pool_id=OTHER_POOL))
    assert await ready.count_users(OTHER_POOL) == 1


async def test_put_user_replaces_every_field(ready: SqlStore) -> None:
    alice = user("alice")
    await ready.create_user(alice)
    changed = replace(
        alice,
        username="alice",
        status="RESET_REQUIRED",
        enabled=False,
        modified=99.75,
        attributes={"sub": alice.sub, "email": "new@example.com", "email_verified": "false"},
        credential_sealed=None,
        state={"failures": 3, "locked_until": 123.5},
        email_key="new@example.com",
        phone_key="+15550100",
        preferred_username_key="al",
        name_key="a l",
        given_name_key="a",
        family_name_key="l",
    )
    await ready.put_user(changed)
    assert await ready.get_user_by_sub(POOL, alice.sub) == changed
    assert await ready.find_users_by_alias(POOL, "email", "alice@example.com") == []
    assert await ready.find_users_by_alias(POOL, "email", "new@example.com") == [changed]

    # A new username key moves the lookup with it.
    renamed = replace(changed, username_key="ALICE")
    await ready.put_user(renamed)
    assert await ready.get_user(POOL, "alice") is None
    assert await ready.get_user(POOL, "ALICE") == renamed

    # put_user changes a user; it never creates one.
    await ready.put_user(user("ghost"))
    assert await ready.get_user(POOL, "ghost") is None
    assert await ready.count_users(POOL) == 1


async def test_put_user_onto_a_taken_username_key_is_a_conflict(ready: SqlStore) -> None:
    await ready.create_user(user("alice"))
    bob = user("bob")
    await ready.create_user(bob)
    with pytest.raises(Conflict):
        await ready.put_user(replace(bob, username_key="alice"))
    assert await ready.get_user(POOL, "bob") == bob


async def test_find_users_by_alias(ready: SqlStore) -> None:
    alice = user("alice", phone_key="+15550100", preferred_username_key="wonder")
    # Two users may share an unverified email; both are found.
    twin = user("twin", email_key="alice@example.com")
    bob = user("bob", phone_key="+15550199")
    elsewhere = user("alice", pool_id=OTHER_POOL, phone_key="+15550100")
    for u in (alice, twin, bob, elsewhere):
        await ready.create_user(u)

    by_email = await ready.find_users_by_alias(POOL, "email", "alice@example.com")
    assert sorted(by_email, key=lambda u: u.username) == [alice, twin]
    assert await ready.find_users_by_alias(POOL, "phone_number", "+15550100") == [alice]
    assert await ready.find_users_by_alias(POOL, "preferred_username", "wonder") == [alice]
    assert await ready.find_users_by_alias(POOL, "preferred_username", "Wonder") == []
    assert await ready.find_users_by_alias(POOL, "phone_number", "+15550000") == []
    assert await ready.find_users_by_alias(OTHER_POOL, "phone_number", "+15550100") == [elsewhere]


async def test_count_users_and_create_users(ready: SqlStore) -> None:
    assert await ready.count_users(POOL) == 0
    batch = [user(f"user{i:03d}") for i in range(120)]
    await ready.create_users(batch)
    await ready.create_users([])
    await ready.create_users([user("solo", pool_id=OTHER_POOL)])
    assert await ready.count_users(POOL) == 120
    assert await ready.count_users(OTHER_POOL) == 1
    assert await ready.count_users("us-east-1_missing00") == 0
    assert await ready.get_user(POOL, "user077") == batch[77]
    # One statement: a batch with a taken username inserts none of it.
    with pytest.raises(Conflict):
        await ready.create_users([user("fresh1"), user("user001", sub=batch[5].sub[::-1])])
    assert await ready.get_user(POOL, "fresh1") is None
    assert await ready.count_users(POOL) == 120


async def test_delete_user_takes_what_hangs_off_it(ready: SqlStore) -> None:
    alice, bob = user("alice"), user("bob")
    for u in (alice, bob):
        await ready.create_user(u)
        await ready.put_code(code(u.sub))
        await ready.add_refresh_token(refresh_token(f"rt-{u.username}", u.sub, f"o-{u.username}"))
        await ready.add_authorization_code(authorization_code(f"ac-{u.username}", u.sub))
    await ready.create_group(Group(pool_id=POOL, name="staff", created=1.0, modified=1.0))
    await ready.add_user_to_group(POOL, "staff", alice.sub, 2.0)
    await ready.add_user_to_group(POOL, "staff", bob.sub, 2.0)

    assert await ready.delete_user(POOL, alice.sub) is True
    assert await ready.delete_user(POOL, alice.sub) is False
    assert await ready.delete_user(OTHER_POOL, bob.sub) is False
    assert await ready.get_user(POOL, "alice") is None
    assert await ready.get_code(POOL, alice.sub, "SIGN_UP") is None
    assert await ready.get_refresh_token("rt-alice") is None
    assert await ready.consume_authorization_code("ac-alice", 1100.0) == (None, False)
    assert [u.sub for u in await ready.list_users_in_group(POOL, "staff", 10, None)] == [bob.sub]
    # Bob keeps everything.
    assert await ready.get_user(POOL, "bob") == bob
    assert await ready.get_code(POOL, bob.sub, "SIGN_UP") == code(bob.sub)
    assert await ready.get_refresh_token("rt-bob") == refresh_token("rt-bob", bob.sub, "o-bob")
    assert await ready.count_users(POOL) == 1


async def test_racing_read_modify_writes_lose_nothing(
    ready: SqlStore, other_store: SqlStore
) -> None:
    """What every lockout counter does: read for update, change, put; from two
    processes at once, no increment is lost."""
    alice = user("alice", state={"failures": 0})
    await ready.create_user(alice)

    async def fail_once(store: SqlStore, by_sub: bool) -> None:
        async with store.transaction() as tx:
            if by_sub:
                current = await tx.get_user_by_sub(POOL, alice.sub, for_update=True)
            else:
                current = await tx.get_user(POOL, "alice", for_update=True)
            assert current is not None
            await asyncio.sleep(0)
            failures = current.state["failures"] + 1
            await tx.put_user(replace(current, state={"failures": failures}))

    await asyncio.gather(
        *(fail_once(ready if i % 2 else other_store, i % 3 == 0) for i in range(12))
    )
    stored = await ready.get_user(POOL, "alice")
    assert stored is not None and stored.state == {"failures": 12}
