"""The store under test, once per backend: SQLite always, a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from poolgate.config import normalize_database_url
from poolgate.store.sql import SqlStore
from tests.conftest import BACKENDS


@pytest.fixture(params=BACKENDS)
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = normalize_database_url(request.getfixturevalue("pg_database"))
    opened = await SqlStore.open(url)
    if request.param == "postgresql":
        # The PostgreSQL database is shared by the session: start each test empty.
        async with opened.engine.begin() as conn:
            await conn.execute(
                text("TRUNCATE user_pools, outbox, throttle_counters, auth_events CASCADE")
            )
    yield opened
    await opened.close()
