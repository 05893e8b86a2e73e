"""SQLite commits survive a power loss by default (synchronous=FULL with WAL); the
documented ``sqlite_synchronous = "normal"`` trades that for speed."""

from __future__ import annotations

from pathlib import Path

from poolgate.bootstrap import open_context
from poolgate.config import Settings, load_settings
from poolgate.store.sql import SqlStore
from poolgate.store.sql_base import SqliteEngine

FULL, NORMAL = 2, 1  # what PRAGMA synchronous reads


def pragma(store: object, name: str) -> object:
    engine = getattr(store, "engine", None)
    assert isinstance(engine, SqliteEngine)
    return engine.reader().driver().execute(f"PRAGMA {name}").fetchone()[0]


async def test_the_default_store_syncs_every_commit(tmp_path: Path) -> None:
    store = await SqlStore.open(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        assert pragma(store, "synchronous") == FULL
        assert pragma(store, "journal_mode") == "wal"
    finally:
        await store.close()


async def test_the_server_default_is_full_and_normal_is_a_setting(tmp_path: Path) -> None:
    settings = load_settings(None, {})
    assert settings.sqlite_synchronous == "full"
    for value, expected in (("full", FULL), ("normal", NORMAL), ("NORMAL", NORMAL)):
        ctx = await open_context(Settings(data_dir=tmp_path / value, sqlite_synchronous=value))
        try:
            assert pragma(ctx.store, "synchronous") == expected
        finally:
            await ctx.close()
