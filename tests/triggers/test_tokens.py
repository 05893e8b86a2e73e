"""Pre token generation, versions 1, 2 and 3, for every source: the function's claims
and scopes in tokens verified with PyJWT against the pool's JWKS (aws-jwt-verify
judges them too, in tests/node/test_node_triggers.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.api.helpers import STRONG, email
from tests.mfa.test_devices_api import device_sign_in, srp_until_challenge
from tests.oauth.helpers import CALLBACK, http_code, http_sign_in, make_app, pkce, token_request
from tests.triggers.conftest import Deployment
from tests.triggers.helpers import password_sign_in, user, verify
from tests.triggers.oracle import check_records

ADMIN_SCOPE = "aws.cognito.signin.user.admin"


def claims(deployment: Deployment, pool: str, client_id: str, result: dict[str, Any]) -> Any:
    """The id and access token claims of an AuthenticationResult, both verified."""
    return (
        verify(deployment, pool, result["IdToken"], audience=client_id),
        verify(deployment, pool, result["AccessToken"], options={"verify_aud": False}),
    )


def test_version_1_changes_the_id_token_and_the_groups(deployment: Deployment) -> None:
    pool = deployment.pool({"PreTokenGeneration": "token-v1"})
    client_id = deployment.client(pool)
    deployment.cognito.create_group(UserPoolId=pool, GroupName="travellers")
    address = user(deployment, pool)
    deployment.cognito.admin_add_user_to_group(
        UserPoolId=pool, Username=address, GroupName="travellers"
    )
    result = password_sign_in(deployment, client_id, address)["AuthenticationResult"]
    id_token, access = claims(deployment, pool, client_id, result)
    assert id_token["tier"] == "gold"
    assert id_token["trigger_source"] == "TokenGeneration_Authentication"
    assert id_token["name"] == "Overridden Name"
    assert "email" not in id_token  # suppressed
    # The claims Cognito keeps for itself are not the function's to change.
    assert id_token["sub"] == access["sub"] and id_token["sub"] != "not-the-sub"
    assert id_token["token_use"] == "id"
    assert id_token["cognito:groups"] == ["travellers", "vip"]
    assert access["cognito:groups"] == ["travellers", "vip"]
    assert "tier" not in access  # version 1 changes the id token only

    # The same function for the other sources: a new password, and a refresh.
    invited = email()
    deployment.cognito.admin_create_user(
        UserPoolId=pool, Username=invited, TemporaryPassword="Temp!Pass123",
        MessageAction="SUPPRESS", UserAttributes=[{"Name": "email", "Value": invited}],
    )  # fmt: skip
    challenge = password_sign_in(deployment, client_id, invited, "Temp!Pass123")
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    chosen = deployment.cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": invited, "NEW_PASSWORD": STRONG},
    )["AuthenticationResult"]  # fmt: skip
    id_token, _ = claims(deployment, pool, client_id, chosen)
    assert id_token["trigger_source"] == "TokenGeneration_NewPasswordChallenge"
    assert id_token["cognito:groups"] == ["vip"]

    refreshed = deployment.cognito.initiate_auth(
        ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]},
    )["AuthenticationResult"]  # fmt: skip
    id_token, _ = claims(deployment, pool, client_id, refreshed)
    assert id_token["trigger_source"] == "TokenGeneration_RefreshTokens"
    assert id_token["tier"] == "gold" and "email" not in id_token

    events = deployment.events(pool)
    assert [e["triggerSource"] for e in events] == [
        "TokenGeneration_Authentication",
        "TokenGeneration_NewPasswordChallenge",
        "TokenGeneration_RefreshTokens",
    ]
    first = events[0]
    assert first["version"] == "1"
    assert first["request"]["groupConfiguration"] == {
        "groupsToOverride": ["travellers"], "iamRolesToOverride": [], "preferredRole": None
    }  # fmt: skip
    assert first["request"]["userAttributes"]["email"] == address
    assert first["response"] == {"claimsOverrideDetails": None}
    assert check_records(deployment.records(pool)) == set()


def test_version_2_changes_both_tokens_and_the_scopes(deployment: Deployment) -> None:
    pool = deployment.pool({"PreTokenGenerationConfig": ("V2_0", "token-v2")})
    client_id = deployment.client(pool)
    address = user(deployment, pool)
    result = password_sign_in(deployment, client_id, address)["AuthenticationResult"]
    id_token, access = claims(deployment, pool, client_id, result)
    assert id_token["tier"] == "gold" and "email" not in id_token
    assert id_token["trigger_source"] == "TokenGeneration_Authentication"
    assert access["tier"] == "gold" and access["trips"] == ["kyoto", "lisbon"]
    assert access["scope"] == f"{ADMIN_SCOPE} travelguide/trips.read"
    assert "auth_time" in access  # Cognito's own: not suppressed
    # The access token still serves the user's own API.
    attributes = deployment.cognito.get_user(AccessToken=result["AccessToken"])
    assert {"Name": "email", "Value": address} in attributes["UserAttributes"]

    [event] = deployment.events(pool)
    assert event["version"] == "2"
    assert event["request"]["scopes"] == [ADMIN_SCOPE]
    assert event["response"] == {"claimsAndScopeOverrideDetails": None}
    assert check_records(deployment.records(pool)) == {"scopes list"}


def test_version_2_in_the_hosted_code_flow(deployment: Deployment) -> None:
    pool = deployment.pool({"PreTokenGenerationConfig": ("V2_0", "token-v2")})
    app = make_app(deployment.cognito, pool)
    address = user(deployment, pool)
    code, verifier = http_code(deployment.server, app, address)
    # The function ran when the browser signed in, before the code was exchanged.
    [event] = deployment.events(pool)
    assert event["triggerSource"] == "TokenGeneration_HostedAuth"
    assert event["request"]["scopes"] == ["openid", "email", "profile"]
    assert event["callerContext"]["clientId"] == app.client_id
    answer = token_request(
        deployment.server, app,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": app.callback,
         "code_verifier": verifier},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    tokens = answer.json()
    id_token = verify(deployment, pool, tokens["id_token"], audience=app.client_id)
    access = verify(deployment, pool, tokens["access_token"], options={"verify_aud": False})
    assert id_token["trigger_source"] == "TokenGeneration_HostedAuth"
    assert "email" not in id_token
    assert access["scope"].split() == ["openid", "profile", "travelguide/trips.read"]
    assert access["trips"] == ["kyoto", "lisbon"]

    # A refresh at the token endpoint: TokenGeneration_RefreshTokens.
    refreshed = token_request(
        deployment.server, app,
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )  # fmt: skip
    assert refreshed.status_code == 200, refreshed.text
    access = verify(
        deployment, pool, refreshed.json()["access_token"], options={"verify_aud": False}
    )
    assert access["trigger_source"] == "TokenGeneration_RefreshTokens"
    assert access["scope"].split() == ["openid", "profile", "travelguide/trips.read"]
    check_records(deployment.records(pool))


def test_a_failing_function_in_the_hosted_flow_returns_to_the_app(
    deployment: Deployment,
) -> None:
    pool = deployment.pool({"PreTokenGeneration": "crash"})
    app = make_app(deployment.cognito, pool)
    address = user(deployment, pool)
    _, challenge = pkce()
    params = app.authorize_params(code_challenge=challenge, code_challenge_method="S256")
    with httpx.Client(base_url=deployment.url) as http:
        answer = http_sign_in(http, params, address)
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "?"), location
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["error"] == "invalid_request"
    assert query["error_description"].startswith("PreTokenGeneration failed with error ")
    assert query["state"] == params["state"]
    assert "code" not in query


def test_version_3_changes_machine_to_machine_tokens(deployment: Deployment) -> None:
    pools = {
        version: deployment.pool({"PreTokenGenerationConfig": (version, "token-v2")})
        for version in ("V2_0", "V3_0")
    }
    machines = {}
    for version, pool in pools.items():
        deployment.cognito.create_resource_server(
            UserPoolId=pool, Identifier="travel", Name="TravelGuide API",
            Scopes=[{"ScopeName": "read", "ScopeDescription": "Read trips"}],
        )  # fmt: skip
        machines[version] = make_app(
            deployment.cognito, pool, secret=True, flows=["client_credentials"],
            scopes=["travel/read"],
        )  # fmt: skip
    minted = {}
    for version, machine in machines.items():
        answer = token_request(deployment.server, machine, {"grant_type": "client_credentials"})
        assert answer.status_code == 200, answer.text
        minted[version] = verify(
            deployment, pools[version], answer.json()["access_token"],
            options={"verify_aud": False},
        )  # fmt: skip
    # Version 2 is not asked about machine-to-machine tokens; version 3 is.
    assert deployment.events(pools["V2_0"]) == []
    assert minted["V2_0"]["scope"] == "travel/read" and "tier" not in minted["V2_0"]
    access = minted["V3_0"]
    assert access["tier"] == "gold"
    assert access["trigger_source"] == "TokenGeneration_ClientCredentials"
    assert access["scope"] == "travel/read travelguide/trips.read"
    assert access["client_id"] == machines["V3_0"].client_id
    [event] = deployment.events(pools["V3_0"])
    assert event["version"] == "3"
    assert event["request"]["scopes"] == ["travel/read"]
    assert event["request"]["userAttributes"] == {}
    assert event["callerContext"]["clientId"] == machines["V3_0"].client_id
    assert check_records(deployment.records(pools["V3_0"])) == {"scopes list"}

    # Version 3 still runs for users' sign-ins.
    client_id = deployment.client(pools["V3_0"])
    result = password_sign_in(deployment, client_id, user(deployment, pools["V3_0"]))
    _, access = claims(deployment, pools["V3_0"], client_id, result["AuthenticationResult"])
    assert access["trigger_source"] == "TokenGeneration_Authentication"


def test_a_remembered_device_signs_in_with_its_own_source(deployment: Deployment) -> None:
    pool = deployment.pool(
        {"PreTokenGenerationConfig": ("V2_0", "token-v2")},
        DeviceConfiguration={
            "ChallengeRequiredOnNewDevice": False, "DeviceOnlyRememberedOnUserPrompt": False
        },
    )  # fmt: skip
    app = {"pool": pool, "client": deployment.client(pool)}
    address = user(deployment, pool)
    _, first = srp_until_challenge(deployment.cognito, app, address)
    result = first["AuthenticationResult"]
    metadata = result["NewDeviceMetadata"]
    from pycognito.aws_srp import generate_hash_device

    password, config = generate_hash_device(metadata["DeviceGroupKey"], metadata["DeviceKey"])
    deployment.cognito.confirm_device(
        AccessToken=result["AccessToken"], DeviceKey=metadata["DeviceKey"],
        DeviceSecretVerifierConfig=config, DeviceName="laptop",
    )  # fmt: skip
    device = {"device_key": metadata["DeviceKey"], "device_group_key": metadata["DeviceGroupKey"],
              "device_password": password}  # fmt: skip
    srp, step = srp_until_challenge(deployment.cognito, app, address, **device)
    signed_in = device_sign_in(deployment.cognito, app, srp, step)["AuthenticationResult"]
    id_token, access = claims(deployment, pool, app["client"], signed_in)
    assert id_token["trigger_source"] == "TokenGeneration_AuthenticateDevice"
    assert access["trigger_source"] == "TokenGeneration_AuthenticateDevice"
    sources = [e["triggerSource"] for e in deployment.events(pool)]
    assert sources == ["TokenGeneration_Authentication", "TokenGeneration_AuthenticateDevice"]
    check_records(deployment.records(pool))
