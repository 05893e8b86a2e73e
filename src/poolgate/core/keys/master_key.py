"""The master key shared by every node, and its rotation.

Each secret Poolgate reads back is sealed with the master key (``crypto/sealing.py``):
password verifiers and their history, app client secrets, signing keys' private parts.
Nodes sharing a database must share the key, or every sign-in of a user another node
created fails. So the database records a check value of the key that sealed it (an
HMAC of a fixed label under a key derived from the master key: it tells nothing about
the key) on first start, and a node whose key gives another value refuses to start.

Rotation opens every sealed value with the old key and seals it with the new one in a
single transaction, then records the new key's check value in the same transaction:
the database is never half old, half new.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, replace

from cryptography.exceptions import InvalidTag

from poolgate.core.auth import passwords
from poolgate.core.keys import signing_keys
from poolgate.core.pools import clients
from poolgate.core.records import AppClient
from poolgate.crypto.sealing import MasterKeyError, Sealer
from poolgate.store.base import Store

CHECK_NAME = "master_key_check"
_LABEL = b"poolgate: the master key that sealed this database"
_PAGE = 500


class MasterKeyMismatch(Exception):
    """The configured master key is not the one that sealed the database."""


def check_value(sealer: Sealer) -> str:
    return hmac.new(sealer.mac_key("master-key-check"), _LABEL, hashlib.sha256).hexdigest()


async def verify_master_key(store: Store, sealer: Sealer, now: float) -> None:
    """Record the key's check value on first start; refuse a key that differs.

    A database sealed before check values were recorded has none yet: the key must
    then open one of its signing keys before its value is recorded."""
    expected = check_value(sealer)
    recorded = await store.get_deployment_value(CHECK_NAME)
    if recorded is None:
        if not await _opens_a_sealed_value(store, sealer):
            raise MasterKeyMismatch("the master key does not open the database's secrets")
        recorded = await store.claim_deployment_value(CHECK_NAME, expected, now)
    if not hmac.compare_digest(recorded, expected):
        raise MasterKeyMismatch("the master key's check value differs from the database's")


async def _opens_a_sealed_value(store: Store, sealer: Sealer) -> bool:
    pools = await store.list_pools(1, None)
    if not pools:
        return True
    for key in await store.list_signing_keys(pools[0].id):
        try:
            signing_keys.open_private_key(key, sealer)
        except (InvalidTag, MasterKeyError):
            return False
        return True
    return True


@dataclass
class ResealCounts:
    signing_keys: int = 0
    client_secrets: int = 0
    password_verifiers: int = 0

    def __str__(self) -> str:
        return (
            f"{self.signing_keys} signing keys, {self.client_secrets} client secrets, "
            f"{self.password_verifiers} password verifiers"
        )


async def reseal_all(store: Store, old: Sealer, new: Sealer, now: float) -> ResealCounts:
    """Seal every stored secret with ``new`` instead of ``old``, and record ``new``'s
    check value, in one transaction. Raises ``MasterKeyMismatch`` (changing nothing)
    when ``old`` is not the key that sealed the database.

    What is not stored is not resealed: one-time codes (keyed hashes), SRP and hosted
    sessions and CSRF tokens in flight become invalid, as after a restart with a new key.
    """
    await verify_master_key(store, old, now)
    counts = ResealCounts()
    async with store.transaction() as tx:
        after: str | None = None
        while True:
            pools = await tx.list_pools(60, after)
            for pool in pools:
                await _reseal_pool(tx, pool.id, old, new, counts)
            if len(pools) < 60:
                break
            after = pools[-1].id
        await tx.put_deployment_value(CHECK_NAME, check_value(new), now)
    return counts


async def _reseal_pool(
    tx: Store, pool_id: str, old: Sealer, new: Sealer, counts: ResealCounts
) -> None:
    for key in await tx.list_signing_keys(pool_id):
        await tx.put_signing_key_private(key.kid, signing_keys.reseal(key, old, new))
        counts.signing_keys += 1
    client_after: str | None = None
    while True:
        page = await tx.list_clients(pool_id, 60, client_after)
        for client in page:
            if client.secret_sealed is None:
                continue
            sealed = clients.reseal_secret(client, old, new)

            def with_secret(current: AppClient, sealed: bytes = sealed) -> AppClient:
                return replace(current, secret_sealed=sealed)

            await tx.update_client(client.id, with_secret)
            counts.client_secrets += 1
        if len(page) < 60:
            break
        client_after = page[-1].id
    user_after: tuple[str, str] | None = None
    while True:
        users = await tx.list_users(
            pool_id, field=None, value=None, prefix=False, limit=_PAGE, after=user_after
        )
        for user, _ in users:
            resealed = passwords.reseal(user, old, new)
            if resealed is not user:
                await tx.put_user(resealed)
                counts.password_verifiers += 1
        if len(users) < _PAGE:
            break
        user_after = users[-1][1]


def encode_master_key(key: bytes) -> str:
    """The text form of a master key (``master.key``, ``POOLGATE_MASTER_KEY``)."""
    return base64.urlsafe_b64encode(key).decode()
