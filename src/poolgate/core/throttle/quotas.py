"""Cognito's request-rate quotas by operation category ("Quotas in Amazon Cognito",
operation categories): each API operation belongs to a category whose requests per
second are capped for the account, and a request past the cap is answered
``TooManyRequestsException``. Off unless the deployment configures rates: counting
every request costs a store write, which a single server does not need.

The table below follows the categories the developer guide lists; an operation it
does not name is not rate-limited.
"""

from __future__ import annotations

from poolgate.core.context import Context
from poolgate.core.errors import TooManyRequestsException
from poolgate.core.throttle import counters
from poolgate.core.throttle.policy import Rate

CATEGORIES: dict[str, tuple[str, ...]] = {
    "UserAuthentication": (
        "InitiateAuth",
        "AdminInitiateAuth",
        "RespondToAuthChallenge",
        "AdminRespondToAuthChallenge",
        "GetTokensFromRefreshToken",
    ),
    "UserCreation": ("SignUp", "AdminCreateUser", "ConfirmSignUp", "AdminConfirmSignUp"),
    "UserAccountRecovery": (
        "ForgotPassword",
        "ConfirmForgotPassword",
        "AdminResetUserPassword",
        "ResendConfirmationCode",
    ),
    "UserRead": ("GetUser", "AdminGetUser"),
    "UserUpdate": (
        "UpdateUserAttributes",
        "AdminUpdateUserAttributes",
        "DeleteUserAttributes",
        "AdminDeleteUserAttributes",
        "ChangePassword",
        "AdminSetUserPassword",
        "VerifyUserAttribute",
        "GetUserAttributeVerificationCode",
        "AdminDisableUser",
        "AdminEnableUser",
        "AdminDeleteUser",
        "DeleteUser",
        "SetUserSettings",
        "AdminUpdateAuthEventFeedback",
        "UpdateAuthEventFeedback",
    ),
    "UserToken": ("RevokeToken", "GlobalSignOut", "AdminUserGlobalSignOut"),
    "UserList": ("ListUsers", "ListUsersInGroup", "AdminListUserAuthEvents"),
    "UserResourceRead": ("AdminListGroupsForUser",),
    "UserResourceUpdate": ("AdminAddUserToGroup", "AdminRemoveUserFromGroup"),
    "UserPoolRead": ("DescribeUserPool", "ListUserPools"),
    "UserPoolUpdate": ("CreateUserPool", "UpdateUserPool", "DeleteUserPool"),
    "UserPoolClientRead": ("DescribeUserPoolClient", "ListUserPoolClients"),
    "UserPoolClientUpdate": (
        "CreateUserPoolClient",
        "UpdateUserPoolClient",
        "DeleteUserPoolClient",
    ),
}
_CATEGORY_OF = {op: category for category, ops in CATEGORIES.items() for op in ops}
_SCOPE = "quota"


def category_of(operation: str) -> str | None:
    return _CATEGORY_OF.get(operation)


async def take(ctx: Context, operation: str) -> None:
    """Count one request of ``operation`` against its category's rate, if one is set."""
    if not ctx.throttle.quotas:
        return
    category = _CATEGORY_OF.get(operation)
    per_second = ctx.throttle.quotas.get(category or "")
    if category is None or not per_second:
        return
    rate = Rate(per_second, 1.0)
    if await counters.hit(ctx, _SCOPE, category, rate) > per_second:
        raise TooManyRequestsException(
            "Rate exceeded", detail=f"{category}: more than {per_second} requests per second"
        )
