"""client_credentials: a confidential client gets an access token for a resource
server's scope (no user, no id token, no refresh token), verified with the pool's
published JWKS by Authlib."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from authlib.jose import JsonWebKey, jwt

from tests.conftest import Server
from tests.oauth.helpers import App, discovery, make_app, make_pool, token_request


@pytest.fixture
def pool_id(cognito: Any) -> str:
    pool_id = make_pool(cognito)
    cognito.create_resource_server(
        UserPoolId=pool_id,
        Identifier="travel",
        Name="TravelGuide API",
        Scopes=[
            {"ScopeName": "read", "ScopeDescription": "Read trips"},
            {"ScopeName": "write", "ScopeDescription": "Plan trips"},
        ],
    )
    return pool_id


@pytest.fixture
def machine(cognito: Any, pool_id: str) -> App:
    return make_app(
        cognito, pool_id, secret=True, flows=["client_credentials"], scopes=["travel/read"]
    )


def test_access_token_for_a_resource_server_scope(
    server: Server, pool_id: str, machine: App
) -> None:
    answer = token_request(server, machine, {"grant_type": "client_credentials"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    body = answer.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}  # no id/refresh token
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600

    metadata = discovery(server, pool_id)
    jwks = httpx.get(metadata["jwks_uri"]).json()
    claims = jwt.decode(
        body["access_token"],
        JsonWebKey.import_key_set(jwks),
        claims_options={"iss": {"essential": True, "value": metadata["issuer"]}},
    )
    claims.validate()
    assert claims["token_use"] == "access"
    assert claims["scope"] == "travel/read"
    assert claims["client_id"] == machine.client_id
    assert claims["sub"] == machine.client_id
    assert "username" not in claims

    # The same with the scope asked for explicitly, and the secret in the form.
    explicit = token_request(
        server, machine, {"grant_type": "client_credentials", "scope": "travel/read"}, basic=False
    )
    assert explicit.status_code == 200, explicit.text

    # Not a user's token: userInfo refuses it.
    info = httpx.get(
        metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert info.status_code == 401


@pytest.mark.parametrize("scope", ["travel/write", "openid", "travel/read email"])
def test_scopes_beyond_the_client_are_refused(server: Server, machine: App, scope: str) -> None:
    answer = token_request(server, machine, {"grant_type": "client_credentials", "scope": scope})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_scope"


def test_wrong_secret_and_public_client(server: Server, cognito: Any, pool_id: str) -> None:
    machine = make_app(
        cognito, pool_id, secret=True, flows=["client_credentials"], scopes=["travel/read"]
    )
    wrong = httpx.post(
        f"{server.url}/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(machine.client_id, "nope"),
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    # A public client cannot use client_credentials (Cognito requires a secret).
    public = make_app(cognito, pool_id, scopes=["openid"])
    answer = token_request(server, public, {"grant_type": "client_credentials"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "unauthorized_client"
