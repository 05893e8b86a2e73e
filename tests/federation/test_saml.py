"""SAML 2.0 end to end in Chromium with a pysaml2 identity provider signing real
assertions (xmlsec1): SP-initiated with signed AuthnRequests and encrypted
assertions, IdP-initiated, metadata by URL and by file; then the responses Poolgate
must refuse (unsigned, signed by another key, for another audience, expired), each
reported at the application's callback with no user created."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from playwright.async_api import Page

from tests.conftest import Server
from tests.federation.flows import federated_app, identity, sign_in, users_named, verified
from tests.federation.saml_idp import EMAIL, GIVEN, GROUPS, SamlIdp, relay_for
from tests.federation.standins import ThreadedServer
from tests.oauth.conftest import Application
from tests.oauth.helpers import App, make_pool, pkce, query_of

pytestmark = pytest.mark.browser


@pytest.fixture
def saml_pool(cognito: Any) -> str:
    schema = [{"Name": "groups", "AttributeDataType": "String", "Mutable": True}]
    return make_pool(cognito, Schema=schema)


@pytest.fixture
def idp(fed_server: Server, saml_pool: str, tmp_path: Path) -> Iterator[SamlIdp]:
    metadata = httpx.get(f"{fed_server.url}/saml2/metadata", params={"user_pool_id": saml_pool})
    assert metadata.status_code == 200
    assert f'entityID="urn:amazon:cognito:sp:{saml_pool}"' in metadata.text
    provider = SamlIdp(tmp_path, metadata.text)
    app = provider.app(f"urn:amazon:cognito:sp:{saml_pool}", f"{fed_server.url}/saml2/idpresponse")
    with ThreadedServer(app, provider.port):
        yield provider


def add_saml(cognito: Any, pool_id: str, idp: SamlIdp, **details: str) -> None:
    cognito.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="StaffIdP",
        ProviderType="SAML",
        ProviderDetails={"MetadataURL": f"{idp.url}/metadata", **details},
        AttributeMapping={"email": EMAIL, "given_name": GIVEN, "custom:groups": GROUPS},
        IdpIdentifiers=["travelguide.example"],
    )


async def _continue(page: Page) -> None:
    await page.get_by_role("button", name="Continue to the application").click()


async def test_sp_initiated_with_signed_requests_and_encrypted_assertions(
    cognito: Any,
    fed_server: Server,
    application: Application,
    page: Page,
    saml_pool: str,
    idp: SamlIdp,
) -> None:
    add_saml(cognito, saml_pool, idp, RequestSigningAlgorithm="rsa-sha256",
             EncryptedResponses="true", IDPSignout="false")  # fmt: skip
    idp.encrypt = True
    described = cognito.describe_identity_provider(UserPoolId=saml_pool, ProviderName="StaffIdP")
    details = described["IdentityProvider"]["ProviderDetails"]
    certificate = cognito.get_signing_certificate(UserPoolId=saml_pool)["Certificate"]
    assert details["ActiveEncryptionCertificate"] == certificate
    app = federated_app(cognito, application, ["COGNITO", "StaffIdP"], saml_pool)
    got, verifier, nonce = await sign_in(
        page, fed_server, app, button="Continue with StaffIdP", interact=_continue
    )
    claims = verified(fed_server, app, got, verifier, nonce)
    assert claims["cognito:username"] == f"StaffIdP_{idp.user}"
    assert claims["email"] == idp.email and claims["given_name"] == idp.given_name
    assert claims["custom:groups"] == "staff,guides"
    entry = identity(claims)
    assert entry["providerType"] == "SAML" and entry["issuer"] == idp.entity_id
    # The IdP checked the AuthnRequest's signature against the SP metadata's certificate.
    assert idp.signed_requests == [True]

    # By the IdP identifier: straight to the IdP, the same user again.
    await page.context.clear_cookies()
    verifier2, challenge = pkce()
    params = app.authorize_params(
        idp_identifier="travelguide.example", code_challenge=challenge, nonce="n2"
    )
    await page.goto(f"{fed_server.url}/oauth2/authorize?{urlencode(params)}")
    await _continue(page)
    await page.wait_for_url(f"{app.callback}?*")
    again = verified(fed_server, app, query_of(page.url), verifier2, "n2")
    assert again["sub"] == claims["sub"]
    assert len(users_named(cognito, saml_pool, "StaffIdP_")) == 1


async def test_idp_initiated(
    cognito: Any,
    fed_server: Server,
    application: Application,
    page: Page,
    saml_pool: str,
    idp: SamlIdp,
) -> None:
    cognito.create_identity_provider(
        UserPoolId=saml_pool,
        ProviderName="StaffIdP",
        ProviderType="SAML",
        ProviderDetails={"MetadataFile": idp.metadata(), "IDPInit": "true"},
        AttributeMapping={"email": EMAIL},
    )
    described = cognito.describe_identity_provider(UserPoolId=saml_pool, ProviderName="StaffIdP")
    details = described["IdentityProvider"]["ProviderDetails"]
    assert details["SSORedirectBindingURI"] == f"{idp.url}/sso/redirect"
    app = _confidential(cognito, application, saml_pool)
    relay = relay_for(
        {
            "identity_provider": "StaffIdP",
            "client_id": app.client_id,
            "redirect_uri": app.callback,
            "response_type": "code",
            "scope": "openid email",
        }
    )
    await page.goto(f"{idp.url}/idp-init?{urlencode({'relay': relay})}")
    await _continue(page)
    await page.wait_for_url(f"{app.callback}?*")
    got = query_of(page.url)
    assert "code" in got, got
    from tests.oauth.helpers import token_request

    tokens = token_request(
        fed_server,
        app,
        {"grant_type": "authorization_code", "code": got["code"], "redirect_uri": app.callback},
    )
    assert tokens.status_code == 200, tokens.text
    from tests.federation.conftest import verify_tokens

    id_claims, _ = verify_tokens(fed_server, saml_pool, app.client_id, tokens.json())
    assert id_claims["cognito:username"] == f"StaffIdP_{idp.user}"
    assert id_claims["email"] == idp.email
    entry = identity(id_claims)
    assert entry["providerName"] == "StaffIdP" and entry["userId"] == idp.user


def _confidential(cognito: Any, application: Application, pool_id: str) -> App:
    """IdP-initiated sign-in carries no PKCE challenge: a client with a secret."""
    from tests.oauth.helpers import make_app

    return make_app(
        cognito,
        pool_id,
        secret=True,
        callback=application.callback,
        signed_out=application.signed_out,
        SupportedIdentityProviders=["StaffIdP"],
    )


async def test_idp_initiated_is_refused_unless_enabled(
    cognito: Any,
    fed_server: Server,
    application: Application,
    page: Page,
    saml_pool: str,
    idp: SamlIdp,
) -> None:
    add_saml(cognito, saml_pool, idp)
    app = _confidential(cognito, application, saml_pool)
    relay = relay_for(
        {
            "identity_provider": "StaffIdP",
            "client_id": app.client_id,
            "redirect_uri": app.callback,
            "response_type": "code",
            "scope": "openid",
            "state": "s1",
        }
    )
    await page.goto(f"{idp.url}/idp-init?{urlencode({'relay': relay})}")
    await _continue(page)
    await page.wait_for_url(f"{app.callback}?*")
    got = query_of(page.url)
    assert got["error"] == "invalid_request" and "code" not in got
    assert "IdP-initiated" in got["error_description"]
    assert users_named(cognito, saml_pool, "StaffIdP_") == []


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("unsigned", "signature"),
        ("wrong-key", "signature"),
        ("audience", "audience"),
        ("expired", "expired"),
    ],
)
async def test_a_bad_assertion_is_refused_at_the_callback(
    cognito: Any,
    fed_server: Server,
    application: Application,
    page: Page,
    saml_pool: str,
    idp: SamlIdp,
    fault: str,
    reason: str,
) -> None:
    add_saml(cognito, saml_pool, idp)
    app = federated_app(cognito, application, ["StaffIdP"], saml_pool)
    idp.faults.add(fault)
    got, _verifier, _nonce = await sign_in(
        page, fed_server, app, provider="StaffIdP", interact=_continue
    )
    assert "code" not in got
    assert got["error"] == "invalid_request"
    assert got["error_description"].startswith("Invalid SAML response received")
    assert reason in got["error_description"]
    assert users_named(cognito, saml_pool, "StaffIdP_") == []


async def test_single_logout_through_the_idp(
    cognito: Any,
    fed_server: Server,
    application: Application,
    page: Page,
    saml_pool: str,
    idp: SamlIdp,
) -> None:
    add_saml(cognito, saml_pool, idp, IDPSignout="true")
    app = federated_app(cognito, application, ["StaffIdP"], saml_pool)
    got, verifier, nonce = await sign_in(
        page, fed_server, app, provider="StaffIdP", interact=_continue
    )
    verified(fed_server, app, got, verifier, nonce)
    logout = urlencode({"client_id": app.client_id, "logout_uri": application.signed_out})
    await page.goto(f"{fed_server.url}/logout?{logout}")
    await page.wait_for_url(f"{application.signed_out}*")
    # The IdP was asked to end the session of that NameID, and answered.
    [(name_id, indexes)] = idp.logouts
    assert name_id == idp.user and indexes
    cookies = {c["name"] for c in await page.context.cookies(fed_server.url)}
    assert f"poolgate_session_{saml_pool}" not in cookies
    assert f"poolgate_saml_{saml_pool}" not in cookies
    # A forged RelayState never becomes a redirect.
    answer = httpx.get(
        f"{fed_server.url}/saml2/logout",
        params={"SAMLResponse": "x", "RelayState": "https://evil.example/"},
    )
    assert answer.status_code == 400 and "location" not in answer.headers
