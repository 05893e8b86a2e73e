"""The hosted pages over plain HTTP (httpx keeps the cookies, reads the forms):
sign-out, and the headers and cookies every page carries."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Server
from tests.oauth.helpers import (
    CALLBACK,
    SIGNED_OUT,
    csrf_of,
    http_sign_in,
    make_app,
    make_pool,
    make_user,
)


def test_logout(server: Server, cognito: Any) -> None:
    pool_id = make_pool(cognito)
    app = make_app(cognito, pool_id, secret=True)
    username = make_user(cognito, pool_id)
    params = app.authorize_params()
    with httpx.Client(base_url=server.url) as http:
        assert http_sign_in(http, params, username).status_code == 302
        assert http.get("/oauth2/authorize", params=params).headers["location"].startswith(CALLBACK)
        # An unregistered logout_uri, an unknown client, neither URI: an error page,
        # and the session is left alone.
        for bad in (
            {"client_id": app.client_id, "logout_uri": "https://evil.example/"},
            {"client_id": "nosuchclient", "logout_uri": SIGNED_OUT},
            {"client_id": app.client_id},
        ):
            answer = http.get("/logout", params=bad)
            assert answer.status_code == 400
            assert "location" not in answer.headers
        assert http.get("/oauth2/authorize", params=params).headers["location"].startswith(CALLBACK)
        # With redirect_uri (and the authorization parameters): to the login page.
        out = http.get("/logout", params=params)
        assert out.status_code == 302
        assert out.headers["location"].startswith("/login?")
        assert (
            http.get("/oauth2/authorize", params=params).headers["location"].startswith("/login?")
        )
        # Signed in again, then out with logout_uri.
        assert http_sign_in(http, params, username).status_code == 302
        out = http.get("/logout", params={"client_id": app.client_id, "logout_uri": SIGNED_OUT})
        assert out.status_code == 302
        assert out.headers["location"] == SIGNED_OUT
        assert (
            http.get("/oauth2/authorize", params=params).headers["location"].startswith("/login?")
        )


def test_headers_and_cookies(server: Server, cognito: Any) -> None:
    pool_id = make_pool(cognito)
    app = make_app(cognito, pool_id, secret=True)
    username = make_user(cognito, pool_id)
    params = app.authorize_params()
    with httpx.Client(base_url=server.url) as http:
        login = http.get(http.get("/oauth2/authorize", params=params).headers["location"])
        csp = login.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src" not in csp  # no scripts at all
        assert login.headers["x-frame-options"] == "DENY"
        assert login.headers["cache-control"] == "no-store"
        assert login.headers["referrer-policy"] == "no-referrer"
        csrf_cookie = login.headers["set-cookie"].lower()
        assert "httponly" in csrf_cookie and "samesite=lax" in csrf_cookie
        done = http.post(
            str(login.url),
            data={"_csrf": csrf_of(login.text), "username": username, "password": "x"},
        )
        # A wrong password: back to the login page (post/redirect/get), with the
        # message in a sealed flash cookie and no session cookie.
        assert done.status_code == 303
        assert done.headers["location"] == f"/login?{login.url.query.decode()}"
        assert done.headers["cache-control"] == "no-store"
        flash_cookie = done.headers["set-cookie"].lower()
        assert flash_cookie.startswith("poolgate_flash=")
        assert "httponly" in flash_cookie and "samesite=lax" in flash_cookie
        assert "poolgate_session" not in flash_cookie
        done = http_sign_in(http, params, username)
        session = done.headers["set-cookie"].lower()
        assert session.startswith(f"poolgate_session_{pool_id.lower()}=")
        assert "httponly" in session and "samesite=lax" in session and "path=/" in session
