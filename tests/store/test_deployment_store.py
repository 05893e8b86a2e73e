"""The deployment's shared facts, master-key rotation's writes and the schema revision:
the store contract on SQLite and a real PostgreSQL server."""

from __future__ import annotations

import asyncio

from poolgate.store import migrate
from poolgate.store.sql import SqlStore
from tests.store.factories import POOL, key, pool


async def test_a_deployment_value_is_claimed_once(store: SqlStore, other_store: SqlStore) -> None:
    assert await store.get_deployment_value("master-key-check") is None
    # Two nodes start at once: both learn the value of the one that recorded first.
    first, second = await asyncio.gather(
        store.claim_deployment_value("master-key-check", "node-1", 1.0),
        other_store.claim_deployment_value("master-key-check", "node-2", 1.0),
    )
    assert first == second and first in ("node-1", "node-2")
    assert await store.get_deployment_value("master-key-check") == first
    # A later claim does not replace it; a put (a rotation) does.
    assert await store.claim_deployment_value("master-key-check", "node-3", 2.0) == first
    await store.put_deployment_value("master-key-check", "rotated", 3.0)
    assert await other_store.get_deployment_value("master-key-check") == "rotated"


async def test_a_signing_keys_private_part_is_sealed_again(store: SqlStore) -> None:
    await store.create_pool(pool(), [key("k1"), key("k2")])
    assert await store.put_signing_key_private("k1", b"\x02resealed") is True
    assert await store.put_signing_key_private("no-such-key", b"\x02resealed") is False
    by_kid = {k.kid: k.private_sealed for k in await store.list_signing_keys(POOL)}
    assert by_kid == {"k1": b"\x02resealed", "k2": key("k2").private_sealed}


async def test_the_schema_revision_is_read_from_the_database(store: SqlStore) -> None:
    assert await store.schema_revision() == migrate.HEAD_REVISION
