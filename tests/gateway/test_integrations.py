"""Lambda-style handlers and an HTTP upstream behind the gateway: the events they get,
what their results become, and how failures are answered."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import time

import httpx
import jwt

from tests.gateway.conftest import Deployment

INTERNAL = {"message": "Internal server error"}


def test_the_workshop_handler_runs_unchanged(deployment: Deployment) -> None:
    id_token = deployment.tokens()["IdToken"]
    username = jwt.decode(id_token, options={"verify_signature": False})["cognito:username"]
    response = httpx.get(deployment.url + "/hello", headers={"Authorization": id_token})
    assert response.status_code == 200
    assert response.json() == f"Hello {username}!"


def test_payload_1_event(deployment: Deployment) -> None:
    response = httpx.get(
        deployment.url + "/files/docs/2024/report%20final.txt?tag=a&tag=b&empty=",
        headers={"X-Custom": "one", "User-Agent": "gateway-test"},
    )
    assert response.status_code == 200, response.text
    event = response.json()
    assert event["resource"] == "/files/{proxy+}"
    assert event["path"] == "/files/docs/2024/report final.txt"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"proxy": "docs/2024/report final.txt"}
    assert event["queryStringParameters"] == {"tag": "b", "empty": ""}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "empty": [""]}
    assert event["headers"]["X-Custom"] == "one"
    assert event["headers"]["User-Agent"] == "gateway-test"
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert event["multiValueHeaders"]["X-Custom"] == ["one"]
    assert event["body"] is None and event["isBase64Encoded"] is False
    assert event["stageVariables"] is None
    context = event["requestContext"]
    assert context["stage"] == "staging"
    assert context["path"] == "/staging/files/docs/2024/report final.txt"
    assert context["resourcePath"] == "/files/{proxy+}"
    assert context["httpMethod"] == "GET"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["userAgent"] == "gateway-test"
    assert context["accountId"] == "123456789012"
    assert len(context["apiId"]) == 10
    assert "authorizer" not in context
    assert abs(context["requestTimeEpoch"] / 1000 - time.time()) < 30
    # The gateway's request id is the one the event carries.
    assert context["requestId"] == response.headers["x-amzn-RequestId"]
    assert response.headers["apigw-requestid"] == context["requestId"]
    # Handler headers, multi-value ones too, reach the client.
    assert response.headers["x-handler"] == "echo"
    assert response.headers.get_list("x-multi") == ["a", "b"]


def test_payload_2_event(deployment: Deployment) -> None:
    response = httpx.post(
        deployment.http_api_url + "/v2/echo?tag=a&tag=b",
        headers={"X-Custom": "one", "Cookie": "a=1; b=2"},
        json={"hello": "world"},
    )
    assert (response.status_code, response.json()) == (404, {"message": "Not Found"})
    response = httpx.get(
        deployment.http_api_url + "/v2/echo?tag=a&tag=b",
        headers={"X-Custom": "one", "Cookie": "a=1; b=2"},
    )
    assert response.status_code == 200, response.text
    event = response.json()
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /v2/echo"
    assert event["rawPath"] == "/v2/echo"
    assert event["rawQueryString"] == "tag=a&tag=b"
    assert event["queryStringParameters"] == {"tag": "a,b"}
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["headers"]["x-custom"] == "one"
    assert "cookie" not in event["headers"]
    assert event["requestContext"]["http"]["method"] == "GET"
    assert event["requestContext"]["stage"] == "$default"
    assert event["requestContext"]["requestId"] == response.headers["apigw-requestid"]
    assert "body" not in event and event["isBase64Encoded"] is False


def test_a_handler_that_raises_is_a_502_and_the_gateway_keeps_serving(
    deployment: Deployment,
) -> None:
    response = httpx.get(deployment.url + "/boom")
    assert (response.status_code, response.json()) == (502, INTERNAL)
    assert response.headers["x-amzn-ErrorType"] == "InternalServerErrorException"
    id_token = deployment.tokens()["IdToken"]
    assert httpx.get(deployment.url + "/hello", headers={"Authorization": id_token}).is_success
    assert httpx.get(deployment.url + "/boom").status_code == 502


def test_a_malformed_result_is_a_502(deployment: Deployment) -> None:
    response = httpx.get(deployment.url + "/malformed")
    assert (response.status_code, response.json()) == (502, INTERNAL)


def test_a_function_past_its_own_timeout_is_a_502(deployment: Deployment) -> None:
    # Lambda ends it ("Task timed out after 1.00 seconds"); API Gateway answers that
    # function error like any other.
    started = time.monotonic()
    response = httpx.get(deployment.url + "/sleeper?sleep=5", timeout=10)
    assert (response.status_code, response.json()) == (502, INTERNAL)
    assert time.monotonic() - started < 4
    assert httpx.get(deployment.url + "/sleeper", timeout=10).text == "awake"


def test_an_integration_timeout_is_a_504_and_the_next_request_works(
    deployment: Deployment,
) -> None:
    started = time.monotonic()
    response = httpx.get(deployment.url + "/slow?sleep=3", timeout=10)
    assert response.status_code == 504
    assert response.json() == {"message": "Endpoint request timed out"}
    assert time.monotonic() - started < 2.5
    response = httpx.get(deployment.url + "/slow", timeout=10)
    assert (response.status_code, response.text) == (200, "awake")


def test_what_a_handler_prints_is_in_poolgate_logs(deployment: Deployment) -> None:
    marker = secrets.token_hex(8)
    response = httpx.get(deployment.url + "/print", params={"marker": marker})
    assert response.status_code == 204
    env = {k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")}
    output = ""
    for _ in range(50):
        output = subprocess.run(
            [
                sys.executable,
                "-m",
                "poolgate.cli",
                "logs",
                "printer",
                "--data-dir",
                str(deployment.server.data_dir),
            ],
            capture_output=True,
            text=True,
            env=env,
        ).stdout
        if marker in output:
            break
        time.sleep(0.1)
    assert f"printed {marker}" in output


def test_a_binary_body_round_trips_in_base64(deployment: Deployment) -> None:
    payload = bytes(range(256)) * 4
    response = httpx.post(
        deployment.url + "/mirror",
        content=payload,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 200
    assert response.content == payload
    assert response.headers["content-type"] == "application/octet-stream"


def test_text_bodies_stay_text(deployment: Deployment) -> None:
    document = {"name": "Zoë", "trip": ["Lisbon", "Porto"]}
    response = httpx.post(deployment.url + "/files/upload", json=document)
    event = response.json()
    assert event["httpMethod"] == "POST"
    assert event["isBase64Encoded"] is False
    assert json.loads(event["body"]) == document
    binary = httpx.put(
        deployment.url + "/files/upload",
        content=b"\x89PNG\r\n\x1a\n\x00",
        headers={"Content-Type": "image/png"},
    ).json()
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\x89PNG\r\n\x1a\n\x00"


def test_http_upstream_integration(deployment: Deployment) -> None:
    before = len(deployment.upstream.requests)
    response = httpx.post(
        deployment.url + "/upstream/pets/42?sort=asc",
        content=b"hello upstream",
        headers={"Content-Type": "text/plain", "X-Custom": "one", "Connection": "keep-alive"},
    )
    assert response.status_code == 201
    assert response.headers["x-upstream"] == "yes"
    assert response.headers["x-amzn-RequestId"]
    seen = response.json()
    assert deployment.upstream.requests[before:] == [seen]
    assert seen["method"] == "POST"
    assert seen["path"] == "/base/pets/42?sort=asc"
    assert seen["body"] == "hello upstream"
    assert seen["headers"]["x-custom"] == "one"
    assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"
    assert seen["headers"]["host"] != "127.0.0.1:" + str(deployment.server.gateway_port)
