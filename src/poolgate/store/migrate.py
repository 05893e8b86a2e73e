"""Schema migrations with Alembic, applied on start or by ``poolgate db upgrade``.

The server refuses to run on a schema it does not know (one written by a newer
Poolgate): it would misread rows it does not understand.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from poolgate.store.sql_base import Engine

_SCRIPTS = Path(__file__).parent / "migrations"
# Several nodes may start at once against one PostgreSQL; one migrates, others wait.
_PG_LOCK_ID = 0x706F6F6C67617465  # "poolgate"


class UnknownSchemaError(Exception):
    pass


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _check_known(conn: Connection) -> None:
    current = _current(conn)
    if current is None:
        return
    scripts = ScriptDirectory.from_config(_config())
    try:
        known = scripts.get_revision(current)
    except Exception:
        known = None
    if known is None:
        raise UnknownSchemaError(
            f"the database schema is at revision {current!r}, which this version of "
            "Poolgate does not know (written by a newer version?); refusing to start"
        )


def _upgrade(conn: Connection) -> None:
    _check_known(conn)
    config = _config()
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


async def upgrade(engine: Engine) -> None:
    async with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text(f"SELECT pg_advisory_lock({_PG_LOCK_ID})"))
            await conn.commit()
        try:
            await conn.run_sync(_upgrade)
            await conn.commit()
        finally:
            if conn.dialect.name == "postgresql":
                await conn.execute(text(f"SELECT pg_advisory_unlock({_PG_LOCK_ID})"))
                await conn.commit()


async def current_revision(engine: Engine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_current)


async def check_current(engine: Engine) -> None:
    """Refuse a schema that is unknown or not yet migrated to this version's head."""
    async with engine.connect() as conn:
        await conn.run_sync(_check_known)
        current = await conn.run_sync(_current)
    if current != head_revision():
        raise UnknownSchemaError(
            f"the database schema is at revision {current!r}, expected "
            f"{head_revision()!r}; run 'poolgate db upgrade'"
        )
