"""User pool groups through boto3, and the group claims of the tokens."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

from tests.api.helpers import STRONG, client, email, email_pool, error_of

ADMIN_ROLE = "arn:aws:iam::123456789012:role/TravelGuideAdmins"
TRAVELLER_ROLE = "arn:aws:iam::123456789012:role/TravelGuideTravellers"
OTHER_ROLE = "arn:aws:iam::123456789012:role/TravelGuideOther"
MISSING_POOL = "us-east-1_Nope00000"
GROUP_CLAIMS = ("cognito:groups", "cognito:roles", "cognito:preferred_role")


@pytest.fixture
def pool(cognito: Any) -> str:
    return str(email_pool(cognito)["Id"])


def confirmed_user(cognito: Any, pool: str) -> str:
    address = email()
    cognito.admin_create_user(
        UserPoolId=pool,
        Username=address,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": address},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    cognito.admin_set_user_password(
        UserPoolId=pool, Username=address, Password=STRONG, Permanent=True
    )
    return address


def sign_in(cognito: Any, pool: str, username: str) -> dict[str, Any]:
    web = client(cognito, pool)["ClientId"]
    result = cognito.initiate_auth(
        ClientId=web,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": STRONG},
    )["AuthenticationResult"]
    return {**result, "ClientId": web}


def claims(token: str) -> dict[str, Any]:
    # Signatures are checked in test_sign_in; only the claims matter here.
    return dict(jwt.decode(token, options={"verify_signature": False}))


def group_names(groups: list[dict[str, Any]]) -> list[str]:
    return [group["GroupName"] for group in groups]


def member_emails(users: list[dict[str, Any]]) -> list[str]:
    return sorted(
        next(a["Value"] for a in user["Attributes"] if a["Name"] == "email") for user in users
    )


# CRUD


def test_create_get_update_delete(cognito: Any, pool: str) -> None:
    created = cognito.create_group(
        UserPoolId=pool,
        GroupName="admins",
        Description="TravelGuide administrators",
        RoleArn=ADMIN_ROLE,
        Precedence=1,
    )["Group"]
    assert created["GroupName"] == "admins" and created["UserPoolId"] == pool
    assert created["Description"] == "TravelGuide administrators"
    assert created["RoleArn"] == ADMIN_ROLE and created["Precedence"] == 1
    assert created["CreationDate"] == created["LastModifiedDate"]
    assert cognito.get_group(UserPoolId=pool, GroupName="admins")["Group"] == created

    # Members that are not set are left out of GroupType.
    bare = cognito.create_group(UserPoolId=pool, GroupName="bare")["Group"]
    assert set(bare) == {"GroupName", "UserPoolId", "CreationDate", "LastModifiedDate"}

    # Only the members the request gives change.
    updated = cognito.update_group(UserPoolId=pool, GroupName="admins", Precedence=0)["Group"]
    assert updated["Precedence"] == 0
    assert updated["Description"] == "TravelGuide administrators"
    assert updated["RoleArn"] == ADMIN_ROLE
    assert updated["CreationDate"] == created["CreationDate"]
    assert updated["LastModifiedDate"] >= created["LastModifiedDate"]
    updated = cognito.update_group(
        UserPoolId=pool, GroupName="admins", Description="Admins", RoleArn=OTHER_ROLE
    )["Group"]
    assert (updated["Description"], updated["RoleArn"], updated["Precedence"]) == (
        "Admins",
        OTHER_ROLE,
        0,
    )
    assert cognito.get_group(UserPoolId=pool, GroupName="admins")["Group"] == updated
    bare = cognito.update_group(UserPoolId=pool, GroupName="bare", Precedence=7)["Group"]
    assert "Description" not in bare and "RoleArn" not in bare and bare["Precedence"] == 7

    assert group_names(cognito.list_groups(UserPoolId=pool)["Groups"]) == ["admins", "bare"]
    cognito.delete_group(UserPoolId=pool, GroupName="admins")
    with pytest.raises(ClientError) as exc:
        cognito.get_group(UserPoolId=pool, GroupName="admins")
    assert error_of(exc) == ("ResourceNotFoundException", "Group not found.")
    assert group_names(cognito.list_groups(UserPoolId=pool)["Groups"]) == ["bare"]


def test_group_errors(cognito: Any, pool: str) -> None:
    cognito.create_group(UserPoolId=pool, GroupName="admins")
    with pytest.raises(ClientError) as exc:
        cognito.create_group(UserPoolId=pool, GroupName="admins", Precedence=3)
    assert error_of(exc) == (
        "GroupExistsException",
        "A group with the name admins already exists.",
    )
    for call in (
        lambda: cognito.get_group(UserPoolId=pool, GroupName="missing"),
        lambda: cognito.update_group(UserPoolId=pool, GroupName="missing", Precedence=1),
        lambda: cognito.delete_group(UserPoolId=pool, GroupName="missing"),
        lambda: cognito.list_users_in_group(UserPoolId=pool, GroupName="missing"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == ("ResourceNotFoundException", "Group not found.")


def test_unknown_pool(cognito: Any) -> None:
    expected = ("ResourceNotFoundException", f"User pool {MISSING_POOL} does not exist.")
    for call in (
        lambda: cognito.create_group(UserPoolId=MISSING_POOL, GroupName="g"),
        lambda: cognito.get_group(UserPoolId=MISSING_POOL, GroupName="g"),
        lambda: cognito.list_groups(UserPoolId=MISSING_POOL),
        lambda: cognito.update_group(UserPoolId=MISSING_POOL, GroupName="g", Precedence=1),
        lambda: cognito.delete_group(UserPoolId=MISSING_POOL, GroupName="g"),
        lambda: cognito.admin_add_user_to_group(
            UserPoolId=MISSING_POOL, Username="u", GroupName="g"
        ),
        lambda: cognito.admin_remove_user_from_group(
            UserPoolId=MISSING_POOL, Username="u", GroupName="g"
        ),
        lambda: cognito.admin_list_groups_for_user(UserPoolId=MISSING_POOL, Username="u"),
        lambda: cognito.list_users_in_group(UserPoolId=MISSING_POOL, GroupName="g"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == expected


def test_invalid_parameters(raw_cognito: Any, pool: str) -> None:
    with pytest.raises(ClientError) as exc:
        raw_cognito.create_group(UserPoolId=pool, GroupName="g", Precedence=-1)
    code, message = error_of(exc)
    assert code == "InvalidParameterException"
    assert "'precedence'" in message and "greater than or equal to 0" in message

    raw_cognito.create_group(UserPoolId=pool, GroupName="g")
    with pytest.raises(ClientError) as exc:
        raw_cognito.update_group(UserPoolId=pool, GroupName="g", Precedence=-5)
    assert error_of(exc)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        raw_cognito.update_group(UserPoolId=pool, GroupName="g", RoleArn="not-an-arn-at-all-really")
    assert error_of(exc)[0] == "InvalidParameterException"
    assert "'roleArn'" in error_of(exc)[1]
    with pytest.raises(ClientError) as exc:
        raw_cognito.list_groups(UserPoolId=pool, NextToken="%%%notbase64%%%")
    assert error_of(exc) == ("InvalidParameterException", "The pagination token is invalid.")
    # Nothing was changed by the refused requests.
    group = raw_cognito.get_group(UserPoolId=pool, GroupName="g")["Group"]
    assert "Precedence" not in group and "RoleArn" not in group


# Members


def test_membership(cognito: Any, pool: str) -> None:
    alice, bob = confirmed_user(cognito, pool), confirmed_user(cognito, pool)
    for name in ("travellers", "admins"):
        cognito.create_group(UserPoolId=pool, GroupName=name)
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=alice, GroupName="travellers")
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=alice, GroupName="admins")
    # Adding twice is fine and changes nothing.
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=alice, GroupName="admins")
    # The username works as well as the email alias.
    bob_name = cognito.admin_get_user(UserPoolId=pool, Username=bob)["Username"]
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=bob_name, GroupName="travellers")

    groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username=alice)["Groups"]
    assert group_names(groups) == ["admins", "travellers"]
    assert groups[0]["UserPoolId"] == pool and "CreationDate" in groups[0]
    members = cognito.list_users_in_group(UserPoolId=pool, GroupName="travellers")["Users"]
    assert member_emails(members) == sorted([alice, bob])
    assert set(members[0]) >= {
        "Username",
        "Attributes",
        "UserCreateDate",
        "UserLastModifiedDate",
        "Enabled",
        "UserStatus",
    }
    assert members[0]["UserStatus"] == "CONFIRMED"
    assert (
        cognito.list_users_in_group(UserPoolId=pool, GroupName="admins")["Users"][0]["Username"]
        == cognito.admin_get_user(UserPoolId=pool, Username=alice)["Username"]
    )

    cognito.admin_remove_user_from_group(UserPoolId=pool, Username=alice, GroupName="travellers")
    # Removing someone who is not a member succeeds.
    cognito.admin_remove_user_from_group(UserPoolId=pool, Username=alice, GroupName="travellers")
    assert group_names(
        cognito.admin_list_groups_for_user(UserPoolId=pool, Username=alice)["Groups"]
    ) == ["admins"]
    members = cognito.list_users_in_group(UserPoolId=pool, GroupName="travellers")["Users"]
    assert member_emails(members) == [bob]


def test_membership_errors(cognito: Any, pool: str) -> None:
    alice = confirmed_user(cognito, pool)
    cognito.create_group(UserPoolId=pool, GroupName="admins")
    stranger = email()
    for call in (
        lambda: cognito.admin_add_user_to_group(
            UserPoolId=pool, Username=stranger, GroupName="admins"
        ),
        lambda: cognito.admin_remove_user_from_group(
            UserPoolId=pool, Username=stranger, GroupName="admins"
        ),
        lambda: cognito.admin_list_groups_for_user(UserPoolId=pool, Username=stranger),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == ("UserNotFoundException", "User does not exist.")
    for call in (
        lambda: cognito.admin_add_user_to_group(
            UserPoolId=pool, Username=alice, GroupName="missing"
        ),
        lambda: cognito.admin_remove_user_from_group(
            UserPoolId=pool, Username=alice, GroupName="missing"
        ),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == ("ResourceNotFoundException", "Group not found.")


def test_deleting_a_user_removes_their_memberships(cognito: Any, pool: str) -> None:
    alice, bob = confirmed_user(cognito, pool), confirmed_user(cognito, pool)
    cognito.create_group(UserPoolId=pool, GroupName="travellers")
    for user in (alice, bob):
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=user, GroupName="travellers")
    cognito.admin_delete_user(UserPoolId=pool, Username=alice)
    members = cognito.list_users_in_group(UserPoolId=pool, GroupName="travellers")["Users"]
    assert member_emails(members) == [bob]
    # A new user with the same email is a new user, in no group.
    cognito.admin_create_user(UserPoolId=pool, Username=alice, MessageAction="SUPPRESS")
    assert cognito.admin_list_groups_for_user(UserPoolId=pool, Username=alice)["Groups"] == []


def test_deleting_a_group_removes_its_memberships(cognito: Any, pool: str) -> None:
    alice = confirmed_user(cognito, pool)
    for name in ("travellers", "admins"):
        cognito.create_group(UserPoolId=pool, GroupName=name)
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=alice, GroupName=name)
    cognito.delete_group(UserPoolId=pool, GroupName="admins")
    assert group_names(
        cognito.admin_list_groups_for_user(UserPoolId=pool, Username=alice)["Groups"]
    ) == ["travellers"]
    # A group created again under the same name starts empty.
    cognito.create_group(UserPoolId=pool, GroupName="admins")
    assert cognito.list_users_in_group(UserPoolId=pool, GroupName="admins")["Users"] == []


# Pagination


def test_list_groups_pages(cognito: Any, pool: str) -> None:
    names = [f"group{i:02d}" for i in range(7)]
    for name in reversed(names):
        cognito.create_group(UserPoolId=pool, GroupName=name)
    first = cognito.list_groups(UserPoolId=pool, Limit=3)
    assert group_names(first["Groups"]) == names[:3] and first["NextToken"]
    second = cognito.list_groups(UserPoolId=pool, Limit=3, NextToken=first["NextToken"])
    assert group_names(second["Groups"]) == names[3:6]
    last = cognito.list_groups(UserPoolId=pool, Limit=3, NextToken=second["NextToken"])
    assert group_names(last["Groups"]) == names[6:] and "NextToken" not in last
    # A page that ends exactly at the last group has no token.
    exact = cognito.list_groups(UserPoolId=pool, Limit=7)
    assert group_names(exact["Groups"]) == names and "NextToken" not in exact
    paged = cognito.get_paginator("list_groups").paginate(
        UserPoolId=pool, PaginationConfig={"PageSize": 2}
    )
    assert [name for page in paged for name in group_names(page["Groups"])] == names


def test_list_users_in_group_pages(cognito: Any, pool: str) -> None:
    cognito.create_group(UserPoolId=pool, GroupName="travellers")
    users = [confirmed_user(cognito, pool) for _ in range(5)]
    for user in users:
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=user, GroupName="travellers")
    seen: list[dict[str, Any]] = []
    token: str | None = None
    pages = 0
    while True:
        kwargs: dict[str, Any] = {"NextToken": token} if token else {}
        page = cognito.list_users_in_group(
            UserPoolId=pool, GroupName="travellers", Limit=2, **kwargs
        )
        assert len(page["Users"]) <= 2
        seen.extend(page["Users"])
        pages += 1
        token = page.get("NextToken")
        if not token:
            break
    assert pages == 3
    assert member_emails(seen) == sorted(users)
    assert len({user["Username"] for user in seen}) == 5
    paged = cognito.get_paginator("list_users_in_group").paginate(
        UserPoolId=pool, GroupName="travellers", PaginationConfig={"PageSize": 4}
    )
    assert member_emails([u for page in paged for u in page["Users"]]) == sorted(users)


def test_admin_list_groups_for_user_pages(cognito: Any, pool: str) -> None:
    alice = confirmed_user(cognito, pool)
    names = [f"g{i}" for i in range(5)]
    for name in names:
        cognito.create_group(UserPoolId=pool, GroupName=name)
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=alice, GroupName=name)
    cognito.create_group(UserPoolId=pool, GroupName="not-a-member")
    first = cognito.admin_list_groups_for_user(UserPoolId=pool, Username=alice, Limit=3)
    assert group_names(first["Groups"]) == names[:3]
    rest = cognito.admin_list_groups_for_user(
        UserPoolId=pool, Username=alice, Limit=3, NextToken=first["NextToken"]
    )
    assert group_names(rest["Groups"]) == names[3:] and "NextToken" not in rest
    paged = cognito.get_paginator("admin_list_groups_for_user").paginate(
        UserPoolId=pool, Username=alice, PaginationConfig={"PageSize": 2}
    )
    assert [n for page in paged for n in group_names(page["Groups"])] == names


# Tokens


def test_tokens_carry_groups_in_precedence_order(cognito: Any, pool: str) -> None:
    alice = confirmed_user(cognito, pool)
    for name, extra in (
        ("travellers", {"Precedence": 10, "RoleArn": TRAVELLER_ROLE}),
        ("beta", {}),
        ("admins", {"Precedence": 1, "RoleArn": ADMIN_ROLE}),
        ("early", {"Precedence": 5}),
        ("also-five", {"Precedence": 5}),
    ):
        cognito.create_group(UserPoolId=pool, GroupName=name, **extra)
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=alice, GroupName=name)
    cognito.create_group(UserPoolId=pool, GroupName="others", Precedence=0, RoleArn=OTHER_ROLE)

    result = sign_in(cognito, pool, alice)
    # Lower precedence first, ties by name, groups without precedence last.
    expected = ["admins", "also-five", "early", "travellers", "beta"]
    id_claims = claims(result["IdToken"])
    assert id_claims["cognito:groups"] == expected
    assert id_claims["cognito:roles"] == [ADMIN_ROLE, TRAVELLER_ROLE]
    assert id_claims["cognito:preferred_role"] == ADMIN_ROLE
    assert list(id_claims)[:2] == ["sub", "cognito:groups"]
    access = claims(result["AccessToken"])
    assert access["cognito:groups"] == expected
    assert "cognito:roles" not in access and "cognito:preferred_role" not in access
    assert list(access)[:2] == ["sub", "cognito:groups"]

    # Tokens refreshed later reflect the membership of that moment.
    cognito.admin_remove_user_from_group(UserPoolId=pool, Username=alice, GroupName="admins")
    refreshed = cognito.initiate_auth(
        ClientId=result["ClientId"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": result["RefreshToken"]},
    )["AuthenticationResult"]
    id_claims = claims(refreshed["IdToken"])
    assert id_claims["cognito:groups"] == ["also-five", "early", "travellers", "beta"]
    assert id_claims["cognito:roles"] == [TRAVELLER_ROLE]
    assert id_claims["cognito:preferred_role"] == TRAVELLER_ROLE
    assert claims(refreshed["AccessToken"])["cognito:groups"] == id_claims["cognito:groups"]


def test_preferred_role_when_precedence_ties(cognito: Any, pool: str) -> None:
    alice = confirmed_user(cognito, pool)
    cognito.create_group(UserPoolId=pool, GroupName="a", Precedence=2, RoleArn=ADMIN_ROLE)
    cognito.create_group(UserPoolId=pool, GroupName="b", Precedence=2, RoleArn=ADMIN_ROLE)
    for name in ("a", "b"):
        cognito.admin_add_user_to_group(UserPoolId=pool, Username=alice, GroupName=name)
    # Tied groups with the same role: that role is preferred, listed once.
    id_claims = claims(sign_in(cognito, pool, alice)["IdToken"])
    assert id_claims["cognito:roles"] == [ADMIN_ROLE]
    assert id_claims["cognito:preferred_role"] == ADMIN_ROLE

    # Tied groups with different roles: no preferred role.
    cognito.update_group(UserPoolId=pool, GroupName="b", RoleArn=OTHER_ROLE)
    id_claims = claims(sign_in(cognito, pool, alice)["IdToken"])
    assert id_claims["cognito:groups"] == ["a", "b"]
    assert id_claims["cognito:roles"] == [ADMIN_ROLE, OTHER_ROLE]
    assert "cognito:preferred_role" not in id_claims

    # A group without a role does not take the preference from one with a role.
    cognito.update_group(UserPoolId=pool, GroupName="b", Precedence=3)
    cognito.create_group(UserPoolId=pool, GroupName="c", Precedence=0)
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=alice, GroupName="c")
    id_claims = claims(sign_in(cognito, pool, alice)["IdToken"])
    assert id_claims["cognito:groups"] == ["c", "a", "b"]
    assert id_claims["cognito:preferred_role"] == ADMIN_ROLE


def test_no_group_claims_without_groups_or_roles(cognito: Any, pool: str) -> None:
    alice, bob = confirmed_user(cognito, pool), confirmed_user(cognito, pool)
    result = sign_in(cognito, pool, alice)
    for token in (result["IdToken"], result["AccessToken"]):
        assert not set(GROUP_CLAIMS) & set(claims(token))

    # Groups without roles: cognito:groups only.
    cognito.create_group(UserPoolId=pool, GroupName="travellers", Precedence=1)
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=bob, GroupName="travellers")
    result = sign_in(cognito, pool, bob)
    id_claims = claims(result["IdToken"])
    assert id_claims["cognito:groups"] == ["travellers"]
    assert "cognito:roles" not in id_claims and "cognito:preferred_role" not in id_claims
    assert claims(result["AccessToken"])["cognito:groups"] == ["travellers"]
    # Alice, in no group, still has none.
    assert "cognito:groups" not in claims(sign_in(cognito, pool, alice)["IdToken"])
