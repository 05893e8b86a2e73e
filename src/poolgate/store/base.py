"""The store contract: every durable fact Poolgate keeps goes through this interface.

One implementation (``store.sql``) serves SQLite and PostgreSQL. Methods that change
several rows do so in one transaction; ``update_*`` take an updater function applied
to the current record inside the transaction, so two racing updates cannot lose one
another's change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from poolgate.core.records import AppClient, PoolDomain, SigningKey, UserPool


class StoreError(Exception):
    pass


class Conflict(StoreError):
    """A unique constraint refused the write (the thing already exists)."""


class Store(Protocol):
    async def close(self) -> None: ...

    # Pools
    async def create_pool(self, pool: UserPool, keys: list[SigningKey]) -> None: ...
    async def get_pool(self, pool_id: str) -> UserPool | None: ...
    async def list_pools(self, limit: int, after: str | None) -> list[UserPool]: ...
    async def update_pool(
        self, pool_id: str, updater: Callable[[UserPool], UserPool]
    ) -> UserPool | None: ...
    async def delete_pool(self, pool_id: str) -> bool: ...

    # App clients
    async def create_client(self, client: AppClient) -> None: ...
    async def get_client(self, client_id: str) -> AppClient | None: ...
    async def list_clients(
        self, pool_id: str, limit: int, after: str | None
    ) -> list[AppClient]: ...
    async def update_client(
        self, client_id: str, updater: Callable[[AppClient], AppClient]
    ) -> AppClient | None: ...
    async def delete_client(self, client_id: str) -> bool: ...

    # Domains
    async def create_domain(self, domain: PoolDomain) -> None: ...
    async def get_domain(self, domain: str) -> PoolDomain | None: ...
    async def get_pool_domain(self, pool_id: str) -> PoolDomain | None: ...
    async def delete_domain(self, domain: str) -> bool: ...

    # Signing keys
    async def list_signing_keys(self, pool_id: str) -> list[SigningKey]: ...
