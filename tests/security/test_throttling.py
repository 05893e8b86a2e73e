"""Throttles against a real server on the defaults. The source address is set with
X-Forwarded-For, which uvicorn takes from a proxy on loopback (the tests' client)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from tests.api.helpers import FLOWS, POLICY, STRONG
from tests.conftest import Server, cognito_client

TARGET = "AWSCognitoIdentityProviderService."


def call(server: Server, operation: str, body: dict[str, Any], address: str) -> httpx.Response:
    return httpx.post(
        server.url + "/",
        json=body,
        headers={
            "X-Amz-Target": TARGET + operation,
            "Content-Type": "application/x-amz-json-1.1",
            "X-Forwarded-For": address,
        },
        timeout=30,
    )


@pytest.fixture(scope="module")
def app(json_server: Server) -> dict[str, str]:
    cognito: Any = cognito_client(json_server.url)
    pool = cognito.create_user_pool(
        PoolName="throttles",
        Policies={"PasswordPolicy": POLICY},
        AutoVerifiedAttributes=["email"],
    )["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="web", ExplicitAuthFlows=FLOWS,
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]  # fmt: skip
    cognito.admin_create_user(UserPoolId=pool, Username="busy", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(
        UserPoolId=pool, Username="busy", Password=STRONG, Permanent=True
    )
    return {"pool": pool, "client": client}


def sign_in(server: Server, app: dict[str, str], name: str, password: str, address: str) -> Any:
    return call(
        server,
        "InitiateAuth",
        {
            "ClientId": app["client"],
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": name, "PASSWORD": password},
        },
        address,
    )


def test_password_spraying_from_one_address_is_throttled(
    json_server: Server, app: dict[str, str]
) -> None:
    answers = []
    started = time.monotonic()
    for i in range(300):
        response = sign_in(
            json_server, app, f"spray-{i}-{uuid.uuid4().hex[:6]}", "Guess!123", "198.51.100.7"
        )
        answers.append(response.json()["__type"])
    elapsed = time.monotonic() - started
    assert answers[:100] == ["NotAuthorizedException"] * 100
    assert set(answers[100:]) <= {"TooManyRequestsException", "NotAuthorizedException"}
    # The default is 100 failures per 5 minutes over a sliding window: when the spray
    # straddles a window's boundary, the previous window's weight fades and lets a
    # guess through about every 3 s (300 s / 100), never more.
    let_through = answers[100:].count("NotAuthorizedException")
    assert let_through <= 1 + elapsed / 3, (let_through, elapsed)
    # The throttled address cannot sign in even with the right password; others can.
    assert sign_in(json_server, app, "busy", STRONG, "198.51.100.7").status_code == 400
    assert sign_in(json_server, app, "busy", STRONG, "198.51.100.8").status_code == 200


def test_successful_sign_ins_are_not_counted(json_server: Server, app: dict[str, str]) -> None:
    # The benchmark's load: many sign-ins from one address, all of them right.
    for _ in range(150):
        response = sign_in(json_server, app, "busy", STRONG, "198.51.100.20")
        assert response.status_code == 200, response.text


def test_codes_sent_from_one_address_are_limited(json_server: Server, app: dict[str, str]) -> None:
    answers = []
    for i in range(61):
        # Unknown names: simulated deliveries count as codes sent (the same writes).
        response = call(
            json_server,
            "ForgotPassword",
            {"ClientId": app["client"], "Username": f"nobody-{i}-{uuid.uuid4().hex[:6]}"},
            "198.51.100.30",
        )
        answers.append(response.status_code)
    assert answers[:60] == [200] * 60
    assert answers[60] == 400
    assert response.json()["__type"] == "LimitExceededException"
