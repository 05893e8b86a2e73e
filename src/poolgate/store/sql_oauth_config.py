"""A pool's OAuth configuration in SQL: resource servers (custom scopes) and the
branding of the hosted pages (UI customizations).

Both tables reference the pool with ``ON DELETE CASCADE``: deleting a pool removes
them. A UI customization is kept per pool and client id, ``"ALL"`` being the pool's
default.
"""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from poolgate.store.records import ResourceServer, UICustomization
from poolgate.store.schema import resource_servers, ui_customizations
from poolgate.store.sql_base import SqlBase, dumps


def _server(row: Any) -> ResourceServer:
    return ResourceServer(
        pool_id=row.pool_id,
        identifier=row.identifier,
        name=row.name,
        scopes=orjson.loads(row.scopes),
        created=row.created,
        modified=row.modified,
    )


def _server_values(server: ResourceServer) -> dict[str, Any]:
    return {
        "pool_id": server.pool_id,
        "identifier": server.identifier,
        "name": server.name,
        "scopes": dumps(server.scopes),
        "created": server.created,
        "modified": server.modified,
    }


def _customization(row: Any) -> UICustomization:
    return UICustomization(
        pool_id=row.pool_id,
        client_id=row.client_id,
        version=row.version,
        created=row.created,
        modified=row.modified,
        css=row.css,
        image=row.image,
        image_type=row.image_type,
    )


class OAuthConfigSql(SqlBase):
    # Resource servers

    async def create_resource_server(self, server: ResourceServer) -> None:
        async with self._write() as conn:
            await conn.execute(resource_servers.insert().values(**_server_values(server)))

    async def get_resource_server(
        self, pool_id: str, identifier: str, *, for_update: bool = False
    ) -> ResourceServer | None:
        query = sa.select(resource_servers).where(
            resource_servers.c.pool_id == pool_id, resource_servers.c.identifier == identifier
        )
        if for_update:
            query = self._locked(query)
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        return _server(row) if row else None

    async def list_resource_servers(
        self, pool_id: str, limit: int, after: str | None
    ) -> list[ResourceServer]:
        query = (
            sa.select(resource_servers)
            .where(resource_servers.c.pool_id == pool_id)
            .order_by(resource_servers.c.identifier)
            .limit(limit)
        )
        if after is not None:
            query = query.where(resource_servers.c.identifier > after)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [_server(row) for row in rows]

    async def put_resource_server(self, server: ResourceServer) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                resource_servers.update()
                .where(
                    resource_servers.c.pool_id == server.pool_id,
                    resource_servers.c.identifier == server.identifier,
                )
                .values(**_server_values(server))
            )
            return result.rowcount > 0

    async def delete_resource_server(self, pool_id: str, identifier: str) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                resource_servers.delete().where(
                    resource_servers.c.pool_id == pool_id,
                    resource_servers.c.identifier == identifier,
                )
            )
            return result.rowcount > 0

    # UI customizations

    async def get_ui_customization(self, pool_id: str, client_id: str) -> UICustomization | None:
        query = sa.select(ui_customizations).where(
            ui_customizations.c.pool_id == pool_id, ui_customizations.c.client_id == client_id
        )
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        return _customization(row) if row else None

    async def put_ui_customization(self, customization: UICustomization) -> None:
        values = {
            "pool_id": customization.pool_id,
            "client_id": customization.client_id,
            "css": customization.css,
            "image": customization.image,
            "image_type": customization.image_type,
            "version": customization.version,
            "created": customization.created,
            "modified": customization.modified,
        }
        insert = sqlite.insert if self._sqlite else postgresql.insert
        statement = insert(ui_customizations).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["pool_id", "client_id"],
            # The creation date of the first customization is kept.
            set_={
                key: statement.excluded[key]
                for key in ("css", "image", "image_type", "version", "modified")
            },
        )
        async with self._write() as conn:
            await conn.execute(statement)
