"""Users and groups through the console: creation with a temporary password, search
with ListUsers' filters, the administrator's actions, group membership; each checked
with the API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from tests.console.conftest import Site
from tests.console.helpers import console_post, shown
from tests.console.test_console_pools import create_pool, pool_id_of

TEMPORARY = "Temp!Pass123"


@pytest.fixture(scope="module")
async def pool_id(site: Site) -> str:
    http = await site.admin()
    try:
        return pool_id_of(await create_pool(http, name="UsersPool"))
    finally:
        await http.aclose()


async def create_user(http: Any, pool_id: str, **changes: Any) -> Any:
    page = f"/admin/pools/{pool_id}/users/new"
    data = {
        "username": "ana@example.com",
        "temporary_password": TEMPORARY,
        "email_verified": "on",
        **changes,
    }
    return await console_post(http, page, page, data)


def user_page(pool_id: str, username: str) -> str:
    return f"/admin/pools/{pool_id}/users/view?{urlencode({'username': username})}"


async def test_a_user_with_a_temporary_password(site: Site, admin: Any, pool_id: str) -> None:
    created = await create_user(admin, pool_id)
    assert created.status_code == 303, shown(created)[:2000]
    listed = await site.api(
        "ListUsers", {"UserPoolId": pool_id, "Filter": 'email = "ana@example.com"'}
    )
    [user] = listed["Users"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD" and user["Enabled"] is True
    attributes = {a["Name"]: a["Value"] for a in user["Attributes"]}
    assert attributes["email"] == "ana@example.com" and attributes["email_verified"] == "true"
    # No invitation unless asked: nothing went to the outbox for ana.
    page = await admin.get(created.headers["location"])
    assert "FORCE_CHANGE_PASSWORD" in page.text and "ana@example.com" in page.text
    # The temporary password signs in and asks for a new one (NEW_PASSWORD_REQUIRED).
    client = (
        await site.api(
            "CreateUserPoolClient",
            {
                "UserPoolId": pool_id,
                "ClientName": "check",
                "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            },
        )
    )["UserPoolClient"]
    challenge = await site.api(
        "AdminInitiateAuth",
        {
            "UserPoolId": pool_id,
            "ClientId": client["ClientId"],
            "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": "ana@example.com", "PASSWORD": TEMPORARY},
        },
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


async def test_refusals_carry_the_apis_messages(admin: Any, pool_id: str) -> None:
    weak = await create_user(
        admin, pool_id, username="weak@example.com", temporary_password="short"
    )
    assert weak.status_code == 400
    assert "Password did not conform with policy" in shown(weak)
    taken = await create_user(admin, pool_id)
    assert taken.status_code == 400 and "User account already exists" in shown(taken)
    # The form keeps what was typed, except the password.
    assert 'value="ana@example.com"' in taken.text and TEMPORARY not in taken.text


async def test_search_uses_listusers_filters(site: Site, admin: Any, pool_id: str) -> None:
    for name in ("bob@example.com", "bea@example.com", "carl@elsewhere.test"):
        await site.api(
            "AdminCreateUser",
            {"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS"},
        )
    base = f"/admin/pools/{pool_id}/users"
    found = await admin.get(base, params={"attribute": "email", "match": "prefix", "value": "b"})
    assert "bob@example.com" in found.text and "bea@example.com" in found.text
    assert "carl@elsewhere.test" not in found.text
    assert 'email ^= "b"' in shown(found)
    exact = await admin.get(
        base, params={"attribute": "email", "match": "exact", "value": "carl@elsewhere.test"}
    )
    assert "carl@elsewhere.test" in exact.text and "bob@example.com" not in exact.text
    status = await admin.get(
        base,
        params={
            "attribute": "cognito:user_status",
            "match": "exact",
            "value": "FORCE_CHANGE_PASSWORD",
        },
    )
    assert "ana@example.com" in status.text
    quoted = await admin.get(base, params={"attribute": "name", "value": 'O"Brien\\'})
    assert quoted.status_code == 200 and 'name ^= "O\\"Brien\\\\"' in shown(quoted)
    bad = await admin.get(base, params={"token": "not-a-token"})
    assert bad.status_code == 400 and "The pagination token is invalid." in shown(bad)


async def test_actions_on_a_user(site: Site, admin: Any, pool_id: str) -> None:
    username = (
        await site.api("ListUsers", {"UserPoolId": pool_id, "Filter": 'email = "bob@example.com"'})
    )["Users"][0]["Username"]
    page = user_page(pool_id, username)
    key = {"UserPoolId": pool_id, "Username": username}

    async def act(action: str, **data: Any) -> Any:
        return await console_post(
            admin, page, f"/admin/pools/{pool_id}/users/{action}", {"username": username, **data}
        )

    assert (await act("disable")).status_code == 303
    assert (await site.api("AdminGetUser", key))["Enabled"] is False
    assert (await act("enable")).status_code == 303
    assert (await site.api("AdminGetUser", key))["Enabled"] is True
    assert (await act("set-password", password="Perm!Pass1234", permanent="on")).status_code == 303
    assert (await site.api("AdminGetUser", key))["UserStatus"] == "CONFIRMED"
    assert (await act("sign-out")).status_code == 303
    changed = await act(
        "attributes",
        **{
            "attr:email": "bob@example.com",
            "was:email": "bob@example.com",
            "new_name": "name",
            "new_value": "Bob Builder",
        },
    )
    assert changed.status_code == 303, shown(changed)[:2000]
    attributes = {
        a["Name"]: a["Value"] for a in (await site.api("AdminGetUser", key))["UserAttributes"]
    }
    assert attributes["name"] == "Bob Builder"
    unknown = await act("attributes", new_name="custom:nope", new_value="x")
    assert unknown.status_code == 400 and "custom:nope" in shown(unknown)
    # Groups: create one, add the user from their page, remove them from the group's.
    groups = f"/admin/pools/{pool_id}/groups"
    created = await console_post(
        admin, groups, groups, {"name": "travellers", "precedence": "10", "description": "Everyone"}
    )
    assert created.status_code == 303, shown(created)[:2000]
    assert (await act("add-group", group="travellers")).status_code == 303
    members = await site.api("ListUsersInGroup", {"UserPoolId": pool_id, "GroupName": "travellers"})
    assert [u["Username"] for u in members["Users"]] == [username]
    group_page = f"{groups}/view?{urlencode({'name': 'travellers'})}"
    view = await admin.get(group_page)
    assert username in view.text and "Everyone" in view.text
    removed = await console_post(
        admin, group_page, f"{groups}/remove-member", {"name": "travellers", "username": username}
    )
    assert removed.status_code == 303
    assert (await site.api("ListUsersInGroup", {"UserPoolId": pool_id, "GroupName": "travellers"}))[
        "Users"
    ] == []
    duplicate = await console_post(admin, groups, groups, {"name": "travellers"})
    assert duplicate.status_code == 400 and "already exists" in shown(duplicate)
    # Delete, with confirmation.
    delete = f"/admin/pools/{pool_id}/users/delete?{urlencode({'username': username})}"
    confirm = await admin.get(delete)
    assert "Delete user" in confirm.text
    gone = await console_post(admin, delete, delete, {"username": username})
    assert gone.status_code == 303
    missing = await admin.get(page)
    assert missing.status_code == 404 and "User does not exist." in shown(missing)


async def test_an_administrator_cannot_lock_themselves_out(site: Site, admin: Any) -> None:
    listed = await site.api("ListUserPools", {"MaxResults": 60})
    admins = next(p["Id"] for p in listed["UserPools"] if p["Name"] == "poolgate-administrators")
    page = user_page(admins, "root-admin")
    me = await admin.get(page)
    assert "You" in me.text and ">Disable<" not in me.text
    refused = await console_post(
        admin, page, f"/admin/pools/{admins}/users/disable", {"username": "root-admin"}
    )
    assert refused.status_code == 400 and "your own account" in shown(refused)
    delete = f"/admin/pools/{admins}/users/delete?username=root-admin"
    refused = await console_post(admin, delete, delete, {"username": "root-admin"})
    assert refused.status_code == 400 and "your own account" in shown(refused)
    # Administrators are created like any user of their pool.
    created = await create_user(admin, admins, username="second-admin", email_verified="")
    assert created.status_code == 303, shown(created)[:2000]
    user = await site.api("AdminGetUser", {"UserPoolId": admins, "Username": "second-admin"})
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
