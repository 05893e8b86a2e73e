"""SignUp, ConfirmSignUp, ResendConfirmationCode and AdminConfirmSignUp through boto3,
with codes read from the outbox over HTTP."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.helpers import POLICY, STRONG, client, email, email_pool, error_of
from tests.conftest import Server, latest_code, latest_message


@pytest.fixture
def app(cognito: Any) -> dict[str, str]:
    pool = email_pool(cognito)
    return {"pool": pool["Id"], "client": client(cognito, pool["Id"])["ClientId"]}


def test_sign_up_and_confirm_with_the_emailed_code(
    server: Server, cognito: Any, app: dict[str, str]
) -> None:
    address = email()
    reply = cognito.sign_up(ClientId=app["client"], Username=address, Password=STRONG)
    assert reply["UserConfirmed"] is False
    assert uuid.UUID(reply["UserSub"])
    details = reply["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL" and details["AttributeName"] == "email"
    assert details["Destination"].startswith(address[0] + "***@")

    message = latest_message(server, address)
    assert message["subject"] == "Your verification code"
    assert message["channel"] == "EMAIL"
    code = latest_code(server, address)

    user = cognito.admin_get_user(UserPoolId=app["pool"], Username=address)
    assert user["UserStatus"] == "UNCONFIRMED"
    # Email sign-in pools store a generated username, equal to the sub.
    assert user["Username"] == reply["UserSub"]

    cognito.confirm_sign_up(ClientId=app["client"], Username=address, ConfirmationCode=code)
    user = cognito.admin_get_user(UserPoolId=app["pool"], Username=address)
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert user["UserStatus"] == "CONFIRMED"
    assert attrs["email"] == address and attrs["email_verified"] == "true"
    assert attrs["sub"] == reply["UserSub"]

    # A code is single use.
    with pytest.raises(ClientError) as exc:
        cognito.confirm_sign_up(ClientId=app["client"], Username=address, ConfirmationCode=code)
    assert error_of(exc) == (
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Sh0rt!", "Password did not conform with policy: Password not long enough"),
        (
            "ALLUPPER123!",
            "Password did not conform with policy: Password must have lowercase characters",
        ),
        (
            "alllower123!",
            "Password did not conform with policy: Password must have uppercase characters",
        ),
        (
            "NoNumbers!!",
            "Password did not conform with policy: Password must have numeric characters",
        ),
        (
            "NoSymbols123",
            "Password did not conform with policy: Password must have symbol characters",
        ),
    ],
)
def test_password_policy(cognito: Any, app: dict[str, str], password: str, message: str) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(ClientId=app["client"], Username=email(), Password=password)
    assert error_of(exc) == ("InvalidPasswordException", message)


def test_failed_sign_up_leaves_no_user(cognito: Any, app: dict[str, str]) -> None:
    address = email()
    with pytest.raises(ClientError):
        cognito.sign_up(ClientId=app["client"], Username=address, Password="weak")
    with pytest.raises(ClientError) as exc:
        cognito.admin_get_user(UserPoolId=app["pool"], Username=address)
    assert error_of(exc) == ("UserNotFoundException", "User does not exist.")


def test_duplicate_email(cognito: Any, app: dict[str, str]) -> None:
    address = email()
    cognito.sign_up(ClientId=app["client"], Username=address, Password=STRONG)
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(ClientId=app["client"], Username=address.upper(), Password=STRONG)
    assert error_of(exc) == (
        "UsernameExistsException",
        "An account with the given email already exists.",
    )


def test_username_must_be_an_email(cognito: Any, app: dict[str, str]) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(ClientId=app["client"], Username="not-an-email", Password=STRONG)
    assert error_of(exc) == ("InvalidParameterException", "Username should be an email.")


def test_wrong_codes_then_limit(server: Server, cognito: Any, app: dict[str, str]) -> None:
    address = email()
    cognito.sign_up(ClientId=app["client"], Username=address, Password=STRONG)
    code = latest_code(server, address)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ClientError) as exc:
            cognito.confirm_sign_up(
                ClientId=app["client"], Username=address, ConfirmationCode=wrong
            )
        assert error_of(exc) == (
            "CodeMismatchException",
            "Invalid verification code provided, please try again.",
        )
    # The code is spent: even the right one is refused now.
    with pytest.raises(ClientError) as exc:
        cognito.confirm_sign_up(ClientId=app["client"], Username=address, ConfirmationCode=code)
    assert error_of(exc)[0] == "LimitExceededException"
    # A new code works.
    cognito.resend_confirmation_code(ClientId=app["client"], Username=address)
    cognito.confirm_sign_up(
        ClientId=app["client"], Username=address, ConfirmationCode=latest_code(server, address)
    )


def test_resend_replaces_the_code(server: Server, cognito: Any, app: dict[str, str]) -> None:
    address = email()
    cognito.sign_up(ClientId=app["client"], Username=address, Password=STRONG)
    first = latest_code(server, address)
    details = cognito.resend_confirmation_code(ClientId=app["client"], Username=address)[
        "CodeDeliveryDetails"
    ]
    assert details["DeliveryMedium"] == "EMAIL"
    second = latest_code(server, address)
    if first != second:
        with pytest.raises(ClientError) as exc:
            cognito.confirm_sign_up(
                ClientId=app["client"], Username=address, ConfirmationCode=first
            )
        assert error_of(exc)[0] == "CodeMismatchException"
    cognito.confirm_sign_up(ClientId=app["client"], Username=address, ConfirmationCode=second)
    with pytest.raises(ClientError) as exc:
        cognito.resend_confirmation_code(ClientId=app["client"], Username=address)
    assert error_of(exc) == ("InvalidParameterException", "User is already confirmed.")


def test_resend_is_rate_limited(cognito: Any, app: dict[str, str]) -> None:
    address = email()
    cognito.sign_up(ClientId=app["client"], Username=address, Password=STRONG)
    with pytest.raises(ClientError) as exc:
        for _ in range(10):
            cognito.resend_confirmation_code(ClientId=app["client"], Username=address)
    assert error_of(exc) == (
        "LimitExceededException",
        "Attempt limit exceeded, please try after some time.",
    )


def test_unknown_user_and_client(cognito: Any, app: dict[str, str]) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.confirm_sign_up(ClientId=app["client"], Username=email(), ConfirmationCode="123456")
    assert error_of(exc)[0] == "UserNotFoundException"
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(ClientId="a" * 26, Username=email(), Password=STRONG)
    assert error_of(exc) == (
        "ResourceNotFoundException",
        f"User pool client {'a' * 26} does not exist.",
    )


def test_admin_confirm_sign_up(cognito: Any, app: dict[str, str]) -> None:
    address = email()
    cognito.sign_up(ClientId=app["client"], Username=address, Password=STRONG)
    cognito.admin_confirm_sign_up(UserPoolId=app["pool"], Username=address)
    user = cognito.admin_get_user(UserPoolId=app["pool"], Username=address)
    assert user["UserStatus"] == "CONFIRMED"


def test_username_pool_with_required_and_custom_attributes(server: Server, cognito: Any) -> None:
    pool = cognito.create_user_pool(
        PoolName="usernames",
        Policies={"PasswordPolicy": POLICY},
        AutoVerifiedAttributes=["email"],
        AliasAttributes=["email"],
        Schema=[
            {"Name": "name", "AttributeDataType": "String", "Required": True},
            {
                "Name": "home_city",
                "AttributeDataType": "String",
                "StringAttributeConstraints": {"MaxLength": "20"},
            },
        ],
    )["UserPool"]
    web = client(cognito, pool["Id"])["ClientId"]
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(
            ClientId=web,
            Username="jane",
            Password=STRONG,
            UserAttributes=[{"Name": "email", "Value": "jane@example.com"}],
        )
    assert error_of(exc) == (
        "InvalidParameterException",
        "Attributes did not conform to the schema: name: The attribute is required",
    )
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(
            ClientId=web,
            Username="jane",
            Password=STRONG,
            UserAttributes=[
                {"Name": "name", "Value": "Jane"},
                {"Name": "custom:home_city", "Value": "x" * 21},
            ],
        )
    assert error_of(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(
            ClientId=web,
            Username="jane@example.com",
            Password=STRONG,
            UserAttributes=[{"Name": "name", "Value": "Jane"}],
        )
    assert error_of(exc)[0] == "InvalidParameterException"

    address = email()
    reply = cognito.sign_up(
        ClientId=web,
        Username="Jane",
        Password=STRONG,
        UserAttributes=[
            {"Name": "name", "Value": "Jane"},
            {"Name": "email", "Value": address},
            {"Name": "custom:home_city", "Value": "Lisbon"},
        ],
    )
    cognito.confirm_sign_up(
        ClientId=web, Username="Jane", ConfirmationCode=latest_code(server, address)
    )
    # The verified email is now an alias: the user is found by it.
    user = cognito.admin_get_user(UserPoolId=pool["Id"], Username=address)
    assert user["Username"] == "Jane"
    attrs = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attrs["custom:home_city"] == "Lisbon" and attrs["sub"] == reply["UserSub"]
    # Usernames are case sensitive unless the pool says otherwise.
    with pytest.raises(ClientError) as exc:
        cognito.admin_get_user(UserPoolId=pool["Id"], Username="jane")
    assert error_of(exc)[0] == "UserNotFoundException"
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(
            ClientId=web,
            Username="Jane",
            Password=STRONG,
            UserAttributes=[{"Name": "name", "Value": "Other"}],
        )
    assert error_of(exc) == ("UsernameExistsException", "User already exists")


def test_secret_hash_is_required_for_a_client_with_a_secret(
    cognito: Any, app: dict[str, str]
) -> None:
    import base64
    import hashlib
    import hmac

    confidential = client(cognito, app["pool"], GenerateSecret=True)
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(ClientId=confidential["ClientId"], Username=email(), Password=STRONG)
    assert error_of(exc) == (
        "NotAuthorizedException",
        f"Client {confidential['ClientId']} is configured with secret but SECRET_HASH was "
        "not received",
    )
    address = email()
    digest = hmac.new(
        confidential["ClientSecret"].encode(),
        (address + confidential["ClientId"]).encode(),
        hashlib.sha256,
    ).digest()
    reply = cognito.sign_up(
        ClientId=confidential["ClientId"],
        Username=address,
        Password=STRONG,
        SecretHash=base64.b64encode(digest).decode(),
    )
    assert re.fullmatch(r"[0-9a-f-]{36}", reply["UserSub"])
    with pytest.raises(ClientError) as exc:
        cognito.sign_up(
            ClientId=confidential["ClientId"],
            Username=email(),
            Password=STRONG,
            SecretHash=base64.b64encode(digest).decode(),
        )
    assert error_of(exc) == (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {confidential['ClientId']}",
    )


def test_prevent_user_existence_errors_on_confirmation(cognito: Any, app: dict[str, str]) -> None:
    masked = client(cognito, app["pool"], PreventUserExistenceErrors="ENABLED")["ClientId"]
    nobody = email()
    with pytest.raises(ClientError) as exc:
        cognito.confirm_sign_up(ClientId=masked, Username=nobody, ConfirmationCode="123456")
    assert error_of(exc)[0] == "CodeMismatchException"
    details = cognito.resend_confirmation_code(ClientId=masked, Username=nobody)[
        "CodeDeliveryDetails"
    ]
    assert details["DeliveryMedium"] == "EMAIL"
    assert details["Destination"].startswith(nobody[0] + "***@")
