"""Handler results to HTTP responses, claims as strings, and event bodies."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from poolgate.gateway.claims import http_api_claims, rest_api_claims
from poolgate.gateway.events import body_field
from poolgate.gateway.responses import MalformedResponse, gateway_error, integration_response


def test_payload_1_results() -> None:
    response = integration_response(
        {
            "statusCode": 201,
            "headers": {"X-One": "1", "X-Both": "single", "Content-Length": "999"},
            "multiValueHeaders": {"x-both": ["m1", "m2"]},
            "body": base64.b64encode(b"\x00\x01").decode(),
            "isBase64Encoded": True,
            "extra": "ignored",
        },
        "1.0",
    )
    assert response.status == 201 and response.body == b"\x00\x01"
    assert response.headers == [
        ("x-one", "1"),
        ("x-both", "m1"),
        ("x-both", "m2"),
        ("content-type", "application/json"),
    ]
    assert integration_response({"statusCode": 204}, "1.0").body == b""


def test_payload_2_infers_the_response() -> None:
    text = integration_response("Hello from Lambda!", "2.0")
    assert (text.status, text.body) == (200, b"Hello from Lambda!")
    assert text.header("content-type") == "application/json"
    assert integration_response({"message": "hi"}, "2.0").body == b'{"message": "hi"}'
    assert integration_response(None, "2.0").body == b"null"
    cookies = integration_response(
        {"statusCode": 200, "cookies": ["a=1", "b=2"], "body": "x"}, "2.0"
    )
    assert [v for k, v in cookies.headers if k == "set-cookie"] == ["a=1", "b=2"]


@pytest.mark.parametrize(
    "result",
    [
        "a string",
        {"body": "no status"},
        {"statusCode": "200"},
        {"statusCode": True},
        {"statusCode": 200, "body": {"an": "object"}},
        {"statusCode": 200, "headers": ["x"]},
        {"statusCode": 200, "headers": {"x": {"nested": 1}}},
        {"statusCode": 200, "body": "%%%", "isBase64Encoded": True},
        {"statusCode": 200, "isBase64Encoded": "yes"},
    ],
)
def test_malformed_payload_1_results(result: Any) -> None:
    with pytest.raises(MalformedResponse):
        integration_response(result, "1.0")


def test_gateway_errors_by_api_type() -> None:
    rest = gateway_error("REST", "integration_timeout")
    assert (rest.status, rest.body) == (504, b'{"message":"Endpoint request timed out"}')
    assert rest.header("x-amzn-errortype") == "InternalServerErrorException"
    http = gateway_error("HTTP", "integration_failed")
    assert (http.status, http.body) == (500, b'{"message":"Internal Server Error"}')
    assert http.header("x-amzn-errortype") is None


def test_claims_as_strings() -> None:
    claims = {
        "sub": "abc",
        "email_verified": True,
        "auth_time": 1574911451,
        "exp": 1574915051,
        "cognito:groups": ["admin", "editors"],
        "identities": [{"providerName": "Google"}],
        "nothing": None,
    }
    assert rest_api_claims(claims) == {
        "sub": "abc",
        "email_verified": "true",
        "auth_time": "1574911451",
        "exp": "Thu Nov 28 04:24:11 UTC 2019",
        "cognito:groups": "admin,editors",
        "identities": '{"providerName":"Google"}',
    }
    assert http_api_claims(claims)["cognito:groups"] == "[admin editors]"
    assert http_api_claims(claims)["exp"] == "1574915051"


def test_event_bodies() -> None:
    assert body_field(b"", "text/plain") == (None, False)
    assert body_field(b'{"a": 1}', "application/json; charset=utf-8") == ('{"a": 1}', False)
    assert body_field(b"plain", None) == ("plain", False)
    assert body_field(b"\xff\xfe", None) == ("//4=", True)
    assert body_field(b"abc", "image/png") == ("YWJj", True)
