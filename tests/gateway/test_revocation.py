"""Beyond API Gateway: the gateway refuses tokens whose user signed out, was disabled
or deleted, or whose refresh token was revoked (``check_revocation``, on by default),
against a real server sharing the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import jwt

from poolgate.gateway.config import parse
from tests.api.helpers import STRONG
from tests.gateway.conftest import Deployment

UNAUTHORIZED = {"message": "Unauthorized"}


def get(url: str, token: str) -> httpx.Response:
    return httpx.get(url, headers={"Authorization": token}, timeout=10)


def username_of(tokens: dict[str, Any]) -> str:
    return str(jwt.decode(tokens["IdToken"], options={"verify_signature": False})["email"])


def test_global_sign_out_refuses_the_old_tokens(deployment: Deployment) -> None:
    tokens = deployment.tokens()
    hello = deployment.url + "/hello"
    v2 = deployment.http_api_url + "/v2/claims"
    assert get(hello, tokens["IdToken"]).status_code == 200
    assert get(v2, f"Bearer {tokens['AccessToken']}").status_code == 200
    deployment.cognito.global_sign_out(AccessToken=tokens["AccessToken"])
    response = get(hello, tokens["IdToken"])
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    # The HTTP API's JWT authorizer names this deployment's issuer: refused too.
    response = get(v2, f"Bearer {tokens['AccessToken']}")
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    # A new sign-in gets through again.
    again = deployment.cognito.initiate_auth(
        ClientId=deployment.client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username_of(tokens), "PASSWORD": STRONG},
    )["AuthenticationResult"]
    assert get(hello, again["IdToken"]).status_code == 200


def test_admin_sign_out_disable_and_delete_refuse_tokens(deployment: Deployment) -> None:
    cognito, pool, hello = deployment.cognito, deployment.pool, deployment.url + "/hello"
    signed_out, disabled, deleted = deployment.tokens(), deployment.tokens(), deployment.tokens()
    for tokens in (signed_out, disabled, deleted):
        assert get(hello, tokens["IdToken"]).status_code == 200
    cognito.admin_user_global_sign_out(UserPoolId=pool, Username=username_of(signed_out))
    cognito.admin_disable_user(UserPoolId=pool, Username=username_of(disabled))
    cognito.admin_delete_user(UserPoolId=pool, Username=username_of(deleted))
    for tokens in (signed_out, disabled, deleted):
        assert get(hello, tokens["IdToken"]).status_code == 401


def test_a_revoked_refresh_token_takes_its_tokens_along(deployment: Deployment) -> None:
    tokens = deployment.tokens()
    hello = deployment.url + "/hello"
    assert get(hello, tokens["IdToken"]).status_code == 200
    deployment.cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=deployment.client)
    assert get(hello, tokens["IdToken"]).status_code == 401


def test_check_revocation_can_be_turned_off(tmp_path: Path) -> None:
    (tmp_path / "fn").mkdir()

    def config(api: dict[str, Any], authorizer: dict[str, Any]) -> Any:
        return parse(
            {
                "functions": [{"name": "f", "code_dir": "fn", "handler": "app.handler"}],
                "apis": [
                    {
                        "name": "api",
                        **api,
                        "authorizers": [
                            {
                                "name": "c",
                                "type": "COGNITO_USER_POOLS",
                                "user_pool": "p",
                                **authorizer,
                            }
                        ],
                        "routes": [
                            {"method": "GET", "path": "/x", "function": "f", "authorizer": "c"}
                        ],
                    }
                ],
            },
            tmp_path,
        )

    def checks(api: dict[str, Any], authorizer: dict[str, Any]) -> bool:
        return bool(config(api, authorizer).apis[0].authorizers["c"].check_revocation)

    assert checks({}, {}) is True
    assert checks({"check_revocation": False}, {}) is False
    assert checks({"check_revocation": False}, {"check_revocation": True}) is True
    assert checks({}, {"check_revocation": False}) is False
