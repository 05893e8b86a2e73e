"""The store contract, run against SQLite and a real PostgreSQL server."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from poolgate.core.records import AppClient, PoolDomain, SigningKey, UserPool
from poolgate.store.base import Conflict
from poolgate.store.sql import SqlStore


def pool(pool_id: str = "us-east-1_AAAAAAAAA", name: str = "p") -> UserPool:
    return UserPool(
        id=pool_id,
        name=name,
        arn=f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool_id}",
        created=1.0,
        modified=1.0,
        settings={"Policies": {"PasswordPolicy": {"MinimumLength": 8}}},
        tags={"a": "b"},
    )


def key(pool_id: str, kid: str) -> SigningKey:
    return SigningKey(
        kid=kid,
        pool_id=pool_id,
        use="id",
        public_jwk={"kid": kid},
        private_sealed=b"\x01sealed",
        created=1.0,
    )


async def test_pool_round_trip(store: SqlStore) -> None:
    await store.create_pool(pool(), [key("us-east-1_AAAAAAAAA", "k1")])
    loaded = await store.get_pool("us-east-1_AAAAAAAAA")
    assert loaded == pool()
    assert await store.get_pool("us-east-1_missing00") is None
    keys = await store.list_signing_keys("us-east-1_AAAAAAAAA")
    assert [k.kid for k in keys] == ["k1"]
    assert keys[0].private_sealed == b"\x01sealed"


async def test_duplicate_pool_is_a_conflict_and_writes_nothing(store: SqlStore) -> None:
    await store.create_pool(pool(), [key("us-east-1_AAAAAAAAA", "k1")])
    with pytest.raises(Conflict):
        # Same pool id: the whole transaction (pool and its keys) is refused.
        await store.create_pool(pool(name="other"), [key("us-east-1_AAAAAAAAA", "k2")])
    assert [k.kid for k in await store.list_signing_keys("us-east-1_AAAAAAAAA")] == ["k1"]
    assert (await store.get_pool("us-east-1_AAAAAAAAA")).name == "p"  # type: ignore[union-attr]


async def test_list_pools_pages_by_id(store: SqlStore) -> None:
    for i in range(5):
        await store.create_pool(pool(f"us-east-1_P{i:08d}"), [])
    first = await store.list_pools(2, None)
    second = await store.list_pools(2, first[-1].id)
    third = await store.list_pools(2, second[-1].id)
    ids = [p.id for p in first + second + third]
    assert ids == [f"us-east-1_P{i:08d}" for i in range(5)]


async def test_update_applies_the_updater_in_a_transaction(store: SqlStore) -> None:
    await store.create_pool(pool(), [])
    updated = await store.update_pool(
        "us-east-1_AAAAAAAAA", lambda p: replace(p, name="renamed", modified=2.0)
    )
    assert updated is not None and updated.name == "renamed"
    assert (await store.get_pool("us-east-1_AAAAAAAAA")).name == "renamed"  # type: ignore[union-attr]
    assert await store.update_pool("us-east-1_missing00", lambda p: p) is None


async def test_racing_updates_lose_nothing(store: SqlStore) -> None:
    """Twenty concurrent read-modify-write updates: every increment survives."""
    await store.create_pool(replace(pool(), tags={"n": "0"}), [])

    def bump(p: UserPool) -> UserPool:
        return replace(p, tags={"n": str(int(p.tags["n"]) + 1)})

    await asyncio.gather(*(store.update_pool("us-east-1_AAAAAAAAA", bump) for _ in range(20)))
    assert (await store.get_pool("us-east-1_AAAAAAAAA")).tags == {"n": "20"}  # type: ignore[union-attr]


async def test_updater_error_rolls_back(store: SqlStore) -> None:
    await store.create_pool(pool(), [])

    def fail(p: UserPool) -> UserPool:
        raise ValueError("refused")

    with pytest.raises(ValueError):
        await store.update_pool("us-east-1_AAAAAAAAA", fail)
    assert (await store.get_pool("us-east-1_AAAAAAAAA")) == pool()


async def test_clients_domains_and_cascade(store: SqlStore) -> None:
    await store.create_pool(pool(), [key("us-east-1_AAAAAAAAA", "k1")])
    client = AppClient(
        id="c" * 26,
        pool_id="us-east-1_AAAAAAAAA",
        name="web",
        created=1.0,
        modified=1.0,
        settings={"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]},
        secret_sealed=b"\x01s",
    )
    await store.create_client(client)
    assert await store.get_client("c" * 26) == client
    assert await store.list_clients("us-east-1_AAAAAAAAA", 10, None) == [client]
    with pytest.raises(Conflict):
        await store.create_client(replace(client, pool_id="us-east-1_missing00", id="d" * 26))

    domain = PoolDomain(domain="travel", pool_id="us-east-1_AAAAAAAAA", created=1.0)
    await store.create_domain(domain)
    assert await store.get_domain("travel") == domain
    assert await store.get_pool_domain("us-east-1_AAAAAAAAA") == domain
    with pytest.raises(Conflict):
        await store.create_domain(replace(domain, domain="travel2"))  # one domain per pool

    assert await store.delete_pool("us-east-1_AAAAAAAAA")
    assert await store.get_client("c" * 26) is None
    assert await store.get_domain("travel") is None
    assert await store.list_signing_keys("us-east-1_AAAAAAAAA") == []
    assert not await store.delete_pool("us-east-1_AAAAAAAAA")
