"""PreSignUp_ExternalProvider: a federated user's first sign-in through the hosted
pages (the provider is another pool of the same server, an OpenID Connect provider as
the TravelGuide example's staff SSO), driven over HTTP as a browser would."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.helpers import STRONG
from tests.oauth.helpers import CALLBACK, App, csrf_of, make_app, pkce, query_of
from tests.triggers.conftest import Deployment
from tests.triggers.helpers import user
from tests.triggers.oracle import check_records


def with_staff_provider(deployment: Deployment, function: str) -> tuple[str, App, str]:
    """A pool whose pre sign-up runs ``function`` and whose hosted pages offer "Staff",
    an OpenID Connect provider backed by a staff pool with one user; its app client and
    the staff user's email."""
    staff = deployment.pool({})
    staff_user = user(deployment, staff, name="Sam Staff")
    sso = deployment.cognito.create_user_pool_client(
        UserPoolId=staff, ClientName="sso", GenerateSecret=True,
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", "email", "profile"],
        AllowedOAuthFlowsUserPoolClient=True, SupportedIdentityProviders=["COGNITO"],
        CallbackURLs=[f"{deployment.url}/oauth2/idpresponse"],
    )["UserPoolClient"]  # fmt: skip
    pool = deployment.pool({"PreSignUp": function})
    deployment.cognito.create_identity_provider(
        UserPoolId=pool, ProviderName="Staff", ProviderType="OIDC",
        ProviderDetails={
            "client_id": sso["ClientId"], "client_secret": sso["ClientSecret"],
            "authorize_scopes": "openid email profile", "attributes_request_method": "GET",
            "oidc_issuer": f"{deployment.url}/{staff}",
        },
        AttributeMapping={"email": "email", "name": "name"},
    )  # fmt: skip
    app = make_app(deployment.cognito, pool, SupportedIdentityProviders=["COGNITO", "Staff"])
    return pool, app, staff_user


def federated_sign_in(deployment: Deployment, app: App, staff_user: str) -> dict[str, str]:
    """Authorize with identity_provider=Staff, sign in on the staff pool's page, and
    follow the redirects back: the query the application's callback receives."""
    _, challenge = pkce()
    params = app.authorize_params(
        identity_provider="Staff", code_challenge=challenge, code_challenge_method="S256"
    )
    with httpx.Client(base_url=deployment.url, timeout=30) as http:
        answer = http.get("/oauth2/authorize", params=params)
        for _ in range(10):
            assert answer.status_code in (302, 303), answer.text
            location = answer.headers["location"]
            if location.startswith(CALLBACK):
                got = query_of(location)
                assert got["state"] == params["state"]
                return got
            answer = http.get(location)
            if answer.status_code == 200:  # the staff pool's sign-in page
                answer = http.post(
                    str(answer.url),
                    data={"_csrf": csrf_of(answer.text), "username": staff_user,
                          "password": STRONG},
                )  # fmt: skip
    raise AssertionError("no way back to the application")


def test_a_federated_first_sign_in_runs_pre_sign_up(deployment: Deployment) -> None:
    pool, app, staff_user = with_staff_provider(deployment, "pre-sign-up-auto-confirm")
    got = federated_sign_in(deployment, app, staff_user)
    assert "code" in got, got
    [event] = deployment.events(pool)
    assert event["triggerSource"] == "PreSignUp_ExternalProvider"
    assert event["userName"].startswith("Staff_")
    assert event["request"]["userAttributes"] == {"email": staff_user, "name": "Sam Staff"}
    assert event["callerContext"]["clientId"] == app.client_id
    federated = deployment.cognito.admin_get_user(UserPoolId=pool, Username=event["userName"])
    assert federated["UserStatus"] == "EXTERNAL_PROVIDER"
    attributes = {a["Name"]: a["Value"] for a in federated["UserAttributes"]}
    assert attributes["email_verified"] == "true"  # autoVerifyEmail
    # The next sign-in finds the user: no pre sign-up.
    assert "code" in federated_sign_in(deployment, app, staff_user)
    assert len(deployment.events(pool)) == 1
    assert check_records(deployment.records(pool)) == {"triggerSource literal"}


def test_a_refusal_returns_to_the_app_and_creates_nobody(deployment: Deployment) -> None:
    pool, app, staff_user = with_staff_provider(deployment, "pre-sign-up-guest-list")
    got = federated_sign_in(deployment, app, staff_user)
    assert got["error"] == "invalid_request"
    assert got["error_description"] == "PreSignUp failed with error not on the guest list."
    assert "code" not in got
    users: list[dict[str, Any]] = deployment.cognito.list_users(UserPoolId=pool)["Users"]
    assert users == []
