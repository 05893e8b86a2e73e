"""userInfo's claims follow the access token's scopes (OpenID Connect Core 5.4):
email → email and email_verified, profile → the profile claims, phone → the phone
claims; ``sub`` (and Cognito's ``username``) always."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Server
from tests.oauth.helpers import App, http_code, make_app, make_pool, make_user, token_request

PROFILE = {"given_name": "Ada", "family_name": "Lovelace", "nickname": "ada"}


@pytest.fixture
def setup(cognito: Any) -> tuple[App, str]:
    pool_id = make_pool(cognito)
    app = make_app(cognito, pool_id, secret=True, scopes=["openid", "email", "phone", "profile"])
    return app, make_user(cognito, pool_id, **PROFILE)


def tokens_for(server: Server, app: App, username: str, scope: str) -> dict[str, Any]:
    code, verifier = http_code(server, app, username, scope=scope)
    answer = token_request(
        server,
        app,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": app.callback,
            "code_verifier": verifier,
        },
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def userinfo(server: Server, access_token: str, method: str = "GET") -> httpx.Response:
    return httpx.request(
        method,
        f"{server.url}/oauth2/userInfo",
        headers={"Authorization": f"Bearer {access_token}"},
    )


def test_email_scope(server: Server, setup: tuple[App, str]) -> None:
    app, username = setup
    tokens = tokens_for(server, app, username, "openid email")
    answer = userinfo(server, tokens["access_token"])
    assert answer.status_code == 200, answer.text
    claims = answer.json()
    assert set(claims) == {"sub", "email", "email_verified", "username"}
    assert claims["email"] == username
    assert claims["email_verified"] in ("true", True)


def test_profile_scope(server: Server, setup: tuple[App, str]) -> None:
    app, username = setup
    tokens = tokens_for(server, app, username, "openid profile")
    claims = userinfo(server, tokens["access_token"], "POST").json()
    assert {k: claims[k] for k in PROFILE} == PROFILE
    assert "email" not in claims and "email_verified" not in claims


def test_openid_alone(server: Server, setup: tuple[App, str]) -> None:
    app, username = setup
    tokens = tokens_for(server, app, username, "openid")
    claims = userinfo(server, tokens["access_token"]).json()
    assert set(claims) == {"sub", "username"}


def test_without_openid(server: Server, setup: tuple[App, str]) -> None:
    app, username = setup
    tokens = tokens_for(server, app, username, "email profile")
    assert "id_token" not in tokens  # no openid scope, no id token (OIDC Core 3.1.2.1)
    answer = userinfo(server, tokens["access_token"])
    assert answer.status_code == 403
    assert answer.json()["error"] == "insufficient_scope"


def test_bad_tokens(server: Server) -> None:
    missing = httpx.get(f"{server.url}/oauth2/userInfo")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    bogus = userinfo(server, "not.a.token")
    assert bogus.status_code == 401
    assert bogus.json()["error"] == "invalid_token"
