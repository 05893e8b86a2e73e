"""The authorizers against a real server: tokens from boto3 sign-ins, keys fetched from
the pool's JWKS over HTTP."""

from __future__ import annotations

import base64
import contextlib
import json
import time
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.gateway.conftest import ADMIN_SCOPE, Deployment

UNAUTHORIZED = {"message": "Unauthorized"}


def get(url: str, token: str | None = None, **headers: str) -> httpx.Response:
    if token is not None:
        headers["Authorization"] = token
    return httpx.get(url, headers=headers, timeout=10)


def claims_seen(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    event = response.json()
    claims: dict[str, Any] = event["requestContext"]["authorizer"]["claims"]
    return claims


def test_no_token_is_unauthorized(deployment: Deployment) -> None:
    for token in (None, "", "Bearer"):
        response = get(deployment.url + "/hello", token)
        assert response.status_code == 401, token
        assert response.json() == UNAUTHORIZED
        assert response.headers["x-amzn-ErrorType"] == "UnauthorizedException"
        assert response.headers["x-amzn-RequestId"]


def test_forged_tokens_are_unauthorized(deployment: Deployment) -> None:
    id_token = deployment.tokens()["IdToken"]
    header, payload, signature = id_token.split(".")
    # A changed claim under the original signature.
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["cognito:username"] = "admin"
    tampered = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    # A token signed by another key under the pool's kid.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = jwt.get_unverified_header(id_token)["kid"]
    self_signed = jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})
    unsigned = jwt.encode(claims, None, algorithm="none")
    hmac = jwt.encode(claims, "s" * 32, algorithm="HS256", headers={"kid": kid})
    for token in (
        f"{header}.{tampered}.{signature}",
        self_signed,
        unsigned,
        hmac,
        "not-a-jwt",
        id_token[:-10],
    ):
        response = get(deployment.url + "/hello", token)
        assert (response.status_code, response.json()) == (401, UNAUTHORIZED), token


def test_a_token_of_another_pool_is_unauthorized(deployment: Deployment) -> None:
    tokens = deployment.tokens(deployment.other_pool, deployment.other_client)
    assert get(deployment.url + "/hello", tokens["IdToken"]).status_code == 401
    response = get(deployment.url + "/scoped", tokens["AccessToken"])
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_an_id_token_reaches_the_handler_with_its_claims(deployment: Deployment) -> None:
    tokens = deployment.tokens()
    verified = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    for token in (tokens["IdToken"], f"Bearer {tokens['IdToken']}"):
        claims = claims_seen(get(deployment.url + "/echo/me", token))
        assert claims["sub"] == verified["sub"]
        assert claims["email"] == verified["email"]
        assert claims["cognito:username"] == verified["cognito:username"]
        assert claims["token_use"] == "id"
        assert claims["aud"] == deployment.client
        # REST APIs hand every claim over as a string.
        assert claims["email_verified"] == "true"
        assert claims["auth_time"] == str(verified["auth_time"])
        assert claims["exp"] == time.strftime(
            "%a %b %d %H:%M:%S UTC %Y", time.gmtime(verified["exp"])
        )


def test_groups_reach_the_handler_comma_separated(deployment: Deployment) -> None:
    cognito = deployment.cognito
    tokens = deployment.tokens()
    username = jwt.decode(tokens["IdToken"], options={"verify_signature": False})["sub"]
    for group in ("editors", "admins"):
        with contextlib.suppress(cognito.exceptions.GroupExistsException):
            cognito.create_group(UserPoolId=deployment.pool, GroupName=group)
        cognito.admin_add_user_to_group(
            UserPoolId=deployment.pool, Username=username, GroupName=group
        )
    refreshed = cognito.initiate_auth(
        ClientId=deployment.client,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
    )["AuthenticationResult"]
    claims = claims_seen(get(deployment.url + "/echo/me", refreshed["IdToken"]))
    assert sorted(claims["cognito:groups"].split(",")) == ["admins", "editors"]


def test_routes_without_scopes_take_id_tokens_only(deployment: Deployment) -> None:
    tokens = deployment.tokens()
    response = get(deployment.url + "/hello", tokens["AccessToken"])
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_a_scoped_route_takes_an_access_token_with_the_scope(deployment: Deployment) -> None:
    tokens = deployment.tokens()
    response = get(deployment.url + "/scoped", tokens["IdToken"])
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    claims = claims_seen(get(deployment.url + "/scoped", f"Bearer {tokens['AccessToken']}"))
    assert claims["token_use"] == "access"
    assert claims["scope"] == ADMIN_SCOPE
    assert claims["client_id"] == deployment.client


def test_http_api_jwt_authorizer_with_payload_2(deployment: Deployment) -> None:
    tokens = deployment.tokens()
    for token, audience_claim in ((tokens["AccessToken"], "client_id"), (tokens["IdToken"], "aud")):
        response = get(deployment.http_api_url + "/v2/claims", f"Bearer {token}")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body["version"] == "2.0" and body["routeKey"] == "GET /v2/claims"
        claims = body["jwt"]["claims"]
        assert claims[audience_claim] == deployment.client
        assert claims["iss"] == f"{deployment.server.url}/{deployment.pool}"
        # HTTP APIs keep numbers as numbers in strings.
        assert claims["exp"] == str(jwt.decode(token, options={"verify_signature": False})["exp"])
    assert body["jwt"]["scopes"] is None  # the id token has no scope claim


def test_http_api_refusals(deployment: Deployment) -> None:
    tokens = deployment.tokens()
    response = get(deployment.http_api_url + "/v2/claims")
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    assert "x-amzn-ErrorType" not in response.headers
    assert response.headers["apigw-requestid"]
    # Another client of the same pool: a valid token with the wrong audience.
    other_client = deployment.cognito.create_user_pool_client(
        UserPoolId=deployment.pool,
        ClientName="other",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    username = jwt.decode(tokens["IdToken"], options={"verify_signature": False})["email"]
    deployment.cognito.admin_set_user_password(
        UserPoolId=deployment.pool, Username=username, Password="Other!Pass123", Permanent=True
    )
    other = deployment.cognito.admin_initiate_auth(
        UserPoolId=deployment.pool,
        ClientId=other_client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": "Other!Pass123"},
    )["AuthenticationResult"]
    response = get(deployment.http_api_url + "/v2/claims", other["AccessToken"])
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert "audience" in response.headers["www-authenticate"]
    # A valid token without the route's scope: 403.
    response = get(deployment.http_api_url + "/v2/openid", tokens["AccessToken"])
    assert (response.status_code, response.json()) == (403, {"message": "Forbidden"})
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
    # A token of another pool (another issuer).
    stranger = deployment.tokens(deployment.other_pool, deployment.other_client)
    assert get(deployment.http_api_url + "/v2/claims", stranger["AccessToken"]).status_code == 401
