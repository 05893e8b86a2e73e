"""TOTP MFA through boto3 and pycognito against a running server (SQLite and
PostgreSQL), codes from pyotp: AssociateSoftwareToken + VerifySoftwareToken, then
SOFTWARE_TOKEN_MFA on the password, admin and SRP flows; MFA_SETUP with ON."""

from __future__ import annotations

import json
import time
from typing import Any

import pyotp
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import SoftwareTokenMFAChallengeException

from tests.api.helpers import STRONG, client, email_pool, error_of
from tests.api.test_sign_in import confirmed_user, verify
from tests.conftest import Server


@pytest.fixture
def app(cognito: Any) -> dict[str, str]:
    pool = email_pool(cognito)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool["Id"],
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="OPTIONAL",
    )
    web = client(cognito, pool["Id"])
    return {"pool": pool["Id"], "client": web["ClientId"]}


def sign_in(cognito: Any, app: dict[str, str], username: str) -> dict[str, Any]:
    return cognito.initiate_auth(
        ClientId=app["client"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": STRONG},
    )  # fmt: skip


def set_up_totp(cognito: Any, app: dict[str, str]) -> tuple[str, str, float]:
    """A user with a verified, preferred authenticator: (username, secret, when the
    set-up code was made)."""
    username = confirmed_user(cognito, app["pool"])
    token = sign_in(cognito, app, username)["AuthenticationResult"]["AccessToken"]
    secret = cognito.associate_software_token(AccessToken=token)["SecretCode"]
    assert len(secret) == 32 and pyotp.TOTP(secret).now().isdigit()
    when = time.time()
    verified = cognito.verify_software_token(
        AccessToken=token, UserCode=pyotp.TOTP(secret).at(when), FriendlyDeviceName="phone"
    )
    assert verified["Status"] == "SUCCESS"
    cognito.set_user_mfa_preference(
        AccessToken=token,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    user = cognito.get_user(AccessToken=token)
    assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    return username, secret, when


def test_pool_mfa_config_round_trip(cognito: Any, app: dict[str, str]) -> None:
    config = cognito.get_user_pool_mfa_config(UserPoolId=app["pool"])
    assert config["MfaConfiguration"] == "OPTIONAL"
    assert config["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    described = cognito.describe_user_pool(UserPoolId=app["pool"])["UserPool"]
    assert described["MfaConfiguration"] == "OPTIONAL"
    with pytest.raises(ClientError) as exc:
        cognito.set_user_pool_mfa_config(
            UserPoolId=app["pool"], SoftwareTokenMfaConfiguration={"Enabled": False}
        )
    assert error_of(exc)[0] == "InvalidParameterException"


def test_password_flow_needs_a_valid_unused_code(
    server: Server, cognito: Any, app: dict[str, str]
) -> None:
    username, secret, when = set_up_totp(cognito, app)
    challenge = sign_in(cognito, app, username)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "AuthenticationResult" not in challenge
    assert challenge["ChallengeParameters"]["FRIENDLY_DEVICE_NAME"] == "phone"

    def respond(code: str) -> dict[str, Any]:
        return cognito.respond_to_auth_challenge(
            ClientId=app["client"], ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code},
        )  # fmt: skip

    for refused in ("000000", pyotp.TOTP(secret).at(when)):  # wrong; already used
        with pytest.raises(ClientError) as exc:
            respond(refused)
        assert error_of(exc) == (
            "CodeMismatchException",
            "Invalid code or auth state for the user.",
        )
    result = respond(pyotp.TOTP(secret).at(when + 30))["AuthenticationResult"]
    claims = verify(server, app["pool"], result["IdToken"], audience=app["client"])
    assert claims["email"] == username


def test_admin_and_srp_flows_answer_the_challenge(cognito: Any, app: dict[str, str]) -> None:
    for flow in ("admin", "srp"):
        username, secret, when = set_up_totp(cognito, app)
        if flow == "admin":
            challenge = cognito.admin_initiate_auth(
                UserPoolId=app["pool"], ClientId=app["client"],
                AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": STRONG},
            )  # fmt: skip
            respond = cognito.admin_respond_to_auth_challenge
            extra = {"UserPoolId": app["pool"]}
        else:
            srp = AWSSRP(username, STRONG, app["pool"], app["client"], client=cognito)
            with pytest.raises(SoftwareTokenMFAChallengeException) as raised:
                srp.authenticate_user()
            challenge = raised.value.get_tokens()
            respond = cognito.respond_to_auth_challenge
            extra = {}
        assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
        result = respond(
            ClientId=app["client"], ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=challenge["Session"],
            ChallengeResponses={
                "USERNAME": username,
                "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(secret).at(when + 30),
            },
            **extra,
        )  # fmt: skip
        assert result["AuthenticationResult"]["AccessToken"]


def test_mfa_on_answers_mfa_setup_then_tokens(cognito: Any) -> None:
    pool = email_pool(cognito)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool["Id"], SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="ON",
    )  # fmt: skip
    app = {"pool": pool["Id"], "client": client(cognito, pool["Id"])["ClientId"]}
    username = confirmed_user(cognito, app["pool"])
    challenge = sign_in(cognito, app, username)
    assert challenge["ChallengeName"] == "MFA_SETUP" and "AuthenticationResult" not in challenge
    assert json.loads(challenge["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    associated = cognito.associate_software_token(Session=challenge["Session"])
    secret = associated["SecretCode"]
    verified = cognito.verify_software_token(
        Session=associated["Session"], UserCode=pyotp.TOTP(secret).now()
    )
    done = cognito.respond_to_auth_challenge(
        ClientId=app["client"], ChallengeName="MFA_SETUP", Session=verified["Session"],
        ChallengeResponses={"USERNAME": username},
    )  # fmt: skip
    assert done["AuthenticationResult"]["RefreshToken"]
    factors = cognito.admin_get_user_auth_factors(UserPoolId=app["pool"], Username=username)
    assert factors["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert factors["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
    assert factors["ConfiguredUserAuthFactors"] == ["PASSWORD"]
    # Refresh is exempt: a refresh token stands for a completed sign-in.
    refreshed = cognito.initiate_auth(
        ClientId=app["client"], AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": done["AuthenticationResult"]["RefreshToken"]},
    )  # fmt: skip
    assert refreshed["AuthenticationResult"]["AccessToken"]
