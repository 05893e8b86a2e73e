"""App clients: CreateUserPoolClient, DescribeUserPoolClient, ListUserPoolClients,
UpdateUserPoolClient, DeleteUserPoolClient.

Like UpdateUserPool, UpdateUserPoolClient resets every setting the request leaves out
to its default (API reference: "If you don't provide a value for an attribute,
Amazon Cognito sets it to its default value"); the secret is kept.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from poolgate.core import ids
from poolgate.core.context import Context
from poolgate.core.errors import (
    InvalidOAuthFlowException,
    InvalidParameterException,
    ResourceNotFoundException,
    ScopeDoesNotExistException,
)
from poolgate.core.pagination import decode_token, encode_token
from poolgate.core.pools import resource_servers
from poolgate.core.pools.pools import require_pool
from poolgate.core.records import AppClient, Settings, UserPool
from poolgate.crypto.sealing import Sealer
from poolgate.store.base import Conflict

DEFAULT_AUTH_FLOWS = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
LEGACY_AUTH_FLOWS = {"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH"}
STANDARD_SCOPES = {"phone", "email", "openid", "profile", "aws.cognito.signin.user.admin"}

_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
# Per token: the unit an API request defaults to, the default lifetime, and the range
# Cognito accepts (in seconds).
_TOKENS = {
    "AccessToken": ("AccessTokenValidity", "hours", 3600, 300, 86400),
    "IdToken": ("IdTokenValidity", "hours", 3600, 300, 86400),
    "RefreshToken": ("RefreshTokenValidity", "days", 30 * 86400, 3600, 3650 * 86400),
}


def token_lifetime(client: AppClient, token: str) -> int:
    """Seconds a token of kind ``AccessToken``/``IdToken``/``RefreshToken`` lives."""
    field = _TOKENS[token][0]
    unit = client.settings["TokenValidityUnits"][token]
    return int(client.settings[field]) * _SECONDS[unit]


def _token_validity(request: dict[str, Any], settings: Settings) -> None:
    units = dict(request.get("TokenValidityUnits") or {})
    for token, (field, default_unit, default_seconds, low, high) in _TOKENS.items():
        unit = units.get(token) or default_unit
        units[token] = unit
        value = request.get(field)
        if not value:
            # "You can't set RefreshTokenValidity to 0. If you do, Amazon Cognito
            # overrides the value with the default value."
            value = max(1, default_seconds // _SECONDS[unit])
        seconds = value * _SECONDS[unit]
        if not low <= seconds <= high:
            raise InvalidParameterException(
                f"{field} must be between {_human(low)} and {_human(high)}; got {value} {unit}."
            )
        settings[field] = value
    if settings["RefreshTokenValidity"] * _SECONDS[units["RefreshToken"]] < max(
        settings["AccessTokenValidity"] * _SECONDS[units["AccessToken"]],
        settings["IdTokenValidity"] * _SECONDS[units["IdToken"]],
    ):
        raise InvalidParameterException(
            "RefreshTokenValidity must be longer than AccessTokenValidity and IdTokenValidity."
        )
    settings["TokenValidityUnits"] = units


def _human(seconds: int) -> str:
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit[:-1] if count == 1 else unit}"
    return f"{seconds} seconds"


def _check_url(url: str, what: str) -> None:
    parts = urlsplit(url)
    if parts.fragment or "#" in url:
        raise InvalidParameterException(f"{what} must not contain a fragment: {url}")
    if parts.scheme == "https" and parts.netloc:
        return
    if parts.scheme == "http":
        # Cognito accepts plain http only for local development hosts.
        if parts.hostname in {"localhost", "127.0.0.1", "::1"}:
            return
        raise InvalidParameterException(
            f"{what} must use HTTPS, except http://localhost for testing: {url}"
        )
    if parts.scheme and parts.scheme not in {"http", "https"}:
        return  # app schemes such as myapp://callback for native apps
    raise InvalidParameterException(f"{what} is not a valid URL: {url}")


def _attribute_names(pool: UserPool) -> set[str]:
    return {attribute["Name"] for attribute in pool.settings["SchemaAttributes"]}


def client_settings(
    request: dict[str, Any],
    pool: UserPool,
    has_secret: bool,
    custom_scopes: set[str],
    identity_providers: Set[str] = frozenset(),
) -> Settings:
    """A client's settings from a Create/UpdateUserPoolClient request. ``custom_scopes``
    are the pool's ``identifier/ScopeName`` (``core.resource_servers.custom_scopes``):
    AllowedOAuthScopes may name those besides the standard scopes.
    ``identity_providers``: the pool's provider names, which SupportedIdentityProviders
    may list besides COGNITO."""
    settings: Settings = {}
    _token_validity(request, settings)

    flows = request.get("ExplicitAuthFlows")
    flows = list(dict.fromkeys(flows)) if flows else list(DEFAULT_AUTH_FLOWS)
    legacy = [flow for flow in flows if flow in LEGACY_AUTH_FLOWS]
    if legacy and len(legacy) != len(flows):
        raise InvalidParameterException(
            "ExplicitAuthFlows cannot mix legacy values (ADMIN_NO_SRP_AUTH, "
            "CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH) with ALLOW_ values."
        )
    settings["ExplicitAuthFlows"] = flows

    names = _attribute_names(pool)
    for field in ("ReadAttributes", "WriteAttributes"):
        if request.get(field):
            unknown = [name for name in request[field] if name not in names]
            if unknown:
                kind = "read" if field == "ReadAttributes" else "write"
                raise InvalidParameterException(
                    f"Invalid {kind} attributes specified while creating a client: "
                    + ", ".join(unknown)
                )
            settings[field] = list(dict.fromkeys(request[field]))
    if "WriteAttributes" in settings:
        immutable = [
            a["Name"]
            for a in pool.settings["SchemaAttributes"]
            if a["Name"] in settings["WriteAttributes"] and not a["Mutable"]
        ]
        if immutable:
            raise InvalidParameterException(
                "Invalid write attributes specified while creating a client: "
                + ", ".join(immutable)
            )

    providers = request.get("SupportedIdentityProviders") or []
    for provider in providers:
        if provider != "COGNITO" and provider not in identity_providers:
            raise InvalidParameterException(
                f"The provider {provider} does not exist for User Pool {pool.id}"
            )
    if providers:
        settings["SupportedIdentityProviders"] = list(dict.fromkeys(providers))

    for field in ("CallbackURLs", "LogoutURLs"):
        if request.get(field):
            for url in request[field]:
                _check_url(url, field[:-4] + " URL")
            settings[field] = list(dict.fromkeys(request[field]))
    default_redirect = request.get("DefaultRedirectURI")
    if default_redirect:
        if default_redirect not in settings.get("CallbackURLs", []):
            raise InvalidParameterException("DefaultRedirectURI must be one of the CallbackURLs.")
        settings["DefaultRedirectURI"] = default_redirect

    _oauth(request, settings, has_secret, custom_scopes)

    settings["PreventUserExistenceErrors"] = request.get("PreventUserExistenceErrors") or "LEGACY"
    revocation = request.get("EnableTokenRevocation")
    settings["EnableTokenRevocation"] = True if revocation is None else bool(revocation)
    settings["EnablePropagateAdditionalUserContextData"] = bool(
        request.get("EnablePropagateAdditionalUserContextData", False)
    )
    settings["AuthSessionValidity"] = request.get("AuthSessionValidity") or 3
    if request.get("AnalyticsConfiguration") is not None:
        settings["AnalyticsConfiguration"] = request["AnalyticsConfiguration"]
    if request.get("RefreshTokenRotation") is not None:
        settings["RefreshTokenRotation"] = request["RefreshTokenRotation"]
    return settings


def _oauth(
    request: dict[str, Any],
    settings: Settings,
    has_secret: bool,
    custom_scopes: set[str],
) -> None:
    flows = list(dict.fromkeys(request.get("AllowedOAuthFlows") or []))
    scopes = list(dict.fromkeys(request.get("AllowedOAuthScopes") or []))
    enabled = bool(request.get("AllowedOAuthFlowsUserPoolClient", False))
    for scope in scopes:
        if scope not in STANDARD_SCOPES and scope not in custom_scopes:
            # Custom scopes ("identifier/ScopeName") belong to the pool's resource servers.
            raise ScopeDoesNotExistException(f"Invalid scope requested: {scope}")
    if "openid" not in scopes and any(s in scopes for s in ("email", "profile", "phone")):
        raise InvalidParameterException(
            "The email, phone and profile scopes can only be requested with the openid scope."
        )
    if "client_credentials" in flows:
        if len(flows) > 1:
            raise InvalidOAuthFlowException(
                "client_credentials flow can not be selected along with code flow or implicit flow."
            )
        if not has_secret:
            raise InvalidOAuthFlowException(
                "client_credentials flow can not be selected if client does not have a "
                "client secret."
            )
    if enabled:
        if not flows or not scopes:
            raise InvalidOAuthFlowException(
                "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client "
                "is allowed to use OAuth flows."
            )
        if {"code", "implicit"} & set(flows) and not settings.get("CallbackURLs"):
            raise InvalidParameterException(
                "CallbackURLs are required when the code or implicit flow is allowed."
            )
    settings["AllowedOAuthFlowsUserPoolClient"] = enabled
    if flows:
        settings["AllowedOAuthFlows"] = flows
    if scopes:
        settings["AllowedOAuthScopes"] = scopes


async def _identity_provider_names(ctx: Context, pool_id: str) -> set[str]:
    from poolgate.core.federation.providers import provider_names

    return await provider_names(ctx, pool_id)


async def find_client(ctx: Context, client_id: str) -> AppClient | None:
    return await ctx.store.get_client(client_id) if client_id else None


async def require_client(ctx: Context, pool_id: str, client_id: str) -> AppClient:
    client = await ctx.store.get_client(client_id)
    if client is None or client.pool_id != pool_id:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return client


async def create_user_pool_client(
    ctx: Context, pool_id: str, name: str, request: dict[str, Any], generate_secret: bool
) -> tuple[AppClient, str | None]:
    """The new client and its secret in clear (shown to the caller, stored sealed)."""
    pool = await require_pool(ctx, pool_id)
    scopes = await resource_servers.custom_scopes(ctx, pool_id)
    names = await _identity_provider_names(ctx, pool_id)
    settings = client_settings(request, pool, generate_secret, scopes, names)
    now = ctx.clock()
    for _ in range(5):
        client_id = ids.new_client_id()
        secret = ids.new_client_secret() if generate_secret else None
        client = AppClient(
            id=client_id,
            pool_id=pool_id,
            name=name,
            created=now,
            modified=now,
            settings=settings,
            secret_sealed=seal_secret(ctx, client_id, secret) if secret else None,
        )
        try:
            await ctx.store.create_client(client)
        except Conflict:
            continue
        return client, secret
    raise RuntimeError("could not allocate a unique client id")


def seal_secret(ctx: Context, client_id: str, secret: str) -> bytes:
    return ctx.sealer.seal(secret.encode(), f"client-secret:{client_id}")


def client_secret(ctx: Context, client: AppClient) -> str | None:
    if client.secret_sealed is None:
        return None
    return ctx.sealer.open(client.secret_sealed, f"client-secret:{client.id}").decode()


def reseal_secret(client: AppClient, old: Sealer, new: Sealer) -> bytes:
    """The client's secret sealed with ``new`` (master-key rotation)."""
    assert client.secret_sealed is not None
    purpose = f"client-secret:{client.id}"
    return new.seal(old.open(client.secret_sealed, purpose), purpose)


async def list_user_pool_clients(
    ctx: Context, pool_id: str, max_results: int, next_token: str | None
) -> tuple[list[AppClient], str | None]:
    await require_pool(ctx, pool_id)
    clients = await ctx.store.list_clients(pool_id, max_results + 1, decode_token(next_token))
    if len(clients) > max_results:
        clients = clients[:max_results]
        return clients, encode_token(clients[-1].id)
    return clients, None


async def update_user_pool_client(
    ctx: Context, pool_id: str, client_id: str, request: dict[str, Any], name: str | None
) -> AppClient:
    pool = await require_pool(ctx, pool_id)
    await require_client(ctx, pool_id, client_id)
    scopes = await resource_servers.custom_scopes(ctx, pool_id)
    names = await _identity_provider_names(ctx, pool_id)
    now = ctx.clock()

    def change(client: AppClient) -> AppClient:
        settings = client_settings(request, pool, client.secret_sealed is not None, scopes, names)
        return replace(client, name=name or client.name, settings=settings, modified=now)

    client = await ctx.store.update_client(client_id, change)
    if client is None:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return client


async def delete_user_pool_client(ctx: Context, pool_id: str, client_id: str) -> None:
    await require_pool(ctx, pool_id)
    await require_client(ctx, pool_id, client_id)
    await ctx.store.delete_client(client_id)
