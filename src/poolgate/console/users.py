"""Users: search with ListUsers' filters, page by page on the server (a pool of a
million users costs one indexed page per view), creation with a temporary password,
and a user's page (attributes, status, groups, devices, events) with the
administrator's actions on it.

Usernames may hold any printable character, slashes included, so they travel in the
query string and the forms, never in the path.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from poolgate.console.view import View, error_text
from poolgate.core.errors import CognitoError, InvalidParameterException
from poolgate.core.users.user_search import SEARCHABLE

PAGE_SIZE = 60  # ListUsers' largest Limit
# The search form's attributes, in the order people look for users.
SEARCH_ATTRIBUTES = [
    "email",
    "username",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "sub",
    "cognito:user_status",
    "status",
]
assert set(SEARCH_ATTRIBUTES) == SEARCHABLE
# Attributes the user page does not offer to edit.
_READ_ONLY = {"sub", "identities"}
# AdminGetUser's members shown as the user's status.
_EXTRA_ROWS = 3


def user_url(pool_id: str, username: str) -> str:
    return f"/admin/pools/{pool_id}/users/view?{urlencode({'username': username})}"


def filter_text(attribute: str, match: str, value: str) -> str:
    """A ListUsers filter: ``name = "value"`` or ``name ^= "value"``, with quotation
    marks and backslashes escaped (API reference, ListUsers)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{attribute} {"^=" if match == "prefix" else "="} "{escaped}"'


async def index(view: View) -> Response:
    pool = await view.pool()
    attribute = view.query("attribute", "email")
    match = view.query("match", "prefix")
    value = view.query("value")
    token = view.query("token")
    params: dict[str, Any] = {"UserPoolId": pool["Id"], "Limit": PAGE_SIZE}
    applied = filter_text(attribute, match, value) if value else None
    if applied:
        params["Filter"] = applied
    if token:
        params["PaginationToken"] = token
    error = None
    try:
        listed = await view.ops.call("ListUsers", params)
    except CognitoError as failed:
        listed, error = {"Users": []}, error_text(failed)
    search = {"attribute": attribute, "match": match, "value": value} if value else {}
    next_token = listed.get("PaginationToken")
    return view.page(
        "users.html",
        status=400 if error else 200,
        title="Users",
        pool=pool,
        users=[_row(user) for user in listed["Users"]],
        error=error,
        applied=applied,
        attribute=attribute,
        match=match,
        value=value,
        attributes=SEARCH_ATTRIBUTES,
        next_url=(f"?{urlencode({**search, 'token': next_token})}" if next_token else None),
        first_url=(f"?{urlencode(search)}" if token else None),
        user_url=lambda name: user_url(pool["Id"], name),
    )


def _row(user: dict[str, Any]) -> dict[str, Any]:
    attributes = {
        a["Name"]: a["Value"] for a in user.get("Attributes") or user.get("UserAttributes") or []
    }
    return {**user, "attributes": attributes}


def _username_label(pool: dict[str, Any]) -> str:
    usernames = pool.get("UsernameAttributes") or []
    if usernames == ["email"]:
        return "Email address"
    if usernames == ["phone_number"]:
        return "Phone number"
    return "Email address or phone number" if usernames else "User name"


async def create(view: View) -> Response:
    pool = await view.pool()
    shown: dict[str, Any] = {"invite": False, "mediums": ["EMAIL"], "email_verified": True}
    error = None
    if view.request.method == "POST":
        shown = {
            **view.form,
            "invite": bool(view.form.get("invite")),
            "mediums": view.values("medium"),
            "email_verified": bool(view.form.get("email_verified")),
            "phone_verified": bool(view.form.get("phone_verified")),
        }
        try:
            username = view.form.get("username", "").strip()
            created = await view.ops.call("AdminCreateUser", _create_request(view, pool, username))
        except CognitoError as failed:
            error = error_text(failed)
        else:
            stored = created["User"]["Username"]
            return view.done(
                user_url(pool["Id"], stored),
                f"Created user {username}. Status: {created['User']['UserStatus']}.",
            )
    return view.page(
        "user_new.html",
        status=400 if error else 200,
        title="Create user",
        pool=pool,
        form=shown,
        error=error,
        username_label=_username_label(pool),
        extra_rows=_EXTRA_ROWS,
    )


def _create_request(view: View, pool: dict[str, Any], username: str) -> dict[str, Any]:
    form = view.form
    attributes: list[dict[str, str]] = []
    usernames = pool.get("UsernameAttributes") or []
    for name, verified in (("email", "email_verified"), ("phone_number", "phone_verified")):
        value = form.get(name, "").strip()
        if value:
            attributes.append({"Name": name, "Value": value})
        # In a pool that signs in with it, the user name is the address itself.
        looks_like = username.startswith("+") if name == "phone_number" else "@" in username
        if form.get(verified) and (value or (name in usernames and looks_like)):
            attributes.append({"Name": f"{name}_verified", "Value": "true"})
    for row in range(1, _EXTRA_ROWS + 1):
        name = form.get(f"attr_name_{row}", "").strip()
        if name:
            attributes.append({"Name": name, "Value": form.get(f"attr_value_{row}", "")})
    request: dict[str, Any] = {"UserPoolId": pool["Id"], "Username": username}
    if attributes:
        request["UserAttributes"] = attributes
    password = form.get("temporary_password", "")
    if password:
        request["TemporaryPassword"] = password
    if form.get("invite"):
        request["DesiredDeliveryMediums"] = view.values("medium") or ["EMAIL"]
    else:
        request["MessageAction"] = "SUPPRESS"
    return request


async def show(view: View, *, error: str | None = None, status: int = 200) -> Response:
    pool = await view.pool()
    username = view.query("username") or view.form.get("username", "")
    key = {"UserPoolId": pool["Id"], "Username": username}
    user = await view.ops.call("AdminGetUser", key)
    groups = await view.ops.pages("AdminListGroupsForUser", {**key, "Limit": 60}, "Groups")
    all_groups = await view.ops.pages(
        "ListGroups", {"UserPoolId": pool["Id"], "Limit": 60}, "Groups"
    )
    devices = await view.ops.pages(
        "AdminListDevices", {**key, "Limit": 60}, "Devices", token="PaginationToken", limit=60
    )
    events = (await view.ops.call("AdminListUserAuthEvents", {**key, "MaxResults": 20}))[
        "AuthEvents"
    ]
    member_of = {group["GroupName"] for group in groups}
    attributes = _row(user)["attributes"]
    return view.page(
        "user.html",
        status=status,
        title=user["Username"],
        pool=pool,
        user=user,
        attributes=attributes,
        groups=groups,
        devices=devices,
        events=events,
        error=error,
        other_groups=[g["GroupName"] for g in all_groups if g["GroupName"] not in member_of],
        editable=[n for n in attributes if n not in _READ_ONLY and not n.endswith("_verified")],
        user_url=user_url(pool["Id"], user["Username"]),
        is_me=view.is_administrators_pool(pool["Id"]) and user["Username"] == view.admin.username,
    )


_ACTIONS: dict[str, tuple[str, str]] = {
    "disable": ("AdminDisableUser", "Disabled the user: their tokens are revoked."),
    "enable": ("AdminEnableUser", "Enabled the user."),
    "sign-out": ("AdminUserGlobalSignOut", "Signed the user out everywhere."),
    "reset-password": (
        "AdminResetUserPassword",
        "Reset the password: the user was sent a code to choose a new one.",
    ),
    "set-password": ("AdminSetUserPassword", "Set the password."),
    "confirm": ("AdminConfirmSignUp", "Confirmed the user's sign-up."),
    "attributes": ("AdminUpdateUserAttributes", "Saved the attributes."),
    "add-group": ("AdminAddUserToGroup", "Added the user to the group."),
    "remove-group": ("AdminRemoveUserFromGroup", "Removed the user from the group."),
    "forget-device": ("AdminForgetDevice", "Forgot the device."),
}


async def act(view: View) -> Response:
    action, operation, notice = view.action(_ACTIONS)
    pool_id = view.param("pool_id")
    username = view.form.get("username", "")
    request: dict[str, Any] = {"UserPoolId": pool_id, "Username": username}
    try:
        if action in ("disable",) and _is_me(view, pool_id, username):
            raise InvalidParameterException("You cannot disable your own account here.")
        if action == "set-password":
            request.update(
                Password=view.form.get("password", ""), Permanent=bool(view.form.get("permanent"))
            )
        elif action == "attributes":
            request["UserAttributes"] = _attribute_changes(view)
        elif action in ("add-group", "remove-group"):
            request["GroupName"] = view.form.get("group", "")
        elif action == "forget-device":
            request["DeviceKey"] = view.form.get("device", "")
        await view.ops.call(operation, request)
    except CognitoError as error:
        return await show(view, error=error_text(error), status=400)
    return view.done(user_url(pool_id, username), notice)


def _is_me(view: View, pool_id: str, username: str) -> bool:
    return view.is_administrators_pool(pool_id) and username == view.admin.username


def _attribute_changes(view: View) -> list[dict[str, str]]:
    changed = [
        {"Name": key.removeprefix("attr:"), "Value": value}
        for key, value in view.form.items()
        if key.startswith("attr:") and view.form.get(f"was:{key.removeprefix('attr:')}") != value
    ]
    name = view.form.get("new_name", "").strip()
    if name:
        changed.append({"Name": name, "Value": view.form.get("new_value", "")})
    if not changed:
        raise InvalidParameterException("No attribute was changed.")
    return changed


async def delete(view: View) -> Response:
    pool = await view.pool()
    username = view.query("username") or view.form.get("username", "")
    user = await view.ops.call("AdminGetUser", {"UserPoolId": pool["Id"], "Username": username})
    error = None
    if view.request.method == "POST":
        try:
            if _is_me(view, pool["Id"], username):
                raise InvalidParameterException("You cannot delete your own account here.")
            await view.ops.call("AdminDeleteUser", {"UserPoolId": pool["Id"], "Username": username})
        except CognitoError as failed:
            error = error_text(failed)
        else:
            return view.done(f"/admin/pools/{pool['Id']}/users", f"Deleted user {username}.")
    return view.page(
        "user_delete.html",
        status=400 if error else 200,
        title=f"Delete {username}",
        pool=pool,
        user=user,
        error=error,
    )
