"""Groups: the list with the creation form, a group's page with its members (paged on
the server), editing, adding and removing members, deletion."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from poolgate.console.users import user_url
from poolgate.console.view import View, error_text
from poolgate.core.errors import CognitoError

PAGE_SIZE = 60


def group_url(pool_id: str, name: str) -> str:
    return f"/admin/pools/{pool_id}/groups/view?{urlencode({'name': name})}"


def _precedence(text: str) -> int | str | None:
    text = text.strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return text  # refused by the model's validation, in the API's words


def _members(form: dict[str, str]) -> dict[str, Any]:
    """CreateGroup's and UpdateGroup's optional members from the form."""
    members: dict[str, Any] = {}
    if form.get("description", "").strip():
        members["Description"] = form["description"].strip()
    if form.get("role_arn", "").strip():
        members["RoleArn"] = form["role_arn"].strip()
    precedence = _precedence(form.get("precedence", ""))
    if precedence is not None:
        members["Precedence"] = precedence
    return members


async def index(view: View) -> Response:
    pool = await view.pool()
    error = None
    if view.request.method == "POST":
        name = view.form.get("name", "").strip()
        try:
            await view.ops.call(
                "CreateGroup", {"UserPoolId": pool["Id"], "GroupName": name, **_members(view.form)}
            )
        except CognitoError as failed:
            error = error_text(failed)
        else:
            return view.done(group_url(pool["Id"], name), f"Created group {name}.")
    params: dict[str, Any] = {"UserPoolId": pool["Id"], "Limit": PAGE_SIZE}
    token = view.query("token")
    if token:
        params["NextToken"] = token
    listed = await view.ops.call("ListGroups", params)
    return view.page(
        "groups.html",
        status=400 if error else 200,
        title="Groups",
        pool=pool,
        groups=listed["Groups"],
        error=error,
        form=view.form,
        group_url=lambda name: group_url(pool["Id"], name),
        next_url=f"?{urlencode({'token': listed['NextToken']})}"
        if listed.get("NextToken")
        else None,
        first_url="?" if token else None,
    )


async def show(view: View, *, error: str | None = None, status: int = 200) -> Response:
    pool = await view.pool()
    name = view.query("name") or view.form.get("name", "")
    group = (await view.ops.call("GetGroup", {"UserPoolId": pool["Id"], "GroupName": name}))[
        "Group"
    ]
    params: dict[str, Any] = {"UserPoolId": pool["Id"], "GroupName": name, "Limit": PAGE_SIZE}
    token = view.query("token")
    if token:
        params["NextToken"] = token
    listed = await view.ops.call("ListUsersInGroup", params)
    base = {"name": name}
    return view.page(
        "group.html",
        status=status,
        title=name,
        pool=pool,
        group=group,
        members=listed["Users"],
        error=error,
        user_url=lambda username: user_url(pool["Id"], username),
        next_url=(
            f"?{urlencode({**base, 'token': listed['NextToken']})}"
            if listed.get("NextToken")
            else None
        ),
        first_url=f"?{urlencode(base)}" if token else None,
    )


_ACTIONS = {
    "update": ("UpdateGroup", "Saved the group."),
    "add-member": ("AdminAddUserToGroup", "Added the user to the group."),
    "remove-member": ("AdminRemoveUserFromGroup", "Removed the user from the group."),
    "delete": ("DeleteGroup", "Deleted the group."),
}


async def act(view: View) -> Response:
    action, operation, notice = view.action(_ACTIONS)
    pool_id = view.param("pool_id")
    name = view.form.get("name", "")
    request: dict[str, Any] = {"UserPoolId": pool_id, "GroupName": name}
    if action == "update":
        request.update(_members(view.form))
    elif action in ("add-member", "remove-member"):
        request["Username"] = view.form.get("username", "").strip()
    try:
        await view.ops.call(operation, request)
    except CognitoError as error:
        return await show(view, error=error_text(error), status=400)
    if action == "delete":
        return view.done(f"/admin/pools/{pool_id}/groups", f"Deleted group {name}.")
    return view.done(group_url(pool_id, name), notice)
