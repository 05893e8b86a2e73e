"""CreateIdentityProvider and its siblings, AdminLinkProviderForUser's and
AdminDisableProviderForUser's refusals, GetSigningCertificate, and app clients'
SupportedIdentityProviders, through boto3 on SQLite and PostgreSQL. (The sign-ins
themselves: tests/federation, in Chromium.)"""

from __future__ import annotations

import datetime
from base64 import b64decode
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.api.helpers import client, email_pool, error_of
from tests.conftest import Server

GOOGLE = {
    "client_id": "1example23456789.apps.googleusercontent.com",
    "client_secret": "google-client-secret-value",
    "authorize_scopes": "email profile openid",
}
METADATA = """<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/slo"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"""


def apple_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def pool_id(cognito: Any) -> str:
    return str(email_pool(cognito)["Id"])


def refused(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        call(**kwargs)
    return error_of(exc)


def test_google_round_trip(cognito: Any, pool_id: str) -> None:
    created = cognito.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails=GOOGLE,
        AttributeMapping={"email": "email"},
        IdpIdentifiers=["gmail.com"],
    )["IdentityProvider"]
    details = created["ProviderDetails"]
    # Describe's keys, as the API reference lists them for Google.
    assert details["authorize_url"] == "https://accounts.google.com/o/oauth2/v2/auth"
    assert details["token_url"] == "https://www.googleapis.com/oauth2/v4/token"
    assert details["oidc_issuer"] == "https://accounts.google.com"
    assert details["token_request_method"] == "POST"
    assert details["attributes_url_add_attributes"] == "true"
    assert details["client_secret"] == GOOGLE["client_secret"]
    assert created["AttributeMapping"] == {"email": "email", "username": "sub"}
    assert created["IdpIdentifiers"] == ["gmail.com"]

    described = cognito.describe_identity_provider(UserPoolId=pool_id, ProviderName="Google")
    assert described["IdentityProvider"]["ProviderDetails"] == details
    by_identifier = cognito.get_identity_provider_by_identifier(
        UserPoolId=pool_id, IdpIdentifier="gmail.com"
    )["IdentityProvider"]
    assert by_identifier["ProviderName"] == "Google"

    # Describe's answer sent back as an update is accepted; only what is sent changes.
    updated = cognito.update_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Google",
        ProviderDetails={**details, "authorize_scopes": "openid email"},
    )["IdentityProvider"]
    assert updated["ProviderDetails"]["authorize_scopes"] == "openid email"
    assert updated["AttributeMapping"] == {"email": "email", "username": "sub"}
    assert updated["IdpIdentifiers"] == ["gmail.com"]
    assert updated["LastModifiedDate"] >= updated["CreationDate"]

    cognito.delete_identity_provider(UserPoolId=pool_id, ProviderName="Google")
    code, _ = refused(cognito.describe_identity_provider, UserPoolId=pool_id, ProviderName="Google")
    assert code == "ResourceNotFoundException"


def test_apple_private_key_is_never_returned_and_kept_on_update(cognito: Any, pool_id: str) -> None:
    key = apple_key()
    created = cognito.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="SignInWithApple",
        ProviderType="SignInWithApple",
        ProviderDetails={
            "client_id": "com.example.web",
            "team_id": "TEAM123456",
            "key_id": "KEY1234567",
            "private_key": key,
            "authorize_scopes": "email name",
        },
    )["IdentityProvider"]["ProviderDetails"]
    assert "private_key" not in created
    assert created["authorize_url"] == "https://appleid.apple.com/auth/authorize"
    updated = cognito.update_identity_provider(
        UserPoolId=pool_id,
        ProviderName="SignInWithApple",
        ProviderDetails={**created, "authorize_scopes": "email"},
    )["IdentityProvider"]["ProviderDetails"]
    assert "private_key" not in updated and updated["authorize_scopes"] == "email"


def test_secrets_are_sealed_at_rest(cognito: Any, pool_id: str, server: Server) -> None:
    if server.database_url:
        pytest.skip("reads the SQLite file; PostgreSQL keeps the same sealed bytes")
    key = apple_key()
    cognito.create_identity_provider(
        UserPoolId=pool_id, ProviderName="Google", ProviderType="Google", ProviderDetails=GOOGLE
    )
    cognito.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="SignInWithApple",
        ProviderType="SignInWithApple",
        ProviderDetails={
            "client_id": "com.example.web",
            "team_id": "T",
            "key_id": "K",
            "private_key": key,
            "authorize_scopes": "email",
        },
    )
    stored = b"".join(path.read_bytes() for path in Path(server.data_dir).glob("*.db*"))
    assert stored, "no SQLite files found"
    assert GOOGLE["client_secret"].encode() not in stored
    body = "".join(key.splitlines()[1:3]).encode()
    assert body not in stored


def test_listing_pages(cognito: Any, pool_id: str) -> None:
    for name in ("Alpha", "Beta", "Gamma"):
        cognito.create_identity_provider(
            UserPoolId=pool_id,
            ProviderName=name,
            ProviderType="OIDC",
            ProviderDetails={
                "client_id": name,
                "authorize_scopes": "openid",
                "oidc_issuer": f"https://{name.lower()}.example.com",
            },
        )
    first = cognito.list_identity_providers(UserPoolId=pool_id, MaxResults=2)
    rest = cognito.list_identity_providers(
        UserPoolId=pool_id, MaxResults=2, NextToken=first["NextToken"]
    )
    names = [p["ProviderName"] for p in first["Providers"] + rest["Providers"]]
    assert names == ["Alpha", "Beta", "Gamma"]
    assert "NextToken" not in rest
    assert {p["ProviderType"] for p in first["Providers"]} == {"OIDC"}


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"ProviderName": "MyGoogle", "ProviderType": "Google", "ProviderDetails": GOOGLE},
         "InvalidParameterException"),
        ({"ProviderName": "Google", "ProviderType": "Google",
          "ProviderDetails": {**GOOGLE, "unknown_key": "x"}}, "InvalidParameterException"),
        ({"ProviderName": "Google", "ProviderType": "Google",
          "ProviderDetails": {"client_id": "x", "authorize_scopes": "openid"}},
         "InvalidParameterException"),
        ({"ProviderName": "Corp", "ProviderType": "SAML",
          "ProviderDetails": {"MetadataFile": METADATA, "MetadataURL": "https://x/md"}},
         "InvalidParameterException"),
        ({"ProviderName": "Corp", "ProviderType": "SAML",
          "ProviderDetails": {"MetadataFile": "<not-metadata/>"}}, "InvalidParameterException"),
        ({"ProviderName": "Corp", "ProviderType": "OIDC",
          "ProviderDetails": {"client_id": "c", "authorize_scopes": "openid",
                              "oidc_issuer": "https://i.example.com"},
          "AcrMapping": {"Level1": "urn:x"}}, "InvalidParameterException"),
        ({"ProviderName": "Corp", "ProviderType": "OIDC",
          "ProviderDetails": {"client_id": "c", "authorize_scopes": "openid",
                              "oidc_issuer": "https://i.example.com"},
          "AttributeMapping": {"favourite_colour": "colour"}}, "InvalidParameterException"),
        ({"ProviderName": "SignInWithApple", "ProviderType": "SignInWithApple",
          "ProviderDetails": {"client_id": "c", "team_id": "t", "key_id": "k",
                              "private_key": "not a key", "authorize_scopes": "email"}},
         "InvalidParameterException"),
    ],
)  # fmt: skip
def test_refused_providers(cognito: Any, pool_id: str, kwargs: dict[str, Any], code: str) -> None:
    found, message = refused(cognito.create_identity_provider, UserPoolId=pool_id, **kwargs)
    assert found == code and message
    assert cognito.list_identity_providers(UserPoolId=pool_id)["Providers"] == []


def test_duplicates(cognito: Any, pool_id: str) -> None:
    cognito.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Corp",
        ProviderType="SAML",
        ProviderDetails={"MetadataFile": METADATA},
        IdpIdentifiers=["corp.example.com"],
    )
    code, _ = refused(
        cognito.create_identity_provider,
        UserPoolId=pool_id,
        ProviderName="Corp",
        ProviderType="SAML",
        ProviderDetails={"MetadataFile": METADATA},
    )
    assert code == "DuplicateProviderException"
    code, message = refused(
        cognito.create_identity_provider,
        UserPoolId=pool_id,
        ProviderName="Other",
        ProviderType="SAML",
        ProviderDetails={"MetadataFile": METADATA},
        IdpIdentifiers=["corp.example.com"],
    )
    assert code == "DuplicateProviderException" and "corp.example.com" in message
    described = cognito.describe_identity_provider(UserPoolId=pool_id, ProviderName="Corp")
    details = described["IdentityProvider"]["ProviderDetails"]
    assert details["SSORedirectBindingURI"] == "https://idp.example.com/sso"
    assert details["SLORedirectBindingURI"] == "https://idp.example.com/slo"


def test_app_clients_support_configured_providers_only(cognito: Any, pool_id: str) -> None:
    code, message = refused(
        cognito.create_user_pool_client,
        UserPoolId=pool_id,
        ClientName="web",
        SupportedIdentityProviders=["COGNITO", "Google"],
    )
    assert code == "InvalidParameterException" and "Google" in message
    cognito.create_identity_provider(
        UserPoolId=pool_id, ProviderName="Google", ProviderType="Google", ProviderDetails=GOOGLE
    )
    made = client(cognito, pool_id, SupportedIdentityProviders=["COGNITO", "Google"])
    assert made["SupportedIdentityProviders"] == ["COGNITO", "Google"]


def test_signing_certificate(cognito: Any, pool_id: str) -> None:
    body = cognito.get_signing_certificate(UserPoolId=pool_id)["Certificate"]
    certificate = x509.load_der_x509_certificate(b64decode(body))
    assert pool_id in certificate.subject.rfc4514_string()
    lifetime = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert lifetime > datetime.timedelta(days=3649)
    # Stable: the same certificate on every call.
    assert cognito.get_signing_certificate(UserPoolId=pool_id)["Certificate"] == body
    code, _ = refused(cognito.get_signing_certificate, UserPoolId="us-east-1_Nope12345")
    assert code == "ResourceNotFoundException"


def test_linking_refusals(cognito: Any, pool_id: str) -> None:
    cognito.create_identity_provider(
        UserPoolId=pool_id, ProviderName="Google", ProviderType="Google", ProviderDetails=GOOGLE
    )
    google = {
        "ProviderName": "Google",
        "ProviderAttributeName": "Cognito_Subject",
        "ProviderAttributeValue": "1234",
    }
    code, _ = refused(
        cognito.admin_link_provider_for_user,
        UserPoolId=pool_id,
        DestinationUser={"ProviderName": "Cognito", "ProviderAttributeValue": "nobody@x.com"},
        SourceUser=google,
    )
    assert code == "UserNotFoundException"
    cognito.admin_create_user(
        UserPoolId=pool_id, Username="a@example.com", MessageAction="SUPPRESS"
    )
    destination = {"ProviderName": "Cognito", "ProviderAttributeValue": "a@example.com"}
    code, _ = refused(
        cognito.admin_link_provider_for_user,
        UserPoolId=pool_id,
        DestinationUser=destination,
        SourceUser={**google, "ProviderAttributeName": "email"},
    )
    assert code == "InvalidParameterException"
    code, _ = refused(
        cognito.admin_link_provider_for_user,
        UserPoolId=pool_id,
        DestinationUser=destination,
        SourceUser={**google, "ProviderName": "Nowhere"},
    )
    assert code == "ResourceNotFoundException"
    cognito.admin_link_provider_for_user(
        UserPoolId=pool_id, DestinationUser=destination, SourceUser=google
    )
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="a@example.com")
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert '"providerName":"Google"' in attributes["identities"]
    code, _ = refused(
        cognito.admin_disable_provider_for_user,
        UserPoolId=pool_id,
        User={**google, "ProviderAttributeValue": "9999"},
    )
    assert code == "UserNotFoundException"
    code, _ = refused(
        cognito.admin_disable_provider_for_user,
        UserPoolId=pool_id,
        User={"ProviderName": "Cognito", "ProviderAttributeName": "Cognito_Subject",
              "ProviderAttributeValue": "a@example.com"},
    )  # fmt: skip
    assert code == "InvalidParameterException"
    cognito.admin_disable_provider_for_user(UserPoolId=pool_id, User=google)
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="a@example.com")
    assert "identities" not in {a["Name"] for a in user["UserAttributes"]}
