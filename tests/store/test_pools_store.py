"""Pools, app clients, domains and signing keys: the store contract on SQLite and a
real PostgreSQL server."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from poolgate.store.base import Conflict
from poolgate.store.records import AppClient, PoolDomain, UserPool
from poolgate.store.sql import SqlStore
from tests.store.factories import CLIENT, OTHER_POOL, POOL, client, key, pool, user


async def test_pool_round_trip(store: SqlStore) -> None:
    await store.create_pool(pool(), [key("k1")])
    assert await store.get_pool(POOL) == pool()
    # Read again (now from the record cache): the same record.
    assert await store.get_pool(POOL) == pool()
    assert await store.get_pool("us-east-1_missing00") is None
    keys = await store.list_signing_keys(POOL)
    assert keys == [key("k1")]


async def test_duplicate_pool_is_a_conflict_and_writes_nothing(store: SqlStore) -> None:
    await store.create_pool(pool(), [key("k1")])
    with pytest.raises(Conflict):
        # Same pool id: the whole transaction (pool and its keys) is refused.
        await store.create_pool(pool(name="other"), [key("k2")])
    assert await store.list_signing_keys(POOL) == [key("k1")]
    assert await store.get_pool(POOL) == pool()
    with pytest.raises(Conflict):
        # A new pool whose key id is taken: the pool is not created either.
        await store.create_pool(pool(OTHER_POOL), [key("k3", OTHER_POOL), key("k1", OTHER_POOL)])
    assert await store.get_pool(OTHER_POOL) is None
    assert await store.list_signing_keys(OTHER_POOL) == []


async def test_list_pools_pages_by_id(store: SqlStore) -> None:
    for i in (3, 0, 4, 1, 2):
        await store.create_pool(pool(f"us-east-1_P{i:08d}", name=f"pool{i}"), [])
    first = await store.list_pools(2, None)
    second = await store.list_pools(2, first[-1].id)
    third = await store.list_pools(2, second[-1].id)
    assert [p.id for p in first + second + third] == [f"us-east-1_P{i:08d}" for i in range(5)]
    assert len(third) == 1
    assert await store.list_pools(2, third[-1].id) == []
    assert first[1] == pool("us-east-1_P00000001", name="pool1")


async def test_update_applies_the_updater_in_a_transaction(store: SqlStore) -> None:
    await store.create_pool(pool(), [])
    seen: list[UserPool] = []

    def rename(p: UserPool) -> UserPool:
        seen.append(p)
        return replace(p, name="renamed", modified=9.0, settings={"MfaConfiguration": "ON"})

    updated = await store.update_pool(POOL, rename)
    assert seen == [pool()]
    assert updated == replace(
        pool(), name="renamed", modified=9.0, settings={"MfaConfiguration": "ON"}
    )
    assert await store.get_pool(POOL) == updated
    assert await store.update_pool("us-east-1_missing00", lambda p: p) is None


async def test_racing_updates_lose_nothing(store: SqlStore) -> None:
    """Twenty concurrent read-modify-write updates: every increment survives."""
    await store.create_pool(pool(tags={"n": "0"}), [])

    def bump(p: UserPool) -> UserPool:
        return replace(p, tags={"n": str(int(p.tags["n"]) + 1)})

    await asyncio.gather(*(store.update_pool(POOL, bump) for _ in range(20)))
    stored = await store.get_pool(POOL)
    assert stored is not None and stored.tags == {"n": "20"}


async def test_updater_error_rolls_back(store: SqlStore) -> None:
    await store.create_pool(pool(), [])
    await store.create_client(client())

    def fail(_: object) -> Any:
        raise ValueError("refused")

    with pytest.raises(ValueError):
        await store.update_pool(POOL, fail)
    with pytest.raises(ValueError):
        await store.update_client(CLIENT, fail)
    assert await store.get_pool(POOL) == pool()
    assert await store.get_client(CLIENT) == client()


async def test_client_round_trip_list_and_conflicts(store: SqlStore) -> None:
    await store.create_pool(pool(), [])
    await store.create_pool(pool(OTHER_POOL), [])
    ids = ["b" * 26, "a" * 26, "d" * 26, "c" * 26]
    for client_id in ids:
        await store.create_client(client(client_id))
    await store.create_client(client("e" * 26, OTHER_POOL))
    public = client("f" * 26, secret_sealed=None)
    await store.create_client(public)
    assert await store.get_client("a" * 26) == client("a" * 26)
    assert await store.get_client("f" * 26) == public
    assert await store.get_client("z" * 26) is None

    first = await store.list_clients(POOL, 2, None)
    assert first == [client("a" * 26), client("b" * 26)]
    rest = await store.list_clients(POOL, 10, first[-1].id)
    assert [c.id for c in rest] == ["c" * 26, "d" * 26, "f" * 26]
    assert [c.id for c in await store.list_clients(OTHER_POOL, 10, None)] == ["e" * 26]
    assert await store.list_clients("us-east-1_missing00", 10, None) == []

    with pytest.raises(Conflict):
        await store.create_client(client("a" * 26, name="again"))
    with pytest.raises(Conflict):  # a client needs its pool
        await store.create_client(client("g" * 26, "us-east-1_missing00"))
    assert (await store.get_client("a" * 26)) == client("a" * 26)
    assert await store.get_client("g" * 26) is None


async def test_update_and_delete_client(store: SqlStore) -> None:
    await store.create_pool(pool(), [])
    await store.create_client(client())
    assert await store.get_client(CLIENT) == client()  # cached from here on

    def change(c: AppClient) -> AppClient:
        assert c == client()
        return replace(c, name="renamed", modified=7.0, settings={"AllowedOAuthFlows": ["code"]})

    updated = await store.update_client(CLIENT, change)
    expected = client(name="renamed", modified=7.0, settings={"AllowedOAuthFlows": ["code"]})
    assert updated == expected
    assert await store.get_client(CLIENT) == expected
    assert await store.list_clients(POOL, 10, None) == [expected]
    assert await store.update_client("z" * 26, lambda c: c) is None

    assert await store.delete_client(CLIENT) is True
    assert await store.get_client(CLIENT) is None
    assert await store.delete_client(CLIENT) is False
    assert await store.list_clients(POOL, 10, None) == []


async def test_domains(store: SqlStore) -> None:
    await store.create_pool(pool(), [])
    await store.create_pool(pool(OTHER_POOL), [])
    domain = PoolDomain(
        domain="travel",
        pool_id=POOL,
        created=4.0,
        settings={"CustomDomainConfig": {"CertificateArn": "arn:aws:acm:cert"}, "Version": 2},
    )
    await store.create_domain(domain)
    assert await store.get_domain("travel") == domain
    assert await store.get_pool_domain(POOL) == domain
    assert await store.get_domain("Travel") is None
    assert await store.get_pool_domain(OTHER_POOL) is None
    with pytest.raises(Conflict):  # one domain per pool
        await store.create_domain(replace(domain, domain="travel2"))
    with pytest.raises(Conflict):  # a domain names one pool
        await store.create_domain(replace(domain, pool_id=OTHER_POOL))
    with pytest.raises(Conflict):  # a domain needs its pool
        await store.create_domain(replace(domain, domain="gone", pool_id="us-east-1_missing00"))
    assert await store.get_domain("travel2") is None

    assert await store.delete_domain("travel") is True
    assert await store.delete_domain("travel") is False
    assert await store.get_domain("travel") is None
    assert await store.get_pool_domain(POOL) is None
    # Deleted, the name and the pool are free again.
    await store.create_domain(replace(domain, pool_id=OTHER_POOL, settings={}))
    assert await store.get_pool_domain(OTHER_POOL) == replace(
        domain, pool_id=OTHER_POOL, settings={}
    )


async def test_signing_keys_are_listed_oldest_first(store: SqlStore) -> None:
    keys = [
        key("k-new", use="access", created=30.0),
        key("k-b", created=10.0, status="retired", retire_after=99.5),
        key("k-a", use="access", created=10.0),
        key("k-mid", created=20.0),
    ]
    await store.create_pool(pool(), keys)
    await store.create_pool(pool(OTHER_POOL), [key("k-other", OTHER_POOL)])
    listed = await store.list_signing_keys(POOL)
    assert [k.kid for k in listed] == ["k-a", "k-b", "k-mid", "k-new"]
    assert listed[1] == key("k-b", created=10.0, status="retired", retire_after=99.5)
    assert listed[0].status == "active" and listed[0].retire_after is None
    assert await store.list_signing_keys(OTHER_POOL) == [key("k-other", OTHER_POOL)]
    assert await store.list_signing_keys("us-east-1_missing00") == []


async def test_rotation_adds_keys_and_dates_the_current_ones_retirement(store: SqlStore) -> None:
    await store.create_pool(pool(), [key("id-1"), key("access-1", use="access")])
    await store.create_pool(pool(OTHER_POOL), [key("other", OTHER_POOL)])
    fresh = [key("id-2", created=5.0, signs_from=605.0),
             key("access-2", use="access", created=5.0, signs_from=605.0)]  # fmt: skip
    assert await store.rotate_signing_keys(POOL, fresh, retire_after=90_000.0)
    listed = {k.kid: k for k in await store.list_signing_keys(POOL)}
    assert listed["id-1"] == key("id-1", retire_after=90_000.0)
    assert listed["access-1"] == key("access-1", use="access", retire_after=90_000.0)
    assert listed["id-2"] == fresh[0] and listed["access-2"] == fresh[1]
    assert listed["id-2"].signs_from == 605.0 and listed["id-2"].retire_after is None
    # Another rotation dates the keys of the first, and leaves dated ones as they are.
    again = [key("id-3", created=7.0, signs_from=607.0)]
    assert await store.rotate_signing_keys(POOL, again, retire_after=95_000.0)
    listed = {k.kid: k for k in await store.list_signing_keys(POOL)}
    assert listed["id-1"].retire_after == 90_000.0
    assert listed["id-2"].retire_after == 95_000.0
    assert listed["access-2"].retire_after is None  # only the rotated use
    assert listed["id-3"].retire_after is None
    # Other pools are untouched; an unknown pool writes nothing.
    assert await store.list_signing_keys(OTHER_POOL) == [key("other", OTHER_POOL)]
    assert not await store.rotate_signing_keys("us-east-1_missing00", [key("x")], 1.0)
    assert all(k.kid != "x" for k in await store.list_signing_keys(POOL))


async def test_deleting_a_pool_deletes_everything_in_it(store: SqlStore) -> None:
    await store.create_pool(pool(), [key("k1")])
    await store.create_pool(pool(OTHER_POOL), [key("k2", OTHER_POOL)])
    await store.create_client(client())
    await store.create_client(client("o" * 26, OTHER_POOL))
    await store.create_domain(PoolDomain(domain="travel", pool_id=POOL, created=1.0))
    await store.create_user(user("alice"))
    await store.create_user(user("bob", pool_id=OTHER_POOL))
    assert await store.get_client(CLIENT) == client()  # cached

    assert await store.delete_pool(POOL) is True
    assert await store.get_pool(POOL) is None
    assert await store.get_client(CLIENT) is None
    assert await store.get_domain("travel") is None
    assert await store.list_signing_keys(POOL) == []
    assert await store.get_user(POOL, "alice") is None
    assert await store.count_users(POOL) == 0
    assert await store.delete_pool(POOL) is False
    # The other pool is untouched.
    assert await store.get_pool(OTHER_POOL) == pool(OTHER_POOL)
    assert await store.get_client("o" * 26) == client("o" * 26, OTHER_POOL)
    assert await store.list_signing_keys(OTHER_POOL) == [key("k2", OTHER_POOL)]
    assert await store.count_users(OTHER_POOL) == 1
