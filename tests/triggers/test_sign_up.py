"""Pre sign-up and post confirmation through boto3 and pycognito: auto-confirmation,
a refusal that leaves nothing behind, a function that does not answer in time, and a
post confirmation function that adds the user to a group through the pool's API."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError
from pycognito import Cognito

from tests.api.helpers import STRONG, email, error_of
from tests.conftest import ADMIN_KEY_ID, ADMIN_SECRET, latest_code
from tests.oauth.helpers import csrf_of, make_app, pkce
from tests.triggers.conftest import Deployment
from tests.triggers.helpers import no_such_user, outbox, password_sign_in, verify
from tests.triggers.oracle import check_records


def sign_up(deployment: Deployment, client_id: str, address: str, **extra: Any) -> Any:
    return deployment.cognito.sign_up(
        ClientId=client_id, Username=address, Password=STRONG,
        UserAttributes=[{"Name": "email", "Value": address}, {"Name": "name", "Value": "Ada"}],
        **extra,
    )  # fmt: skip


def id_claims(deployment: Deployment, pool: str, client_id: str, address: str) -> dict[str, Any]:
    tokens = password_sign_in(deployment, client_id, address)["AuthenticationResult"]
    return verify(deployment, pool, tokens["IdToken"], audience=client_id)


def test_pre_sign_up_confirms_and_verifies(deployment: Deployment) -> None:
    pool = deployment.pool({"PreSignUp": "pre-sign-up-auto-confirm"})
    client_id = deployment.client(pool)
    address = email()
    answer = sign_up(
        deployment, client_id, address,
        ValidationData=[{"Name": "referrer", "Value": "newsletter"}],
        ClientMetadata={"campaign": "spring"},
    )  # fmt: skip
    assert answer["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in answer
    assert outbox(deployment, address) == []  # nothing to confirm: no code sent
    user = deployment.cognito.admin_get_user(UserPoolId=pool, Username=address)
    assert user["UserStatus"] == "CONFIRMED"
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email_verified"] == "true"

    [event] = deployment.events(pool, "PreSignUp_SignUp")
    assert event["userName"] == user["Username"]
    assert event["callerContext"]["clientId"] == client_id
    assert event["request"]["userAttributes"] == {"email": address, "name": "Ada"}
    assert event["request"]["validationData"] == {"referrer": "newsletter"}
    assert event["request"]["clientMetadata"] == {"campaign": "spring"}
    assert event["response"] == {
        "autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False
    }  # fmt: skip

    # pycognito registers the same way and sees the same answer; SRP sign-in follows.
    second = email()
    user_object = Cognito(
        pool, client_id, username=second,
        boto3_client_kwargs={"endpoint_url": deployment.url, "aws_access_key_id": ADMIN_KEY_ID,
                             "aws_secret_access_key": ADMIN_SECRET},
    )  # fmt: skip
    user_object.set_base_attributes(email=second, name="Grace")
    registered = user_object.register(second, STRONG)
    assert registered["UserConfirmed"] is True
    user_object.authenticate(password=STRONG)  # verifies the id token against the JWKS
    assert user_object.id_claims["email"] == second
    assert user_object.id_claims["email_verified"] is True
    assert len(deployment.events(pool, "PreSignUp_SignUp")) == 2
    assert check_records(deployment.records(pool)) == set()


def test_pre_sign_up_runs_for_admin_create_user(deployment: Deployment) -> None:
    # AdminCreateUser: the function is told, may refuse, and its response is ignored.
    pool = deployment.pool({"PreSignUp": "pre-sign-up-auto-confirm"})
    address = email()
    created = deployment.cognito.admin_create_user(
        UserPoolId=pool, Username=address, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": address}],
        ValidationData=[{"Name": "source", "Value": "crm"}],
        ClientMetadata={"batch": "7"},
    )["User"]  # fmt: skip
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    attributes = {a["Name"]: a["Value"] for a in created["Attributes"]}
    assert attributes.get("email_verified") != "true"
    [event] = deployment.events(pool, "PreSignUp_AdminCreateUser")
    assert event["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"
    assert event["request"]["validationData"] == {"source": "crm"}
    assert event["request"]["clientMetadata"] == {"batch": "7"}
    assert check_records(deployment.records(pool)) == {"triggerSource literal"}

    refusing = deployment.pool({"PreSignUp": "pre-sign-up-guest-list"})
    with pytest.raises(ClientError) as exc:
        deployment.cognito.admin_create_user(
            UserPoolId=refusing, Username=address, DesiredDeliveryMediums=["EMAIL"],
            UserAttributes=[{"Name": "email", "Value": address}],
        )  # fmt: skip
    assert error_of(exc) == (
        "UserLambdaValidationException",
        "PreSignUp failed with error not on the guest list.",
    )
    assert no_such_user(deployment, refusing, address)
    assert outbox(deployment, address) == []


def test_a_refusing_pre_sign_up_leaves_no_user_and_sends_nothing(
    deployment: Deployment,
) -> None:
    pool = deployment.pool(
        {"PreSignUp": "pre-sign-up-guest-list", "CustomMessage": "custom-message"}
    )
    client_id = deployment.client(pool)
    address = email()
    with pytest.raises(ClientError) as exc:
        sign_up(deployment, client_id, address)
    assert error_of(exc) == (
        "UserLambdaValidationException",
        "PreSignUp failed with error not on the guest list.",
    )
    assert no_such_user(deployment, pool, address)
    assert outbox(deployment, address) == []
    # The custom message trigger never ran: there was no code to send.
    assert deployment.events(pool, "CustomMessage_SignUp") == []

    # With the invitation code the same function lets the traveller in.
    answer = sign_up(
        deployment, client_id, address,
        ValidationData=[{"Name": "invitation", "Value": "TRAVEL2026"}],
    )  # fmt: skip
    assert answer["UserConfirmed"] is False
    assert answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert len(outbox(deployment, address)) == 1
    records = deployment.records(pool, "PreSignUp_SignUp")
    assert [r.get("raised") for r in records] == ["not on the guest list", None]
    check_records(deployment.records(pool))


def test_a_pre_sign_up_that_does_not_answer_in_five_seconds(deployment: Deployment) -> None:
    pool = deployment.pool({"PreSignUp": "pre-sign-up-sleeper"})
    client_id = deployment.client(pool)
    address = email()
    started = time.monotonic()
    with pytest.raises(ClientError) as exc:
        sign_up(deployment, client_id, address)
    elapsed = time.monotonic() - started
    print(f"SignUp answered after {elapsed:.2f} s (Cognito waits 5 s; the function sleeps 10 s)")
    assert error_of(exc) == (
        "UnexpectedLambdaException",
        "PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.",
    )
    assert no_such_user(deployment, pool, address)
    assert outbox(deployment, address) == []


@pytest.mark.parametrize(
    ("function", "code", "message"),
    [
        ("unrecognizable", "InvalidLambdaResponseException", "Unrecognizable lambda output"),
        # Lambda reports these as function errors, with its own messages.
        ("crash", "UserLambdaValidationException", "Runtime exited with error: exit status 3"),
        ("overrun", "UserLambdaValidationException", "Task timed out after 1.00 seconds"),
    ],
)
def test_functions_that_fail_as_lambda_functions_do(
    deployment: Deployment, function: str, code: str, message: str
) -> None:
    pool = deployment.pool({"PreSignUp": function})
    client_id = deployment.client(pool)
    address = email()
    with pytest.raises(ClientError) as exc:
        sign_up(deployment, client_id, address)
    got = error_of(exc)
    print(got)
    assert got[0] == code and message in got[1]
    if code == "UserLambdaValidationException":
        assert got[1].startswith("PreSignUp failed with error ") and got[1].endswith(".")
    assert no_such_user(deployment, pool, address)
    assert outbox(deployment, address) == []


def test_post_confirmation_adds_the_user_to_a_group(deployment: Deployment) -> None:
    pool = deployment.pool({"PostConfirmation": "post-confirmation-travellers"})
    deployment.cognito.create_group(UserPoolId=pool, GroupName="travellers")
    client_id = deployment.client(pool)

    # ConfirmSignUp with the code from the outbox.
    address = email()
    sign_up(deployment, client_id, address)
    deployment.cognito.confirm_sign_up(
        ClientId=client_id, Username=address,
        ConfirmationCode=latest_code(deployment.server, address),
        ClientMetadata={"landing": "spring-sale"},
    )  # fmt: skip
    assert id_claims(deployment, pool, client_id, address)["cognito:groups"] == ["travellers"]
    [event] = deployment.events(pool, "PostConfirmation_ConfirmSignUp")
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert event["request"]["userAttributes"]["email_verified"] == "true"
    assert event["request"]["clientMetadata"] == {"landing": "spring-sale"}
    assert event["callerContext"]["clientId"] == client_id

    # AdminConfirmSignUp: the same source.
    second = email()
    sign_up(deployment, client_id, second)
    deployment.cognito.admin_confirm_sign_up(UserPoolId=pool, Username=second)
    assert id_claims(deployment, pool, client_id, second)["cognito:groups"] == ["travellers"]

    # ConfirmForgotPassword (the first user has a verified email to send the code to):
    # PostConfirmation_ConfirmForgotPassword.
    deployment.cognito.admin_remove_user_from_group(
        UserPoolId=pool, Username=address, GroupName="travellers"
    )
    deployment.cognito.forgot_password(ClientId=client_id, Username=address)
    deployment.cognito.confirm_forgot_password(
        ClientId=client_id, Username=address, Password=STRONG,
        ConfirmationCode=latest_code(deployment.server, address),
    )  # fmt: skip
    assert id_claims(deployment, pool, client_id, address)["cognito:groups"] == ["travellers"]
    sources = [e["triggerSource"] for e in deployment.events(pool)]
    assert sources == [
        "PostConfirmation_ConfirmSignUp",
        "PostConfirmation_ConfirmSignUp",
        "PostConfirmation_ConfirmForgotPassword",
    ]
    assert check_records(deployment.records(pool)) == {"triggerSource literal"}


def test_post_confirmation_is_not_run_for_an_auto_confirmed_user(
    deployment: Deployment,
) -> None:
    pool = deployment.pool(
        {"PreSignUp": "pre-sign-up-auto-confirm", "PostConfirmation": "record-only"}
    )
    client_id = deployment.client(pool)
    assert sign_up(deployment, client_id, email())["UserConfirmed"] is True
    assert [e["triggerSource"] for e in deployment.events(pool)] == ["PreSignUp_SignUp"]


def test_a_failing_post_confirmation_leaves_the_user_confirmed(deployment: Deployment) -> None:
    pool = deployment.pool({"PostConfirmation": "crash"})
    client_id = deployment.client(pool)
    address = email()
    sign_up(deployment, client_id, address)
    with pytest.raises(ClientError) as exc:
        deployment.cognito.confirm_sign_up(
            ClientId=client_id, Username=address,
            ConfirmationCode=latest_code(deployment.server, address),
        )  # fmt: skip
    assert error_of(exc)[0] == "UserLambdaValidationException"
    assert error_of(exc)[1].startswith("PostConfirmation failed with error ")
    user = deployment.cognito.admin_get_user(UserPoolId=pool, Username=address)
    assert user["UserStatus"] == "CONFIRMED"


def test_the_hosted_sign_up_page_and_an_auto_confirming_trigger(
    deployment: Deployment,
) -> None:
    pool = deployment.pool({"PreSignUp": "pre-sign-up-auto-confirm"})
    app = make_app(deployment.cognito, pool)
    _, challenge = pkce()
    params = app.authorize_params(code_challenge=challenge, code_challenge_method="S256")
    address = email()
    with httpx.Client(base_url=deployment.url) as http:
        login = http.get(http.get("/oauth2/authorize", params=params).headers["location"])
        page = http.get("/signup", params=login.url.params)
        posted = http.post(
            str(page.url),
            data={"_csrf": csrf_of(page.text), "attr_email": address, "password": STRONG},
        )
        assert posted.status_code in (302, 303), posted.text
        landed = http.get(posted.headers["location"])
    assert landed.url.path == "/login"
    assert "Your account was created. Sign in to continue." in landed.text
    user = deployment.cognito.admin_get_user(UserPoolId=pool, Username=address)
    assert user["UserStatus"] == "CONFIRMED"
    [event] = deployment.events(pool)
    assert event["callerContext"]["clientId"] == app.client_id
