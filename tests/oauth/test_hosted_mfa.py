"""The hosted pages' second factor, posted as a browser without JavaScript would
(httpx keeps the cookies): the TOTP code page after /login, a wrong code shown and
counted, the authenticator set-up page with its server-drawn QR code when MFA is
required, and the authorization code only after the factor. Then the code exchange:
tokens for the user who passed both factors."""

from __future__ import annotations

import html
import re
import time
from typing import Any

import httpx
import pyotp

from tests.api.helpers import FLOWS
from tests.conftest import Server
from tests.oauth.helpers import (
    CALLBACK,
    App,
    csrf_of,
    http_sign_in,
    make_app,
    make_pool,
    make_user,
    pkce,
    query_of,
    token_request,
)


def totp_pool(cognito: Any, mode: str) -> tuple[str, App]:
    pool_id = make_pool(cognito)
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration=mode
    )
    return pool_id, make_app(cognito, pool_id)


def with_totp(cognito: Any, pool_id: str, username: str) -> tuple[str, float]:
    """Turn TOTP on for ``username`` through the API: (secret, when its first code was)."""
    api = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="api", ExplicitAuthFlows=FLOWS
    )["UserPoolClient"]["ClientId"]
    token = cognito.initiate_auth(
        ClientId=api, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": "Travel!Guide123"},
    )["AuthenticationResult"]["AccessToken"]  # fmt: skip
    secret = cognito.associate_software_token(AccessToken=token)["SecretCode"]
    when = time.time()
    cognito.verify_software_token(AccessToken=token, UserCode=pyotp.TOTP(secret).at(when))
    cognito.set_user_mfa_preference(
        AccessToken=token, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    return secret, when


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no {name} in the page"
    return html.unescape(found.group(1))


def exchange(server: Server, app: App, location: str, verifier: str) -> dict[str, Any]:
    assert location.startswith(CALLBACK + "?"), location
    answer = token_request(server, app, {
        "grant_type": "authorization_code", "code": query_of(location)["code"],
        "redirect_uri": CALLBACK, "code_verifier": verifier,
    })  # fmt: skip
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_totp_page_after_login(server: Server, cognito: Any) -> None:
    pool_id, app = totp_pool(cognito, "OPTIONAL")
    username = make_user(cognito, pool_id)
    secret, when = with_totp(cognito, pool_id, username)
    verifier, challenge = pkce()
    params = app.authorize_params(code_challenge=challenge, code_challenge_method="S256")
    with httpx.Client(base_url=server.url) as http:
        page = http_sign_in(http, params, username)
        # No code for the application yet: the second factor's page.
        assert page.status_code == 200 and "Enter your authenticator code" in page.text
        assert "script" not in page.headers["content-security-policy"]
        form = {"_csrf": csrf_of(page.text), "challenge": "SOFTWARE_TOKEN_MFA",
                "session": hidden(page.text, "session")}  # fmt: skip
        wrong = http.post("/mfa", params=params, data={**form, "code": "000000"})
        assert wrong.status_code == 400 and "Invalid code or auth state" in wrong.text
        # The set-up code was used: refused again, as the API refuses it.
        reused = http.post("/mfa", params=params,
                           data={**form, "code": pyotp.TOTP(secret).at(when)})  # fmt: skip
        assert reused.status_code == 400
        done = http.post("/mfa", params=params,
                         data={**form, "code": pyotp.TOTP(secret).at(when + 30)})  # fmt: skip
        assert done.status_code == 302, done.text
    tokens = exchange(server, app, done.headers["location"], verifier)
    assert tokens["id_token"] and tokens["access_token"]


def test_mfa_required_sets_up_an_authenticator(server: Server, cognito: Any) -> None:
    pool_id, app = totp_pool(cognito, "ON")
    username = make_user(cognito, pool_id)
    verifier, challenge = pkce()
    params = app.authorize_params(code_challenge=challenge, code_challenge_method="S256")
    with httpx.Client(base_url=server.url) as http:
        page = http_sign_in(http, params, username)
        assert page.status_code == 200 and "Set up an authenticator app" in page.text
        qr = re.search(r'<img src="(data:image/svg\+xml[^"]+)"', page.text)
        assert qr and 'alt="QR code' in page.text
        key = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page.text)
        assert key
        secret = key.group(1).replace(" ", "")
        form = {"_csrf": csrf_of(page.text), "session": hidden(page.text, "session"),
                "secret": hidden(page.text, "secret")}  # fmt: skip
        wrong = http.post("/mfa/setup", params=params, data={**form, "code": "000000"})
        assert wrong.status_code == 400 and "did not match" in wrong.text
        assert secret.replace(" ", "") in wrong.text.replace(" ", "")  # the same key again
        done = http.post("/mfa/setup", params=params,
                         data={**form, "code": pyotp.TOTP(secret).now()})  # fmt: skip
        assert done.status_code == 302, done.text
    assert exchange(server, app, done.headers["location"], verifier)["access_token"]
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
