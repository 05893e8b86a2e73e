"""CUSTOM_AUTH with define, create and verify auth challenge: a one-time code the
create function sends, three strikes, single-use sessions, SRP first, and unknown
users who can never win (boto3 and pycognito's SRP math; amazon-cognito-identity-js in
tests/node/test_node_triggers.py)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from tests.api.helpers import STRONG, error_of
from tests.triggers.conftest import Deployment
from tests.triggers.helpers import user, verify
from tests.triggers.oracle import check_records

CUSTOM = {
    "DefineAuthChallenge": "define-auth-challenge",
    "CreateAuthChallenge": "create-auth-challenge",
    "VerifyAuthChallengeResponse": "verify-auth-challenge",
}
SESSION_USED = "Invalid session for the user, session can only be used once."


def start(deployment: Deployment, client_id: str, username: str, **params: str) -> Any:
    return deployment.cognito.initiate_auth(
        ClientId=client_id, AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": username, **params},
    )  # fmt: skip


def answer(
    deployment: Deployment, client_id: str, step: dict[str, Any], code: str, **extra: Any
) -> Any:
    return deployment.cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE", Session=step["Session"],
        ChallengeResponses={"USERNAME": step["ChallengeParameters"]["USERNAME"], "ANSWER": code},
        **extra,
    )  # fmt: skip


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_a_one_time_code_signs_the_user_in(deployment: Deployment) -> None:
    pool = deployment.pool({**CUSTOM, "PreTokenGeneration": "token-v1"})
    client_id = deployment.client(pool)
    address = user(deployment, pool)
    step = start(deployment, client_id, address)
    assert step["ChallengeName"] == "CUSTOM_CHALLENGE"
    sub = deployment.cognito.admin_get_user(UserPoolId=pool, Username=address)["Username"]
    assert step["ChallengeParameters"] == {
        "hint": "Your code is in your trip notebook", "USERNAME": sub
    }  # fmt: skip
    code = deployment.code_for(sub)
    done = answer(deployment, client_id, step, code, ClientMetadata={"screen": "login"})
    result = done["AuthenticationResult"]
    claims = verify(deployment, pool, result["IdToken"], audience=client_id)
    assert claims["cognito:username"] == sub and claims["tier"] == "gold"
    assert claims["trigger_source"] == "TokenGeneration_Authentication"
    assert result["RefreshToken"]

    records = deployment.records(pool)
    assert [r["event"]["triggerSource"] for r in records] == [
        "DefineAuthChallenge_Authentication",
        "CreateAuthChallenge_Authentication",
        "VerifyAuthChallengeResponse_Authentication",
        "DefineAuthChallenge_Authentication",
        "TokenGeneration_Authentication",
    ]
    first, created, verified, second = (r["event"] for r in records[:4])
    assert first["request"]["session"] == []
    assert first["request"]["userNotFound"] is False
    assert first["request"]["userAttributes"]["email"] == address
    assert first["response"] == {
        "challengeName": None, "issueTokens": None, "failAuthentication": None
    }  # fmt: skip
    assert created["request"]["challengeName"] == "CUSTOM_CHALLENGE"
    assert created["response"] == {
        "publicChallengeParameters": None, "privateChallengeParameters": None,
        "challengeMetadata": None,
    }  # fmt: skip
    assert verified["request"]["privateChallengeParameters"] == {"answer": code}
    assert verified["request"]["challengeAnswer"] == code
    assert verified["request"]["clientMetadata"] == {"screen": "login"}
    assert second["request"]["session"] == [
        {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": True,
         "challengeMetadata": "CODE-1"}
    ]  # fmt: skip
    assert second["request"]["clientMetadata"] == {"screen": "login"}
    assert check_records(records) == {"session CUSTOM_CHALLENGE", "answerCorrect null"}

    # AdminInitiateAuth and AdminRespondToAuthChallenge take the same flow.
    step = deployment.cognito.admin_initiate_auth(
        UserPoolId=pool, ClientId=client_id, AuthFlow="CUSTOM_AUTH",
        AuthParameters={"USERNAME": address},
    )  # fmt: skip
    done = deployment.cognito.admin_respond_to_auth_challenge(
        UserPoolId=pool, ClientId=client_id, ChallengeName="CUSTOM_CHALLENGE",
        Session=step["Session"],
        ChallengeResponses={"USERNAME": address, "ANSWER": deployment.code_for(sub)},
    )  # fmt: skip
    assert done["AuthenticationResult"]["AccessToken"]


def test_three_wrong_answers_fail_and_sessions_are_single_use(deployment: Deployment) -> None:
    pool = deployment.pool(CUSTOM)
    client_id = deployment.client(pool)
    address = user(deployment, pool)
    sub = deployment.cognito.admin_get_user(UserPoolId=pool, Username=address)["Username"]
    first = start(deployment, client_id, address)
    second = answer(deployment, client_id, first, wrong(deployment.code_for(sub)))
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE" and second["Session"] != first["Session"]
    # The first session was spent: replaying it cannot buy a fresh attempt.
    with pytest.raises(ClientError) as exc:
        answer(deployment, client_id, first, deployment.code_for(sub))
    assert error_of(exc) == ("NotAuthorizedException", SESSION_USED)
    third = answer(deployment, client_id, second, wrong(deployment.code_for(sub)))
    assert third["ChallengeName"] == "CUSTOM_CHALLENGE"
    with pytest.raises(ClientError) as exc:
        answer(deployment, client_id, third, wrong(deployment.code_for(sub)))
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(ClientError) as exc:
        answer(deployment, client_id, third, deployment.code_for(sub))
    assert error_of(exc) == ("NotAuthorizedException", SESSION_USED)

    defines = deployment.events(pool, "DefineAuthChallenge_Authentication")
    assert [len(e["request"]["session"]) for e in defines] == [0, 1, 2, 3]
    assert [r["challengeResult"] for r in defines[-1]["request"]["session"]] == [False] * 3
    assert [r["challengeMetadata"] for r in defines[-1]["request"]["session"]] == [
        "CODE-1", "CODE-2", "CODE-3"
    ]  # fmt: skip
    check_records(deployment.records(pool))


def test_srp_first_then_the_code(deployment: Deployment) -> None:
    pool = deployment.pool(CUSTOM)
    client_id = deployment.client(pool)
    address = user(deployment, pool)
    srp = AWSSRP(address, STRONG, pool, client_id, client=deployment.cognito)
    params = srp.get_auth_params()
    step = start(deployment, client_id, address, CHALLENGE_NAME="SRP_A", SRP_A=params["SRP_A"])
    assert step["ChallengeName"] == "PASSWORD_VERIFIER"
    assert {"SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP"} <= set(step["ChallengeParameters"])
    proof = srp.process_challenge(step["ChallengeParameters"], params)
    step = deployment.cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", Session=step["Session"],
        ChallengeResponses=proof,
    )  # fmt: skip
    assert step["ChallengeName"] == "CUSTOM_CHALLENGE"
    sub = step["ChallengeParameters"]["USERNAME"]
    done = answer(deployment, client_id, step, deployment.code_for(sub))
    assert done["AuthenticationResult"]["IdToken"]
    defines = deployment.events(pool, "DefineAuthChallenge_Authentication")
    assert [[r["challengeName"] for r in e["request"]["session"]] for e in defines] == [
        ["SRP_A"],
        ["SRP_A", "PASSWORD_VERIFIER"],
        ["SRP_A", "PASSWORD_VERIFIER", "CUSTOM_CHALLENGE"],
    ]
    assert all(r["challengeResult"] for r in defines[-1]["request"]["session"])
    check_records(deployment.records(pool))

    # A wrong password stops the flow before any code is made.
    bad = AWSSRP(address, "Wrong!Pass9", pool, client_id, client=deployment.cognito)
    params = bad.get_auth_params()
    step = start(deployment, client_id, address, CHALLENGE_NAME="SRP_A", SRP_A=params["SRP_A"])
    with pytest.raises(ClientError) as exc:
        deployment.cognito.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", Session=step["Session"],
            ChallengeResponses=bad.process_challenge(step["ChallengeParameters"], params),
        )  # fmt: skip
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_an_unknown_user_is_challenged_and_never_signed_in(deployment: Deployment) -> None:
    pool = deployment.pool(CUSTOM)
    masked = deployment.client(pool, PreventUserExistenceErrors="ENABLED")
    plain = deployment.client(pool, PreventUserExistenceErrors="LEGACY")
    nobody = "nobody@travelguide.example"
    with pytest.raises(ClientError) as exc:
        start(deployment, plain, nobody)
    assert error_of(exc)[0] == "UserNotFoundException"
    step = start(deployment, masked, nobody)
    assert step["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert step["ChallengeParameters"]["USERNAME"] == nobody
    # Even the code the function made (and would have sent nowhere) earns no tokens.
    with pytest.raises(ClientError) as exc:
        answer(deployment, masked, step, deployment.code_for(nobody))
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    events = deployment.events(pool)
    assert all(e["request"]["userNotFound"] is True for e in events)
    assert all(e["request"]["userAttributes"] == {} for e in events)
    assert events[0]["userName"] == nobody
    check_records(deployment.records(pool))


def test_custom_auth_needs_all_three_functions(deployment: Deployment) -> None:
    pool = deployment.pool({k: v for k, v in CUSTOM.items() if k != "VerifyAuthChallengeResponse"})
    client_id = deployment.client(pool)
    address = user(deployment, pool)
    with pytest.raises(ClientError) as exc:
        start(deployment, client_id, address)
    assert error_of(exc) == (
        "InvalidParameterException",
        "Custom auth lambda trigger is not configured for the user pool.",
    )
    assert deployment.events(pool) == []
