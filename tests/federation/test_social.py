"""Google, Facebook, Sign in with Apple and Login with Amazon, end to end in Chromium
against the loopback stand-ins (tests/federation/standins.py): the authorize
redirect, each provider's own protocol, the federated user Cognito keeps
(``{Provider}_{id}``, EXTERNAL_PROVIDER, mapped attributes, ``identities``), tokens
that aws-jwt-verify accepts, a second sign-in that refreshes attributes without a
second user, and linking to a native user."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.async_api import Page

from tests.conftest import Server
from tests.federation.flows import (
    attributes_of,
    federated_app,
    identities_attribute,
    identity,
    sign_in,
    users_named,
    verified,
)
from tests.federation.standins import APPLE_KEY_ID, APPLE_TEAM, Standins
from tests.oauth.conftest import Application
from tests.oauth.helpers import STRONG, http_sign_in, make_pool, make_user, token_request

pytestmark = pytest.mark.browser


def add_google(cognito: Any, pool_id: str, standins: Standins, **extra: Any) -> None:
    standins.clients["google-client.apps.googleusercontent.com"] = "google-secret"
    cognito.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails={
            "client_id": "google-client.apps.googleusercontent.com",
            "client_secret": "google-secret",
            "authorize_scopes": "openid email profile",
            **standins.details("Google"),
        },
        AttributeMapping={"email": "email", "name": "name", "given_name": "given_name"},
        **extra,
    )


def make_native(cognito: Any, pool_id: str, address: str) -> None:
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=address,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=address, Password=STRONG, Permanent=True
    )


def test_google_redirect_carries_client_scopes_state_and_redirect_uri(
    cognito: Any, fed_server: Server, standins: Standins, application: Application
) -> None:
    pool_id = make_pool(cognito)
    add_google(cognito, pool_id, standins)
    app = federated_app(cognito, application, ["Google"], pool_id)
    params = app.authorize_params(identity_provider="Google", code_challenge="x" * 43)
    answer = httpx.get(f"{fed_server.url}/oauth2/authorize", params=params)
    assert answer.status_code == 302
    location = answer.headers["location"]
    # Google's endpoint comes from the (overridden) issuer's discovery document.
    assert location.startswith(f"{standins.url}/google/o/oauth2/v2/auth?")
    sent = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert sent["client_id"] == "google-client.apps.googleusercontent.com"
    assert sent["scope"] == "openid email profile"
    assert sent["redirect_uri"] == f"{fed_server.url}/oauth2/idpresponse"
    assert sent["response_type"] == "code"
    assert sent["state"] and sent["state"] != params["state"]  # sealed, not the app's
    assert sent["nonce"] and sent["code_challenge_method"] == "S256"
    assert "poolgate_federation=" in answer.headers["set-cookie"]
    # Without an override, the table's Google endpoint.
    other = make_pool(cognito)
    cognito.create_identity_provider(
        UserPoolId=other,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails={"client_id": "c", "client_secret": "s", "authorize_scopes": "openid"},
    )
    other_app = federated_app(cognito, application, ["Google"], other)
    answer = httpx.get(
        f"{fed_server.url}/oauth2/authorize",
        params=other_app.authorize_params(identity_provider="Google", code_challenge="x" * 43),
    )
    assert answer.headers["location"].startswith("https://accounts.google.com/o/oauth2/v2/auth?")


async def test_google_sign_in_then_again_with_new_attributes(
    cognito: Any, fed_server: Server, standins: Standins, application: Application, page: Page
) -> None:
    pool_id = make_pool(cognito)
    add_google(cognito, pool_id, standins)
    app = federated_app(cognito, application, ["COGNITO", "Google"], pool_id)
    standins.person.given_name = "Tess"
    got, verifier, nonce = await sign_in(page, fed_server, app, button="Continue with Google")
    claims = verified(fed_server, app, got, verifier, nonce)
    assert claims["cognito:username"] == f"Google_{standins.person.id}"
    assert claims["email"] == standins.person.email
    assert claims["name"] == "Tess Traveller"
    entry = identity(claims)
    assert entry["userId"] == standins.person.id
    assert entry["providerName"] == "Google" and entry["providerType"] == "Google"
    assert entry["primary"] == "true" and entry["issuer"] is None
    assert entry["dateCreated"].isdigit()
    first_sub = claims["sub"]

    # The second sign-in refreshes the mapped attributes and finds the same user.
    standins.person.given_name = "Theresa"
    await page.context.clear_cookies()
    got, verifier, nonce = await sign_in(page, fed_server, app, provider="Google")
    claims = verified(fed_server, app, got, verifier, nonce)
    assert claims["sub"] == first_sub
    assert claims["given_name"] == "Theresa" and claims["name"] == "Theresa Traveller"
    users = users_named(cognito, pool_id, "Google_")
    assert len(users) == 1
    assert users[0]["UserStatus"] == "EXTERNAL_PROVIDER"
    assert attributes_of(users[0])["given_name"] == "Theresa"
    described = cognito.admin_get_user(UserPoolId=pool_id, Username=users[0]["Username"])
    assert identities_attribute(described, "UserAttributes")[0]["providerName"] == "Google"
    standins.person.given_name = "Tess"

    # The federated user's email is nobody's sign-in alias: a native account with the
    # same address is created and signs in with its password.
    make_native(cognito, pool_id, standins.person.email)
    with httpx.Client(base_url=fed_server.url) as http:
        answer = http_sign_in(http, app.authorize_params(code_challenge="x" * 43),
                              standins.person.email)  # fmt: skip
    assert answer.status_code == 302 and "code=" in answer.headers["location"]
    assert len(users_named(cognito, pool_id, "Google_")) == 1


async def test_facebook_graph_api_sign_in(
    cognito: Any, fed_server: Server, standins: Standins, application: Application, page: Page
) -> None:
    pool_id = make_pool(cognito)
    standins.clients.clear()
    standins.clients["fb-app-1"] = "fb-secret"
    cognito.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Facebook",
        ProviderType="Facebook",
        ProviderDetails={
            "client_id": "fb-app-1",
            "client_secret": "fb-secret",
            "authorize_scopes": "public_profile, email",
            "api_version": "v17.0",
            **standins.details("Facebook"),
        },
        AttributeMapping={"email": "email", "given_name": "first_name", "family_name": "last_name"},
    )
    app = federated_app(cognito, application, ["Facebook"], pool_id)
    got, verifier, nonce = await sign_in(page, fed_server, app, button="Continue with Facebook")
    claims = verified(fed_server, app, got, verifier, nonce)
    assert claims["cognito:username"] == f"Facebook_{standins.person.id}"
    assert claims["given_name"] == "Tess" and claims["family_name"] == "Traveller"
    assert claims["email"] == standins.person.email
    assert identity(claims)["providerType"] == "Facebook"
    dialog = [p for kind, p in standins.requests if kind == "facebook-dialog"][-1]
    assert dialog["scope"] == "public_profile,email"


async def test_apple_form_post_and_name_only_the_first_time(
    cognito: Any, fed_server: Server, standins: Standins, application: Application, page: Page
) -> None:
    pool_id = make_pool(cognito)
    cognito.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="SignInWithApple",
        ProviderType="SignInWithApple",
        ProviderDetails={
            "client_id": "com.travelguide.web",
            "team_id": APPLE_TEAM,
            "key_id": APPLE_KEY_ID,
            "private_key": standins.apple_private_pem(),
            "authorize_scopes": "email name",
            **standins.details("SignInWithApple"),
        },
        AttributeMapping={"email": "email", "given_name": "firstName", "name": "name"},
    )
    described = cognito.describe_identity_provider(
        UserPoolId=pool_id, ProviderName="SignInWithApple"
    )["IdentityProvider"]["ProviderDetails"]
    assert "private_key" not in described
    assert described["team_id"] == APPLE_TEAM and described["key_id"] == APPLE_KEY_ID

    async def continue_with_apple(page: Page) -> None:
        await page.get_by_role("button", name="Continue with Apple").click()

    app = federated_app(cognito, application, ["COGNITO", "SignInWithApple"], pool_id)
    got, verifier, nonce = await sign_in(
        page, fed_server, app, button="Continue with Apple", interact=continue_with_apple
    )
    claims = verified(fed_server, app, got, verifier, nonce)
    assert claims["cognito:username"] == f"SignInWithApple_{standins.person.id}"
    assert claims["given_name"] == "Tess" and claims["name"] == "Tess Traveller"
    asked = [p for kind, p in standins.requests if kind == "apple-authorize"][-1]
    assert asked["response_mode"] == "form_post" and asked["scope"] == "email name"

    # Apple sends the name only once; the user pool keeps it.
    standins.apple_first_time = False
    await page.context.clear_cookies()
    got, verifier, nonce = await sign_in(
        page, fed_server, app, provider="SignInWithApple", interact=continue_with_apple
    )
    again = verified(fed_server, app, got, verifier, nonce)
    assert again["sub"] == claims["sub"] and again["name"] == "Tess Traveller"


async def test_login_with_amazon(
    cognito: Any, fed_server: Server, standins: Standins, application: Application, page: Page
) -> None:
    pool_id = make_pool(cognito)
    standins.clients["amzn1.application-oa2-client.tg"] = "amazon-secret"
    cognito.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="LoginWithAmazon",
        ProviderType="LoginWithAmazon",
        ProviderDetails={
            "client_id": "amzn1.application-oa2-client.tg",
            "client_secret": "amazon-secret",
            "authorize_scopes": "profile postal_code",
            **standins.details("LoginWithAmazon"),
        },
        AttributeMapping={"email": "email", "name": "name", "address": "postal_code"},
    )
    app = federated_app(cognito, application, ["LoginWithAmazon"], pool_id)
    got, verifier, nonce = await sign_in(page, fed_server, app, button="Continue with Amazon")
    claims = verified(fed_server, app, got, verifier, nonce)
    assert claims["cognito:username"] == f"LoginWithAmazon_amzn1.account.{standins.person.id}"
    assert claims["name"] == "Tess Traveller" and claims["address"] == "98101"
    assert identity(claims)["userId"] == f"amzn1.account.{standins.person.id}"


async def test_linked_google_identity_signs_in_as_the_native_user(
    cognito: Any, fed_server: Server, standins: Standins, application: Application, page: Page
) -> None:
    pool_id = make_pool(cognito)
    add_google(cognito, pool_id, standins)
    native = make_user(cognito, pool_id)
    native_user = cognito.admin_get_user(UserPoolId=pool_id, Username=native)
    native_sub = attributes_of(native_user, "UserAttributes")["sub"]
    cognito.create_group(UserPoolId=pool_id, GroupName="guides")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=native, GroupName="guides")
    cognito.admin_link_provider_for_user(
        UserPoolId=pool_id,
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": native},
        SourceUser={
            "ProviderName": "Google",
            "ProviderAttributeName": "Cognito_Subject",
            "ProviderAttributeValue": standins.person.id,
        },
    )
    app = federated_app(cognito, application, ["COGNITO", "Google"], pool_id)
    got, verifier, nonce = await sign_in(page, fed_server, app, provider="Google")
    claims = verified(fed_server, app, got, verifier, nonce)
    assert claims["sub"] == native_sub
    assert claims["cognito:groups"] == ["guides"]
    assert any(e["providerName"] == "Google" for e in claims["identities"])
    assert users_named(cognito, pool_id, "Google_") == []

    # Unlinked, the same Google user becomes a federated user of their own.
    cognito.admin_disable_provider_for_user(
        UserPoolId=pool_id,
        User={
            "ProviderName": "Google",
            "ProviderAttributeName": "Cognito_Subject",
            "ProviderAttributeValue": standins.person.id,
        },
    )
    await page.context.clear_cookies()
    got, verifier, nonce = await sign_in(page, fed_server, app, provider="Google")
    claims = verified(fed_server, app, got, verifier, nonce)
    assert claims["sub"] != native_sub
    assert claims["cognito:username"] == f"Google_{standins.person.id}"


async def test_refresh_and_global_sign_out_of_a_federated_user(
    cognito: Any, fed_server: Server, standins: Standins, application: Application, page: Page
) -> None:
    pool_id = make_pool(cognito)
    add_google(cognito, pool_id, standins)
    scopes = ["openid", "email", "profile", "aws.cognito.signin.user.admin"]
    app = federated_app(cognito, application, ["Google"], pool_id, scopes)
    got, verifier, nonce = await sign_in(page, fed_server, app, provider="Google")
    claims = verified(fed_server, app, got, verifier, nonce)
    tokens = claims["_tokens"]
    refreshed = token_request(
        fed_server, app, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    user = cognito.get_user(AccessToken=tokens["access_token"])
    assert user["Username"] == f"Google_{standins.person.id}"
    cognito.global_sign_out(AccessToken=tokens["access_token"])
    again = token_request(
        fed_server, app, {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    )
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
