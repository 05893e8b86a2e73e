"""The federation part of the store contract (identity providers, federated
identities, the pool's SAML key), on SQLite and a real PostgreSQL server."""

from __future__ import annotations

from dataclasses import replace

import pytest

from poolgate.store.base import Conflict
from poolgate.store.records import FederatedIdentity, IdentityProvider, SamlKey, User, UserPool
from poolgate.store.sql import SqlStore

POOL = "us-east-1_FFFFFFFFF"


def pool(pool_id: str = POOL) -> UserPool:
    return UserPool(
        id=pool_id,
        name="p",
        arn=f"arn:aws:cognito-idp:us-east-1:123456789012:userpool/{pool_id}",
        created=1.0,
        modified=1.0,
        settings={},
    )


def user(sub: str) -> User:
    return User(
        pool_id=POOL,
        username=f"Google_{sub}",
        sub=sub,
        status="EXTERNAL_PROVIDER",
        enabled=True,
        created=1.0,
        modified=1.0,
        attributes={"sub": sub},
        username_key=f"Google_{sub}",
    )


def provider(name: str, kind: str = "OIDC") -> IdentityProvider:
    return IdentityProvider(
        pool_id=POOL,
        name=name,
        type=kind,
        details={"client_id": "abc", "oidc_issuer": "https://idp.example.com"},
        attribute_mapping={"email": "email", "username": "sub"},
        idp_identifiers=[f"{name.lower()}.example.com"],
        created=2.0,
        modified=2.0,
        secrets_sealed=b"\x01sealed",
    )


@pytest.fixture
async def ready(store: SqlStore) -> SqlStore:
    await store.create_pool(pool(), [])
    return store


async def test_provider_round_trip_listing_update_and_delete(ready: SqlStore) -> None:
    for name in ("Zeta", "Alpha", "Mid"):
        await ready.create_identity_provider(provider(name))
    with pytest.raises(Conflict):
        await ready.create_identity_provider(provider("Alpha", "SAML"))
    assert await ready.get_identity_provider(POOL, "Alpha") == provider("Alpha")
    assert await ready.get_identity_provider(POOL, "alpha") is None
    first = await ready.list_identity_providers(POOL, 2, None)
    assert [p.name for p in first] == ["Alpha", "Mid"]
    rest = await ready.list_identity_providers(POOL, 2, "Mid")
    assert [p.name for p in rest] == ["Zeta"]

    changed = replace(provider("Mid"), details={"client_id": "new"}, modified=3.0)
    assert await ready.put_identity_provider(changed) is True
    assert await ready.get_identity_provider(POOL, "Mid") == changed
    assert await ready.put_identity_provider(provider("Nope")) is False
    assert await ready.delete_identity_provider(POOL, "Mid") is True
    assert await ready.delete_identity_provider(POOL, "Mid") is False
    await ready.delete_pool(POOL)
    assert await ready.list_identity_providers(POOL, 10, None) == []


async def test_federated_identities_follow_their_user(ready: SqlStore) -> None:
    await ready.create_user(user("s-1"))
    await ready.create_user(user("s-2"))
    await ready.create_identity_provider(provider("Google", "Google"))
    link = FederatedIdentity(POOL, "Google", "Cognito_Subject", "1234", "s-1", 5.0)
    await ready.put_federated_identity(link)
    assert await ready.get_federated_identity(POOL, "Google", "Cognito_Subject", "1234") == link
    # put repoints an existing identity instead of failing
    await ready.put_federated_identity(replace(link, sub="s-2", created=6.0))
    found = await ready.get_federated_identity(POOL, "Google", "Cognito_Subject", "1234")
    assert found is not None and found.sub == "s-2"
    await ready.put_federated_identity(
        FederatedIdentity(POOL, "Google", "email", "a@x", "s-2", 7.0)
    )
    assert [i.attribute_name for i in await ready.federated_identities_of(POOL, "s-2")] == [
        "Cognito_Subject",
        "email",
    ]
    assert await ready.delete_federated_identity(POOL, "Google", "email", "a@x") is True
    assert await ready.delete_federated_identity(POOL, "Google", "email", "a@x") is False
    # deleting the user forgets its identities; deleting the provider forgets its own
    await ready.delete_user(POOL, "s-2")
    assert await ready.get_federated_identity(POOL, "Google", "Cognito_Subject", "1234") is None
    await ready.put_federated_identity(replace(link, attribute_value="99"))
    await ready.delete_identity_provider(POOL, "Google")
    assert await ready.federated_identities_of(POOL, "s-1") == []


async def test_the_first_saml_key_wins(ready: SqlStore) -> None:
    assert await ready.get_saml_key(POOL) is None
    first = SamlKey(POOL, "MIIBfirst", b"\x01one", 1.0)
    assert await ready.add_saml_key(first) == first
    assert await ready.add_saml_key(SamlKey(POOL, "B", b"\x01two", 2.0)) == first
    assert await ready.get_saml_key(POOL) == first
