"""Signing-key rotation with a frozen clock: the new keys are published before they
sign, the old ones sign until then and verify until their last token has expired,
and every step is what the JWKS and the token checks show (core.keys.rotation)."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import jwt
import pytest

from poolgate.core.auth import tokens
from poolgate.core.clock import FrozenClock
from poolgate.core.context import Context
from poolgate.core.errors import NotAuthorizedException, ResourceNotFoundException
from poolgate.core.keys import rotation
from poolgate.core.keys.jwks import pool_jwks
from poolgate.core.pools import clients, pools
from poolgate.core.users import admin_users
from poolgate.crypto.sealing import Sealer
from poolgate.store.sql import SqlStore


@pytest.fixture
async def ctx(tmp_path: Path) -> AsyncIterator[Context]:
    store = await SqlStore.open(f"sqlite:///{tmp_path / 'core.db'}")
    # PyJWT checks iat and exp against the real time: the frozen clock starts there.
    yield Context(store=store, sealer=Sealer(os.urandom(32)), clock=FrozenClock(time.time()))
    await store.close()


def clock(ctx: Context) -> FrozenClock:
    assert isinstance(ctx.clock, FrozenClock)
    return ctx.clock


async def mint(ctx: Context, pool_id: str, client_id: str) -> tokens.Tokens:
    pool = await pools.require_pool(ctx, pool_id)
    client = await clients.require_client(ctx, pool_id, client_id)
    user = await ctx.store.get_user(pool_id, "ana")
    assert user is not None
    return await tokens.mint(ctx, pool, client, user, auth_time=int(ctx.clock()))


def kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


async def published(ctx: Context, pool_id: str) -> set[str]:
    found = await pool_jwks(ctx, pool_id)
    assert found is not None
    return {key["kid"] for key in found["keys"]}


async def test_rotation_publishes_first_then_signs_then_retires(ctx: Context) -> None:
    pool = await pools.create_user_pool(ctx, "rotating", {})
    client, _ = await clients.create_user_pool_client(ctx, pool.id, "web", {}, False)
    await admin_users.admin_create_user(ctx, pool, "ana", None, None, "SUPPRESS", None, False)
    before = await mint(ctx, pool.id, client.id)
    old = {kid(before.access_token), kid(before.id_token or "")}
    assert await published(ctx, pool.id) == old

    fresh = await rotation.rotate(ctx, pool.id)
    new = {key.kid for key in fresh}
    assert len(new) == 2 and not new & old
    # Published at once, and not signing yet: tokens are still signed with the old keys.
    assert await published(ctx, pool.id) == old | new
    during = await mint(ctx, pool.id, client.id)
    assert {kid(during.access_token), kid(during.id_token or "")} == old
    states = {s.key.kid: s.state for s in await rotation.pool_key_states(ctx, pool.id)}
    assert states == {**dict.fromkeys(old, "signing"), **dict.fromkeys(new, "next")}

    # After the publication delay (and the keyring's minute of caching) the new keys sign;
    # the old ones still verify what they signed.
    clock(ctx).advance(rotation.PUBLICATION_DELAY + 61)
    after = await mint(ctx, pool.id, client.id)
    assert {kid(after.access_token), kid(after.id_token or "")} == new
    assert await published(ctx, pool.id) == old | new
    grant = await tokens.verify_access_token(ctx, during.access_token)
    assert grant.user.username == "ana"
    states = {s.key.kid: s.state for s in await rotation.pool_key_states(ctx, pool.id)}
    assert states == {**dict.fromkeys(old, "retiring"), **dict.fromkeys(new, "signing")}

    # A day later the old keys leave the key set, and nothing they signed verifies.
    clock(ctx).advance(rotation.LONGEST_TOKEN)
    assert await published(ctx, pool.id) == new
    with pytest.raises(NotAuthorizedException):
        await tokens.verify_access_token(ctx, during.access_token)
    states = {s.key.kid: s.state for s in await rotation.pool_key_states(ctx, pool.id)}
    assert states == {**dict.fromkeys(old, "expired"), **dict.fromkeys(new, "signing")}


async def test_rotating_an_unknown_pool_is_refused(ctx: Context) -> None:
    with pytest.raises(ResourceNotFoundException):
        await rotation.rotate(ctx, "us-east-1_missing00")
    with pytest.raises(ResourceNotFoundException):
        await rotation.pool_key_states(ctx, "us-east-1_missing00")
