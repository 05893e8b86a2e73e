"""The console's administrators' pool and client (core.admins): created with the first
administrator, found through the deployment's facts, kept as the console needs them
at every start, and the bootstrap administrator created only into an empty pool."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from poolgate.core.admins import accounts
from poolgate.core.admins import pool as admins
from poolgate.core.admins.pool import ConsoleSetup
from poolgate.core.context import Context
from poolgate.core.errors import InvalidPasswordException, UsernameExistsException
from poolgate.core.mfa import pool_config
from poolgate.core.pools import pools
from poolgate.core.users import lookup
from poolgate.crypto.sealing import Sealer
from poolgate.store.sql import SqlStore

SETUP = ConsoleSetup(public_url="http://127.0.0.1:9229")
PASSWORD = "Bootstrap!Pass1"


@pytest.fixture
async def ctx(tmp_path: Path) -> AsyncIterator[Context]:
    store = await SqlStore.open(f"sqlite:///{tmp_path / 'core.db'}")
    yield Context(store=store, sealer=Sealer(os.urandom(32)))
    await store.close()


async def pools_named(ctx: Context, name: str) -> list[str]:
    found, _ = await pools.list_user_pools(ctx, 60, None)
    return [pool.id for pool in found if pool.name == name]


async def test_nothing_exists_until_the_first_administrator(ctx: Context) -> None:
    assert await admins.find(ctx) is None
    assert await pools_named(ctx, admins.POOL_NAME) == []
    found, user = await accounts.create_administrator(ctx, SETUP, "ana", PASSWORD, "ana@x.test")
    assert user.status == lookup.FORCE_CHANGE_PASSWORD
    assert user.attributes["email"] == "ana@x.test"
    assert await admins.find(ctx) == found
    pool, client = found.pool, found.client
    assert pool.name == admins.POOL_NAME and pool.tags == {"poolgate:console": "administrators"}
    assert pool.settings["DeletionProtection"] == "ACTIVE"
    assert pool.settings["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool_config.mfa_mode(pool.settings) == "OPTIONAL"
    assert pool_config.totp_enabled(pool.settings)
    assert client.name == admins.CLIENT_NAME and client.secret_sealed is None
    assert client.settings["CallbackURLs"] == ["http://127.0.0.1:9229/admin/callback"]
    assert client.settings["AllowedOAuthFlows"] == ["code"]
    assert client.settings["SupportedIdentityProviders"] == ["COGNITO"]
    assert client.settings["AccessTokenValidity"] == 60
    assert client.settings["TokenValidityUnits"]["AccessToken"] == "minutes"
    with pytest.raises(UsernameExistsException):
        await accounts.create_administrator(ctx, SETUP, "ANA", PASSWORD)  # not case sensitive


async def test_every_start_puts_back_what_the_console_relies_on(ctx: Context) -> None:
    found = await admins.ensure(ctx, SETUP)
    # Someone with the admin key opens sign-up and turns protection and MFA off.
    await pools.update_user_pool(ctx, found.pool.id, {"MfaConfiguration": "OFF"})
    opened = await ctx.store.get_pool(found.pool.id)
    assert opened is not None and admins.open_to_sign_up(opened)
    moved = ConsoleSetup(public_url="https://id.example.com", mfa="required", session_minutes=30)
    again = await admins.ensure(ctx, moved)
    assert (again.pool.id, again.client.id) == (found.pool.id, found.client.id)
    assert not admins.open_to_sign_up(again.pool)
    assert again.pool.settings["DeletionProtection"] == "ACTIVE"
    assert pool_config.mfa_mode(again.pool.settings) == "ON"
    assert again.client.settings["CallbackURLs"] == ["https://id.example.com/admin/callback"]
    assert again.client.settings["LogoutURLs"] == ["https://id.example.com/admin/signed-out"]
    assert again.client.settings["AccessTokenValidity"] == 30
    # Nothing to change: nothing is written.
    settled = await admins.ensure(ctx, moved)
    assert settled.pool.modified == again.pool.modified
    assert settled.client.modified == again.client.modified
    off = await admins.ensure(ctx, replace(moved, mfa="off"))
    assert pool_config.mfa_mode(off.pool.settings) == "OFF"


async def test_a_deleted_console_client_is_made_again(ctx: Context) -> None:
    found = await admins.ensure(ctx, SETUP)
    await ctx.store.delete_client(found.client.id)
    assert await admins.find(ctx) is None and await admins.exists(ctx)
    again = await admins.ensure(ctx, SETUP)
    assert again.pool.id == found.pool.id and again.client.id != found.client.id
    assert await admins.find(ctx) == again


async def test_a_plain_http_public_url_elsewhere_cannot_host_the_console(ctx: Context) -> None:
    from poolgate.core.errors import InvalidParameterException

    with pytest.raises(InvalidParameterException, match="HTTPS"):
        await admins.ensure(ctx, ConsoleSetup(public_url="http://id.internal"))


async def test_nodes_starting_together_make_one_pool(ctx: Context) -> None:
    results = await asyncio.gather(*(admins.ensure(ctx, SETUP) for _ in range(3)))
    assert len({r.pool.id for r in results}) == 1
    assert await pools_named(ctx, admins.POOL_NAME) == [results[0].pool.id]


async def test_the_bootstrap_administrator_is_made_only_into_an_empty_pool(ctx: Context) -> None:
    with pytest.raises(InvalidPasswordException, match="Password not long enough"):
        await accounts.bootstrap(ctx, SETUP, "root", "Sh0rt!")
    first = await accounts.bootstrap(ctx, SETUP, "root", PASSWORD)
    assert first.created
    found = await admins.find(ctx)
    assert found is not None
    user = await ctx.store.get_user(found.pool.id, "root")
    assert user is not None and user.status == lookup.FORCE_CHANGE_PASSWORD
    # Started again with the same or other variables: the pool has an administrator.
    assert not (await accounts.bootstrap(ctx, SETUP, "root", PASSWORD)).created
    assert not (await accounts.bootstrap(ctx, SETUP, "other", PASSWORD)).created
    assert await ctx.store.get_user(found.pool.id, "other") is None
