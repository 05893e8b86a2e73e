"""User pool groups on the wire."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.awsjson.users import user_type
from poolgate.core.context import Context
from poolgate.core.groups import groups
from poolgate.core.records import Group


def group_type(group: Group) -> dict[str, Any]:
    """``GroupType``; members that are not set are left out, as Cognito does."""
    body: dict[str, Any] = {"GroupName": group.name, "UserPoolId": group.pool_id}
    if group.description is not None:
        body["Description"] = group.description
    if group.role_arn is not None:
        body["RoleArn"] = group.role_arn
    if group.precedence is not None:
        body["Precedence"] = group.precedence
    body["LastModifiedDate"] = group.modified
    body["CreationDate"] = group.created
    return body


def _with_token(body: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token:
        body["NextToken"] = token
    return body


@operation("CreateGroup")
async def create_group(ctx: Context, params: Params) -> dict[str, Any]:
    group = await groups.create_group(
        ctx,
        params["UserPoolId"],
        params["GroupName"],
        description=params.get("Description"),
        role_arn=params.get("RoleArn"),
        precedence=params.get("Precedence"),
    )
    return {"Group": group_type(group)}


@operation("GetGroup")
async def get_group(ctx: Context, params: Params) -> dict[str, Any]:
    group = await groups.get_group(ctx, params["UserPoolId"], params["GroupName"])
    return {"Group": group_type(group)}


@operation("ListGroups")
async def list_groups(ctx: Context, params: Params) -> dict[str, Any]:
    found, token = await groups.list_groups(
        ctx, params["UserPoolId"], params.get("Limit"), params.get("NextToken")
    )
    return _with_token({"Groups": [group_type(group) for group in found]}, token)


@operation("UpdateGroup")
async def update_group(ctx: Context, params: Params) -> dict[str, Any]:
    group = await groups.update_group(
        ctx,
        params["UserPoolId"],
        params["GroupName"],
        description=params.get("Description"),
        role_arn=params.get("RoleArn"),
        precedence=params.get("Precedence"),
    )
    return {"Group": group_type(group)}


@operation("DeleteGroup")
async def delete_group(ctx: Context, params: Params) -> dict[str, Any]:
    await groups.delete_group(ctx, params["UserPoolId"], params["GroupName"])
    return {}


@operation("AdminAddUserToGroup")
async def admin_add_user_to_group(ctx: Context, params: Params) -> dict[str, Any]:
    await groups.admin_add_user_to_group(
        ctx, params["UserPoolId"], params["Username"], params["GroupName"]
    )
    return {}


@operation("AdminRemoveUserFromGroup")
async def admin_remove_user_from_group(ctx: Context, params: Params) -> dict[str, Any]:
    await groups.admin_remove_user_from_group(
        ctx, params["UserPoolId"], params["Username"], params["GroupName"]
    )
    return {}


@operation("AdminListGroupsForUser")
async def admin_list_groups_for_user(ctx: Context, params: Params) -> dict[str, Any]:
    found, token = await groups.admin_list_groups_for_user(
        ctx, params["UserPoolId"], params["Username"], params.get("Limit"), params.get("NextToken")
    )
    return _with_token({"Groups": [group_type(group) for group in found]}, token)


@operation("ListUsersInGroup")
async def list_users_in_group(ctx: Context, params: Params) -> dict[str, Any]:
    found, token = await groups.list_users_in_group(
        ctx, params["UserPoolId"], params["GroupName"], params.get("Limit"), params.get("NextToken")
    )
    return _with_token({"Users": [user_type(user) for user in found]}, token)
