"""What users do with their access token, and what administrators do to their
attributes, through boto3."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.helpers import STRONG, client, email, email_pool, error_of
from tests.api.test_sign_in import confirmed_user, password_auth
from tests.conftest import Server, latest_code


@pytest.fixture
def app(cognito: Any) -> dict[str, str]:
    pool = email_pool(cognito)
    return {"pool": pool["Id"], "client": client(cognito, pool["Id"])["ClientId"]}


def signed_in(
    cognito: Any, app: dict[str, str], password: str = STRONG
) -> tuple[str, dict[str, Any]]:
    address = confirmed_user(cognito, app["pool"], password)
    return address, password_auth(cognito, app, address, password)["AuthenticationResult"]


def attrs_of(cognito: Any, app: dict[str, str], username: str) -> dict[str, str]:
    user = cognito.admin_get_user(UserPoolId=app["pool"], Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def test_update_name_and_email_with_verification(
    server: Server, cognito: Any, app: dict[str, str]
) -> None:
    address, tokens = signed_in(cognito, app)
    new_address = email()
    reply = cognito.update_user_attributes(
        AccessToken=tokens["AccessToken"],
        UserAttributes=[{"Name": "name", "Value": "Jo"}, {"Name": "email", "Value": new_address}],
    )
    [details] = reply["CodeDeliveryDetailsList"]
    assert details["AttributeName"] == "email" and details["DeliveryMedium"] == "EMAIL"
    attrs = attrs_of(cognito, app, new_address)
    assert attrs["name"] == "Jo" and attrs["email"] == new_address
    assert attrs["email_verified"] == "false"

    with pytest.raises(ClientError) as exc:
        cognito.verify_user_attribute(
            AccessToken=tokens["AccessToken"],
            AttributeName="email",
            Code="000000" if latest_code(server, new_address) != "000000" else "111111",
        )
    assert error_of(exc)[0] == "CodeMismatchException"
    cognito.verify_user_attribute(
        AccessToken=tokens["AccessToken"],
        AttributeName="email",
        Code=latest_code(server, new_address),
    )
    assert attrs_of(cognito, app, new_address)["email_verified"] == "true"
    # The old address no longer signs in.
    with pytest.raises(ClientError):
        password_auth(cognito, app, address, STRONG)


def test_email_change_held_until_verified(server: Server, cognito: Any) -> None:
    pool = email_pool(
        cognito,
        UserAttributeUpdateSettings={"AttributesRequireVerificationBeforeUpdate": ["email"]},
    )["Id"]
    app = {"pool": pool, "client": client(cognito, pool)["ClientId"]}
    address, tokens = signed_in(cognito, app)
    new_address = email()
    cognito.update_user_attributes(
        AccessToken=tokens["AccessToken"], UserAttributes=[{"Name": "email", "Value": new_address}]
    )
    # Until verified, the old address stays, verified, and still signs in.
    attrs = attrs_of(cognito, app, address)
    assert attrs["email"] == address and attrs["email_verified"] == "true"
    assert "AuthenticationResult" in password_auth(cognito, app, address, STRONG)
    cognito.verify_user_attribute(
        AccessToken=tokens["AccessToken"],
        AttributeName="email",
        Code=latest_code(server, new_address),
    )
    attrs = attrs_of(cognito, app, new_address)
    assert attrs["email"] == new_address and attrs["email_verified"] == "true"


def test_resend_attribute_code(server: Server, cognito: Any, app: dict[str, str]) -> None:
    address, tokens = signed_in(cognito, app)
    details = cognito.get_user_attribute_verification_code(
        AccessToken=tokens["AccessToken"], AttributeName="email"
    )["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL"
    cognito.verify_user_attribute(
        AccessToken=tokens["AccessToken"], AttributeName="email", Code=latest_code(server, address)
    )
    with pytest.raises(ClientError) as exc:
        cognito.get_user_attribute_verification_code(
            AccessToken=tokens["AccessToken"], AttributeName="name"
        )
    assert error_of(exc)[0] == "InvalidParameterException"


def test_email_taken_by_another_user(cognito: Any, app: dict[str, str]) -> None:
    other = confirmed_user(cognito, app["pool"])
    _, tokens = signed_in(cognito, app)
    with pytest.raises(ClientError) as exc:
        cognito.update_user_attributes(
            AccessToken=tokens["AccessToken"], UserAttributes=[{"Name": "email", "Value": other}]
        )
    assert error_of(exc) == (
        "AliasExistsException",
        "An account with the given email already exists.",
    )


def test_write_attributes_are_enforced(cognito: Any, app: dict[str, str]) -> None:
    narrow = client(cognito, app["pool"], WriteAttributes=["name"])["ClientId"]
    address = confirmed_user(cognito, app["pool"])
    tokens = cognito.initiate_auth(
        ClientId=narrow,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": address, "PASSWORD": STRONG},
    )["AuthenticationResult"]
    cognito.update_user_attributes(
        AccessToken=tokens["AccessToken"], UserAttributes=[{"Name": "name", "Value": "Ok"}]
    )
    with pytest.raises(ClientError) as exc:
        cognito.update_user_attributes(
            AccessToken=tokens["AccessToken"],
            UserAttributes=[{"Name": "family_name", "Value": "No"}],
        )
    assert error_of(exc) == (
        "NotAuthorizedException",
        "A client attempted to write unauthorized attribute",
    )


def test_delete_attributes(cognito: Any, app: dict[str, str]) -> None:
    address, tokens = signed_in(cognito, app)
    cognito.delete_user_attributes(AccessToken=tokens["AccessToken"], UserAttributeNames=["name"])
    assert "name" not in attrs_of(cognito, app, address)
    with pytest.raises(ClientError) as exc:
        cognito.delete_user_attributes(
            AccessToken=tokens["AccessToken"], UserAttributeNames=["email"]
        )
    assert error_of(exc)[0] == "InvalidParameterException"
    cognito.admin_update_user_attributes(
        UserPoolId=app["pool"],
        Username=address,
        UserAttributes=[{"Name": "given_name", "Value": "G"}],
    )
    cognito.admin_delete_user_attributes(
        UserPoolId=app["pool"], Username=address, UserAttributeNames=["given_name"]
    )
    assert "given_name" not in attrs_of(cognito, app, address)


def test_admin_update_can_mark_verified(server: Server, cognito: Any, app: dict[str, str]) -> None:
    address = confirmed_user(cognito, app["pool"])
    new_address = email()
    cognito.admin_update_user_attributes(
        UserPoolId=app["pool"],
        Username=address,
        UserAttributes=[
            {"Name": "email", "Value": new_address},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    attrs = attrs_of(cognito, app, new_address)
    assert attrs["email"] == new_address and attrs["email_verified"] == "true"


def test_change_password(cognito: Any, app: dict[str, str]) -> None:
    address, tokens = signed_in(cognito, app)
    with pytest.raises(ClientError) as exc:
        cognito.change_password(
            AccessToken=tokens["AccessToken"],
            PreviousPassword="Wrong!Password1",
            ProposedPassword="New!Pass1234",
        )
    assert error_of(exc) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(ClientError) as exc:
        cognito.change_password(
            AccessToken=tokens["AccessToken"], PreviousPassword=STRONG, ProposedPassword="weak"
        )
    assert error_of(exc)[0] == "InvalidPasswordException"
    cognito.change_password(
        AccessToken=tokens["AccessToken"], PreviousPassword=STRONG, ProposedPassword="New!Pass1234"
    )
    assert "AuthenticationResult" in password_auth(cognito, app, address, "New!Pass1234")


def test_password_history(cognito: Any) -> None:
    pool = email_pool(cognito)["Id"]
    policy = cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["Policies"]
    policy["PasswordPolicy"]["PasswordHistorySize"] = 3
    cognito.update_user_pool(UserPoolId=pool, Policies=policy, AutoVerifiedAttributes=["email"])
    app = {"pool": pool, "client": client(cognito, pool)["ClientId"]}
    _, tokens = signed_in(cognito, app)
    access = tokens["AccessToken"]
    cognito.change_password(
        AccessToken=access, PreviousPassword=STRONG, ProposedPassword="Second!Pass1"
    )
    cognito.change_password(
        AccessToken=access, PreviousPassword="Second!Pass1", ProposedPassword="Third!Pass12"
    )
    for reused in (STRONG, "Second!Pass1", "Third!Pass12"):
        with pytest.raises(ClientError) as exc:
            cognito.change_password(
                AccessToken=access, PreviousPassword="Third!Pass12", ProposedPassword=reused
            )
        assert error_of(exc)[0] == "PasswordHistoryPolicyViolationException"


def test_delete_user(cognito: Any, app: dict[str, str]) -> None:
    address, tokens = signed_in(cognito, app)
    cognito.delete_user(AccessToken=tokens["AccessToken"])
    with pytest.raises(ClientError) as exc:
        cognito.admin_get_user(UserPoolId=app["pool"], Username=address)
    assert error_of(exc)[0] == "UserNotFoundException"
    with pytest.raises(ClientError) as exc:
        cognito.get_user(AccessToken=tokens["AccessToken"])
    assert error_of(exc)[0] in ("UserNotFoundException", "NotAuthorizedException")


def test_set_user_settings(cognito: Any, app: dict[str, str]) -> None:
    address, tokens = signed_in(cognito, app)
    options = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    cognito.set_user_settings(AccessToken=tokens["AccessToken"], MFAOptions=options)
    assert cognito.admin_get_user(UserPoolId=app["pool"], Username=address)["MFAOptions"] == options


def test_add_custom_attributes(cognito: Any, app: dict[str, str]) -> None:
    cognito.add_custom_attributes(
        UserPoolId=app["pool"],
        CustomAttributes=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True}],
    )
    schema = cognito.describe_user_pool(UserPoolId=app["pool"])["UserPool"]["SchemaAttributes"]
    assert "custom:tier" in [a["Name"] for a in schema]
    address = confirmed_user(cognito, app["pool"])
    cognito.admin_update_user_attributes(
        UserPoolId=app["pool"],
        Username=address,
        UserAttributes=[{"Name": "custom:tier", "Value": "gold"}],
    )
    assert attrs_of(cognito, app, address)["custom:tier"] == "gold"
    with pytest.raises(ClientError) as exc:
        cognito.add_custom_attributes(
            UserPoolId=app["pool"],
            CustomAttributes=[{"Name": "tier", "AttributeDataType": "String"}],
        )
    assert error_of(exc) == (
        "InvalidParameterException",
        "Existing attribute already has name custom:tier.",
    )
