"""The store under test, once per backend: SQLite always, a real PostgreSQL server.

Every store a test gets records the contract methods called through it
(tests/store/recording.py); the hooks below tell ``test_contract_coverage`` whether
the whole store suite ran, so that it judges coverage only then.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from poolgate.config import normalize_database_url
from poolgate.store.sql import SqlStore
from tests.conftest import BACKENDS, PG_DSN, _pg
from tests.store.recording import SELECTION, RecordingStore, is_store_test

# The coverage check runs after every other test of the session.
GUARD = "test_contract_coverage.py::test_every_contract_method_is_called_on_every_backend"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    store_items = [item for item in items if is_store_test(item.path)]
    SELECTION.modules = {item.path.name for item in store_items}
    root = config.invocation_params.dir
    SELECTION.narrowed = any(
        "::" in arg and is_store_test(root / arg.split("::", 1)[0]) for arg in config.args
    )
    guards = [item for item in items if GUARD in item.nodeid]
    items[:] = [item for item in items if GUARD not in item.nodeid] + guards


def pytest_deselected(items: list[pytest.Item]) -> None:
    SELECTION.deselected.update(item.nodeid for item in items if is_store_test(item.path))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.failed and GUARD not in report.nodeid:
        SELECTION.failed.add(report.nodeid)


@pytest.fixture(scope="session")
def store_pg_database() -> Iterator[str]:
    """A PostgreSQL database of the store tests' own: each test empties it, which must
    not reach the data of the servers other tests share ``pg_database`` with."""
    name = f"poolgate_store_{secrets.token_hex(4)}"
    try:
        _pg(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        pytest.fail(f"PostgreSQL is required for these tests and unreachable at {PG_DSN}: {exc}")
    yield normalize_database_url(f"{PG_DSN.rsplit('/', 1)[0]}/{name}")
    _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
async def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to the head once, copied for each test (migrating a
    new file costs more than most tests; test_migrations.py starts from nothing)."""
    path = tmp_path_factory.mktemp("store-template") / "store.db"
    opened = await SqlStore.open(f"sqlite:///{path}")
    await opened.close()
    return path


@pytest.fixture
def store_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        for suffix in ("", "-wal"):
            if (source := template.with_name(template.name + suffix)).exists():
                shutil.copyfile(source, tmp_path / f"store.db{suffix}")
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("store_pg_database"))


@pytest.fixture
async def store(backend: str, store_url: str) -> AsyncIterator[SqlStore]:
    opened = await SqlStore.open(store_url)
    if isinstance(opened.engine, AsyncEngine):  # PostgreSQL
        # The database is shared by the session: start each test empty. Everything
        # but the outbox and the counter hangs off a pool (ON DELETE CASCADE); DELETE
        # of a few rows is forty times faster than TRUNCATE of every table.
        async with opened.engine.begin() as conn:
            await conn.execute(text("DELETE FROM user_pools"))
            await conn.execute(text("DELETE FROM outbox"))
            await conn.execute(text("DELETE FROM throttle_counters"))
            await conn.execute(text("DELETE FROM auth_events"))
            await conn.execute(text("DELETE FROM deployment"))
            await conn.execute(text("UPDATE config_version SET version = 0"))
    yield cast(SqlStore, RecordingStore(opened, backend))
    await opened.close()


@pytest.fixture
async def other_store(backend: str, store_url: str, store: SqlStore) -> AsyncIterator[SqlStore]:
    """A second store on the same database, as another worker process has one: its
    own engine, connections, record cache and write lock."""
    opened = await SqlStore.open(store_url)
    yield cast(SqlStore, RecordingStore(opened, backend))
    await opened.close()
