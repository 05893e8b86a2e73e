"""Forgot password, sign-out and token revocation through boto3.

Revocation as Cognito does it: a revoked refresh token no longer refreshes, and the
access tokens minted from it are refused by Poolgate's own APIs, while they remain
valid JWTs for any third-party verifier until they expire.
"""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

from tests.api.helpers import STRONG, client, email, email_pool, error_of
from tests.api.test_sign_in import confirmed_user, password_auth, verify
from tests.conftest import Server, latest_code, latest_message


@pytest.fixture
def app(cognito: Any) -> dict[str, str]:
    pool = email_pool(cognito)
    return {"pool": pool["Id"], "client": client(cognito, pool["Id"])["ClientId"]}


def test_forgot_password(server: Server, cognito: Any, app: dict[str, str]) -> None:
    address = confirmed_user(cognito, app["pool"])
    details = cognito.forgot_password(ClientId=app["client"], Username=address)[
        "CodeDeliveryDetails"
    ]
    assert details["DeliveryMedium"] == "EMAIL" and details["AttributeName"] == "email"
    code = latest_code(server, address)
    with pytest.raises(ClientError) as exc:
        cognito.confirm_forgot_password(
            ClientId=app["client"], Username=address, ConfirmationCode=code, Password="weak"
        )
    assert error_of(exc)[0] == "InvalidPasswordException"
    cognito.confirm_forgot_password(
        ClientId=app["client"], Username=address, ConfirmationCode=code, Password="Reset!Pass123"
    )
    assert "AuthenticationResult" in password_auth(cognito, app, address, "Reset!Pass123")
    with pytest.raises(ClientError):
        password_auth(cognito, app, address, STRONG)
    with pytest.raises(ClientError) as exc:
        cognito.confirm_forgot_password(
            ClientId=app["client"],
            Username=address,
            ConfirmationCode=code,
            Password="Again!Pass123",
        )
    assert error_of(exc)[0] == "ExpiredCodeException"


def test_forgot_password_needs_a_verified_contact(cognito: Any, app: dict[str, str]) -> None:
    address = email()
    cognito.admin_create_user(UserPoolId=app["pool"], Username=address, MessageAction="SUPPRESS")
    cognito.admin_set_user_password(
        UserPoolId=app["pool"], Username=address, Password=STRONG, Permanent=True
    )
    with pytest.raises(ClientError) as exc:
        cognito.forgot_password(ClientId=app["client"], Username=address)
    assert error_of(exc) == (
        "InvalidParameterException",
        "Cannot reset password for the user as there is no registered/verified email or "
        "phone_number",
    )


def test_reset_required_user_recovers(server: Server, cognito: Any, app: dict[str, str]) -> None:
    address = confirmed_user(cognito, app["pool"])
    cognito.admin_reset_user_password(UserPoolId=app["pool"], Username=address)
    code = latest_code(server, address)
    cognito.confirm_forgot_password(
        ClientId=app["client"], Username=address, ConfirmationCode=code, Password="Reset!Pass123"
    )
    assert cognito.admin_get_user(UserPoolId=app["pool"], Username=address)["UserStatus"] == (
        "CONFIRMED"
    )


def test_forgot_password_for_nobody(cognito: Any, app: dict[str, str]) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.forgot_password(ClientId=app["client"], Username=email())
    assert error_of(exc)[0] == "UserNotFoundException"
    masked = client(cognito, app["pool"], PreventUserExistenceErrors="ENABLED")["ClientId"]
    details = cognito.forgot_password(ClientId=masked, Username=email())["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL"


def test_global_sign_out(server: Server, cognito: Any, app: dict[str, str]) -> None:
    address = confirmed_user(cognito, app["pool"])
    first = password_auth(cognito, app, address, STRONG)["AuthenticationResult"]
    second = password_auth(cognito, app, address, STRONG)["AuthenticationResult"]
    cognito.global_sign_out(AccessToken=first["AccessToken"])
    for tokens in (first, second):
        with pytest.raises(ClientError) as exc:
            cognito.initiate_auth(
                ClientId=app["client"],
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
            )
        assert error_of(exc) == ("NotAuthorizedException", "Refresh Token has been revoked")
        with pytest.raises(ClientError) as exc:
            cognito.get_user(AccessToken=tokens["AccessToken"])
        assert error_of(exc) == ("NotAuthorizedException", "Access Token has been revoked")
        # Still a valid JWT for a third party until it expires, as with Cognito.
        claims = verify(server, app["pool"], tokens["AccessToken"], options={"verify_aud": False})
        assert claims["token_use"] == "access"
    # Signing in again works.
    again = password_auth(cognito, app, address, STRONG)["AuthenticationResult"]
    assert cognito.get_user(AccessToken=again["AccessToken"])["Username"]


def test_admin_user_global_sign_out(cognito: Any, app: dict[str, str]) -> None:
    address = confirmed_user(cognito, app["pool"])
    tokens = password_auth(cognito, app, address, STRONG)["AuthenticationResult"]
    cognito.admin_user_global_sign_out(UserPoolId=app["pool"], Username=address)
    with pytest.raises(ClientError) as exc:
        cognito.get_user(AccessToken=tokens["AccessToken"])
    assert error_of(exc) == ("NotAuthorizedException", "Access Token has been revoked")


def test_revoke_token(cognito: Any, app: dict[str, str]) -> None:
    address = confirmed_user(cognito, app["pool"])
    revoked = password_auth(cognito, app, address, STRONG)["AuthenticationResult"]
    kept = password_auth(cognito, app, address, STRONG)["AuthenticationResult"]
    with pytest.raises(ClientError) as exc:
        cognito.revoke_token(Token=revoked["AccessToken"], ClientId=app["client"])
    assert error_of(exc)[0] == "UnsupportedTokenTypeException"
    cognito.revoke_token(Token=revoked["RefreshToken"], ClientId=app["client"])
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(
            ClientId=app["client"],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": revoked["RefreshToken"]},
        )
    assert error_of(exc) == ("NotAuthorizedException", "Refresh Token has been revoked")
    with pytest.raises(ClientError) as exc:
        cognito.get_user(AccessToken=revoked["AccessToken"])
    assert error_of(exc) == ("NotAuthorizedException", "Access Token has been revoked")
    # Only that session ends.
    assert cognito.get_user(AccessToken=kept["AccessToken"])["Username"]
    cognito.revoke_token(Token="unknown-token", ClientId=app["client"])  # RFC 7009: no error


def test_revoke_token_needs_the_client_secret(cognito: Any, app: dict[str, str]) -> None:
    import base64
    import hashlib
    import hmac

    confidential = client(cognito, app["pool"], GenerateSecret=True)
    address = confirmed_user(cognito, app["pool"])
    digest = hmac.new(
        confidential["ClientSecret"].encode(),
        (address + confidential["ClientId"]).encode(),
        hashlib.sha256,
    ).digest()
    tokens = cognito.initiate_auth(
        ClientId=confidential["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": address,
            "PASSWORD": STRONG,
            "SECRET_HASH": base64.b64encode(digest).decode(),
        },
    )["AuthenticationResult"]
    with pytest.raises(ClientError) as exc:
        cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=confidential["ClientId"])
    assert error_of(exc)[0] == "UnauthorizedException"
    cognito.revoke_token(
        Token=tokens["RefreshToken"],
        ClientId=confidential["ClientId"],
        ClientSecret=confidential["ClientSecret"],
    )


def test_revocation_disabled_on_the_client(cognito: Any, app: dict[str, str]) -> None:
    plain = client(cognito, app["pool"], EnableTokenRevocation=False)["ClientId"]
    address = confirmed_user(cognito, app["pool"])
    tokens = cognito.initiate_auth(
        ClientId=plain,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": address, "PASSWORD": STRONG},
    )["AuthenticationResult"]
    with pytest.raises(ClientError) as exc:
        cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=plain)
    assert error_of(exc)[0] == "UnsupportedOperationException"


def test_messages_never_contain_the_password(
    server: Server, cognito: Any, app: dict[str, str]
) -> None:
    address = email()
    cognito.sign_up(ClientId=app["client"], Username=address, Password=STRONG)
    assert STRONG not in str(latest_message(server, address))
    assert STRONG not in server.log()
    assert jwt  # imported for verify()
