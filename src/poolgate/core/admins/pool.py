"""The administrators' pool and the console's app client.

The pool is named ``poolgate-administrators`` and tagged ``poolgate:console =
administrators``, so it is recognisable wherever pools are listed (ListUserPools, the
console, ``poolgate apply`` reports); which pool it is, though, is a deployment fact
(``console_pool_id``), not the name or the tag, which any administrator with the admin
key could give another pool. It exists only once there is an administrator: a
deployment that never uses the console has no extra pool.

What the console relies on is put back at every start (``ensure``): sign-up closed
(only administrators create administrators), deletion protection on, MFA as the
``console_mfa`` setting says, and the console client's callback on the public URL.
The console also refuses every session while sign-up is open (``open_to_sign_up``),
in case it was opened since.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from poolgate.core.context import Context
from poolgate.core.errors import ResourceNotFoundException
from poolgate.core.mfa import pool_config
from poolgate.core.pools import clients, pools
from poolgate.core.records import AppClient, UserPool

POOL_NAME = "poolgate-administrators"
CLIENT_NAME = "poolgate-console"
TAG_KEY = "poolgate:console"
TAG_VALUE = "administrators"
_POOL_FACT = "console_pool_id"
_CLIENT_FACT = "console_client_id"

# The workshop's policy (and Cognito's default): 8+ characters of four kinds.
_PASSWORD_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 7,
}
# The MFA configuration each ``console_mfa`` value stands for: authenticator apps only
# (codes by email or SMS would depend on a sender the deployment may not have).
_MFA = {
    "off": {"MfaConfiguration": "OFF", "SoftwareTokenMfaConfiguration": {"Enabled": False}},
    "optional": {
        "MfaConfiguration": "OPTIONAL",
        "SoftwareTokenMfaConfiguration": {"Enabled": True},
    },
    "required": {"MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": {"Enabled": True}},
}


@dataclass(frozen=True)
class ConsoleSetup:
    """What the console needs of its pool and client, from the deployment's settings."""

    public_url: str
    mfa: str = "optional"
    session_minutes: int = 60

    @property
    def callback_url(self) -> str:
        return f"{self.public_url}/admin/callback"

    @property
    def signed_out_url(self) -> str:
        return f"{self.public_url}/admin/signed-out"


@dataclass(frozen=True)
class Administrators:
    pool: UserPool
    client: AppClient


def _pool_request(setup: ConsoleSetup) -> dict[str, Any]:
    """CreateUserPool's members for the administrators' pool."""
    return {
        "Policies": {"PasswordPolicy": dict(_PASSWORD_POLICY)},
        "DeletionProtection": "ACTIVE",
        "UsernameConfiguration": {"CaseSensitive": False},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
    }


def _client_request(setup: ConsoleSetup) -> dict[str, Any]:
    """CreateUserPoolClient's members for the console: a public client (the server
    holds no secret; PKCE binds the code to the console's sign-in), the code flow of
    the hosted pages only, and tokens that last a console session."""
    return {
        "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"],
        "SupportedIdentityProviders": ["COGNITO"],
        "CallbackURLs": [setup.callback_url],
        "LogoutURLs": [setup.signed_out_url],
        "AllowedOAuthFlows": ["code"],
        # aws.cognito.signin.user.admin: the Account page changes the administrator's
        # own password and authenticator with their access token.
        "AllowedOAuthScopes": ["openid", "aws.cognito.signin.user.admin"],
        "AllowedOAuthFlowsUserPoolClient": True,
        "AccessTokenValidity": setup.session_minutes,
        "IdTokenValidity": setup.session_minutes,
        "RefreshTokenValidity": 60,
        "TokenValidityUnits": {
            "AccessToken": "minutes",
            "IdToken": "minutes",
            "RefreshToken": "minutes",
        },
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
    }


async def find(ctx: Context) -> Administrators | None:
    """The administrators' pool and the console's client, if they exist (no write)."""
    pool_id = await ctx.store.get_deployment_value(_POOL_FACT)
    client_id = await ctx.store.get_deployment_value(_CLIENT_FACT)
    if pool_id is None or client_id is None:
        return None
    pool = await ctx.store.get_pool(pool_id)
    client = await ctx.store.get_client(client_id)
    if pool is None or client is None or client.pool_id != pool.id:
        return None
    return Administrators(pool, client)


async def exists(ctx: Context) -> bool:
    """Whether the administrators' pool exists (its console client may not: ``ensure``
    makes it again)."""
    pool_id = await ctx.store.get_deployment_value(_POOL_FACT)
    return pool_id is not None and await ctx.store.get_pool(pool_id) is not None


def open_to_sign_up(pool: UserPool) -> bool:
    """Anyone could register in the pool: no session of it may administer anything."""
    return not (pool.settings.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly")


async def ensure(ctx: Context, setup: ConsoleSetup) -> Administrators:
    """The administrators' pool and client, created if missing and kept as the console
    needs them. Several nodes may start at once: the first to record the pool's id
    wins and the others remove the pool they made."""
    found = await find(ctx)
    if found is None:
        found = await _create(ctx, setup)
    pool = await _keep_pool(ctx, found.pool, setup)
    client = await _keep_client(ctx, pool, found.client, setup)
    return Administrators(pool, client)


async def _create(ctx: Context, setup: ConsoleSetup) -> Administrators:
    now = ctx.clock()
    pool = await ctx.store.get_pool(await ctx.store.get_deployment_value(_POOL_FACT) or "")
    if pool is None:
        made = await pools.create_user_pool(
            ctx, POOL_NAME, _pool_request(setup), {TAG_KEY: TAG_VALUE}
        )
        recorded = await ctx.store.claim_deployment_value(_POOL_FACT, made.id, now)
        if recorded != made.id:
            existing = await ctx.store.get_pool(recorded)
            if existing is not None:
                await ctx.store.delete_pool(made.id)  # another node won the race
                pool = existing
            else:
                # The recorded pool was deleted (its deletion protection turned off first).
                await ctx.store.put_deployment_value(_POOL_FACT, made.id, now)
                pool = made
        else:
            pool = made
    client = None
    client_id = await ctx.store.get_deployment_value(_CLIENT_FACT)
    if client_id is not None:
        client = await ctx.store.get_client(client_id)
    if client is None or client.pool_id != pool.id:
        client, _secret = await clients.create_user_pool_client(
            ctx, pool.id, CLIENT_NAME, _client_request(setup), False
        )
        await ctx.store.put_deployment_value(_CLIENT_FACT, client.id, now)
    return Administrators(pool, client)


async def _keep_pool(ctx: Context, pool: UserPool, setup: ConsoleSetup) -> UserPool:
    now = ctx.clock()

    def kept(current: UserPool) -> UserPool:
        settings = dict(current.settings)
        admin = dict(settings.get("AdminCreateUserConfig") or {})
        admin["AllowAdminCreateUserOnly"] = True
        settings["AdminCreateUserConfig"] = admin
        settings["DeletionProtection"] = "ACTIVE"
        settings = pool_config.configured(settings, _MFA[setup.mfa])
        tags = {**current.tags, TAG_KEY: TAG_VALUE}
        if settings == current.settings and tags == current.tags:
            return current
        return replace(current, settings=settings, tags=tags, modified=now)

    if kept(pool) is pool:
        return pool
    updated = await ctx.store.update_pool(pool.id, kept)
    if updated is None:
        raise ResourceNotFoundException(f"User pool {pool.id} does not exist.")
    return updated


async def _keep_client(
    ctx: Context, pool: UserPool, client: AppClient, setup: ConsoleSetup
) -> AppClient:
    wanted = clients.client_settings(_client_request(setup), pool, False, set())
    if client.settings == wanted and client.name == CLIENT_NAME:
        return client
    return await clients.update_user_pool_client(
        ctx, pool.id, client.id, _client_request(setup), CLIENT_NAME
    )
