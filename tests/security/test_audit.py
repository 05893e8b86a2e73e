"""The audit trail: sign-ins, sign-ups, resets and changes, admin actions stored per
user (AdminListUserAuthEvents, feedback) and written as JSON log lines, which never
hold a password, a code, a token or the admin secret."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.helpers import FLOWS, POLICY
from tests.conftest import ADMIN_SECRET, Server, cognito_client, latest_code


def test_events_are_stored_listed_and_logged_without_secrets(json_server: Server) -> None:
    cognito: Any = cognito_client(json_server.url)
    secrets: list[str] = [ADMIN_SECRET]
    pool = cognito.create_user_pool(
        PoolName="audit", Policies={"PasswordPolicy": POLICY}, AutoVerifiedAttributes=["email"],
        UsernameAttributes=["email"],
    )["UserPool"]["Id"]  # fmt: skip
    client = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="web", ExplicitAuthFlows=FLOWS
    )["UserPoolClient"]["ClientId"]
    address = f"audit-{uuid.uuid4().hex[:8]}@example.com"
    first = "First!Pass123"
    secrets.append(first)
    sub = cognito.sign_up(ClientId=client, Username=address, Password=first)["UserSub"]
    code = latest_code(json_server, address)
    secrets.append(code)
    cognito.confirm_sign_up(ClientId=client, Username=address, ConfirmationCode=code)

    def sign_in(password: str) -> dict[str, Any]:
        result: dict[str, Any] = cognito.initiate_auth(
            ClientId=client,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": address, "PASSWORD": password},
        )["AuthenticationResult"]
        secrets.extend([result["AccessToken"], result["IdToken"], result["RefreshToken"]])
        return result

    sign_in(first)
    for wrong in ("Wrong!Pass111", "Wrong!Pass222"):
        secrets.append(wrong)
        with pytest.raises(ClientError):
            sign_in(wrong)
    tokens = sign_in(first)

    events = cognito.admin_list_user_auth_events(UserPoolId=pool, Username=address)["AuthEvents"]
    sign_ins = [e for e in events if e["EventType"] == "SignIn"]
    assert [e["EventResponse"] for e in sign_ins] == ["Pass", "Fail", "Fail", "Pass"]
    assert sign_ins[1]["ChallengeResponses"] == [
        {"ChallengeName": "Password", "ChallengeResponse": "Failure"}
    ]
    assert sign_ins[0]["EventContextData"]["IpAddress"] == "127.0.0.1"
    assert sign_ins[0]["EventRisk"] == {"RiskDecision": "NoRisk"}
    assert [e["EventType"] for e in events][-1] == "SignUp"
    cognito.admin_update_auth_event_feedback(
        UserPoolId=pool, Username=address, EventId=sign_ins[1]["EventId"], FeedbackValue="Invalid"
    )
    again = cognito.admin_list_user_auth_events(UserPoolId=pool, Username=address, MaxResults=2)
    assert len(again["AuthEvents"]) == 2 and again["NextToken"]
    rest = cognito.admin_list_user_auth_events(
        UserPoolId=pool, Username=address, NextToken=again["NextToken"]
    )["AuthEvents"]
    listed = again["AuthEvents"] + rest
    assert [e["EventId"] for e in listed] == [e["EventId"] for e in events]
    feedback = next(e for e in listed if e["EventId"] == sign_ins[1]["EventId"])["EventFeedback"]
    assert (feedback["FeedbackValue"], feedback["Provider"]) == ("Invalid", "Admin")

    # Reset, change, administer: more secrets that must stay out of the log.
    cognito.forgot_password(ClientId=client, Username=address)
    reset_code = latest_code(json_server, address)
    second, third, temporary = "Second!Pass123", "Third!Pass123", "Temp!Pass12345"
    secrets += [reset_code, second, third, temporary]
    cognito.confirm_forgot_password(
        ClientId=client, Username=address, ConfirmationCode=reset_code, Password=second
    )
    tokens = sign_in(second)
    cognito.change_password(
        AccessToken=tokens["AccessToken"], PreviousPassword=second, ProposedPassword=third
    )
    cognito.admin_create_user(
        UserPoolId=pool, Username=f"x{address}", TemporaryPassword=temporary,
        MessageAction="SUPPRESS",
    )  # fmt: skip
    cognito.admin_disable_user(UserPoolId=pool, Username=f"x{address}")
    kinds = {
        e["EventType"]
        for e in cognito.admin_list_user_auth_events(UserPoolId=pool, Username=address)[
            "AuthEvents"
        ]
    }
    assert {"SignIn", "SignUp", "ForgotPassword", "PasswordChange"} <= kinds

    log = json_server.log()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    audit = [entry for entry in lines if entry.get("logger") == "poolgate.audit"]
    mine = [e for e in audit if e.get("sub") == sub and e["event"] == "SignIn"]
    assert [e["outcome"] for e in mine[:4]] == ["Pass", "Fail", "Fail", "Pass"]
    assert all(e["request_id"] and e["source_ip"] == "127.0.0.1" for e in mine)
    assert all(e["client_id"] == client for e in mine)
    admin = [e for e in audit if e["event"] == "AdminDisableUser"]
    assert admin and admin[-1]["actor"].startswith("admin-key:")
    for secret in secrets:
        assert secret not in log, "a secret reached the log"
