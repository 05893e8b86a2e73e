"""The hosted UI end to end with real clients: Debian's Chromium (Playwright) fills the
pages, Authlib is the OpenID Connect relying party (discovery, authorization URL with
PKCE S256 and a nonce, code exchange, id token validation with the published JWKS,
userInfo, refresh, revocation), on SQLite and on PostgreSQL.

The browser returns to the test session's "application" page server
(tests/oauth/conftest.py), whose address the app clients register as their callback.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.jose import JsonWebKey, JWTClaims, jwt
from authlib.oidc.core import CodeIDToken, ImplicitIDToken
from authlib.oidc.core.util import create_half_hash
from playwright.async_api import Page, Request

from tests.conftest import Server, latest_code
from tests.oauth.conftest import Application
from tests.oauth.helpers import (
    NEW_PASSWORD,
    STRONG,
    TEMPORARY,
    App,
    discovery,
    email,
    fragment_of,
    make_app,
    make_pool,
    make_user,
    query_of,
)

pytestmark = pytest.mark.browser


def browser_app(cognito: Any, pool_id: str, application: Application, **extra: Any) -> App:
    """An app client whose callback and sign-out URLs are the application's."""
    return make_app(
        cognito, pool_id, callback=application.callback, signed_out=application.signed_out,
        **extra,
    )  # fmt: skip


# The relying party


def relying_party(app: App, scope: str = "openid email profile") -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=app.client_id,
        client_secret=app.client_secret,
        # A public client authenticates with its client_id alone (and PKCE).
        token_endpoint_auth_method="client_secret_basic" if app.client_secret else "none",
        scope=scope,
        redirect_uri=app.callback,
        code_challenge_method="S256",
    )


def id_token_claims(
    token: str,
    metadata: dict[str, Any],
    app: App,
    *,
    access_token: str,
    nonce: str | None = None,
    implicit: bool = False,
) -> JWTClaims:
    """Validate an id token as an OpenID Connect relying party does: signature by a key
    of the pool's JWKS, iss, aud, exp/iat, nonce and at_hash (OIDC Core 3.1.3.7)."""
    jwks = httpx.get(metadata["jwks_uri"]).json()
    params: dict[str, Any] = {"client_id": app.client_id, "access_token": access_token}
    if nonce is not None:
        params["nonce"] = nonce
    claims = jwt.decode(
        token,
        JsonWebKey.import_key_set(jwks),
        claims_cls=ImplicitIDToken if implicit else CodeIDToken,
        claims_options={"iss": {"essential": True, "value": metadata["issuer"]}},
        claims_params=params,
    )
    claims.validate()
    # The same checks, spelled out.
    assert claims["iss"] == metadata["issuer"]
    assert claims["aud"] == app.client_id
    assert claims["token_use"] == "id"
    assert claims.get("nonce") == nonce
    assert claims["at_hash"] == create_half_hash(access_token, "RS256").decode()
    return claims


def access_token_claims(token: str, metadata: dict[str, Any]) -> JWTClaims:
    jwks = httpx.get(metadata["jwks_uri"]).json()
    claims = jwt.decode(
        token,
        JsonWebKey.import_key_set(jwks),
        claims_options={"iss": {"essential": True, "value": metadata["issuer"]}},
    )
    claims.validate()
    return claims


# The browser


async def at_callback(page: Page, app: App) -> str:
    await page.wait_for_url(lambda url: url.startswith(app.callback))
    return page.url


async def fill_login(page: Page, username: str, password: str) -> None:
    assert urlsplit(page.url).path == "/login", page.url
    await page.get_by_label("Email").fill(username)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Sign in").click()


async def authorize(
    page: Page, client: AsyncOAuth2Client, metadata: dict[str, Any]
) -> tuple[str, str, str]:
    """Open the authorization URL the relying party built; returns its state, PKCE
    verifier and nonce."""
    verifier = generate_token(48)
    nonce = generate_token(20)
    url, state = client.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    sent = query_of(url)
    assert sent["code_challenge_method"] == "S256" and sent["code_challenge"]
    assert sent["nonce"] == nonce
    await page.goto(url)
    return state, verifier, nonce


# The flows


async def test_code_flow_with_pkce(
    server: Server, cognito: Any, page: Page, application: Application
) -> None:
    pool_id = make_pool(cognito)
    app = browser_app(cognito, pool_id, application, secret=True)
    username = make_user(cognito, pool_id, given_name="Ada", family_name="Lovelace")
    metadata = discovery(server, pool_id)
    assert metadata["issuer"] == f"{server.url}/{pool_id}"
    assert "S256" in metadata["code_challenge_methods_supported"]

    async with relying_party(app) as client:
        state, verifier, nonce = await authorize(page, client, metadata)
        assert await page.get_by_role("heading", name="Sign in").is_visible()
        # A wrong password first: the page says so and stays.
        await fill_login(page, username, "Wrong!Password1")
        assert await page.get_by_role("alert").inner_text() == "Incorrect username or password."
        await fill_login(page, username, STRONG)
        callback = await at_callback(page, app)
        assert query_of(callback)["state"] == state

        token = await client.fetch_token(
            metadata["token_endpoint"],
            authorization_response=callback,
            state=state,
            code_verifier=verifier,
        )
        assert token["token_type"] == "Bearer"
        assert {"access_token", "id_token", "refresh_token", "expires_in"} <= set(token)

        claims = id_token_claims(
            token["id_token"], metadata, app, access_token=token["access_token"], nonce=nonce
        )
        assert claims["email"] == username
        assert claims["email_verified"] is True
        assert claims["given_name"] == "Ada"
        access = access_token_claims(token["access_token"], metadata)
        assert access["token_use"] == "access"
        assert access["client_id"] == app.client_id
        assert access["sub"] == claims["sub"]
        assert set(access["scope"].split()) == {"openid", "email", "profile"}

        # userInfo with the access token (Authlib puts it in the Authorization header).
        info = await client.get(metadata["userinfo_endpoint"])
        assert info.status_code == 200, info.text
        body = info.json()
        assert body["sub"] == claims["sub"]
        assert body["email"] == username
        assert body["given_name"] == "Ada"
        assert body["family_name"] == "Lovelace"

        # Refresh: new access and id tokens for the same user, the same refresh token.
        refresh_token = token["refresh_token"]
        refreshed = await client.refresh_token(
            metadata["token_endpoint"], refresh_token=refresh_token
        )
        assert refreshed["access_token"] != token["access_token"]
        assert refreshed["refresh_token"] == refresh_token
        again = id_token_claims(
            refreshed["id_token"], metadata, app, access_token=refreshed["access_token"]
        )
        assert again["sub"] == claims["sub"]
        assert again["auth_time"] == claims["auth_time"]

        # Revocation (RFC 7009): afterwards the refresh token is refused with
        # invalid_grant, and the access tokens it produced no longer open userInfo.
        revoked = await client.revoke_token(
            metadata["revocation_endpoint"], token=refresh_token, token_type_hint="refresh_token"
        )
        assert revoked.status_code == 200, revoked.text
        with pytest.raises(OAuthError) as refused:
            await client.refresh_token(metadata["token_endpoint"], refresh_token=refresh_token)
        assert refused.value.error == "invalid_grant"
        info = await client.get(
            metadata["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {refreshed['access_token']}"},
        )
        assert info.status_code == 401

    # Logout clears the browser session: the next authorization shows the login page.
    logout = httpx.URL(
        metadata["end_session_endpoint"],
        params={"client_id": app.client_id, "logout_uri": application.signed_out},
    )
    await page.goto(str(logout))
    assert page.url == application.signed_out
    async with relying_party(app) as client:
        await authorize(page, client, metadata)
    assert urlsplit(page.url).path == "/login"
    assert await page.get_by_role("button", name="Sign in").is_visible()


async def test_sign_up_confirm_then_sign_in(
    server: Server, cognito: Any, page: Page, application: Application
) -> None:
    pool_id = make_pool(cognito)
    app = browser_app(cognito, pool_id, application)  # public: PKCE, no secret
    metadata = discovery(server, pool_id)
    address = email()

    async with relying_party(app, "openid email") as client:
        state, verifier, nonce = await authorize(page, client, metadata)
        await page.get_by_role("link", name="Sign up").click()
        await page.wait_for_url("**/signup?**")
        await page.get_by_label("Email").fill(address)
        # A weak password first: the policy's message, next to the field.
        await page.get_by_label("Password", exact=True).fill("short")
        await page.get_by_role("button", name="Sign up").click()
        assert (
            await page.get_by_label("Password", exact=True).get_attribute("aria-invalid") == "true"
        )
        assert await page.get_by_label("Email").input_value() == address
        await page.get_by_label("Password", exact=True).fill(STRONG)
        await page.get_by_role("button", name="Sign up").click()

        await page.get_by_role("heading", name="Confirm your account").wait_for()
        assert "We sent a code to" in await page.locator("main").inner_text()
        await page.get_by_label("Verification code").fill(latest_code(server, address))
        await page.get_by_role("button", name="Confirm account").click()

        await page.get_by_role("heading", name="Sign in").wait_for()
        assert "Your account is confirmed" in await page.get_by_role("status").inner_text()
        assert await page.get_by_label("Email").input_value() == address
        await page.get_by_label("Password", exact=True).fill(STRONG)
        await page.get_by_role("button", name="Sign in").click()
        callback = await at_callback(page, app)

        token = await client.fetch_token(
            metadata["token_endpoint"],
            authorization_response=callback,
            state=state,
            code_verifier=verifier,
        )
        claims = id_token_claims(
            token["id_token"], metadata, app, access_token=token["access_token"], nonce=nonce
        )
        assert claims["email"] == address
        assert claims["email_verified"] is True
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=address)
    assert user["UserStatus"] == "CONFIRMED"


async def test_new_password_required(
    server: Server, cognito: Any, page: Page, application: Application
) -> None:
    pool_id = make_pool(cognito)
    app = browser_app(cognito, pool_id, application, secret=True)
    metadata = discovery(server, pool_id)
    address = email()
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=address,
        TemporaryPassword=TEMPORARY,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": address},
            {"Name": "email_verified", "Value": "true"},
        ],
    )

    async with relying_party(app) as client:
        state, verifier, nonce = await authorize(page, client, metadata)
        await fill_login(page, address, TEMPORARY)
        await page.get_by_role("heading", name="Change your password").wait_for()
        # Two different passwords: refused, the page (and its session) stays.
        await page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        await page.get_by_label("Confirm new password").fill(NEW_PASSWORD + "x")
        await page.get_by_role("button", name="Change password").click()
        assert "do not match" in await page.get_by_role("alert").inner_text()
        await page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        await page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
        await page.get_by_role("button", name="Change password").click()
        callback = await at_callback(page, app)

        token = await client.fetch_token(
            metadata["token_endpoint"],
            authorization_response=callback,
            state=state,
            code_verifier=verifier,
        )
        claims = id_token_claims(
            token["id_token"], metadata, app, access_token=token["access_token"], nonce=nonce
        )
        assert claims["email"] == address
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=address)
    assert user["UserStatus"] == "CONFIRMED"


async def test_session_is_reused(
    server: Server, cognito: Any, page: Page, application: Application
) -> None:
    pool_id = make_pool(cognito)
    app = browser_app(cognito, pool_id, application)
    username = make_user(cognito, pool_id)
    metadata = discovery(server, pool_id)

    async with relying_party(app) as client:
        await authorize(page, client, metadata)
        await fill_login(page, username, STRONG)
        await at_callback(page, app)

        # The second authorization goes straight back with a code: no page, no form.
        documents: list[str] = []

        def record(request: Request) -> None:
            if request.is_navigation_request():
                documents.append(urlsplit(request.url).path)

        page.on("request", record)
        state, verifier, nonce = await authorize(page, client, metadata)
        callback = await at_callback(page, app)
        assert documents == ["/oauth2/authorize", "/callback"], documents
        token = await client.fetch_token(
            metadata["token_endpoint"],
            authorization_response=callback,
            state=state,
            code_verifier=verifier,
        )
        claims = id_token_claims(
            token["id_token"], metadata, app, access_token=token["access_token"], nonce=nonce
        )
        assert claims["email"] == username

        # prompt=none with the session: a code; prompt=login: the form again.
        url, _state = client.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=generate_token(48), prompt="none"
        )
        await page.goto(url)
        assert "code" in query_of(await at_callback(page, app))
        url, _state = client.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=generate_token(48), prompt="login"
        )
        await page.goto(url)
        assert urlsplit(page.url).path == "/login"
        assert await page.get_by_role("button", name="Sign in").is_visible()


async def test_implicit_flow(
    server: Server, cognito: Any, page: Page, application: Application
) -> None:
    pool_id = make_pool(cognito)
    app = browser_app(cognito, pool_id, application, flows=["implicit"], scopes=["openid", "email"])
    username = make_user(cognito, pool_id)
    metadata = discovery(server, pool_id)
    nonce = generate_token(20)

    params = app.authorize_params(response_type="token", nonce=nonce)
    await page.goto(str(httpx.URL(metadata["authorization_endpoint"], params=params)))
    await fill_login(page, username, STRONG)
    callback = await at_callback(page, app)
    assert urlsplit(callback).query == ""  # the tokens travel in the fragment only
    got = fragment_of(callback)
    assert got["state"] == params["state"]
    assert got["token_type"] == "Bearer"
    assert int(got["expires_in"]) > 0
    assert "refresh_token" not in got and "code" not in got
    claims = id_token_claims(
        got["id_token"], metadata, app, access_token=got["access_token"], nonce=nonce,
        implicit=True,
    )  # fmt: skip
    assert claims["email"] == username
    access = access_token_claims(got["access_token"], metadata)
    assert access["scope"] == "openid email"
