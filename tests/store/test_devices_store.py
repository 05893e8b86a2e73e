"""Remembered devices and passkeys in the store, on SQLite and a real PostgreSQL server:
round trips, listing by key, scoping to the user, the signature counter's
compare-and-set, duplicate credential ids, and deletion with the user."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from poolgate.store.base import Conflict
from poolgate.store.records import Device, RefreshToken, User, UserPool, WebAuthnCredential
from poolgate.store.sql import SqlStore

POOL = "us-east-1_DDDDDDDDD"


def user(sub: str) -> User:
    return User(
        pool_id=POOL, username=sub, sub=sub, status="CONFIRMED", enabled=True,
        created=1.0, modified=1.0, attributes={"sub": sub}, username_key=sub,
    )  # fmt: skip


def device(key: str, sub: str = "u1") -> Device:
    return Device(
        pool_id=POOL, sub=sub, device_key=f"us-east-1_{key}", group_key="-grp",
        created=2.0, modified=2.0, attributes={"device_name": "laptop"},
    )  # fmt: skip


def credential(cid: str, sub: str = "u1") -> WebAuthnCredential:
    return WebAuthnCredential(
        pool_id=POOL, sub=sub, credential_id=cid, public_key=b"\xa5key", sign_count=0,
        relying_party_id="localhost", created=3.0, friendly_name="key",
        authenticator_attachment="platform", transports=["internal"],
    )  # fmt: skip


@pytest.fixture
async def ready(store: SqlStore) -> SqlStore:
    pool = UserPool(id=POOL, name="p", arn="arn", created=1.0, modified=1.0, settings={})
    await store.create_pool(pool, [])
    await store.create_user(user("u1"))
    await store.create_user(user("u2"))
    return store


async def test_devices_round_trip_list_and_scope(ready: SqlStore) -> None:
    for key in ("0003", "0001", "0002"):
        await ready.put_device(device(key))
    await ready.put_device(device("0009", sub="u2"))
    confirmed = replace(device("0001"), verifier_sealed=b"sealed", last_authenticated=5.0,
                        attributes={"device_name": "laptop", "device_status": "valid"})  # fmt: skip
    await ready.put_device(confirmed)
    assert await ready.get_device(POOL, "u1", "us-east-1_0001") == confirmed
    # Another user's device is not this user's.
    assert await ready.get_device(POOL, "u2", "us-east-1_0001") is None
    first = await ready.list_devices(POOL, "u1", 2, None)
    rest = await ready.list_devices(POOL, "u1", 2, first[-1].device_key)
    assert [d.device_key for d in first + rest] == [
        "us-east-1_0001", "us-east-1_0002", "us-east-1_0003",
    ]  # fmt: skip
    # Forgetting a device revokes the refresh tokens issued to it, and only those.
    for name, key in (("t1", "us-east-1_0001"), ("t2", None)):
        await ready.add_refresh_token(
            RefreshToken(token_hash=name, pool_id=POOL, client_id="c", sub="u1",
                         origin_jti=name, auth_time=1, created=1.0, expires=9e9,
                         device_key=key)
        )  # fmt: skip
    assert (await ready.get_refresh_token("t1")).device_key == "us-east-1_0001"  # type: ignore[union-attr]
    assert await ready.revoke_device_tokens(POOL, "u1", "us-east-1_0001", 7.0) == 1
    assert (await ready.get_refresh_token("t1")).revoked == 7.0  # type: ignore[union-attr]
    assert (await ready.get_refresh_token("t2")).revoked is None  # type: ignore[union-attr]
    assert not await ready.delete_device(POOL, "u2", "us-east-1_0001")
    assert await ready.delete_device(POOL, "u1", "us-east-1_0001")
    assert await ready.get_device(POOL, "u1", "us-east-1_0001") is None


async def test_credentials_counter_conflict_and_cascade(ready: SqlStore) -> None:
    await ready.add_webauthn_credential(credential("AAA"))
    await ready.add_webauthn_credential(credential("BBB"))
    with pytest.raises(Conflict):
        await ready.add_webauthn_credential(credential("AAA", sub="u2"))
    assert [c.credential_id for c in await ready.list_webauthn_credentials(POOL, "u1")] == [
        "AAA", "BBB",
    ]  # fmt: skip
    assert await ready.get_webauthn_credential(POOL, "AAA") == credential("AAA")
    # Two sign-ins racing with the same counter: exactly one moves it.
    moved = await asyncio.gather(
        ready.advance_webauthn_sign_count(POOL, "AAA", 0, 1),
        ready.advance_webauthn_sign_count(POOL, "AAA", 0, 1),
    )
    assert sorted(moved) == [False, True]
    assert (await ready.get_webauthn_credential(POOL, "AAA")).sign_count == 1  # type: ignore[union-attr]
    assert not await ready.delete_webauthn_credential(POOL, "u2", "BBB")
    assert await ready.delete_webauthn_credential(POOL, "u1", "BBB")
    await ready.put_device(device("0001"))
    await ready.delete_user(POOL, "u1")
    assert await ready.list_webauthn_credentials(POOL, "u1") == []
    assert await ready.list_devices(POOL, "u1", 10, None) == []
