"""Shared setup for the user and sign-in tests: a pool like TravelGuide's and its
client, created through boto3."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from botocore.exceptions import ClientError

STRONG = "Travel!Guide123"
POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
}
FLOWS = [
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
]


def email() -> str:
    return f"traveller-{secrets.token_hex(4)}@example.com"


def error_of(exc: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = exc.value.response["Error"]
    return error["Code"], error["Message"]


def email_pool(cognito: Any, **extra: Any) -> dict[str, Any]:
    """Sign-in with email, auto-verified email: the workshop's pool."""
    extra.setdefault("Policies", {"PasswordPolicy": POLICY})
    return cognito.create_user_pool(
        PoolName="TravelGuideUserPool-staging",
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        **extra,
    )["UserPool"]


def client(cognito: Any, pool_id: str, **extra: Any) -> dict[str, Any]:
    extra.setdefault("ExplicitAuthFlows", FLOWS)
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web", **extra)[
        "UserPoolClient"
    ]
