"""Generic OpenID Connect providers, end to end in Chromium: panva's oidc-provider
(OpenID Certified) in Node, and a second Poolgate pool of the same server acting as
the upstream provider; then the id tokens Poolgate must refuse (tampered, wrong
nonce, wrong audience), each reported at the application's callback with no user
created."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from playwright.async_api import Page

from tests.conftest import Server
from tests.federation.conftest import OidcProvider
from tests.federation.flows import federated_app, identity, sign_in, users_named, verified
from tests.federation.standins import Standins
from tests.federation.test_social import add_google
from tests.oauth.conftest import Application
from tests.oauth.helpers import STRONG, make_app, make_pool, make_user

pytestmark = pytest.mark.browser


async def test_oidc_provider_sign_in(
    cognito: Any,
    fed_server: Server,
    oidc_provider: OidcProvider,
    application: Application,
    page: Page,
) -> None:
    pool_id = make_pool(cognito)
    cognito.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="PartnerIdP",
        ProviderType="OIDC",
        ProviderDetails={
            "client_id": oidc_provider.client_id,
            "client_secret": oidc_provider.client_secret,
            "authorize_scopes": "openid email profile",
            "attributes_request_method": "GET",
            "oidc_issuer": oidc_provider.issuer,
        },
        AttributeMapping={"email": "email", "family_name": "family_name", "name": "name"},
        IdpIdentifiers=["partner.example"],
    )
    app = federated_app(cognito, application, ["COGNITO", "PartnerIdP"], pool_id)
    login = "alice" + secrets.token_hex(2)

    async def at_the_provider(page: Page) -> None:
        await page.locator('input[name="login"]').fill(login)
        await page.locator('input[name="password"]').fill("anything")
        await page.get_by_role("button", name="Sign-in").click()
        await page.get_by_role("button", name="Continue").click()

    # By its IdP identifier, as an app that knows the user's email domain would.
    got, verifier, nonce = await sign_in(
        page, fed_server, app, button="Continue with PartnerIdP", interact=at_the_provider
    )
    claims = verified(fed_server, app, got, verifier, nonce)
    assert claims["cognito:username"] == f"PartnerIdP_{login}"
    assert claims["email"] == f"{login}@partner.example"
    assert claims["family_name"] == "Partner"
    entry = identity(claims)
    assert entry["providerType"] == "OIDC" and entry["issuer"] == oidc_provider.issuer
    found = cognito.get_identity_provider_by_identifier(
        UserPoolId=pool_id, IdpIdentifier="partner.example"
    )["IdentityProvider"]
    assert found["ProviderName"] == "PartnerIdP"


async def test_a_second_pool_as_the_upstream_provider(
    cognito: Any, fed_server: Server, application: Application, page: Page
) -> None:
    upstream = make_pool(cognito)
    staff = make_user(cognito, upstream, name="Sam Staff")
    upstream_app = make_app(
        cognito,
        upstream,
        secret=True,
        callback=f"{fed_server.url}/oauth2/idpresponse",
        signed_out=f"{fed_server.url}/",
    )
    pool_id = make_pool(cognito)
    cognito.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="StaffSSO",
        ProviderType="OIDC",
        ProviderDetails={
            "client_id": upstream_app.client_id,
            "client_secret": str(upstream_app.client_secret),
            "authorize_scopes": "openid email profile",
            "attributes_request_method": "GET",
            "oidc_issuer": f"{fed_server.url}/{upstream}",
        },
        AttributeMapping={"email": "email", "name": "name", "email_verified": "email_verified"},
    )
    app = federated_app(cognito, application, ["StaffSSO"], pool_id)

    async def upstream_login(page: Page) -> None:
        await page.get_by_label("Email").fill(staff)
        await page.get_by_label("Password").fill(STRONG)
        await page.get_by_role("button", name="Sign in").click()

    got, verifier, nonce = await sign_in(
        page, fed_server, app, provider="StaffSSO", interact=upstream_login
    )
    claims = verified(fed_server, app, got, verifier, nonce)
    upstream_user = cognito.admin_get_user(UserPoolId=upstream, Username=staff)
    upstream_sub = {a["Name"]: a["Value"] for a in upstream_user["UserAttributes"]}["sub"]
    assert claims["cognito:username"] == f"StaffSSO_{upstream_sub}"
    assert claims["email"] == staff and claims["name"] == "Sam Staff"
    assert claims["email_verified"] is True
    assert identity(claims)["issuer"] == f"{fed_server.url}/{upstream}"


@pytest.mark.parametrize(
    ("fault", "description"),
    [
        ("tamper", "signature"),
        ("nonce", "nonce"),
        ("audience", "audience"),
    ],
)
async def test_a_bad_id_token_is_refused_at_the_callback(
    cognito: Any,
    fed_server: Server,
    standins: Standins,
    application: Application,
    page: Page,
    fault: str,
    description: str,
) -> None:
    pool_id = make_pool(cognito)
    add_google(cognito, pool_id, standins)
    app = federated_app(cognito, application, ["Google"], pool_id)
    standins.faults.add(fault)
    got, _verifier, _nonce = await sign_in(page, fed_server, app, provider="Google")
    assert "code" not in got
    assert got["error"] == "invalid_request"
    assert description in got["error_description"]
    assert got["error_description"].startswith("Invalid id_token")
    assert users_named(cognito, pool_id, "Google_") == []


async def test_the_providers_own_error_reaches_the_callback(
    cognito: Any, fed_server: Server, standins: Standins, application: Application, page: Page
) -> None:
    pool_id = make_pool(cognito)
    add_google(cognito, pool_id, standins)
    app = federated_app(cognito, application, ["Google"], pool_id)
    standins.faults.add("deny")
    got, _verifier, _nonce = await sign_in(page, fed_server, app, provider="Google")
    assert got["error"] == "access_denied"
    assert got["error_description"] == "The user denied access."
    assert users_named(cognito, pool_id, "Google_") == []
