"""ListUsers with Cognito's filter syntax, AttributesToGet and pagination."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.helpers import POLICY, error_of


@pytest.fixture
def directory(cognito: Any) -> dict[str, Any]:
    pool = cognito.create_user_pool(
        PoolName="directory", Policies={"PasswordPolicy": POLICY}, AliasAttributes=["email"]
    )["UserPool"]["Id"]
    tag = secrets.token_hex(3)
    people = [
        ("alice", "Alice", "Smith"),
        ("alex", "Alex", "Smithers"),
        ("bob", "Bob", "Jones"),
        ("carol", "Carol", "Smith"),
        ("carl", "Carl", "Jones"),
    ]
    subs = {}
    for username, given, family in people:
        user = cognito.admin_create_user(
            UserPoolId=pool,
            Username=username,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "email", "Value": f"{username}.{tag}@example.com"},
                {"Name": "given_name", "Value": given},
                {"Name": "family_name", "Value": family},
            ],
        )["User"]
        subs[username] = {a["Name"]: a["Value"] for a in user["Attributes"]}["sub"]
    cognito.admin_disable_user(UserPoolId=pool, Username="bob")
    cognito.admin_set_user_password(
        UserPoolId=pool, Username="carol", Password="Travel!Guide1", Permanent=True
    )
    return {"pool": pool, "tag": tag, "subs": subs}


def names(cognito: Any, pool: str, **kwargs: Any) -> list[str]:
    return [u["Username"] for u in cognito.list_users(UserPoolId=pool, **kwargs)["Users"]]


@pytest.mark.parametrize(
    ("filter_text", "expected"),
    [
        ('username = "alice"', ["alice"]),
        ('username ^= "al"', ["alex", "alice"]),
        ('given_name ^= "Car"', ["carl", "carol"]),
        ('family_name = "Smith"', ["alice", "carol"]),
        ('family_name ^= "Smith"', ["alex", "alice", "carol"]),
        ('cognito:user_status = "CONFIRMED"', ["carol"]),
        ('cognito:user_status = "FORCE_CHANGE_PASSWORD"', ["alex", "alice", "bob", "carl"]),
        ('status = "Disabled"', ["bob"]),
        ('name = "nobody"', []),
        ("", ["alex", "alice", "bob", "carl", "carol"]),
    ],
)
def test_filters(
    cognito: Any, directory: dict[str, Any], filter_text: str, expected: list[str]
) -> None:
    assert sorted(names(cognito, directory["pool"], Filter=filter_text)) == expected


def test_email_and_sub_filters(cognito: Any, directory: dict[str, Any]) -> None:
    pool, tag = directory["pool"], directory["tag"]
    assert names(cognito, pool, Filter=f'email = "bob.{tag}@example.com"') == ["bob"]
    assert names(cognito, pool, Filter=f'sub = "{directory["subs"]["carl"]}"') == ["carl"]
    assert names(cognito, pool, Filter='email ^= "ca"') in (["carl", "carol"], ["carol", "carl"])


def test_attributes_to_get_and_pages(cognito: Any, directory: dict[str, Any]) -> None:
    pool = directory["pool"]
    page = cognito.list_users(UserPoolId=pool, AttributesToGet=["email"], Limit=2)
    assert len(page["Users"]) == 2
    assert all([a["Name"] for a in u["Attributes"]] == ["email"] for u in page["Users"])
    seen = [u["Username"] for u in page["Users"]]
    while "PaginationToken" in page:
        page = cognito.list_users(UserPoolId=pool, Limit=2, PaginationToken=page["PaginationToken"])
        seen += [u["Username"] for u in page["Users"]]
    assert sorted(seen) == ["alex", "alice", "bob", "carl", "carol"] and len(seen) == 5
    user = cognito.list_users(UserPoolId=pool, Filter='username = "bob"')["Users"][0]
    assert user["Enabled"] is False and user["UserStatus"] == "FORCE_CHANGE_PASSWORD"


@pytest.mark.parametrize(
    "filter_text",
    ["username = alice", 'username == "alice"', 'address = "x"', 'custom:team = "x"'],
)
def test_bad_filters(cognito: Any, directory: dict[str, Any], filter_text: str) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.list_users(UserPoolId=directory["pool"], Filter=filter_text)
    assert error_of(exc)[0] == "InvalidParameterException"


def test_unknown_attribute_to_get(cognito: Any, directory: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.list_users(UserPoolId=directory["pool"], AttributesToGet=["custom:nope"])
    assert error_of(exc)[0] == "InvalidParameterException"
