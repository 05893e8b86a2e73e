"""Passkeys through boto3 against a running server, with a software authenticator
(bench/soft_authenticator.py) for the browser's part, verified by py_webauthn on
the server: registration (attestation), USER_AUTH with WEB_AUTHN (assertion), and the
refusals: a tampered signature, a foreign origin, a replayed challenge, a passkey for
another relying party, a pool without passkeys."""

from __future__ import annotations

import json
from typing import Any

import pytest
from bench.soft_authenticator import SoftAuthenticator, b64url
from botocore.exceptions import ClientError

from tests.api.helpers import FLOWS, POLICY, STRONG, client, error_of
from tests.api.test_sign_in import confirmed_user
from tests.conftest import Server

ORIGIN = "http://localhost:5173"


@pytest.fixture
def app(cognito: Any) -> dict[str, str]:
    pool = cognito.create_user_pool(
        PoolName="TravelGuide-passkeys", UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Policies={"PasswordPolicy": POLICY,
                  "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}},
    )["UserPool"]  # fmt: skip
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool["Id"],
        WebAuthnConfiguration={"RelyingPartyId": "localhost", "UserVerification": "preferred"},
    )
    web = client(
        cognito, pool["Id"], ExplicitAuthFlows=[*FLOWS, "ALLOW_USER_AUTH"],
        CallbackURLs=[f"{ORIGIN}/callback"], AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"], AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
    )  # fmt: skip
    return {"pool": pool["Id"], "client": web["ClientId"]}


def access_token(cognito: Any, app: dict[str, str], username: str) -> str:
    return str(
        cognito.initiate_auth(
            ClientId=app["client"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": STRONG},
        )["AuthenticationResult"]["AccessToken"]
    )


def register(cognito: Any, token: str, authenticator: SoftAuthenticator) -> dict[str, Any]:
    options = cognito.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    cognito.complete_web_authn_registration(
        AccessToken=token, Credential=authenticator.create(options)
    )
    return dict(options)


def passkey_challenge(cognito: Any, app: dict[str, str], username: str) -> dict[str, Any]:
    started = cognito.initiate_auth(
        ClientId=app["client"], AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, "PREFERRED_CHALLENGE": "WEB_AUTHN"},
    )  # fmt: skip
    assert started["ChallengeName"] == "WEB_AUTHN"
    return dict(started)


def answer(cognito: Any, app: dict[str, str], challenge: dict[str, Any], credential: Any) -> Any:
    return cognito.respond_to_auth_challenge(
        ClientId=app["client"], ChallengeName="WEB_AUTHN", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": challenge["ChallengeParameters"]["USERNAME"],
                            "CREDENTIAL": json.dumps(credential)},
    )  # fmt: skip


def test_register_then_sign_in_without_a_password(
    server: Server, cognito: Any, app: dict[str, str]
) -> None:
    username = confirmed_user(cognito, app["pool"])
    token = access_token(cognito, app, username)
    authenticator = SoftAuthenticator(origin=ORIGIN)
    options = register(cognito, token, authenticator)
    assert options["rp"]["id"] == "localhost"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    listed = cognito.list_web_authn_credentials(AccessToken=token)["Credentials"]
    assert [c["CredentialId"] for c in listed] == [b64url(authenticator.credential_id)]
    assert listed[0]["RelyingPartyId"] == "localhost"
    assert listed[0]["AuthenticatorTransports"] == ["internal"]

    first = cognito.initiate_auth(
        ClientId=app["client"], AuthFlow="USER_AUTH", AuthParameters={"USERNAME": username}
    )
    assert first["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "WEB_AUTHN"]
    challenge = passkey_challenge(cognito, app, username)
    request = json.loads(challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    assert request["rpId"] == "localhost"
    assert request["allowCredentials"][0]["id"] == b64url(authenticator.credential_id)
    assertion = authenticator.get(request)
    done = answer(cognito, app, challenge, assertion)
    assert done["AuthenticationResult"]["IdToken"]
    # The same assertion again: its challenge was used.
    with pytest.raises(ClientError) as exc:
        answer(cognito, app, challenge, assertion)
    assert error_of(exc)[0] == "NotAuthorizedException"

    cognito.delete_web_authn_credential(AccessToken=token, CredentialId=listed[0]["CredentialId"])
    assert cognito.list_web_authn_credentials(AccessToken=token)["Credentials"] == []


def test_tampered_and_foreign_assertions_are_refused(cognito: Any, app: dict[str, str]) -> None:
    username = confirmed_user(cognito, app["pool"])
    authenticator = SoftAuthenticator(origin=ORIGIN)
    register(cognito, access_token(cognito, app, username), authenticator)

    challenge = passkey_challenge(cognito, app, username)
    request = json.loads(challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
    tampered = authenticator.get(request)
    signature = bytearray(tampered["response"]["signature"].encode())
    signature[-3] = ord("A") if signature[-3] != ord("A") else ord("B")
    tampered["response"]["signature"] = signature.decode()
    with pytest.raises(ClientError) as exc:
        answer(cognito, app, challenge, tampered)
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")

    for wrong in (SoftAuthenticator(origin="https://evil.example"),):
        wrong.key, wrong.credential_id = authenticator.key, authenticator.credential_id
        wrong.sign_count = authenticator.sign_count
        challenge = passkey_challenge(cognito, app, username)
        request = json.loads(challenge["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"])
        with pytest.raises(ClientError) as exc:
            answer(cognito, app, challenge, wrong.get(request))
        assert error_of(exc)[0] == "NotAuthorizedException"
    # Another relying party's passkey cannot be registered here.
    token = access_token(cognito, app, username)
    options = cognito.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    with pytest.raises(ClientError) as exc:
        cognito.complete_web_authn_registration(
            AccessToken=token,
            Credential=SoftAuthenticator(origin=ORIGIN).create(options, rp_id="evil.example"),
        )
    assert error_of(exc)[0] == "WebAuthnRelyingPartyMismatchException"
    options = cognito.start_web_authn_registration(AccessToken=token)["CredentialCreationOptions"]
    with pytest.raises(ClientError) as exc:
        cognito.complete_web_authn_registration(
            AccessToken=token,
            Credential=SoftAuthenticator(origin="https://evil.example").create(options),
        )
    assert error_of(exc)[0] == "WebAuthnOriginNotAllowedException"


def test_pools_without_passkeys_refuse_registration(cognito: Any) -> None:
    pool = cognito.create_user_pool(
        PoolName="no-passkeys", UsernameAttributes=["email"], Policies={"PasswordPolicy": POLICY}
    )["UserPool"]
    app = {"pool": pool["Id"], "client": client(cognito, pool["Id"])["ClientId"]}
    username = confirmed_user(cognito, app["pool"])
    with pytest.raises(ClientError) as exc:
        cognito.start_web_authn_registration(AccessToken=access_token(cognito, app, username))
    assert error_of(exc)[0] == "WebAuthnNotEnabledException"
    with pytest.raises(ClientError) as exc:
        cognito.set_user_pool_mfa_config(
            UserPoolId=pool["Id"],
            WebAuthnConfiguration={"FactorConfiguration": "MULTI_FACTOR_WITH_USER_VERIFICATION"},
        )
    assert error_of(exc)[0] == "InvalidParameterException"
