"""Resource servers and custom scopes through boto3, and app clients that use them."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_user_pools import error_of, make_pool

MISSING_POOL = "us-east-1_Nope00000"
TRAVEL_SCOPES = [
    {"ScopeName": "read", "ScopeDescription": "Read trips"},
    {"ScopeName": "write", "ScopeDescription": "Plan trips"},
]


@pytest.fixture
def pool(cognito: Any) -> str:
    return str(make_pool(cognito)["Id"])


def travel(cognito: Any, pool: str, **extra: Any) -> dict[str, Any]:
    extra.setdefault("Scopes", TRAVEL_SCOPES)
    return cognito.create_resource_server(
        UserPoolId=pool, Identifier="travel", Name="TravelGuide API", **extra
    )["ResourceServer"]


def oauth_client(cognito: Any, pool: str, scopes: list[str], **extra: Any) -> dict[str, Any]:
    return cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="travelguide-web",
        AllowedOAuthFlows=["code"],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=scopes,
        CallbackURLs=["http://localhost:5173/callback"],
        **extra,
    )["UserPoolClient"]


# CRUD


def test_create_describe_update_delete(cognito: Any, pool: str) -> None:
    created = travel(cognito, pool)
    assert created == {
        "UserPoolId": pool,
        "Identifier": "travel",
        "Name": "TravelGuide API",
        "Scopes": TRAVEL_SCOPES,
    }
    described = cognito.describe_resource_server(UserPoolId=pool, Identifier="travel")
    assert described["ResourceServer"] == created

    # Name and Scopes are replaced by the request's.
    updated = cognito.update_resource_server(
        UserPoolId=pool,
        Identifier="travel",
        Name="Travel",
        Scopes=[{"ScopeName": "admin", "ScopeDescription": "Administer"}],
    )["ResourceServer"]
    assert updated["Name"] == "Travel"
    assert updated["Scopes"] == [{"ScopeName": "admin", "ScopeDescription": "Administer"}]
    assert (
        cognito.describe_resource_server(UserPoolId=pool, Identifier="travel")["ResourceServer"]
        == updated
    )
    # Scopes left out: the server has none.
    bare = cognito.update_resource_server(UserPoolId=pool, Identifier="travel", Name="Travel")
    assert bare["ResourceServer"]["Scopes"] == []

    cognito.delete_resource_server(UserPoolId=pool, Identifier="travel")
    with pytest.raises(ClientError) as exc:
        cognito.describe_resource_server(UserPoolId=pool, Identifier="travel")
    assert error_of(exc)[0] == "ResourceNotFoundException"
    assert cognito.list_resource_servers(UserPoolId=pool, MaxResults=10)["ResourceServers"] == []


def test_url_identifier_and_no_scopes(cognito: Any, pool: str) -> None:
    created = cognito.create_resource_server(
        UserPoolId=pool, Identifier="https://api.travelguide.example.com", Name="API"
    )["ResourceServer"]
    assert created["Scopes"] == []
    assert created["Identifier"] == "https://api.travelguide.example.com"


def test_errors(cognito: Any, pool: str) -> None:
    travel(cognito, pool)
    with pytest.raises(ClientError) as exc:
        travel(cognito, pool, Scopes=[])
    assert error_of(exc) == (
        "InvalidParameterException",
        f"travel already exists in user pool {pool}.",
    )
    with pytest.raises(ClientError) as exc:
        cognito.create_resource_server(
            UserPoolId=pool,
            Identifier="booking",
            Name="Booking",
            Scopes=[
                {"ScopeName": "read", "ScopeDescription": "one"},
                {"ScopeName": "read", "ScopeDescription": "two"},
            ],
        )
    code, message = error_of(exc)
    assert code == "InvalidParameterException" and "read" in message
    # Refused updates change nothing.
    with pytest.raises(ClientError) as exc:
        cognito.update_resource_server(
            UserPoolId=pool,
            Identifier="travel",
            Name="x",
            Scopes=[{"ScopeName": "a", "ScopeDescription": "a"}] * 2,
        )
    assert error_of(exc)[0] == "InvalidParameterException"
    assert (
        cognito.describe_resource_server(UserPoolId=pool, Identifier="travel")["ResourceServer"][
            "Scopes"
        ]
        == TRAVEL_SCOPES
    )

    for call in (
        lambda: cognito.describe_resource_server(UserPoolId=pool, Identifier="missing"),
        lambda: cognito.update_resource_server(UserPoolId=pool, Identifier="missing", Name="m"),
        lambda: cognito.delete_resource_server(UserPoolId=pool, Identifier="missing"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        code, message = error_of(exc)
        assert code == "ResourceNotFoundException" and "missing" in message


def test_invalid_scope_name_is_refused(raw_cognito: Any, pool: str) -> None:
    with pytest.raises(ClientError) as exc:
        raw_cognito.create_resource_server(
            UserPoolId=pool,
            Identifier="travel",
            Name="Travel",
            Scopes=[{"ScopeName": "trips/read", "ScopeDescription": "Read"}],
        )
    assert error_of(exc)[0] == "InvalidParameterException"


def test_unknown_pool(cognito: Any) -> None:
    expected = ("ResourceNotFoundException", f"User pool {MISSING_POOL} does not exist.")
    for call in (
        lambda: cognito.create_resource_server(UserPoolId=MISSING_POOL, Identifier="t", Name="t"),
        lambda: cognito.describe_resource_server(UserPoolId=MISSING_POOL, Identifier="t"),
        lambda: cognito.list_resource_servers(UserPoolId=MISSING_POOL, MaxResults=5),
        lambda: cognito.update_resource_server(UserPoolId=MISSING_POOL, Identifier="t", Name="t"),
        lambda: cognito.delete_resource_server(UserPoolId=MISSING_POOL, Identifier="t"),
    ):
        with pytest.raises(ClientError) as exc:
            call()
        assert error_of(exc) == expected


def test_list_pages_by_identifier(cognito: Any, pool: str) -> None:
    identifiers = ["travel", "booking", "https://api.example.com", "admin", "maps"]
    for identifier in identifiers:
        cognito.create_resource_server(UserPoolId=pool, Identifier=identifier, Name="n")
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        kwargs: dict[str, Any] = {"NextToken": token} if token else {}
        page = cognito.list_resource_servers(UserPoolId=pool, MaxResults=2, **kwargs)
        assert len(page["ResourceServers"]) <= 2
        seen += [s["Identifier"] for s in page["ResourceServers"]]
        pages += 1
        token = page.get("NextToken")
        if not token:
            break
    assert seen == sorted(identifiers) and pages == 3
    whole = cognito.list_resource_servers(UserPoolId=pool, MaxResults=50)
    assert "NextToken" not in whole and len(whole["ResourceServers"]) == 5
    # MaxResults is optional in the current model: up to 50 come back.
    assert len(cognito.list_resource_servers(UserPoolId=pool)["ResourceServers"]) == 5
    # The paginator follows NextToken.
    paginator = cognito.get_paginator("list_resource_servers")
    listed = [
        s["Identifier"]
        for page in paginator.paginate(UserPoolId=pool, PaginationConfig={"PageSize": 2})
        for s in page["ResourceServers"]
    ]
    assert listed == sorted(identifiers)


@pytest.mark.parametrize("max_results", [0, 51])
def test_max_results_out_of_range(raw_cognito: Any, pool: str, max_results: int) -> None:
    with pytest.raises(ClientError) as exc:
        raw_cognito.list_resource_servers(UserPoolId=pool, MaxResults=max_results)
    code, message = error_of(exc)
    assert code == "InvalidParameterException" and "maxResults" in message


# Custom scopes in app clients


def test_custom_scope_needs_its_resource_server(cognito: Any, pool: str) -> None:
    with pytest.raises(ClientError) as exc:
        oauth_client(cognito, pool, ["openid", "travel/read"])
    assert error_of(exc) == ("ScopeDoesNotExistException", "Invalid scope requested: travel/read")

    travel(cognito, pool)
    client = oauth_client(cognito, pool, ["openid", "travel/read", "travel/write"])
    assert client["AllowedOAuthScopes"] == ["openid", "travel/read", "travel/write"]
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client["ClientId"])
    assert described["UserPoolClient"]["AllowedOAuthScopes"] == [
        "openid",
        "travel/read",
        "travel/write",
    ]
    # A scope the server does not define, and another pool's scope, are still refused.
    with pytest.raises(ClientError) as exc:
        oauth_client(cognito, pool, ["travel/delete"])
    assert error_of(exc) == (
        "ScopeDoesNotExistException",
        "Invalid scope requested: travel/delete",
    )
    other = make_pool(cognito, PoolName="other")["Id"]
    with pytest.raises(ClientError) as exc:
        oauth_client(cognito, other, ["travel/read"])
    assert error_of(exc)[0] == "ScopeDoesNotExistException"


def test_update_client_with_custom_scopes(cognito: Any, pool: str) -> None:
    client = oauth_client(cognito, pool, ["openid"])
    update = {
        "UserPoolId": pool,
        "ClientId": client["ClientId"],
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthScopes": ["openid", "https://api.example.com/trips.read"],
        "CallbackURLs": ["http://localhost:5173/callback"],
    }
    with pytest.raises(ClientError) as exc:
        cognito.update_user_pool_client(**update)
    assert error_of(exc)[0] == "ScopeDoesNotExistException"
    cognito.create_resource_server(
        UserPoolId=pool,
        Identifier="https://api.example.com",
        Name="API",
        Scopes=[{"ScopeName": "trips.read", "ScopeDescription": "Read trips"}],
    )
    updated = cognito.update_user_pool_client(**update)["UserPoolClient"]
    assert updated["AllowedOAuthScopes"] == ["openid", "https://api.example.com/trips.read"]


def test_client_credentials_client(cognito: Any, pool: str) -> None:
    travel(cognito, pool)
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="travelguide-backend",
        GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["travel/read"],
    )["UserPoolClient"]
    assert client["ClientSecret"]
    assert client["AllowedOAuthFlows"] == ["client_credentials"]
    assert client["AllowedOAuthScopes"] == ["travel/read"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True


def test_deleting_a_server_or_scope_leaves_clients_alone(cognito: Any, pool: str) -> None:
    travel(cognito, pool)
    client = oauth_client(cognito, pool, ["openid", "travel/read", "travel/write"])
    client_id = client["ClientId"]

    # Removing a scope a client uses is allowed; the client keeps its settings.
    cognito.update_resource_server(
        UserPoolId=pool, Identifier="travel", Name="Travel", Scopes=[TRAVEL_SCOPES[0]]
    )
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client_id)
    assert described["UserPoolClient"]["AllowedOAuthScopes"] == [
        "openid",
        "travel/read",
        "travel/write",
    ]
    # So is deleting the server.
    cognito.delete_resource_server(UserPoolId=pool, Identifier="travel")
    described = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=client_id)
    assert "travel/read" in described["UserPoolClient"]["AllowedOAuthScopes"]
    # Asking for the scopes again is refused now that they do not exist.
    with pytest.raises(ClientError) as exc:
        cognito.update_user_pool_client(
            UserPoolId=pool,
            ClientId=client_id,
            AllowedOAuthFlows=["code"],
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthScopes=["openid", "travel/read"],
            CallbackURLs=["http://localhost:5173/callback"],
        )
    assert error_of(exc) == ("ScopeDoesNotExistException", "Invalid scope requested: travel/read")


def test_deleting_the_pool_deletes_its_resource_servers(cognito: Any) -> None:
    pool = make_pool(cognito, PoolName="short-lived")["Id"]
    travel(cognito, pool)
    cognito.delete_user_pool(UserPoolId=pool)
    with pytest.raises(ClientError) as exc:
        cognito.describe_resource_server(UserPoolId=pool, Identifier="travel")
    assert error_of(exc)[0] == "ResourceNotFoundException"
