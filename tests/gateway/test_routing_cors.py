"""Routing (stages, parameters, greedy paths, precedence), API Gateway's answers for
unknown routes, and CORS."""

from __future__ import annotations

import httpx

from tests.gateway.conftest import Deployment

ORIGIN = "http://localhost:5173"


def test_params_and_greedy_paths(deployment: Deployment) -> None:
    id_token = deployment.tokens()["IdToken"]
    event = httpx.get(
        deployment.url + "/echo/Jane%20Doe", headers={"Authorization": id_token}
    ).json()
    assert event["pathParameters"] == {"name": "Jane Doe"}
    assert event["resource"] == "/echo/{name}"
    greedy = httpx.delete(deployment.url + "/files/a/b/c").json()
    assert greedy["pathParameters"] == {"proxy": "a/b/c"}
    assert greedy["httpMethod"] == "DELETE"  # ANY


def test_a_literal_route_beats_a_greedy_one(deployment: Deployment) -> None:
    literal = httpx.get(deployment.url + "/files/readme")
    assert literal.status_code == 200
    assert literal.headers["content-type"] == "application/octet-stream"  # mirror
    assert "x-handler" not in literal.headers
    greedy = httpx.get(deployment.url + "/files/readme/more")
    assert greedy.headers["x-handler"] == "echo"


def test_unknown_routes_answer_as_api_gateway(deployment: Deployment) -> None:
    for url, method in [
        (deployment.url + "/nowhere", "GET"),
        (deployment.url + "/files", "GET"),  # {proxy+} needs one segment at least
        (deployment.url + "/hello", "POST"),  # no POST route
    ]:
        response = httpx.request(method, url)
        assert response.status_code == 403, url
        assert response.json() == {"message": "Missing Authentication Token"}
        assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    # The HTTP API serves its $default stage at the root: every other path is its.
    for path in ("/v2/nowhere", "/hello"):
        response = httpx.get(deployment.http_api_url + path)
        assert (response.status_code, response.json()) == (404, {"message": "Not Found"})
        assert "x-amzn-ErrorType" not in response.headers


def test_preflight_is_answered_without_the_authorizer(deployment: Deployment) -> None:
    response = httpx.options(
        deployment.url + "/hello",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-allow-methods"] == "GET,POST,PUT,DELETE,OPTIONS"
    assert response.headers["access-control-allow-headers"] == "authorization,content-type"
    assert response.headers["access-control-max-age"] == "600"
    stranger = httpx.options(
        deployment.url + "/hello",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert stranger.status_code == 204
    assert "access-control-allow-origin" not in stranger.headers


def test_cors_headers_on_responses_and_refusals(deployment: Deployment) -> None:
    response = httpx.get(deployment.url + "/files/x", headers={"Origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["access-control-expose-headers"] == "x-handler"
    assert "Origin" in response.headers["vary"]
    refused = httpx.get(deployment.url + "/hello", headers={"Origin": ORIGIN})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == ORIGIN
    # No CORS headers for an origin the API does not allow, nor without an Origin.
    assert "access-control-allow-origin" not in httpx.get(deployment.url + "/files/x").headers
