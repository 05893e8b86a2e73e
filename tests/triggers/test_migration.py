"""The user migration trigger: users of an old directory signed in with their old
password (API and hosted page) or sent a reset code, created in the pool as the
function describes them, and never migrated twice."""

from __future__ import annotations

import httpx
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from tests.api.helpers import STRONG, error_of
from tests.conftest import latest_code
from tests.oauth.helpers import CALLBACK, http_sign_in, make_app, pkce
from tests.triggers.conftest import Deployment
from tests.triggers.helpers import no_such_user, outbox, password_sign_in, verify
from tests.triggers.oracle import check_records

OLIVE, OLIVE_PASSWORD = "olive@legacy.example", "Legacy!Pass1"
RHEA, RHEA_PASSWORD = "rhea@legacy.example", "Legacy!Pass2"
FERN = "fern@legacy.example"


def test_a_user_signs_in_with_the_old_password_and_stays(deployment: Deployment) -> None:
    pool = deployment.pool({"UserMigration": "migrate-user"})
    client_id = deployment.client(pool)

    # SRP proves a password Cognito cannot see: no migration, the user is unknown.
    srp = AWSSRP(OLIVE, OLIVE_PASSWORD, pool, client_id, client=deployment.cognito)
    with pytest.raises(ClientError) as exc:
        srp.authenticate_user()
    assert error_of(exc)[0] == "UserNotFoundException"
    # A wrong old password: the function refuses, nobody is created.
    with pytest.raises(ClientError) as exc:
        password_sign_in(deployment, client_id, OLIVE, "Wrong!Pass9")
    assert error_of(exc) == (
        "UserNotFoundException", f"Exception migrating user in app client {client_id}"
    )  # fmt: skip
    assert no_such_user(deployment, pool, OLIVE)

    result = password_sign_in(
        deployment, client_id, OLIVE, OLIVE_PASSWORD, ClientMetadata={"app": "ios"}
    )["AuthenticationResult"]
    claims = verify(deployment, pool, result["IdToken"], audience=client_id)
    assert claims["email"] == OLIVE and claims["name"] == "Olive Oldtimer"
    assert claims["email_verified"] is True
    migrated = deployment.cognito.admin_get_user(UserPoolId=pool, Username=OLIVE)
    assert migrated["UserStatus"] == "CONFIRMED"
    assert outbox(deployment, OLIVE) == []  # messageAction SUPPRESS; no welcome anyway

    # The next sign-ins (password and SRP) find the user: the function is not asked again.
    assert password_sign_in(deployment, client_id, OLIVE, OLIVE_PASSWORD)["AuthenticationResult"]
    assert srp.authenticate_user()["AuthenticationResult"]["AccessToken"]
    events = deployment.events(pool)
    assert [e["triggerSource"] for e in events] == ["UserMigration_Authentication"] * 2
    assert events[1]["userName"] == OLIVE
    assert events[1]["request"]["password"] == OLIVE_PASSWORD
    assert events[1]["request"]["validationData"] == {"app": "ios"}
    assert events[1]["callerContext"]["clientId"] == client_id
    assert events[1]["response"] == {
        "userAttributes": None, "finalUserStatus": None, "messageAction": None,
        "desiredDeliveryMediums": None, "forceAliasCreation": None, "enableSMSMFA": None,
    }  # fmt: skip
    assert check_records(deployment.records(pool)) == set()


def test_reset_required_and_forgot_password(deployment: Deployment) -> None:
    pool = deployment.pool({"UserMigration": "migrate-user"})
    client_id = deployment.client(pool)

    # RESET_REQUIRED: created, and told to reset the password.
    with pytest.raises(ClientError) as exc:
        password_sign_in(deployment, client_id, RHEA, RHEA_PASSWORD)
    assert error_of(exc)[0] == "PasswordResetRequiredException"
    assert (
        deployment.cognito.admin_get_user(UserPoolId=pool, Username=RHEA)["UserStatus"]
        == "RESET_REQUIRED"
    )

    # ForgotPassword for a user the pool does not know yet: UserMigration_ForgotPassword
    # creates them and the reset code goes to their (verified) email.
    sent = deployment.cognito.forgot_password(ClientId=client_id, Username=FERN)
    assert sent["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert (
        deployment.cognito.admin_get_user(UserPoolId=pool, Username=FERN)["UserStatus"]
        == "RESET_REQUIRED"
    )
    deployment.cognito.confirm_forgot_password(
        ClientId=client_id, Username=FERN, Password=STRONG,
        ConfirmationCode=latest_code(deployment.server, FERN),
    )  # fmt: skip
    assert password_sign_in(deployment, client_id, FERN)["AuthenticationResult"]["IdToken"]

    events = deployment.events(pool)
    assert [e["triggerSource"] for e in events] == [
        "UserMigration_Authentication", "UserMigration_ForgotPassword"
    ]  # fmt: skip
    assert "password" not in events[1]["request"]
    assert check_records(deployment.records(pool)) == {"migration password"}


def test_a_refusal_is_user_not_found_or_masked(deployment: Deployment) -> None:
    pool = deployment.pool({"UserMigration": "migrate-user"})
    plain = deployment.client(pool, PreventUserExistenceErrors="LEGACY")
    masked = deployment.client(pool, PreventUserExistenceErrors="ENABLED")
    stranger = "stranger@legacy.example"
    with pytest.raises(ClientError) as exc:
        password_sign_in(deployment, plain, stranger, STRONG)
    assert error_of(exc) == (
        "UserNotFoundException", f"Exception migrating user in app client {plain}"
    )  # fmt: skip
    with pytest.raises(ClientError) as exc:
        password_sign_in(deployment, masked, stranger, STRONG)
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(ClientError) as exc:
        deployment.cognito.forgot_password(ClientId=plain, Username=stranger)
    assert error_of(exc) == (
        "UserNotFoundException", f"Exception migrating user in app client {plain}"
    )  # fmt: skip
    # Masked: answered as a code sent, and nothing is.
    sent = deployment.cognito.forgot_password(ClientId=masked, Username=stranger)
    assert sent["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert outbox(deployment, stranger) == []
    assert no_such_user(deployment, pool, stranger)
    assert len(deployment.events(pool)) == 4


def test_the_hosted_sign_in_page_migrates_too(deployment: Deployment) -> None:
    pool = deployment.pool({"UserMigration": "migrate-user"})
    app = make_app(deployment.cognito, pool)
    _, challenge = pkce()
    params = app.authorize_params(code_challenge=challenge, code_challenge_method="S256")
    with httpx.Client(base_url=deployment.url) as http:
        answer = http_sign_in(http, params, OLIVE, OLIVE_PASSWORD)
    assert answer.status_code == 302, answer.text
    assert answer.headers["location"].startswith(CALLBACK + "?code=")
    assert (
        deployment.cognito.admin_get_user(UserPoolId=pool, Username=OLIVE)["UserStatus"]
        == "CONFIRMED"
    )
    [event] = deployment.events(pool)
    assert event["callerContext"]["clientId"] == app.client_id
    check_records([{"event": event}])
