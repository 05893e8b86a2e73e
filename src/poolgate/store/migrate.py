"""Schema migrations with Alembic, applied on start or by ``poolgate db upgrade``.

The server refuses to run on a schema it does not know (one written by a newer
Poolgate): it would misread rows it does not understand.

Alembic (with Mako and Pygments behind it) takes about 0.2 s to import, a seventh of
a cold start, so it is imported only when the database is not already at
``HEAD_REVISION``, which a test keeps equal to the migration scripts' head.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from poolgate.store.sql_base import Engine

if TYPE_CHECKING:
    from alembic.config import Config

HEAD_REVISION = "0011_console"

_SCRIPTS = Path(__file__).parent / "migrations"
# Several nodes may start at once against one PostgreSQL; one migrates, others wait.
_PG_LOCK_ID = 0x706F6F6C67617465  # "poolgate"


class UnknownSchemaError(Exception):
    pass


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def head_revision() -> str:
    """The head of the migration scripts themselves (what HEAD_REVISION must be)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _current(conn: Connection) -> str | None:
    # What Alembic's MigrationContext.get_current_revision reads, without Alembic.
    try:
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    except DBAPIError:  # no table yet: an empty database
        conn.rollback()
        return None
    return None if row is None else str(row[0])


def _check_known(conn: Connection) -> None:
    current = _current(conn)
    if current is None or current == HEAD_REVISION:
        return
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_config())
    try:
        known: Any = scripts.get_revision(current)
    except Exception:
        known = None
    if known is None:
        raise UnknownSchemaError(
            f"the database schema is at revision {current!r}, which this version of "
            "Poolgate does not know (written by a newer version?); refusing to start"
        )


def _upgrade(conn: Connection) -> None:
    _check_known(conn)
    if _current(conn) == HEAD_REVISION:
        return
    from alembic import command

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
    if current != HEAD_REVISION:
        raise UnknownSchemaError(
            f"the database schema is at revision {current!r}, expected "
            f"{HEAD_REVISION!r}; run 'poolgate db upgrade'"
        )
