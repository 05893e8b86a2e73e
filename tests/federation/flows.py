"""A federated sign-in in Chromium, from the application's authorize request to its
callback, and what the tests check of the tokens at the end."""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from playwright.async_api import Page

from tests.conftest import Server
from tests.federation.conftest import verify_tokens
from tests.oauth.conftest import Application
from tests.oauth.helpers import App, make_app, make_pool, pkce, query_of, token_request

Interaction = Callable[[Page], Awaitable[None]]


def federated_app(
    cognito: Any,
    application: Application,
    providers: list[str],
    pool_id: str | None = None,
    scopes: list[str] | None = None,
) -> App:
    pool_id = pool_id or make_pool(cognito)
    return make_app(
        cognito,
        pool_id,
        callback=application.callback,
        signed_out=application.signed_out,
        scopes=scopes,
        SupportedIdentityProviders=providers,
    )


async def sign_in(
    page: Page,
    server: Server,
    app: App,
    *,
    provider: str | None = None,
    button: str | None = None,
    interact: Interaction | None = None,
) -> tuple[dict[str, str], str, str]:
    """(the callback's query, the PKCE verifier, the nonce): authorize with
    ``identity_provider`` or click the login page's ``button``, then whatever the
    provider's pages need (``interact``)."""
    verifier, challenge = pkce()
    nonce = secrets.token_urlsafe(8)
    extra = {"code_challenge": challenge, "code_challenge_method": "S256", "nonce": nonce}
    if provider:
        extra["identity_provider"] = provider
    params = app.authorize_params(**extra)
    await page.goto(f"{server.url}/oauth2/authorize?{urlencode(params)}")
    if button:
        await page.get_by_role("link", name=button).click()
    if interact:
        await interact(page)
    await page.wait_for_url(f"{app.callback}?*")
    got = query_of(page.url)
    assert got.get("state") == params["state"], got
    return got, verifier, nonce


def exchange(server: Server, app: App, code: str, verifier: str) -> dict[str, Any]:
    response = token_request(
        server,
        app,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": app.callback,
            "code_verifier": verifier,
        },
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def verified(server: Server, app: App, got: dict[str, str], verifier: str, nonce: str) -> Any:
    """The id token's claims, after aws-jwt-verify accepted both tokens."""
    assert "code" in got, got
    tokens = exchange(server, app, got["code"], verifier)
    id_claims, access_claims = verify_tokens(server, app.pool_id, app.client_id, tokens)
    assert id_claims["nonce"] == nonce
    assert access_claims["username"] == id_claims["cognito:username"]
    assert tokens.get("refresh_token")
    id_claims["_tokens"] = tokens
    return id_claims


def identity(claims: dict[str, Any]) -> dict[str, Any]:
    found = claims["identities"]
    assert isinstance(found, list) and len(found) == 1, found
    entry: dict[str, Any] = found[0]
    return entry


def users_named(cognito: Any, pool_id: str, prefix: str) -> list[dict[str, Any]]:
    listed = cognito.list_users(UserPoolId=pool_id, Filter=f'username ^= "{prefix}"')
    users: list[dict[str, Any]] = listed["Users"]
    return users


def attributes_of(user: dict[str, Any], key: str = "Attributes") -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user[key]}


def identities_attribute(user: dict[str, Any], key: str = "Attributes") -> list[dict[str, Any]]:
    value: list[dict[str, Any]] = json.loads(attributes_of(user, key)["identities"])
    return value
