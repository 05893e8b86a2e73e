"""USER_AUTH (choice-based sign-in) through boto3 against a running server:
AvailableChallenges from the pool's SignInPolicy and what the user can use,
SELECT_CHALLENGE and PREFERRED_CHALLENGE, passwordless EMAIL_OTP and SMS_OTP with
codes read from the outbox, PASSWORD and PASSWORD_SRP (pycognito), MFA after a code
sign-in, and the refusals."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from tests.api.helpers import FLOWS, POLICY, STRONG, client, email, error_of
from tests.conftest import Server, latest_code
from tests.mfa.test_totp_api import set_up_totp

PHONE = "+15555550142"
FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]


def policies(factors: list[str]) -> dict[str, Any]:
    return {"PasswordPolicy": POLICY, "SignInPolicy": {"AllowedFirstAuthFactors": factors}}


@pytest.fixture
def app(cognito: Any) -> dict[str, str]:
    pool = email_pool_with(cognito, Policies=policies(FACTORS))
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool["Id"], SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="OPTIONAL",
    )  # fmt: skip
    web = client(cognito, pool["Id"], ExplicitAuthFlows=[*FLOWS, "ALLOW_USER_AUTH"])
    return {"pool": pool["Id"], "client": web["ClientId"]}


def email_pool_with(cognito: Any, **extra: Any) -> dict[str, Any]:
    return cognito.create_user_pool(
        PoolName="TravelGuide-passwordless", UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"], **extra,
    )["UserPool"]  # fmt: skip


def user(cognito: Any, pool_id: str, *, phone: bool = False) -> str:
    address = email()
    attributes = [{"Name": "email", "Value": address}, {"Name": "email_verified", "Value": "true"}]
    if phone:
        attributes += [{"Name": "phone_number", "Value": PHONE},
                       {"Name": "phone_number_verified", "Value": "true"}]  # fmt: skip
    cognito.admin_create_user(
        UserPoolId=pool_id, Username=address, MessageAction="SUPPRESS", UserAttributes=attributes
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=address, Password=STRONG, Permanent=True
    )
    return address


def start(cognito: Any, app: dict[str, str], username: str, **params: str) -> dict[str, Any]:
    return cognito.initiate_auth(
        ClientId=app["client"], AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, **params},
    )  # fmt: skip


def respond(
    cognito: Any, app: dict[str, str], name: str, session: str, **responses: str
) -> dict[str, Any]:
    return cognito.respond_to_auth_challenge(
        ClientId=app["client"], ChallengeName=name, Session=session,
        ChallengeResponses=responses,
    )  # fmt: skip


def test_select_challenge_and_email_code(server: Server, cognito: Any, app: dict[str, str]) -> None:
    address = user(cognito, app["pool"])
    first = start(cognito, app, address)
    assert first["ChallengeName"] == "SELECT_CHALLENGE"
    assert first["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
    chosen = respond(cognito, app, "SELECT_CHALLENGE", first["Session"],
                     USERNAME=address, ANSWER="EMAIL_OTP")  # fmt: skip
    assert chosen["ChallengeName"] == "EMAIL_OTP"
    assert chosen["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    code = latest_code(server, address)
    with pytest.raises(ClientError) as exc:
        respond(cognito, app, "EMAIL_OTP", chosen["Session"], USERNAME=address,
                EMAIL_OTP_CODE=f"{(int(code) + 1) % 1_000_000:06d}")  # fmt: skip
    assert error_of(exc)[0] == "CodeMismatchException"
    done = respond(cognito, app, "EMAIL_OTP", chosen["Session"],
                   USERNAME=address, EMAIL_OTP_CODE=code)  # fmt: skip
    assert done["AuthenticationResult"]["IdToken"]


def test_preferred_challenges(server: Server, cognito: Any, app: dict[str, str]) -> None:
    address = user(cognito, app["pool"], phone=True)
    sms = start(cognito, app, address, PREFERRED_CHALLENGE="SMS_OTP")
    assert sms["ChallengeName"] == "SMS_OTP"
    assert sms["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0142"
    done = respond(cognito, app, "SMS_OTP", sms["Session"],
                   USERNAME=address, SMS_OTP_CODE=latest_code(server, PHONE))  # fmt: skip
    assert done["AuthenticationResult"]["AccessToken"]
    password = start(cognito, app, address, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=STRONG)
    assert password["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as exc:
        start(cognito, app, address, PREFERRED_CHALLENGE="PASSWORD", PASSWORD="Wrong!Pass1")
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")


def test_password_srp_through_select_challenge(cognito: Any, app: dict[str, str]) -> None:
    address = user(cognito, app["pool"])
    first = start(cognito, app, address)
    srp = AWSSRP(address, STRONG, app["pool"], app["client"], client=cognito)
    params = srp.get_auth_params()
    verifier = respond(cognito, app, "SELECT_CHALLENGE", first["Session"], USERNAME=address,
                       ANSWER="PASSWORD_SRP", SRP_A=params["SRP_A"])  # fmt: skip
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    tokens = cognito.respond_to_auth_challenge(
        ClientId=app["client"], ChallengeName="PASSWORD_VERIFIER",
        ChallengeResponses=srp.process_challenge(verifier["ChallengeParameters"], params),
    )  # fmt: skip
    assert tokens["AuthenticationResult"]["RefreshToken"]


def test_a_code_sign_in_still_owes_the_users_mfa(
    server: Server, cognito: Any, app: dict[str, str]
) -> None:
    address, secret, when = set_up_totp(cognito, app)
    cognito.admin_update_user_attributes(
        UserPoolId=app["pool"], Username=address,
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )  # fmt: skip
    chosen = start(cognito, app, address, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert chosen["ChallengeName"] == "EMAIL_OTP"
    owed = respond(cognito, app, "EMAIL_OTP", chosen["Session"],
                   USERNAME=address, EMAIL_OTP_CODE=latest_code(server, address))  # fmt: skip
    assert owed["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and "AuthenticationResult" not in owed
    done = respond(cognito, app, "SOFTWARE_TOKEN_MFA", owed["Session"], USERNAME=address,
                   SOFTWARE_TOKEN_MFA_CODE=pyotp.TOTP(secret).at(when + 30))  # fmt: skip
    assert done["AuthenticationResult"]["AccessToken"]


def test_refusals(cognito: Any, app: dict[str, str]) -> None:
    address = user(cognito, app["pool"])
    plain = client(cognito, app["pool"])["ClientId"]
    with pytest.raises(ClientError) as exc:
        cognito.initiate_auth(ClientId=plain, AuthFlow="USER_AUTH",
                              AuthParameters={"USERNAME": address})  # fmt: skip
    assert error_of(exc) == (
        "InvalidParameterException",
        "USER_AUTH flow not enabled for this client",
    )
    first = start(cognito, app, address)
    with pytest.raises(ClientError) as exc:  # not offered: no phone number
        respond(cognito, app, "SELECT_CHALLENGE", first["Session"], USERNAME=address,
                ANSWER="SMS_OTP")  # fmt: skip
    assert error_of(exc)[0] == "InvalidParameterException"
    for refused in (
        {"Policies": policies(["EMAIL_OTP"])},
        {"Policies": policies(FACTORS),
         "MfaConfiguration": "ON",
         "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sms"}},
    ):  # fmt: skip
        with pytest.raises(ClientError) as exc:
            email_pool_with(cognito, **refused)
        assert error_of(exc)[0] == "InvalidParameterException"


def test_unknown_users_look_like_everyone(cognito: Any, app: dict[str, str]) -> None:
    masked = client(cognito, app["pool"], ExplicitAuthFlows=[*FLOWS, "ALLOW_USER_AUTH"],
                    PreventUserExistenceErrors="ENABLED")["ClientId"]  # fmt: skip
    nobody = email()
    first = cognito.initiate_auth(ClientId=masked, AuthFlow="USER_AUTH",
                                  AuthParameters={"USERNAME": nobody})  # fmt: skip
    assert first["ChallengeName"] == "SELECT_CHALLENGE"
    chosen = cognito.respond_to_auth_challenge(
        ClientId=masked, ChallengeName="SELECT_CHALLENGE", Session=first["Session"],
        ChallengeResponses={"USERNAME": nobody, "ANSWER": "EMAIL_OTP"},
    )  # fmt: skip
    assert chosen["ChallengeName"] == "EMAIL_OTP"
    with pytest.raises(ClientError) as exc:
        cognito.respond_to_auth_challenge(
            ClientId=masked, ChallengeName="EMAIL_OTP", Session=chosen["Session"],
            ChallengeResponses={"USERNAME": nobody, "EMAIL_OTP_CODE": "123456"},
        )  # fmt: skip
    assert error_of(exc)[0] == "CodeMismatchException"


def test_passwordless_sign_up_then_sign_in_with_the_confirmation(
    server: Server, cognito: Any, app: dict[str, str]
) -> None:
    address = email()
    signed_up = cognito.sign_up(
        ClientId=app["client"], Username=address,
        UserAttributes=[{"Name": "email", "Value": address}],
    )  # fmt: skip
    assert signed_up["UserConfirmed"] is False
    confirmed = cognito.confirm_sign_up(
        ClientId=app["client"], Username=address,
        ConfirmationCode=latest_code(server, address),
    )  # fmt: skip
    # The confirmation code stands for the first factor: signed in with its Session.
    done = cognito.initiate_auth(
        ClientId=app["client"], AuthFlow="USER_AUTH", Session=confirmed["Session"],
        AuthParameters={"USERNAME": address},
    )  # fmt: skip
    assert done["AuthenticationResult"]["IdToken"]
    with pytest.raises(ClientError) as exc:  # once only
        cognito.initiate_auth(
            ClientId=app["client"], AuthFlow="USER_AUTH", Session=confirmed["Session"],
            AuthParameters={"USERNAME": address},
        )  # fmt: skip
    assert error_of(exc)[0] == "NotAuthorizedException"
    # No password: codes are the way in.
    again = start(cognito, app, address)
    assert again["AvailableChallenges"] == ["EMAIL_OTP"]
    factors = cognito.get_user_auth_factors(AccessToken=done["AuthenticationResult"]["AccessToken"])
    assert factors["ConfiguredUserAuthFactors"] == ["EMAIL_OTP"]


def test_a_password_is_needed_where_codes_cannot_sign_in(cognito: Any) -> None:
    pool = email_pool_with(cognito, Policies=policies(["PASSWORD"]))
    web = client(cognito, pool["Id"])["ClientId"]
    with pytest.raises(ClientError) as exc:
        address = email()
        cognito.sign_up(ClientId=web, Username=address,
                        UserAttributes=[{"Name": "email", "Value": address}])  # fmt: skip
    assert error_of(exc)[0] == "InvalidParameterException"
