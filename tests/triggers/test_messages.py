"""The custom message trigger for every code Cognito sends: the function's subject and
text read back from the outbox (the mailbox page's JSON), with the code in it, and the
code still good for what it was sent for."""

from __future__ import annotations

import re
from typing import Any

from tests.api.helpers import STRONG, email
from tests.triggers.conftest import Deployment
from tests.triggers.helpers import outbox, password_sign_in, user
from tests.triggers.oracle import check_records

PHONE = "+15555550142"


def newest(deployment: Deployment, recipient: str) -> dict[str, Any]:
    messages = outbox(deployment, recipient)
    assert messages, f"nothing sent to {recipient}"
    return messages[0]


def code_in(message: dict[str, Any], source: str) -> str:
    """The code of a message the function wrote for ``source``."""
    match = re.fullmatch(
        rf"<p>\[{source}\] Your TravelGuide code is (\d{{6}})</p>", message["body"]
    )
    assert match, message["body"]
    assert message["subject"] == f"TravelGuide: {source}"
    return match.group(1)


def test_every_code_message_is_the_functions(deployment: Deployment) -> None:
    pool = deployment.pool({"CustomMessage": "custom-message"})
    client_id = deployment.client(pool, WriteAttributes=["email", "name"])
    address = email()

    # SignUp, then ResendConfirmationCode: the second code confirms the user.
    deployment.cognito.sign_up(
        ClientId=client_id, Username=address, Password=STRONG,
        UserAttributes=[{"Name": "email", "Value": address}], ClientMetadata={"lang": "en"},
    )  # fmt: skip
    code_in(newest(deployment, address), "CustomMessage_SignUp")
    deployment.cognito.resend_confirmation_code(ClientId=client_id, Username=address)
    code = code_in(newest(deployment, address), "CustomMessage_ResendCode")
    deployment.cognito.confirm_sign_up(ClientId=client_id, Username=address, ConfirmationCode=code)

    # ForgotPassword: the code resets the password.
    deployment.cognito.forgot_password(ClientId=client_id, Username=address)
    code = code_in(newest(deployment, address), "CustomMessage_ForgotPassword")
    deployment.cognito.confirm_forgot_password(
        ClientId=client_id, Username=address, ConfirmationCode=code, Password=STRONG
    )
    token = password_sign_in(deployment, client_id, address)["AuthenticationResult"]["AccessToken"]

    # UpdateUserAttributes (a new email) and GetUserAttributeVerificationCode.
    moved = email()
    deployment.cognito.update_user_attributes(
        AccessToken=token, UserAttributes=[{"Name": "email", "Value": moved}]
    )
    code = code_in(newest(deployment, moved), "CustomMessage_UpdateUserAttribute")
    deployment.cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    deployment.cognito.get_user_attribute_verification_code(
        AccessToken=token, AttributeName="email"
    )
    code_in(newest(deployment, moved), "CustomMessage_VerifyUserAttribute")

    events = deployment.events(pool)
    assert [e["triggerSource"] for e in events] == [
        "CustomMessage_SignUp",
        "CustomMessage_ResendCode",
        "CustomMessage_ForgotPassword",
        "CustomMessage_UpdateUserAttribute",
        "CustomMessage_VerifyUserAttribute",
    ]
    for event in events:
        assert event["request"]["codeParameter"] == "{####}"
        assert event["request"]["usernameParameter"] is None
        assert event["callerContext"]["clientId"] == client_id
        assert event["response"] == {
            "smsMessage": None, "emailMessage": None, "emailSubject": None
        }  # fmt: skip
    assert events[0]["request"]["clientMetadata"] == {"lang": "en"}
    assert events[0]["request"]["userAttributes"]["cognito:user_status"] == "UNCONFIRMED"
    assert events[3]["request"]["userAttributes"]["email"] == moved
    assert check_records(deployment.records(pool)) == set()


def test_the_invitation_is_the_functions(deployment: Deployment) -> None:
    pool = deployment.pool({"CustomMessage": "custom-message"})
    client_id = deployment.client(pool)
    address = email()
    deployment.cognito.admin_create_user(
        UserPoolId=pool, Username=address, DesiredDeliveryMediums=["EMAIL", "SMS"],
        UserAttributes=[{"Name": "email", "Value": address},
                        {"Name": "phone_number", "Value": PHONE}],
        ClientMetadata={"team": "concierge"},
    )  # fmt: skip
    message = newest(deployment, address)
    assert message["subject"] == "TravelGuide: CustomMessage_AdminCreateUser"
    match = re.fullmatch(
        r"<p>\[CustomMessage_AdminCreateUser\] Welcome aboard, (\S+): "
        r"your temporary password is (\S+)</p>",
        message["body"],
    )
    assert match, message["body"]
    assert match.group(1) == address
    sms = newest(deployment, PHONE)
    assert sms["body"] == match.group(0).removeprefix("<p>").removesuffix("</p>")
    # The temporary password in the message is the user's.
    challenge = password_sign_in(deployment, client_id, address, match.group(2))
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"

    events = deployment.events(pool)
    assert [e["triggerSource"] for e in events] == ["CustomMessage_AdminCreateUser"] * 2
    assert events[0]["request"]["usernameParameter"] == "{username}"
    assert events[0]["request"]["clientMetadata"] == {"team": "concierge"}
    assert events[0]["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    check_records(deployment.records(pool))


def test_an_email_sign_in_code_is_the_functions(deployment: Deployment) -> None:
    pool = deployment.pool({"CustomMessage": "custom-message"})
    deployment.cognito.set_user_pool_mfa_config(
        UserPoolId=pool, MfaConfiguration="OPTIONAL",
        EmailMfaConfiguration={"Subject": "TravelGuide sign-in", "Message": "Code {####}"},
    )  # fmt: skip
    client_id = deployment.client(pool)
    address = user(deployment, pool)
    deployment.cognito.admin_set_user_mfa_preference(
        UserPoolId=pool, Username=address,
        EmailMfaSettings={"Enabled": True, "PreferredMfa": True},
    )  # fmt: skip
    challenge = password_sign_in(deployment, client_id, address)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    code = code_in(newest(deployment, address), "CustomMessage_Authentication")
    done = deployment.cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="EMAIL_OTP", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": address, "EMAIL_OTP_CODE": code},
    )  # fmt: skip
    assert done["AuthenticationResult"]["IdToken"]
    [event] = deployment.events(pool)
    assert event["triggerSource"] == "CustomMessage_Authentication"
    check_records(deployment.records(pool))


def test_a_text_without_the_code_falls_back_to_the_pools_template(
    deployment: Deployment,
) -> None:
    pool = deployment.pool(
        {"CustomMessage": "custom-message"},
        VerificationMessageTemplate={
            "DefaultEmailOption": "CONFIRM_WITH_CODE",
            "EmailSubject": "Confirm your TravelGuide account",
            "EmailMessage": "Your TravelGuide confirmation code is {####}.",
        },
    )
    client_id = deployment.client(pool)
    address = email()
    deployment.cognito.sign_up(
        ClientId=client_id, Username=address, Password=STRONG,
        UserAttributes=[{"Name": "email", "Value": address}],
        ClientMetadata={"forget_the_code": "yes"},
    )  # fmt: skip
    message = newest(deployment, address)
    match = re.fullmatch(r"Your TravelGuide confirmation code is (\d{6})\.", message["body"])
    assert match, message["body"]
    # The function's subject still stands: it carries no code.
    assert message["subject"] == "TravelGuide: CustomMessage_SignUp"
    deployment.cognito.confirm_sign_up(
        ClientId=client_id, Username=address, ConfirmationCode=match.group(1)
    )
