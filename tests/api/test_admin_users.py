"""Administrator-created and administered users through boto3."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.api.helpers import POLICY, STRONG, client, email, email_pool, error_of
from tests.conftest import Server, latest_message


@pytest.fixture
def pool(cognito: Any) -> str:
    return str(email_pool(cognito)["Id"])


def test_invitation_with_a_generated_temporary_password(
    server: Server, cognito: Any, pool: str
) -> None:
    address = email()
    created = cognito.admin_create_user(
        UserPoolId=pool,
        Username=address,
        DesiredDeliveryMediums=["EMAIL"],
        UserAttributes=[{"Name": "email", "Value": address}],
    )["User"]
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD" and created["Enabled"] is True
    attrs = {a["Name"]: a["Value"] for a in created["Attributes"]}
    assert attrs["email"] == address and attrs["sub"] == created["Username"]

    message = latest_message(server, address)
    assert message["subject"] == "Your temporary password"
    body = str(message["body"])
    match = re.search(r"temporary password is (\S+)\. ?$", body)
    assert match, body
    temporary = match.group(1)
    # The generated password satisfies the pool's policy and works once.
    assert len(temporary) >= POLICY["MinimumLength"]
    web = client(cognito, pool)["ClientId"]
    challenge = cognito.initiate_auth(
        ClientId=web,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": address, "PASSWORD": temporary},
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_custom_invitation_template(server: Server, cognito: Any) -> None:
    pool = email_pool(
        cognito,
        AdminCreateUserConfig={
            "InviteMessageTemplate": {
                "EmailSubject": "Welcome to TravelGuide",
                "EmailMessage": "Hello {username}, your first password is {####}",
            }
        },
    )["Id"]
    address = email()
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=address,
        TemporaryPassword="Temp!Pass123",
        DesiredDeliveryMediums=["EMAIL"],
    )
    message = latest_message(server, address)
    assert message["subject"] == "Welcome to TravelGuide"
    assert message["body"] == f"Hello {address}, your first password is Temp!Pass123"


def test_resend_and_suppress(server: Server, cognito: Any, pool: str) -> None:
    address = email()
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=address,
        MessageAction="SUPPRESS",
        TemporaryPassword="Temp!Pass123",
    )
    response = httpx.get(f"{server.url}/_mailbox/messages", params={"recipient": address})
    assert response.json()["messages"] == []
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=address,
        MessageAction="RESEND",
        TemporaryPassword="Temp!Pass456",
        DesiredDeliveryMediums=["EMAIL"],
    )
    assert "Temp!Pass456" in str(latest_message(server, address)["body"])
    with pytest.raises(ClientError) as exc:
        cognito.admin_create_user(UserPoolId=pool, Username=address, MessageAction="SUPPRESS")
    assert error_of(exc) == ("UsernameExistsException", "User account already exists")


def test_temporary_password_must_follow_the_policy(cognito: Any, pool: str) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.admin_create_user(
            UserPoolId=pool, Username=email(), TemporaryPassword="short", MessageAction="SUPPRESS"
        )
    assert error_of(exc)[0] == "InvalidPasswordException"


def test_set_password_permanent_or_not(cognito: Any, pool: str) -> None:
    address = email()
    cognito.admin_create_user(UserPoolId=pool, Username=address, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(
        UserPoolId=pool, Username=address, Password=STRONG, Permanent=True
    )
    assert cognito.admin_get_user(UserPoolId=pool, Username=address)["UserStatus"] == "CONFIRMED"
    cognito.admin_set_user_password(
        UserPoolId=pool, Username=address, Password="Temp!Pass789", Permanent=False
    )
    assert cognito.admin_get_user(UserPoolId=pool, Username=address)["UserStatus"] == (
        "FORCE_CHANGE_PASSWORD"
    )
    with pytest.raises(ClientError) as exc:
        cognito.admin_set_user_password(
            UserPoolId=pool, Username=address, Password="weak", Permanent=True
        )
    assert error_of(exc)[0] == "InvalidPasswordException"


def test_get_disable_enable_delete(cognito: Any, pool: str) -> None:
    address = email()
    cognito.admin_create_user(UserPoolId=pool, Username=address, MessageAction="SUPPRESS")
    user = cognito.admin_get_user(UserPoolId=pool, Username=address)
    assert set(user) >= {
        "Username",
        "UserAttributes",
        "UserCreateDate",
        "UserLastModifiedDate",
        "Enabled",
        "UserStatus",
    }
    cognito.admin_disable_user(UserPoolId=pool, Username=address)
    assert cognito.admin_get_user(UserPoolId=pool, Username=address)["Enabled"] is False
    cognito.admin_enable_user(UserPoolId=pool, Username=address)
    assert cognito.admin_get_user(UserPoolId=pool, Username=address)["Enabled"] is True
    assert cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["EstimatedNumberOfUsers"] == 1
    cognito.admin_delete_user(UserPoolId=pool, Username=address)
    with pytest.raises(ClientError) as exc:
        cognito.admin_get_user(UserPoolId=pool, Username=address)
    assert error_of(exc) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as exc:
        cognito.admin_delete_user(UserPoolId=pool, Username=address)
    assert error_of(exc)[0] == "UserNotFoundException"


def test_username_must_match_the_pool(cognito: Any, pool: str) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.admin_create_user(UserPoolId=pool, Username="jane", MessageAction="SUPPRESS")
    assert error_of(exc) == ("InvalidParameterException", "Username should be an email.")
    with pytest.raises(ClientError) as exc:
        cognito.admin_create_user(UserPoolId="us-east-1_Missing01", Username=email())
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_reset_password_sends_a_code_to_a_verified_contact(
    server: Server, cognito: Any, pool: str
) -> None:
    address = email()
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=address,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": address},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    cognito.admin_set_user_password(
        UserPoolId=pool, Username=address, Password=STRONG, Permanent=True
    )
    cognito.admin_reset_user_password(UserPoolId=pool, Username=address)
    assert re.search(r"\d{6}", str(latest_message(server, address)["body"]))
