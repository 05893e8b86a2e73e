"""Deployment-wide facts in SQL (the ``deployment`` table), the sealed columns a
master-key rotation rewrites, and what a readiness probe asks of the database."""

from __future__ import annotations

import sqlalchemy as sa

from poolgate.store.base import Conflict
from poolgate.store.schema import deployment, signing_keys
from poolgate.store.sql_base import SqlBase


class DeploymentSql(SqlBase):
    async def get_deployment_value(self, name: str) -> str | None:
        async with self._read() as conn:
            result = await conn.execute(
                sa.select(deployment.c.value).where(deployment.c.name == name)
            )
            value = result.scalar()
        return None if value is None else str(value)

    async def claim_deployment_value(self, name: str, value: str, when: float) -> str:
        """Record ``value`` under ``name`` unless one is recorded; the recorded one."""
        for _ in range(3):
            current = await self.get_deployment_value(name)
            if current is not None:
                return current
            try:
                async with self._write() as conn:
                    await conn.execute(
                        deployment.insert().values(name=name, value=value, modified=when)
                    )
                return value
            except Conflict:  # another node recorded one first: read it
                continue
        raise Conflict(f"deployment value {name!r} keeps changing")

    async def put_deployment_value(self, name: str, value: str, when: float) -> None:
        async with self._write() as conn:
            updated = await conn.execute(
                deployment.update()
                .where(deployment.c.name == name)
                .values(value=value, modified=when)
            )
            if updated.rowcount == 0:
                await conn.execute(
                    deployment.insert().values(name=name, value=value, modified=when)
                )

    async def put_signing_key_private(self, kid: str, private_sealed: bytes) -> bool:
        async with self._write() as conn:
            updated = await conn.execute(
                signing_keys.update()
                .where(signing_keys.c.kid == kid)
                .values(private_sealed=private_sealed)
            )
        return bool(updated.rowcount)

    async def schema_revision(self) -> str | None:
        """The schema's migration revision, read from the database now (readiness)."""
        async with self._read() as conn:
            result = await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
            value = result.scalar()
        return None if value is None else str(value)
