"""The groups part of the store contract, on SQLite and a real PostgreSQL server."""

from __future__ import annotations

from dataclasses import replace

import pytest

from poolgate.store.base import Conflict
from poolgate.store.records import Group, User, UserPool
from poolgate.store.sql import SqlStore

POOL = "us-east-1_GGGGGGGGG"


def pool(pool_id: str = POOL) -> UserPool:
    return UserPool(
        id=pool_id,
        name="p",
        arn=f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool_id}",
        created=1.0,
        modified=1.0,
        settings={},
    )


def user(sub: str, pool_id: str = POOL) -> User:
    return User(
        pool_id=pool_id,
        username=f"user-{sub}",
        sub=sub,
        status="CONFIRMED",
        enabled=True,
        created=1.0,
        modified=1.0,
        attributes={"sub": sub},
        username_key=f"user-{sub}",
    )


def group(name: str, precedence: int | None = None, role: str | None = None) -> Group:
    return Group(
        pool_id=POOL,
        name=name,
        created=2.0,
        modified=2.0,
        description=f"the {name} group",
        precedence=precedence,
        role_arn=role,
    )


@pytest.fixture
async def ready(store: SqlStore) -> SqlStore:
    await store.create_pool(pool(), [])
    return store


async def test_group_round_trip_and_duplicate(ready: SqlStore) -> None:
    await ready.create_group(group("admins", 1, "arn:aws:iam::123456789012:role/admin"))
    await ready.create_group(Group(pool_id=POOL, name="bare", created=3.0, modified=3.0))
    assert await ready.get_group(POOL, "admins") == group(
        "admins", 1, "arn:aws:iam::123456789012:role/admin"
    )
    bare = await ready.get_group(POOL, "bare")
    assert bare is not None
    assert (bare.description, bare.precedence, bare.role_arn) == (None, None, None)
    assert await ready.get_group(POOL, "missing") is None
    # Names are exact: another case is another group.
    assert await ready.get_group(POOL, "Admins") is None
    with pytest.raises(Conflict):
        await ready.create_group(group("admins"))
    # The same name in another pool is another group.
    await ready.create_pool(pool("us-east-1_HHHHHHHHH"), [])
    await ready.create_group(replace(group("admins"), pool_id="us-east-1_HHHHHHHHH"))


async def test_list_groups_pages_by_name(ready: SqlStore) -> None:
    for name in ("g3", "g1", "g4", "g0", "g2"):
        await ready.create_group(group(name))
    first = await ready.list_groups(POOL, 2, None)
    assert [g.name for g in first] == ["g0", "g1"]
    rest = await ready.list_groups(POOL, 10, "g1")
    assert [g.name for g in rest] == ["g2", "g3", "g4"]
    assert await ready.list_groups("us-east-1_nothing00", 10, None) == []


async def test_put_group_replaces_the_stored_group(ready: SqlStore) -> None:
    await ready.create_group(group("editors", 5))
    changed = replace(group("editors"), precedence=None, description=None, modified=9.0)
    await ready.put_group(changed)
    assert await ready.get_group(POOL, "editors") == changed
    async with ready.transaction() as tx:
        locked = await tx.get_group(POOL, "editors", for_update=True)
        assert locked == changed


async def test_memberships(ready: SqlStore) -> None:
    for sub in ("s3", "s1", "s2"):
        await ready.create_user(user(sub))
    for name in ("b", "a", "c"):
        await ready.create_group(group(name))
    for sub in ("s3", "s1", "s2"):
        await ready.add_user_to_group(POOL, "a", sub, 5.0)
    # Idempotent: adding again is not an error and adds nothing.
    await ready.add_user_to_group(POOL, "a", "s1", 6.0)
    await ready.add_user_to_group(POOL, "c", "s1", 5.0)
    await ready.add_user_to_group(POOL, "b", "s1", 5.0)

    members = await ready.list_users_in_group(POOL, "a", 2, None)
    assert [u.sub for u in members] == ["s1", "s2"]
    assert members[0] == user("s1")
    assert [u.sub for u in await ready.list_users_in_group(POOL, "a", 10, "s2")] == ["s3"]
    assert await ready.list_users_in_group(POOL, "b", 10, "s1") == []

    assert [g.name for g in await ready.list_groups_for_user(POOL, "s1", 2, None)] == ["a", "b"]
    assert [g.name for g in await ready.list_groups_for_user(POOL, "s1", 2, "b")] == ["c"]
    assert [g.name for g in await ready.groups_for_token(POOL, "s1")] == ["a", "b", "c"]
    assert [g.name for g in await ready.groups_for_token(POOL, "s2")] == ["a"]
    assert await ready.groups_for_token(POOL, "nobody") == []

    assert await ready.remove_user_from_group(POOL, "b", "s1") is True
    assert await ready.remove_user_from_group(POOL, "b", "s1") is False
    assert [g.name for g in await ready.groups_for_token(POOL, "s1")] == ["a", "c"]


async def test_membership_needs_the_group_and_the_user(ready: SqlStore) -> None:
    await ready.create_user(user("s1"))
    await ready.create_group(group("a"))
    with pytest.raises(Conflict):
        await ready.add_user_to_group(POOL, "missing", "s1", 5.0)
    with pytest.raises(Conflict):
        await ready.add_user_to_group(POOL, "a", "nobody", 5.0)


async def test_deleting_a_group_or_a_user_removes_memberships(ready: SqlStore) -> None:
    for sub in ("s1", "s2"):
        await ready.create_user(user(sub))
        await ready.create_group(group(f"g-{sub}"))
        await ready.create_group(group(f"h-{sub}"))
    for sub in ("s1", "s2"):
        await ready.add_user_to_group(POOL, "g-s1", sub, 5.0)
        await ready.add_user_to_group(POOL, "h-s1", sub, 5.0)

    assert await ready.delete_group(POOL, "g-s1") is True
    assert await ready.delete_group(POOL, "g-s1") is False
    assert [g.name for g in await ready.groups_for_token(POOL, "s1")] == ["h-s1"]
    # Re-creating the name starts with no members.
    await ready.create_group(group("g-s1"))
    assert await ready.list_users_in_group(POOL, "g-s1", 10, None) == []

    assert await ready.delete_user(POOL, "s1") is True
    assert [u.sub for u in await ready.list_users_in_group(POOL, "h-s1", 10, None)] == ["s2"]

    # Deleting the pool takes its groups and memberships with it.
    assert await ready.delete_pool(POOL) is True
    assert await ready.get_group(POOL, "h-s1") is None
    assert await ready.groups_for_token(POOL, "s2") == []
