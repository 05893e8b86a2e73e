"""The authorization and token endpoints' errors as RFC 6749 and RFC 7636 spell them,
without a browser: httpx posts the hosted login form and reads every redirect's
``Location`` instead of following it. On SQLite and PostgreSQL (``server``), except
code expiry, which runs in core with a frozen clock.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from poolgate.core.clock import FrozenClock
from poolgate.core.context import Context
from poolgate.core.oauth import authorization, codes, token
from poolgate.core.oauth.errors import OAuthError
from poolgate.core.pools import clients, pools
from poolgate.core.users import admin_users, lookup
from poolgate.crypto.sealing import Sealer
from poolgate.store.sql import SqlStore
from tests.conftest import Server
from tests.oauth.helpers import (
    CALLBACK,
    STRONG,
    App,
    csrf_of,
    fragment_of,
    http_code,
    http_sign_in,
    make_app,
    make_pool,
    make_user,
    pkce,
    query_of,
    token_request,
)


@pytest.fixture
def pool_id(cognito: Any) -> str:
    return make_pool(cognito)


@pytest.fixture
def confidential(cognito: Any, pool_id: str) -> App:
    return make_app(cognito, pool_id, secret=True)


@pytest.fixture
def public(cognito: Any, pool_id: str) -> App:
    return make_app(cognito, pool_id)


@pytest.fixture
def username(cognito: Any, pool_id: str) -> str:
    return make_user(cognito, pool_id)


def assert_error(response: httpx.Response, error: str, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["error"] == error, body
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Basic")


def redirect_error(response: httpx.Response, error: str, state: str | None) -> dict[str, str]:
    """An error sent back to the client's callback (RFC 6749 4.1.2.1)."""
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(CALLBACK + "?"), location
    got = query_of(location)
    assert got["error"] == error, got
    assert got.get("state") == state
    assert "code" not in got
    return got


def authorize(server: Server, params: dict[str, str]) -> httpx.Response:
    return httpx.get(f"{server.url}/oauth2/authorize", params=params)


def exchange(server: Server, app: App, code: str, verifier: str | None, **extra: str) -> Any:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": app.callback}
    if verifier is not None:
        data["code_verifier"] = verifier
    data.update(extra)
    return token_request(server, app, data)


# The token endpoint


def test_invalid_request(server: Server, confidential: App) -> None:
    # The authorization_code grant without a code, and a request without grant_type.
    no_code = token_request(
        server, confidential, {"grant_type": "authorization_code", "redirect_uri": CALLBACK}
    )
    assert_error(no_code, "invalid_request")
    assert "code" in no_code.json()["error_description"]
    assert_error(token_request(server, confidential, {"code": "x"}), "invalid_request")
    no_refresh = token_request(server, confidential, {"grant_type": "refresh_token"})
    assert_error(no_refresh, "invalid_request")


def test_invalid_client(server: Server, confidential: App, username: str) -> None:
    code, verifier = http_code(server, confidential, username)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }
    token = f"{server.url}/oauth2/token"
    wrong_basic = httpx.post(token, data=data, auth=(confidential.client_id, "not-the-secret"))
    assert_error(wrong_basic, "invalid_client", 401)
    wrong_form = httpx.post(
        token,
        data={**data, "client_id": confidential.client_id, "client_secret": "not-the-secret"},
    )
    assert_error(wrong_form, "invalid_client", 401)
    no_secret = httpx.post(token, data={**data, "client_id": confidential.client_id})
    assert_error(no_secret, "invalid_client", 401)
    unknown = httpx.post(token, data={**data, "client_id": "nosuchclient"})
    assert_error(unknown, "invalid_client", 401)
    # Basic for one client, client_id of another in the form.
    mismatch = httpx.post(
        token,
        data={**data, "client_id": "someoneelse"},
        auth=(confidential.client_id, confidential.client_secret or ""),
    )
    assert_error(mismatch, "invalid_client", 401)
    # None of those consumed the code: the right credentials still get tokens.
    good = token_request(server, confidential, data)
    assert good.status_code == 200, good.text


def test_secret_in_the_form_works(server: Server, confidential: App, username: str) -> None:
    code, verifier = http_code(server, confidential, username)
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }
    answer = token_request(server, confidential, data, basic=False)
    assert answer.status_code == 200, answer.text
    assert {"access_token", "id_token", "refresh_token"} <= set(answer.json())


def test_reused_code_is_refused_and_revokes(
    server: Server, confidential: App, username: str
) -> None:
    code, verifier = http_code(server, confidential, username)
    first = exchange(server, confidential, code, verifier)
    assert first.status_code == 200, first.text
    again = exchange(server, confidential, code, verifier)
    assert_error(again, "invalid_grant")
    # RFC 6749 4.1.2: the tokens the code produced are revoked too.
    refresh = token_request(
        server,
        confidential,
        {"grant_type": "refresh_token", "refresh_token": first.json()["refresh_token"]},
    )
    assert_error(refresh, "invalid_grant")
    info = httpx.get(
        f"{server.url}/oauth2/userInfo",
        headers={"Authorization": f"Bearer {first.json()['access_token']}"},
    )
    assert info.status_code == 401


def test_unknown_code(server: Server, confidential: App) -> None:
    assert_error(exchange(server, confidential, "made-up", "x" * 43), "invalid_grant")


def test_wrong_redirect_uri(server: Server, confidential: App, username: str) -> None:
    code, verifier = http_code(server, confidential, username)
    wrong = exchange(server, confidential, code, verifier, redirect_uri="http://localhost:9/other")
    assert_error(wrong, "invalid_grant")
    assert "redirect_uri" in wrong.json()["error_description"]


def test_code_of_another_client(
    server: Server, cognito: Any, pool_id: str, confidential: App, username: str
) -> None:
    other = make_app(cognito, pool_id, secret=True)
    code, verifier = http_code(server, confidential, username)
    assert_error(exchange(server, other, code, verifier), "invalid_grant")


def test_wrong_or_missing_pkce_verifier(server: Server, public: App, username: str) -> None:
    code, _verifier = http_code(server, public, username)
    wrong, _ = pkce()
    assert_error(exchange(server, public, code, wrong), "invalid_grant")
    code, _verifier = http_code(server, public, username)
    assert_error(exchange(server, public, code, None), "invalid_grant")


def test_verifier_without_challenge_is_refused(
    server: Server, confidential: App, username: str
) -> None:
    """A confidential client may skip PKCE, but a code_verifier for a code issued
    without a code_challenge is a downgrade (RFC 9700 2.1.1): refused."""
    params = confidential.authorize_params()
    with httpx.Client(base_url=server.url) as http:
        answer = http_sign_in(http, params, username)
    code = query_of(answer.headers["location"])["code"]
    verifier, _challenge = pkce()
    assert_error(exchange(server, confidential, code, verifier), "invalid_grant")
    # Without PKCE at all, a confidential client's code is good.
    with httpx.Client(base_url=server.url) as http:
        answer = http_sign_in(http, confidential.authorize_params(), username)
    code = query_of(answer.headers["location"])["code"]
    assert exchange(server, confidential, code, None).status_code == 200


def test_unsupported_grant_type(server: Server, confidential: App, username: str) -> None:
    password = token_request(
        server, confidential, {"grant_type": "password", "username": username, "password": STRONG}
    )
    assert_error(password, "unsupported_grant_type")


def test_unauthorized_client(server: Server, cognito: Any, pool_id: str) -> None:
    # At the authorization endpoint: the code flow for an implicit-only client.
    implicit_only = make_app(cognito, pool_id, flows=["implicit"])
    params = implicit_only.authorize_params()
    redirect_error(authorize(server, params), "unauthorized_client", params["state"])

    # At the token endpoint: grants the client is not allowed.
    cognito.create_resource_server(
        UserPoolId=pool_id,
        Identifier="travel",
        Name="TravelGuide API",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "Read trips"}],
    )
    machine = make_app(
        cognito, pool_id, secret=True, flows=["client_credentials"], scopes=["travel/read"]
    )
    code_grant = exchange(server, machine, "any-code", None)
    assert_error(code_grant, "unauthorized_client")
    web = make_app(cognito, pool_id, secret=True)
    credentials = token_request(server, web, {"grant_type": "client_credentials"})
    assert_error(credentials, "unauthorized_client")


# The authorization endpoint


def test_invalid_scope(server: Server, confidential: App) -> None:
    params = confidential.authorize_params(scope="openid travel/write")
    got = redirect_error(authorize(server, params), "invalid_scope", params["state"])
    assert "travel/write" in got["error_description"]


def test_unsupported_response_type(server: Server, confidential: App) -> None:
    params = confidential.authorize_params(response_type="id_token")
    redirect_error(authorize(server, params), "unsupported_response_type", params["state"])


def test_mismatched_redirect_uri_is_an_error_page(server: Server, confidential: App) -> None:
    for redirect_uri in ("http://evil.example/callback", CALLBACK + "/", CALLBACK + "?x=1"):
        answer = authorize(server, confidential.authorize_params(redirect_uri=redirect_uri))
        assert answer.status_code == 400
        assert "location" not in answer.headers
        assert answer.headers["content-type"].startswith("text/html")
        assert "not one of the client" in answer.text
    # An unknown client: no redirect either.
    answer = authorize(server, confidential.authorize_params(client_id="nosuchclient"))
    assert answer.status_code == 400
    assert "location" not in answer.headers


def test_public_client_without_pkce(server: Server, public: App) -> None:
    params = public.authorize_params()
    got = redirect_error(authorize(server, params), "invalid_request", params["state"])
    assert "PKCE" in got["error_description"]
    plain = public.authorize_params(code_challenge="x" * 43, code_challenge_method="plain")
    redirect_error(authorize(server, plain), "invalid_request", plain["state"])


def test_prompt_none_without_session(server: Server, confidential: App) -> None:
    params = confidential.authorize_params(prompt="none")
    redirect_error(authorize(server, params), "login_required", params["state"])


def test_implicit_errors_travel_in_the_fragment(server: Server, cognito: Any, pool_id: str) -> None:
    """RFC 6749 4.2.2.1: with response_type=token the error is in the fragment."""
    implicit = make_app(cognito, pool_id, flows=["implicit"], scopes=["openid"])
    params = implicit.authorize_params(response_type="token", scope="openid email")
    answer = authorize(server, params)
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "#"), location
    got = fragment_of(location)
    assert got["error"] == "invalid_scope"
    assert got["state"] == params["state"]
    none = implicit.authorize_params(response_type="token", prompt="none")
    got = fragment_of(authorize(server, none).headers["location"])
    assert got["error"] == "login_required"


def test_login_form_without_csrf_token(server: Server, confidential: App, username: str) -> None:
    params = confidential.authorize_params()
    with httpx.Client(base_url=server.url) as http:
        login = http.get(http.get("/oauth2/authorize", params=params).headers["location"])
        token = csrf_of(login.text)
        for data in (
            {"username": username, "password": STRONG},
            {"username": username, "password": STRONG, "_csrf": token[:-2] + "AA"},
        ):
            answer = http.post(str(login.url), data=data)
            assert answer.status_code == 403
            assert "location" not in answer.headers
            assert not any(c.startswith("poolgate_session") for c in http.cookies)
        # Not signed in: the next authorization still asks for the form.
        again = http.get("/oauth2/authorize", params=params)
        assert again.status_code == 302
        assert again.headers["location"].startswith("/login?")
        # Another browser's token does not help either.
        with httpx.Client(base_url=server.url) as other:
            foreign = csrf_of(other.get(str(login.url)).text)
        answer = http.post(
            str(login.url), data={"username": username, "password": STRONG, "_csrf": foreign}
        )
        assert answer.status_code == 403


# Code expiry, in core with a frozen clock


@pytest.fixture
async def ctx(tmp_path: Path) -> AsyncIterator[Context]:
    store = await SqlStore.open(f"sqlite:///{tmp_path / 'core.db'}")
    yield Context(store=store, sealer=Sealer(os.urandom(32)), clock=FrozenClock())
    await store.close()


async def test_code_expires_after_five_minutes(ctx: Context) -> None:
    pool = await pools.create_user_pool(ctx, "p", {"UsernameAttributes": ["email"]})
    settings = {
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid", "email"],
        "AllowedOAuthFlowsUserPoolClient": True,
        "CallbackURLs": [CALLBACK],
        "SupportedIdentityProviders": ["COGNITO"],
    }
    client, _ = await clients.create_user_pool_client(ctx, pool.id, "web", settings, True)
    await admin_users.admin_create_user(
        ctx, pool, "a@example.com", None, None, "SUPPRESS", None, False
    )
    await admin_users.admin_set_user_password(ctx, pool, "a@example.com", STRONG, True)
    user = await lookup.find_user(ctx, pool, "a@example.com")
    assert user is not None
    verifier, challenge = pkce()
    request = await authorization.validate_authorize(
        ctx,
        {
            "client_id": client.id,
            "response_type": "code",
            "redirect_uri": CALLBACK,
            "scope": "openid",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        },
    )
    clock = ctx.clock
    assert isinstance(clock, FrozenClock)

    fresh = await codes.issue_code(ctx, request, user, int(clock()))
    clock.advance(codes.CODE_LIFETIME - 1)
    minted = await token.exchange_code(ctx, client, pool, fresh, CALLBACK, verifier)
    assert minted.id_token and minted.refresh_token

    stale = await codes.issue_code(ctx, request, user, int(clock()))
    clock.advance(codes.CODE_LIFETIME + 1)
    with pytest.raises(OAuthError) as expired:
        await token.exchange_code(ctx, client, pool, stale, CALLBACK, verifier)
    assert expired.value.error == "invalid_grant"
    assert "expired" in expired.value.description
