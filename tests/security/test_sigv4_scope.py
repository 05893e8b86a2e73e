"""A signature covers what the request does: the operation (X-Amz-Target), the body's
type and the date must be signed, and the scope must name this server's region."""

from __future__ import annotations

import json
from typing import Any

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.api.test_wire import signed_post
from tests.conftest import ADMIN_KEY_ID, ADMIN_SECRET, Server

TARGET = "AWSCognitoIdentityProviderService."


class HostAndDateOnly(SigV4Auth):
    """A signer that signs only host and x-amz-date, as a careless client might."""

    def headers_to_sign(self, request: Any) -> Any:
        signed = super().headers_to_sign(request)
        for name in list(signed.keys()):
            if name not in ("host", "x-amz-date"):
                del signed[name]
        return signed


def test_a_signature_without_the_target_cannot_be_replayed_as_another_operation(
    server: Server, cognito: Any
) -> None:
    pool = cognito.create_user_pool(PoolName="replay")["UserPool"]["Id"]
    cognito.admin_create_user(UserPoolId=pool, Username="victim", MessageAction="SUPPRESS")
    body = json.dumps({"UserPoolId": pool, "Username": "victim"}).encode()
    request = AWSRequest(method="POST", url=server.url + "/", data=body)
    HostAndDateOnly(Credentials(ADMIN_KEY_ID, ADMIN_SECRET), "cognito-idp", "us-east-1").add_auth(
        request
    )
    headers = dict(request.headers.items())
    for operation in ("AdminGetUser", "AdminDisableUser"):
        response = httpx.post(
            server.url + "/",
            content=body,
            headers={
                **headers,
                "X-Amz-Target": TARGET + operation,
                "Content-Type": "application/x-amz-json-1.1",
            },
        )
        assert response.status_code in (400, 403)
        assert response.json()["__type"] == "IncompleteSignatureException"
        assert "'X-Amz-Target' must be a 'SignedHeader'" in response.json()["message"]
    assert cognito.admin_get_user(UserPoolId=pool, Username="victim")["Enabled"] is True


def test_a_scope_for_another_region_is_refused(server: Server) -> None:
    response = signed_post(server, "ListUserPools", b'{"MaxResults": 1}', region="eu-west-1")
    assert response.json()["__type"] == "InvalidSignatureException"
    assert "valid region, not 'eu-west-1'" in response.json()["message"]
    assert signed_post(server, "ListUserPools", b'{"MaxResults": 1}').status_code == 200
