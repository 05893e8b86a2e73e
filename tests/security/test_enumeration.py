"""With PreventUserExistenceErrors ENABLED, answers do not tell who has an account.
The timing of an unknown user against a known user's wrong password is measured and
printed (run with -s); only the answers' shapes are asserted."""

from __future__ import annotations

import re
import statistics
import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.helpers import FLOWS, POLICY, STRONG, error_of
from tests.conftest import Server, cognito_client


@pytest.fixture(scope="module")
def app(json_server: Server) -> dict[str, Any]:
    cognito: Any = cognito_client(json_server.url)
    pool = cognito.create_user_pool(
        PoolName="enumeration", Policies={"PasswordPolicy": POLICY},
        AutoVerifiedAttributes=["email"],
    )["UserPool"]["Id"]  # fmt: skip
    client = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="web", ExplicitAuthFlows=FLOWS,
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]  # fmt: skip
    return {"cognito": cognito, "pool": pool, "client": client}


def user(app: dict[str, Any], *, enabled: bool = True) -> str:
    name = f"u{uuid.uuid4().hex[:10]}"
    cognito = app["cognito"]
    cognito.admin_create_user(
        UserPoolId=app["pool"], Username=name, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": f"{name}@corp.example"},
                        {"Name": "email_verified", "Value": "true"}],
    )  # fmt: skip
    cognito.admin_set_user_password(
        UserPoolId=app["pool"], Username=name, Password=STRONG, Permanent=True
    )
    if not enabled:
        cognito.admin_disable_user(UserPoolId=app["pool"], Username=name)
    return name


def sign_in_error(app: dict[str, Any], name: str, password: str) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        app["cognito"].initiate_auth(
            ClientId=app["client"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": password},
        )
    return error_of(exc)


INCORRECT = ("NotAuthorizedException", "Incorrect username or password.")


def test_unknown_and_wrong_password_look_alike_and_take_alike(app: dict[str, Any]) -> None:
    known = [user(app) for _ in range(200)]
    unknown = [f"u{uuid.uuid4().hex[:10]}" for _ in range(200)]
    timings: dict[str, list[float]] = {"unknown": [], "known": []}
    # Interleaved, one attempt per name: no lockout, and drift hits both alike.
    for name_known, name_unknown in zip(known, unknown, strict=True):
        for kind, name in (("known", name_known), ("unknown", name_unknown)):
            started = time.perf_counter()
            assert sign_in_error(app, name, "Wrong!Pass123") == INCORRECT
            timings[kind].append(time.perf_counter() - started)
    median_known = statistics.median(timings["known"])
    median_unknown = statistics.median(timings["unknown"])
    print(
        f"\nmedian of 200: unknown user {median_unknown * 1000:.2f} ms, known user with a "
        f"wrong password {median_known * 1000:.2f} ms, ratio {median_unknown / median_known:.3f}"
    )


def test_lockout_and_disabled_users_tell_nothing(app: dict[str, Any]) -> None:
    known, unknown, disabled = user(app), f"u{uuid.uuid4().hex[:10]}", user(app, enabled=False)
    for name in (known, unknown):
        answers = [sign_in_error(app, name, "Wrong!Pass123") for _ in range(6)]
        assert answers[:5] == [INCORRECT] * 5
        assert answers[5] == ("NotAuthorizedException", "Password attempts exceeded")
    assert sign_in_error(app, disabled, "Wrong!Pass123") == INCORRECT
    assert sign_in_error(app, disabled, STRONG) == ("NotAuthorizedException", "User is disabled.")
    # SRP: everyone gets a challenge; nothing is said before the password is proved.
    challenge = app["cognito"].initiate_auth(
        ClientId=app["client"], AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": disabled, "SRP_A": format(2**2048 + 12345, "x")},
    )  # fmt: skip
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"


def test_recovery_and_confirmation_answer_alike(app: dict[str, Any]) -> None:
    cognito, client = app["cognito"], app["client"]
    names = [f"name{i}{uuid.uuid4().hex[:6]}" for i in range(20)]
    masked = [
        cognito.forgot_password(ClientId=client, Username=n)["CodeDeliveryDetails"] for n in names
    ]
    # Made up the same way for every name: any letters, never one fixed domain.
    assert all(re.fullmatch(r"[a-z]\*\*\*@[a-z]\*\*\*", d["Destination"]) for d in masked)
    assert len({d["Destination"].split("@")[1] for d in masked}) > 1
    again = cognito.forgot_password(ClientId=client, Username=names[0])["CodeDeliveryDetails"]
    assert again == masked[0]
    real = user(app)
    details = cognito.forgot_password(ClientId=client, Username=real)["CodeDeliveryDetails"]
    assert details["Destination"] == "u***@c***"
    assert set(details) == set(masked[0])
    # A confirmed user and nobody: resending and confirming answer alike.
    for name in (real, f"ghost{uuid.uuid4().hex[:6]}"):
        resent = cognito.resend_confirmation_code(ClientId=client, Username=name)
        assert resent["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
        with pytest.raises(ClientError) as exc:
            cognito.confirm_sign_up(ClientId=client, Username=name, ConfirmationCode="123456")
        assert error_of(exc)[0] == "CodeMismatchException"
