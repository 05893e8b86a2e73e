"""User pool groups: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser,
ListUsersInGroup (Amazon Cognito API reference), and the group claims of tokens
(developer guide, "Adding groups to a user pool", "Understanding user pool JSON web
tokens").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from poolgate.core.context import Context
from poolgate.core.errors import (
    GroupExistsException,
    InvalidParameterException,
    ResourceNotFoundException,
    UserNotFoundException,
)
from poolgate.core.pagination import decode_token, encode_token
from poolgate.core.pools.pools import require_pool
from poolgate.core.records import Group, User
from poolgate.core.users.lookup import require_user
from poolgate.store.base import Conflict

# QueryLimitType's maximum, used when Limit is absent (or 0, which would page nothing).
DEFAULT_LIMIT = 60
_GROUP_NOT_FOUND = "Group not found."

T = TypeVar("T")


def _check_precedence(precedence: int | None) -> None:
    # The model (PrecedenceType, min 0) refuses this on the wire already; repeated here
    # for callers that do not come through the AWS JSON adapter.
    if precedence is not None and precedence < 0:
        raise InvalidParameterException(
            f"1 validation error detected: Value '{precedence}' at 'precedence' failed to "
            "satisfy constraint: Member must have value greater than or equal to 0"
        )


def _page(items: Sequence[T], limit: int, key: Callable[[T], str]) -> tuple[list[T], str | None]:
    """The store was asked for ``limit + 1`` items: the extra one says a page follows."""
    if len(items) > limit:
        page = list(items[:limit])
        return page, encode_token(key(page[-1]))
    return list(items), None


def _limit(limit: int | None) -> int:
    return limit or DEFAULT_LIMIT


async def find_group(ctx: Context, pool_id: str, name: str) -> Group | None:
    return await ctx.store.get_group(pool_id, name)


async def group_names_of(ctx: Context, pool_id: str, sub: str) -> set[str]:
    """The names of the groups a user (by sub) belongs to, in one query."""
    return {group.name for group in await ctx.store.groups_for_token(pool_id, sub)}


async def require_group(ctx: Context, pool_id: str, name: str) -> Group:
    group = await ctx.store.get_group(pool_id, name)
    if group is None:
        raise ResourceNotFoundException(_GROUP_NOT_FOUND)
    return group


async def create_group(
    ctx: Context,
    pool_id: str,
    name: str,
    *,
    description: str | None = None,
    role_arn: str | None = None,
    precedence: int | None = None,
) -> Group:
    """CreateGroup. Precedence defaults to null (no precedence), as documented."""
    await require_pool(ctx, pool_id)
    _check_precedence(precedence)
    now = ctx.clock()
    group = Group(
        pool_id=pool_id,
        name=name,
        created=now,
        modified=now,
        description=description,
        precedence=precedence,
        role_arn=role_arn,
    )
    try:
        await ctx.store.create_group(group)
    except Conflict:
        # The pool may have been deleted since require_pool: its foreign key refused.
        await require_pool(ctx, pool_id)
        raise GroupExistsException(f"A group with the name {name} already exists.") from None
    return group


async def get_group(ctx: Context, pool_id: str, name: str) -> Group:
    """GetGroup."""
    await require_pool(ctx, pool_id)
    return await require_group(ctx, pool_id, name)


async def list_groups(
    ctx: Context, pool_id: str, limit: int | None, next_token: str | None
) -> tuple[list[Group], str | None]:
    """ListGroups, by group name."""
    await require_pool(ctx, pool_id)
    size = _limit(limit)
    found = await ctx.store.list_groups(pool_id, size + 1, decode_token(next_token))
    return _page(found, size, lambda group: group.name)


async def update_group(
    ctx: Context,
    pool_id: str,
    name: str,
    *,
    description: str | None = None,
    role_arn: str | None = None,
    precedence: int | None = None,
) -> Group:
    """UpdateGroup: "Given the name of a user pool group, updates any of the properties
    for precedence, IAM role, or description" (API reference). Only the members the
    request gives change; None means "not given". (Older editions of the reference
    warned that omitted members return to their defaults, as UpdateUserPool does; the
    current one, and botocore's model, no longer say so.)"""
    await require_pool(ctx, pool_id)
    _check_precedence(precedence)
    now = ctx.clock()
    async with ctx.store.transaction() as store:
        group = await store.get_group(pool_id, name, for_update=True)
        if group is None:
            raise ResourceNotFoundException(_GROUP_NOT_FOUND)
        group = replace(
            group,
            description=group.description if description is None else description,
            role_arn=group.role_arn if role_arn is None else role_arn,
            precedence=group.precedence if precedence is None else precedence,
            modified=now,
        )
        await store.put_group(group)
    return group


async def delete_group(ctx: Context, pool_id: str, name: str) -> None:
    """DeleteGroup: the group's memberships go with it."""
    await require_pool(ctx, pool_id)
    if not await ctx.store.delete_group(pool_id, name):
        raise ResourceNotFoundException(_GROUP_NOT_FOUND)


async def admin_add_user_to_group(ctx: Context, pool_id: str, username: str, name: str) -> None:
    """AdminAddUserToGroup. Adding a member again succeeds and changes nothing."""
    pool = await require_pool(ctx, pool_id)
    await require_group(ctx, pool_id, name)
    user = await require_user(ctx, pool, username)
    try:
        await ctx.store.add_user_to_group(pool_id, name, user.sub, ctx.clock())
    except Conflict:
        # A foreign key refused: the group or the user was deleted meanwhile.
        await require_group(ctx, pool_id, name)
        raise UserNotFoundException("User does not exist.") from None


async def admin_remove_user_from_group(
    ctx: Context, pool_id: str, username: str, name: str
) -> None:
    """AdminRemoveUserFromGroup. Removing a user who is not a member succeeds."""
    pool = await require_pool(ctx, pool_id)
    await require_group(ctx, pool_id, name)
    user = await require_user(ctx, pool, username)
    await ctx.store.remove_user_from_group(pool_id, name, user.sub)


async def admin_list_groups_for_user(
    ctx: Context, pool_id: str, username: str, limit: int | None, next_token: str | None
) -> tuple[list[Group], str | None]:
    """AdminListGroupsForUser, by group name."""
    pool = await require_pool(ctx, pool_id)
    user = await require_user(ctx, pool, username)
    size = _limit(limit)
    found = await ctx.store.list_groups_for_user(
        pool_id, user.sub, size + 1, decode_token(next_token)
    )
    return _page(found, size, lambda group: group.name)


async def list_users_in_group(
    ctx: Context, pool_id: str, name: str, limit: int | None, next_token: str | None
) -> tuple[list[User], str | None]:
    """ListUsersInGroup. Users come in ``sub`` order: stable, and the token's key."""
    await require_pool(ctx, pool_id)
    await require_group(ctx, pool_id, name)
    size = _limit(limit)
    found = await ctx.store.list_users_in_group(pool_id, name, size + 1, decode_token(next_token))
    return _page(found, size, lambda user: user.sub)


def _rank(group: Group) -> tuple[bool, int]:
    """Lower Precedence first ("Zero is the highest precedence value"); groups whose
    Precedence is null after every group that has one."""
    return (group.precedence is None, group.precedence or 0)


def claims_for(found: Sequence[Group]) -> dict[str, Any]:
    """The group claims of a member of ``found`` (see ``token_claims``)."""
    if not found:
        return {}
    ordered = sorted(found, key=lambda group: (*_rank(group), group.name))
    claims: dict[str, Any] = {"cognito:groups": [group.name for group in ordered]}
    with_role = [group for group in ordered if group.role_arn]
    if not with_role:
        return claims
    # One entry per role, in the groups' order: two groups may share a role.
    claims["cognito:roles"] = list(dict.fromkeys(str(group.role_arn) for group in with_role))
    best = _rank(with_role[0])
    tied = {group.role_arn for group in with_role if _rank(group) == best}
    # "If two groups with the same Precedence have the same role ARN, that role is used
    # in the cognito:preferred_role claim ... If the two groups have different role ARNs,
    # the cognito:preferred_role claim isn't set."
    if len(tied) == 1:
        claims["cognito:preferred_role"] = with_role[0].role_arn
    return claims


async def token_claims(ctx: Context, pool_id: str, sub: str) -> dict[str, Any]:
    """``cognito:groups``, ``cognito:roles`` and ``cognito:preferred_role`` for a user.

    Cognito documents (CreateGroup's Precedence): zero is the highest precedence;
    lower values take precedence over higher or null ones; the preferred role is the
    role of the group with the lowest precedence value that has one, and is left out
    when groups tied at that precedence have different roles. ``cognito:groups`` lists
    every group of the user; the order of that list is not documented, so Poolgate
    gives it in precedence order (null last), ties by name, and ``cognito:roles`` in
    the same order. A user in no group gets none of these claims.
    """
    return claims_for(await ctx.store.groups_for_token(pool_id, sub))
