"""An app client as the caller of a public operation: found by ClientId, and proving
it holds the client secret with SECRET_HASH when it has one.

SECRET_HASH = Base64(HMAC-SHA256(client secret, username + client id)) (Cognito
developer guide, "Computing secret hash values").
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from poolgate.core.context import Context
from poolgate.core.errors import NotAuthorizedException, ResourceNotFoundException
from poolgate.core.pools import clients
from poolgate.core.records import AppClient, UserPool


async def client_and_pool(ctx: Context, client_id: str) -> tuple[AppClient, UserPool]:
    client = await ctx.store.get_client(client_id)
    if client is None:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    pool = await ctx.store.get_pool(client.pool_id)
    if pool is None:
        raise ResourceNotFoundException(f"User pool client {client_id} does not exist.")
    return client, pool


def secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def check_secret_hash(ctx: Context, client: AppClient, given: str | None, *usernames: str) -> None:
    """Accept ``given`` if it is the SECRET_HASH for any of ``usernames`` (what the
    user typed, or the stored username: clients compute it with either)."""
    secret = clients.client_secret(ctx, client)
    if secret is None:
        return
    if not given:
        raise NotAuthorizedException(
            f"Client {client.id} is configured with secret but SECRET_HASH was not received"
        )
    for username in usernames:
        if username and hmac.compare_digest(
            secret_hash(secret, username, client.id).encode(), given.encode()
        ):
            return
    raise NotAuthorizedException(f"Unable to verify secret hash for client {client.id}")


def check_client_secret(ctx: Context, client: AppClient, given: str | None) -> None:
    secret = clients.client_secret(ctx, client)
    if secret is None:
        return
    if not given or not hmac.compare_digest(secret.encode(), given.encode()):
        raise NotAuthorizedException(f"Client {client.id} is configured with secret")


def prevents_existence_errors(client: AppClient) -> bool:
    """PreventUserExistenceErrors ENABLED: answers must not tell who has an account."""
    return client.settings.get("PreventUserExistenceErrors") == "ENABLED"
