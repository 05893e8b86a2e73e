"""Pre and post authentication through boto3, pycognito's SRP and the hosted sign-in
page: the functions see the user and the app's metadata, and a refusal refuses the
sign-in with Cognito's error."""

from __future__ import annotations

import httpx
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from tests.api.helpers import STRONG, error_of
from tests.oauth.helpers import csrf_of, make_app, pkce
from tests.triggers.conftest import Deployment
from tests.triggers.helpers import password_sign_in, user
from tests.triggers.oracle import check_records


def test_pre_authentication_sees_the_app_metadata_and_may_refuse(
    deployment: Deployment,
) -> None:
    pool = deployment.pool({"PreAuthentication": "pre-authentication"})
    client_id = deployment.client(pool)
    address = user(deployment, pool)

    assert password_sign_in(deployment, client_id, address, ClientMetadata={"device": "laptop"})[
        "AuthenticationResult"
    ]["IdToken"]
    with pytest.raises(ClientError) as exc:
        password_sign_in(deployment, client_id, address, ClientMetadata={"device": "blocked"})
    assert error_of(exc) == (
        "UserLambdaValidationException",
        "PreAuthentication failed with error Sign-in from this device is blocked.",
    )
    # The function runs before the password is checked: a wrong one is refused by it too.
    with pytest.raises(ClientError) as exc:
        password_sign_in(
            deployment, client_id, address, "Wrong!Pass1", ClientMetadata={"device": "blocked"}
        )
    assert error_of(exc)[0] == "UserLambdaValidationException"
    # AdminInitiateAuth and SRP (USER_SRP_AUTH) run it too.
    with pytest.raises(ClientError) as exc:
        deployment.cognito.admin_initiate_auth(
            UserPoolId=pool, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": address, "PASSWORD": STRONG},
            ClientMetadata={"device": "blocked"},
        )  # fmt: skip
    assert error_of(exc)[0] == "UserLambdaValidationException"
    srp = AWSSRP(address, STRONG, pool, client_id, client=deployment.cognito)
    with pytest.raises(ClientError) as exc:
        deployment.cognito.initiate_auth(
            ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=srp.get_auth_params(),
            ClientMetadata={"device": "blocked"},
        )  # fmt: skip
    assert error_of(exc)[0] == "UserLambdaValidationException"
    assert srp.authenticate_user()["AuthenticationResult"]["AccessToken"]

    events = deployment.events(pool, "PreAuthentication_Authentication")
    assert len(events) == 6
    first = events[0]
    attributes = first["request"]["userAttributes"]
    assert attributes["email"] == address and attributes["name"] == "Jane Traveller"
    assert attributes["cognito:user_status"] == "CONFIRMED" and "sub" in attributes
    assert first["request"]["validationData"] == {"device": "laptop"}
    assert first["request"]["userNotFound"] is False
    assert first["callerContext"]["clientId"] == client_id
    assert first["userName"] == attributes["sub"]  # an email pool's user name is its sub
    assert events[-1]["request"]["validationData"] is None
    assert check_records(deployment.records(pool)) == set()


def test_post_authentication_runs_after_the_proof_and_may_refuse(
    deployment: Deployment,
) -> None:
    pool = deployment.pool({"PostAuthentication": "post-authentication"})
    client_id = deployment.client(pool)
    jane = user(deployment, pool)
    mallory = user(deployment, pool, name="Mallory")

    with pytest.raises(ClientError) as exc:
        password_sign_in(deployment, client_id, jane, "Wrong!Pass1")
    assert error_of(exc)[0] == "NotAuthorizedException"
    assert deployment.events(pool) == []  # not reached without the password
    assert password_sign_in(deployment, client_id, jane)["AuthenticationResult"]["IdToken"]
    with pytest.raises(ClientError) as exc:
        password_sign_in(deployment, client_id, mallory)
    assert error_of(exc) == (
        "UserLambdaValidationException",
        "PostAuthentication failed with error Mallory may not travel.",
    )

    # After a challenge, RespondToAuthChallenge's ClientMetadata reaches the function.
    srp = AWSSRP(jane, STRONG, pool, client_id, client=deployment.cognito)
    params = srp.get_auth_params()
    challenge = deployment.cognito.initiate_auth(
        ClientId=client_id, AuthFlow="USER_SRP_AUTH", AuthParameters=params
    )
    done = deployment.cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=srp.process_challenge(challenge["ChallengeParameters"], params),
        ClientMetadata={"screen": "checkout"},
    )  # fmt: skip
    assert done["AuthenticationResult"]["IdToken"]

    events = deployment.events(pool, "PostAuthentication_Authentication")
    assert len(events) == 3
    assert events[0]["request"]["newDeviceUsed"] is False
    assert "clientMetadata" not in events[0]["request"]  # InitiateAuth's does not reach it
    assert events[1]["request"]["userAttributes"]["name"] == "Mallory"
    assert events[2]["request"]["clientMetadata"] == {"screen": "checkout"}
    assert check_records(deployment.records(pool)) == set()


def test_hosted_sign_in_shows_the_refusal_on_the_page(deployment: Deployment) -> None:
    pool = deployment.pool({"PostAuthentication": "post-authentication"})
    app = make_app(deployment.cognito, pool)
    mallory = user(deployment, pool, name="Mallory")
    with httpx.Client(base_url=deployment.url, follow_redirects=False) as http:
        _, challenge = pkce()
        params = app.authorize_params(code_challenge=challenge, code_challenge_method="S256")
        authorize = http.get("/oauth2/authorize", params=params)
        login = http.get(authorize.headers["location"])
        posted = http.post(
            str(login.url),
            data={"_csrf": csrf_of(login.text), "username": mallory, "password": STRONG},
        )
        assert posted.status_code in (302, 303), posted.text
        page = http.get(posted.headers["location"])
    assert page.status_code == 200
    assert "PostAuthentication failed with error Mallory may not travel." in page.text
    [event] = deployment.events(pool)
    assert event["callerContext"]["clientId"] == app.client_id
