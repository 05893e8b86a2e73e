"""Federation in SQL: a pool's identity providers, the federated identities that
sign in as its users, and its SAML key pair.

Providers and SAML keys reference the pool with ``ON DELETE CASCADE``; a federated
identity references its user, so deleting the user (or the pool) forgets the link.
"""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from poolgate.store.records import FederatedIdentity, IdentityProvider, SamlKey
from poolgate.store.schema import federated_identities, identity_providers, saml_keys
from poolgate.store.sql_base import SqlBase, dumps


def _provider(row: Any) -> IdentityProvider:
    return IdentityProvider(
        pool_id=row.pool_id,
        name=row.name,
        type=row.type,
        details=orjson.loads(row.details),
        attribute_mapping=orjson.loads(row.attribute_mapping),
        idp_identifiers=orjson.loads(row.idp_identifiers),
        created=row.created,
        modified=row.modified,
        secrets_sealed=row.secrets_sealed,
    )


def _provider_values(provider: IdentityProvider) -> dict[str, Any]:
    return {
        "pool_id": provider.pool_id,
        "name": provider.name,
        "type": provider.type,
        "details": dumps(provider.details),
        "attribute_mapping": dumps(provider.attribute_mapping),
        "idp_identifiers": dumps(provider.idp_identifiers),
        "secrets_sealed": provider.secrets_sealed,
        "created": provider.created,
        "modified": provider.modified,
    }


def _identity(row: Any) -> FederatedIdentity:
    return FederatedIdentity(
        pool_id=row.pool_id,
        provider_name=row.provider_name,
        attribute_name=row.attribute_name,
        attribute_value=row.attribute_value,
        sub=row.sub,
        created=row.created,
    )


def _identity_key(pool_id: str, provider_name: str, attribute_name: str, value: str) -> Any:
    t = federated_identities.c
    return sa.and_(
        t.pool_id == pool_id,
        t.provider_name == provider_name,
        t.attribute_name == attribute_name,
        t.attribute_value == value,
    )


class FederationSql(SqlBase):
    # Identity providers

    async def create_identity_provider(self, provider: IdentityProvider) -> None:
        async with self._write() as conn:
            await conn.execute(identity_providers.insert().values(**_provider_values(provider)))

    async def get_identity_provider(
        self, pool_id: str, name: str, *, for_update: bool = False
    ) -> IdentityProvider | None:
        query = sa.select(identity_providers).where(
            identity_providers.c.pool_id == pool_id, identity_providers.c.name == name
        )
        if for_update:
            query = self._locked(query)
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        return _provider(row) if row else None

    async def list_identity_providers(
        self, pool_id: str, limit: int, after: str | None
    ) -> list[IdentityProvider]:
        query = (
            sa.select(identity_providers)
            .where(identity_providers.c.pool_id == pool_id)
            .order_by(identity_providers.c.name)
            .limit(limit)
        )
        if after is not None:
            query = query.where(identity_providers.c.name > after)
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [_provider(row) for row in rows]

    async def put_identity_provider(self, provider: IdentityProvider) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                identity_providers.update()
                .where(
                    identity_providers.c.pool_id == provider.pool_id,
                    identity_providers.c.name == provider.name,
                )
                .values(**_provider_values(provider))
            )
            return result.rowcount > 0

    async def delete_identity_provider(self, pool_id: str, name: str) -> bool:
        async with self._write() as conn:
            await conn.execute(
                federated_identities.delete().where(
                    federated_identities.c.pool_id == pool_id,
                    federated_identities.c.provider_name == name,
                )
            )
            result = await conn.execute(
                identity_providers.delete().where(
                    identity_providers.c.pool_id == pool_id, identity_providers.c.name == name
                )
            )
            return result.rowcount > 0

    # Federated identities

    async def put_federated_identity(self, identity: FederatedIdentity) -> None:
        values = {
            "pool_id": identity.pool_id,
            "provider_name": identity.provider_name,
            "attribute_name": identity.attribute_name,
            "attribute_value": identity.attribute_value,
            "sub": identity.sub,
            "created": identity.created,
        }
        insert = sqlite.insert if self._sqlite else postgresql.insert
        statement = insert(federated_identities).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["pool_id", "provider_name", "attribute_name", "attribute_value"],
            set_={"sub": statement.excluded.sub, "created": statement.excluded.created},
        )
        async with self._write() as conn:
            await conn.execute(statement)

    async def get_federated_identity(
        self, pool_id: str, provider_name: str, attribute_name: str, value: str
    ) -> FederatedIdentity | None:
        query = sa.select(federated_identities).where(
            _identity_key(pool_id, provider_name, attribute_name, value)
        )
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        return _identity(row) if row else None

    async def delete_federated_identity(
        self, pool_id: str, provider_name: str, attribute_name: str, value: str
    ) -> bool:
        async with self._write() as conn:
            result = await conn.execute(
                federated_identities.delete().where(
                    _identity_key(pool_id, provider_name, attribute_name, value)
                )
            )
            return result.rowcount > 0

    async def federated_identities_of(self, pool_id: str, sub: str) -> list[FederatedIdentity]:
        query = (
            sa.select(federated_identities)
            .where(federated_identities.c.pool_id == pool_id, federated_identities.c.sub == sub)
            .order_by(federated_identities.c.provider_name, federated_identities.c.created)
        )
        async with self._read() as conn:
            rows = (await conn.execute(query)).all()
        return [_identity(row) for row in rows]

    # The pool's SAML key pair

    async def get_saml_key(self, pool_id: str) -> SamlKey | None:
        query = sa.select(saml_keys).where(saml_keys.c.pool_id == pool_id)
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        return SamlKey(row.pool_id, row.certificate, row.private_sealed, row.created)

    async def add_saml_key(self, key: SamlKey) -> SamlKey:
        """Store ``key`` unless the pool has one already (two nodes racing to create
        it keep the first); returns the pool's key."""
        insert = sqlite.insert if self._sqlite else postgresql.insert
        statement = (
            insert(saml_keys)
            .values(
                pool_id=key.pool_id,
                certificate=key.certificate,
                private_sealed=key.private_sealed,
                created=key.created,
            )
            .on_conflict_do_nothing(index_elements=["pool_id"])
        )
        async with self._write() as conn:
            await conn.execute(statement)
        stored = await self.get_saml_key(key.pool_id)
        assert stored is not None
        return stored
