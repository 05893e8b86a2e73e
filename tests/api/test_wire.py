"""The AWS JSON 1.1 protocol and SigV4 at the front door: errors, refusals, CORS."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.api.test_user_pools import error_of
from tests.conftest import ADMIN_KEY_ID, ADMIN_SECRET, Server, cognito_client

TARGET = "AWSCognitoIdentityProviderService."


def signed_post(
    server: Server,
    operation: str,
    body: bytes,
    secret: str = ADMIN_SECRET,
    key: str = ADMIN_KEY_ID,
    region: str = "us-east-1",
) -> httpx.Response:
    request = AWSRequest(
        method="POST",
        url=server.url + "/",
        data=body,
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + operation},
    )
    SigV4Auth(Credentials(key, secret), "cognito-idp", region).add_auth(request)
    return httpx.post(server.url + "/", content=body, headers=dict(request.headers.items()))


def pool_names(cognito: Any) -> set[str]:
    """Every pool's name: the session's server holds more pools than one page."""
    pages = cognito.get_paginator("list_user_pools").paginate(PaginationConfig={"PageSize": 60})
    return {p["Name"] for page in pages for p in page["UserPools"]}


def test_malformed_json_is_a_serialization_error(server: Server) -> None:
    response = signed_post(server, "CreateUserPool", b'{"PoolName": ')
    assert response.status_code == 400
    assert response.json()["__type"] == "SerializationException"
    assert response.headers["x-amzn-ErrorType"] == "SerializationException"
    assert "Traceback" not in response.text


def test_wrong_json_type_is_a_serialization_error(server: Server) -> None:
    response = signed_post(server, "CreateUserPool", b'["PoolName"]')
    assert response.json()["__type"] == "SerializationException"


def test_unknown_operation(server: Server) -> None:
    response = signed_post(server, "MakeCoffee", b"{}")
    assert response.status_code == 400
    assert response.json()["__type"] == "UnknownOperationException"


def test_unimplemented_operation_names_itself(server: Server) -> None:
    response = signed_post(
        server, "StartUserImportJob", b'{"UserPoolId": "us-east-1_abc", "JobId": "import-abc"}'
    )
    assert response.status_code == 400
    body = response.json()
    assert "StartUserImportJob" in body["message"]


def test_unsigned_create_is_refused_and_creates_nothing(server: Server, cognito: Any) -> None:
    unsigned = cognito_client(server.url, signed=False)
    with pytest.raises(ClientError) as exc:
        unsigned.create_user_pool(PoolName="unsigned-pool")
    assert error_of(exc) == ("MissingAuthenticationTokenException", "Missing Authentication Token")
    assert "unsigned-pool" not in pool_names(cognito)


def test_wrong_secret_is_refused_and_creates_nothing(server: Server, cognito: Any) -> None:
    response = signed_post(server, "CreateUserPool", b'{"PoolName": "forged-pool"}', secret="nope")
    assert response.status_code == 403
    assert response.json()["__type"] == "InvalidSignatureException"
    assert "signature we calculated does not match" in response.json()["message"]
    assert "forged-pool" not in pool_names(cognito)


def test_unknown_access_key_is_refused(server: Server) -> None:
    response = signed_post(
        server, "ListUserPools", b'{"MaxResults": 1}', key="AKIAUNKNOWN000000000"
    )
    assert response.json()["__type"] == "UnrecognizedClientException"


def test_garbage_authorization_is_refused(server: Server) -> None:
    response = httpx.post(
        server.url + "/",
        content=b'{"MaxResults": 1}',
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": TARGET + "ListUserPools",
            "Authorization": "Bearer something",
        },
    )
    assert response.json()["__type"] == "IncompleteSignatureException"


def test_public_operation_needs_no_signature(server: Server) -> None:
    """SignUp is public (authtype none): no signature needed, so it reaches validation."""
    response = httpx.post(
        server.url + "/",
        content=b"{}",
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + "SignUp"},
    )
    assert response.json()["__type"] == "InvalidParameterException"


def test_cors_preflight(server: Server) -> None:
    response = httpx.options(
        server.url + "/",
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert "x-amz-target" in response.headers["access-control-allow-headers"]
