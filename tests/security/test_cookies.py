"""With an https public URL the hosted pages' cookies are Secure and __Host- prefixed
(even when a TLS-terminating proxy talks plain HTTP to Poolgate), every answer carries
HSTS, and the CSRF token is bound to the browser's session."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.oauth.helpers import CALLBACK, STRONG, pkce
from tests.security.inprocess import app_client, signed

PUBLIC = "https://id.example.com"


async def _pool(http: httpx.AsyncClient) -> tuple[str, str]:
    pool = (await signed(http, "CreateUserPool", {"PoolName": "cookies"}))["UserPool"]["Id"]
    client = (
        await signed(
            http,
            "CreateUserPoolClient",
            {
                "UserPoolId": pool,
                "ClientName": "web",
                "AllowedOAuthFlows": ["code"],
                "AllowedOAuthFlowsUserPoolClient": True,
                "AllowedOAuthScopes": ["openid"],
                "CallbackURLs": [CALLBACK],
                "SupportedIdentityProviders": ["COGNITO"],
            },
        )
    )["UserPoolClient"]["ClientId"]
    await signed(
        http,
        "AdminCreateUser",
        {"UserPoolId": pool, "Username": "ann", "MessageAction": "SUPPRESS"},
    )
    await signed(
        http,
        "AdminSetUserPassword",
        {"UserPoolId": pool, "Username": "ann", "Password": STRONG, "Permanent": True},
    )
    return pool, client


def _cookies(values: dict[str, str]) -> dict[str, str]:
    """A Cookie header, as the browser sends it (the client's own jar is left empty)."""
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in values.items())}


def _form_token(html: str) -> str:
    found = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


async def test_https_cookies_are_secure_host_prefixed_and_hsts_is_sent(tmp_path: Path) -> None:
    # The proxy in front terminates TLS: Poolgate itself is reached over plain HTTP.
    async with app_client(tmp_path, "http://id.example.com", public_url=PUBLIC) as http:
        pool, client = await _pool(http)
        _verifier, challenge = pkce()
        query = {
            "client_id": client,
            "response_type": "code",
            "redirect_uri": CALLBACK,
            "scope": "openid",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        page = await http.get("/login", params=query)
        assert page.status_code == 200
        assert page.headers["strict-transport-security"] == "max-age=63072000"
        csrf_cookie = page.headers["set-cookie"]
        assert csrf_cookie.startswith("__Host-poolgate_csrf=")
        assert "Secure" in csrf_cookie and "Path=/" in csrf_cookie and "Domain" not in csrf_cookie
        token = _form_token(page.text)
        # The browser holds it (it reached the browser over https; httpx's jar here
        # would keep a Secure cookie from a plain-http request to itself).
        csrf = {"__Host-poolgate_csrf": page.cookies["__Host-poolgate_csrf"]}
        http.cookies.clear()
        signed_in = await http.post(
            "/login",
            params=query,
            data={"_csrf": token, "username": "ann", "password": STRONG},
            headers=_cookies(csrf),
        )
        assert signed_in.status_code == 302, signed_in.text
        assert signed_in.headers["location"].startswith(CALLBACK + "?code=")
        session = signed_in.headers["set-cookie"]
        assert session.startswith(f"__Host-poolgate_session_{pool}=")
        assert "Secure" in session and "HttpOnly" in session
        assert (await http.get("/health")).headers["strict-transport-security"]


async def test_plain_http_development_keeps_plain_cookies_and_no_hsts(tmp_path: Path) -> None:
    async with app_client(tmp_path) as http:
        _pool_id, client = await _pool(http)
        _verifier, challenge = pkce()
        page = await http.get(
            "/login",
            params={
                "client_id": client,
                "response_type": "code",
                "redirect_uri": CALLBACK,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
        )
        assert page.headers["set-cookie"].startswith("poolgate_csrf=")
        assert "Secure" not in page.headers["set-cookie"]
        assert "strict-transport-security" not in page.headers


async def test_the_csrf_token_is_bound_to_the_browser_session(tmp_path: Path) -> None:
    async with app_client(tmp_path, "http://id.example.com", public_url=PUBLIC) as http:
        pool, client = await _pool(http)
        _verifier, challenge = pkce()
        query = {
            "client_id": client,
            "response_type": "code",
            "redirect_uri": CALLBACK,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        # An attacker gets a valid cookie and token pair from a browser of their own...
        page = await http.get("/login", params=query)
        token = _form_token(page.text)
        planted = page.cookies["__Host-poolgate_csrf"]
        http.cookies.clear()
        # ...and plants the cookie in a victim's browser, which holds a session.
        victim = {
            "__Host-poolgate_csrf": planted,
            f"__Host-poolgate_session_{pool}": "the-victims-session",
        }
        http.cookies.clear()
        refused = await http.post(
            "/login",
            params=query,
            data={"_csrf": token, "username": "ann", "password": STRONG},
            headers=_cookies(victim),
        )
        assert refused.status_code == 403
        # Without the session the same pair is what the attacker's own browser sends.
        accepted = await http.post(
            "/login",
            params=query,
            data={"_csrf": token, "username": "ann", "password": STRONG},
            headers=_cookies({"__Host-poolgate_csrf": planted}),
        )
        assert accepted.status_code == 302
