"""The OAuth configuration part of the store contract (resource servers, UI
customizations), on SQLite and a real PostgreSQL server."""

from __future__ import annotations

from dataclasses import replace

import pytest

from poolgate.store.base import Conflict
from poolgate.store.records import ResourceServer, UICustomization, UserPool
from poolgate.store.sql import SqlStore

POOL = "us-east-1_OOOOOOOOO"
OTHER = "us-east-1_PPPPPPPPP"


def pool(pool_id: str = POOL) -> UserPool:
    return UserPool(
        id=pool_id,
        name="p",
        arn=f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool_id}",
        created=1.0,
        modified=1.0,
        settings={},
    )


def server(identifier: str, *scopes: str, pool_id: str = POOL) -> ResourceServer:
    return ResourceServer(
        pool_id=pool_id,
        identifier=identifier,
        name=f"the {identifier} API",
        scopes=[{"ScopeName": s, "ScopeDescription": f"{s} access"} for s in scopes],
        created=2.0,
        modified=2.0,
    )


def customization(client_id: str = "ALL", **changes: object) -> UICustomization:
    base = UICustomization(
        pool_id=POOL,
        client_id=client_id,
        version="20250101000000",
        created=3.0,
        modified=3.0,
        css=".banner-customizable { background-color: #0b5cab; }",
        image=b"\x89PNG\r\n\x1a\nlogo",
        image_type="image/png",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
async def ready(store: SqlStore) -> SqlStore:
    await store.create_pool(pool(), [])
    return store


async def test_resource_server_round_trip_and_duplicate(ready: SqlStore) -> None:
    travel = server("travel", "read", "write")
    await ready.create_resource_server(travel)
    assert await ready.get_resource_server(POOL, "travel") == travel
    assert await ready.get_resource_server(POOL, "Travel") is None
    assert await ready.get_resource_server(POOL, "missing") is None
    with pytest.raises(Conflict):
        await ready.create_resource_server(server("travel"))
    # The same identifier in another pool is another server.
    await ready.create_pool(pool(OTHER), [])
    await ready.create_resource_server(server("travel", pool_id=OTHER))
    # A server needs its pool.
    with pytest.raises(Conflict):
        await ready.create_resource_server(server("travel", pool_id="us-east-1_nothing00"))


async def test_list_resource_servers_pages_by_identifier(ready: SqlStore) -> None:
    for identifier in ("https://api.example.com", "travel", "booking", "admin"):
        await ready.create_resource_server(server(identifier, "read"))
    first = await ready.list_resource_servers(POOL, 2, None)
    assert [s.identifier for s in first] == ["admin", "booking"]
    rest = await ready.list_resource_servers(POOL, 10, "booking")
    assert [s.identifier for s in rest] == ["https://api.example.com", "travel"]
    assert rest[1] == server("travel", "read")
    assert await ready.list_resource_servers(OTHER, 10, None) == []


async def test_put_and_delete_resource_server(ready: SqlStore) -> None:
    await ready.create_resource_server(server("travel", "read"))
    changed = replace(server("travel", "write", "admin"), name="Travel", modified=9.0)
    assert await ready.put_resource_server(changed)
    assert await ready.get_resource_server(POOL, "travel") == changed
    async with ready.transaction() as tx:
        assert await tx.get_resource_server(POOL, "travel", for_update=True) == changed
    assert not await ready.put_resource_server(server("missing"))
    assert await ready.get_resource_server(POOL, "missing") is None

    assert await ready.delete_resource_server(POOL, "travel")
    assert not await ready.delete_resource_server(POOL, "travel")
    assert await ready.get_resource_server(POOL, "travel") is None


async def test_ui_customization_put_replaces_and_keeps_creation(ready: SqlStore) -> None:
    assert await ready.get_ui_customization(POOL, "ALL") is None
    first = customization()
    await ready.put_ui_customization(first)
    assert await ready.get_ui_customization(POOL, "ALL") == first

    second = customization(
        version="20250101000001", created=8.0, modified=8.0, image=None, image_type=None
    )
    await ready.put_ui_customization(second)
    # The creation date of the first customization is kept; the rest is replaced.
    assert await ready.get_ui_customization(POOL, "ALL") == replace(second, created=3.0)

    # Per client: one row each, independent of the pool's.
    client = customization("client1", css=None)
    await ready.put_ui_customization(client)
    assert await ready.get_ui_customization(POOL, "client1") == client
    assert await ready.get_ui_customization(POOL, "client2") is None
    stored = await ready.get_ui_customization(POOL, "ALL")
    assert stored is not None and stored.image is None


async def test_deleting_the_pool_removes_its_oauth_configuration(ready: SqlStore) -> None:
    await ready.create_resource_server(server("travel", "read"))
    await ready.put_ui_customization(customization())
    await ready.put_ui_customization(customization("client1"))
    assert await ready.delete_pool(POOL)
    assert await ready.get_resource_server(POOL, "travel") is None
    assert await ready.list_resource_servers(POOL, 10, None) == []
    assert await ready.get_ui_customization(POOL, "ALL") is None
    assert await ready.get_ui_customization(POOL, "client1") is None
