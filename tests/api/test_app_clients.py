"""App clients through boto3."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_user_pools import error_of, make_pool

TRAVELGUIDE_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]


@pytest.fixture
def pool_id(cognito: Any) -> str:
    return str(make_pool(cognito)["Id"])


def test_travelguide_client_described_with_defaults(cognito: Any, pool_id: str) -> None:
    created = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="travelguide-web", ExplicitAuthFlows=TRAVELGUIDE_FLOWS
    )["UserPoolClient"]
    assert re.fullmatch(r"[a-z0-9]{26}", created["ClientId"])
    assert "ClientSecret" not in created
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"])[
        "UserPoolClient"
    ]
    dates = {k: client.pop(k) for k in ("CreationDate", "LastModifiedDate")}
    assert dates["CreationDate"] == dates["LastModifiedDate"]
    assert client == {
        "UserPoolId": pool_id,
        "ClientName": "travelguide-web",
        "ClientId": created["ClientId"],
        "ExplicitAuthFlows": TRAVELGUIDE_FLOWS,
        "RefreshTokenValidity": 30,
        "AccessTokenValidity": 1,
        "IdTokenValidity": 1,
        "TokenValidityUnits": {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"},
        "AllowedOAuthFlowsUserPoolClient": False,
        "PreventUserExistenceErrors": "LEGACY",
        "EnableTokenRevocation": True,
        "EnablePropagateAdditionalUserContextData": False,
        "AuthSessionValidity": 3,
    }


def test_default_auth_flows(cognito: Any, pool_id: str) -> None:
    client = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]
    assert client["ExplicitAuthFlows"] == [
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_CUSTOM_AUTH",
    ]


def test_secret_and_oauth_settings(cognito: Any, pool_id: str) -> None:
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="confidential",
        GenerateSecret=True,
        CallbackURLs=["http://localhost:5173/callback", "https://app.example.com/cb"],
        LogoutURLs=["http://localhost:5173/"],
        DefaultRedirectURI="https://app.example.com/cb",
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email", "profile"],
        AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"],
        ReadAttributes=["email", "email_verified", "name"],
        WriteAttributes=["email", "name"],
        PreventUserExistenceErrors="ENABLED",
        EnableTokenRevocation=False,
        AccessTokenValidity=15,
        IdTokenValidity=15,
        RefreshTokenValidity=2,
        TokenValidityUnits={
            "AccessToken": "minutes",
            "IdToken": "minutes",
            "RefreshToken": "hours",
        },
    )["UserPoolClient"]
    assert re.fullmatch(r"[a-z0-9]{51}", client["ClientSecret"])
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])[
        "UserPoolClient"
    ]
    assert described["ClientSecret"] == client["ClientSecret"]
    assert described["AllowedOAuthFlows"] == ["code"]
    assert described["AllowedOAuthScopes"] == ["openid", "email", "profile"]
    assert described["CallbackURLs"] == [
        "http://localhost:5173/callback",
        "https://app.example.com/cb",
    ]
    assert described["PreventUserExistenceErrors"] == "ENABLED"
    assert described["EnableTokenRevocation"] is False
    assert described["AccessTokenValidity"] == 15
    assert described["TokenValidityUnits"]["RefreshToken"] == "hours"
    assert described["ReadAttributes"] == ["email", "email_verified", "name"]


def test_unknown_explicit_auth_flow(raw_cognito: Any, pool_id: str) -> None:
    with pytest.raises(ClientError) as exc:
        raw_cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=["ALLOW_EVERYTHING"]
        )
    code, message = error_of(exc)
    assert code == "InvalidParameterException"
    assert "'explicitAuthFlows'" in message
    assert "enum value set" in message and "ALLOW_USER_SRP_AUTH" in message


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"CallbackURLs": ["http://app.example.com/cb"]}, "InvalidParameterException"),
        ({"CallbackURLs": ["https://app.example.com/cb#x"]}, "InvalidParameterException"),
        (
            {
                "CallbackURLs": ["https://a.example.com/cb"],
                "DefaultRedirectURI": "https://b.example.com/",
            },
            "InvalidParameterException",
        ),
        (
            {
                "AllowedOAuthFlows": ["client_credentials"],
                "AllowedOAuthScopes": ["openid"],
                "AllowedOAuthFlowsUserPoolClient": True,
            },
            "InvalidOAuthFlowException",
        ),
        ({"AllowedOAuthFlowsUserPoolClient": True}, "InvalidOAuthFlowException"),
        ({"AllowedOAuthScopes": ["travel/read"]}, "ScopeDoesNotExistException"),
        ({"SupportedIdentityProviders": ["Google"]}, "InvalidParameterException"),
        ({"ReadAttributes": ["custom:nope"]}, "InvalidParameterException"),
        ({"WriteAttributes": ["sub"]}, "InvalidParameterException"),
        (
            {"AccessTokenValidity": 2, "TokenValidityUnits": {"AccessToken": "days"}},
            "InvalidParameterException",
        ),
        (
            {"ExplicitAuthFlows": ["USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]},
            "InvalidParameterException",
        ),
    ],
)
def test_client_settings_refused(
    cognito: Any, pool_id: str, kwargs: dict[str, Any], code: str
) -> None:
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c", **kwargs)
    assert error_of(exc)[0] == code
    assert error_of(exc)[1]


def test_list_update_delete(cognito: Any, pool_id: str) -> None:
    ids = [
        cognito.create_user_pool_client(UserPoolId=pool_id, ClientName=f"c{i}")["UserPoolClient"][
            "ClientId"
        ]
        for i in range(3)
    ]
    page = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=2)
    rest = cognito.list_user_pool_clients(
        UserPoolId=pool_id, MaxResults=2, NextToken=page["NextToken"]
    )
    listed = [c["ClientId"] for c in page["UserPoolClients"] + rest["UserPoolClients"]]
    assert sorted(listed) == sorted(ids)
    assert "NextToken" not in rest

    updated = cognito.update_user_pool_client(
        UserPoolId=pool_id,
        ClientId=ids[0],
        ClientName="renamed",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    assert updated["ClientName"] == "renamed"
    assert updated["ExplicitAuthFlows"] == ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

    cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=ids[0])
    with pytest.raises(ClientError) as exc:
        cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=ids[0])
    assert error_of(exc) == (
        "ResourceNotFoundException",
        f"User pool client {ids[0]} does not exist.",
    )


def test_client_of_another_pool_is_not_found(cognito: Any, pool_id: str) -> None:
    other = make_pool(cognito, PoolName="other")["Id"]
    client = cognito.create_user_pool_client(UserPoolId=other, ClientName="c")["UserPoolClient"]
    with pytest.raises(ClientError) as exc:
        cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])
    assert error_of(exc)[0] == "ResourceNotFoundException"


def test_deleting_the_pool_deletes_its_clients(cognito: Any) -> None:
    pool = make_pool(cognito, PoolName="short-lived")["Id"]
    client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="c")["UserPoolClient"]
    cognito.delete_user_pool(UserPoolId=pool)
    with pytest.raises(ClientError) as exc:
        cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])
    assert error_of(exc)[0] == "ResourceNotFoundException"
