"""Shared setup for the hosted UI and OAuth 2.0 / OIDC tests: pools and app clients
created through boto3, users, PKCE, a sign-in through the hosted pages without a
browser (httpx), and what the browser tests need (Chromium's path and flags,
axe-core).

The httpx tests register ``http://localhost:9/callback`` and never follow a redirect
there: they read the ``Location`` header. The browser tests register the address of a
small page server the test session runs on a free loopback port (the "application",
tests/oauth/conftest.py), so every navigation ends on a real page and its URL, query
and fragment, is read from the browser.

(Intercepting the callback with Playwright's routing instead, so that nothing has to
listen, is not reliable with Debian's Chromium 156 and Playwright 1.65: the request
that follows a cross-site redirect first goes to the network (a real connection
attempt, ERR_CONNECTION_REFUSED), and is routed only when Chromium retries it, so
``page.goto`` fails; to the discard port 9 it fails with ERR_UNSAFE_PORT.)
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import re
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.conftest import Server

# Debian's Chromium, never a browser downloaded by Playwright.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

CALLBACK = "http://localhost:9/callback"
SIGNED_OUT = "http://localhost:9/signed-out"

STRONG = "Travel!Guide123"
TEMPORARY = "Temp!Pass123"
NEW_PASSWORD = "Changed!Pass456"
POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
}

OAUTH_DIR = Path(__file__).resolve().parent
AXE = OAUTH_DIR / "node_modules" / "axe-core" / "axe.min.js"


def email() -> str:
    return f"traveller-{secrets.token_hex(4)}@example.com"


def make_pool(cognito: Any, **extra: Any) -> str:
    """Sign-in with email, auto-verified email, TravelGuide's password policy."""
    extra.setdefault("Policies", {"PasswordPolicy": POLICY})
    pool = cognito.create_user_pool(
        PoolName="TravelGuideUserPool-oauth",
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        **extra,
    )["UserPool"]
    return str(pool["Id"])


@dataclass
class App:
    """An app client registered for the hosted UI."""

    pool_id: str
    client_id: str
    client_secret: str | None
    scopes: list[str]
    callback: str = CALLBACK

    def authorize_params(self, **extra: str) -> dict[str, str]:
        params = {
            "client_id": self.client_id,
            "response_type": "code",
            "redirect_uri": self.callback,
            "scope": " ".join(self.scopes),
            "state": secrets.token_urlsafe(12),
        }
        params.update(extra)
        return {k: v for k, v in params.items() if v != ""}


def make_app(
    cognito: Any,
    pool_id: str,
    *,
    secret: bool = False,
    flows: list[str] | None = None,
    scopes: list[str] | None = None,
    callback: str = CALLBACK,
    signed_out: str = SIGNED_OUT,
    name: str | None = None,
    **extra: Any,
) -> App:
    scopes = scopes if scopes is not None else ["openid", "email", "profile"]
    extra.setdefault("CallbackURLs", [callback])
    extra.setdefault("LogoutURLs", [signed_out])
    extra.setdefault("SupportedIdentityProviders", ["COGNITO"])
    client = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=name or f"web-{secrets.token_hex(3)}",
        GenerateSecret=secret,
        AllowedOAuthFlows=flows if flows is not None else ["code"],
        AllowedOAuthScopes=scopes,
        AllowedOAuthFlowsUserPoolClient=True,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        **extra,
    )["UserPoolClient"]
    return App(pool_id, client["ClientId"], client.get("ClientSecret"), scopes, callback)


def make_user(cognito: Any, pool_id: str, **attributes: str) -> str:
    """A confirmed user with a verified email and a permanent password (STRONG)."""
    address = email()
    attrs = {"email": address, "email_verified": "true", **attributes}
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=address,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()],
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=address, Password=STRONG, Permanent=True
    )
    return address


def pkce() -> tuple[str, str]:
    """A code_verifier and its S256 code_challenge (RFC 7636 4.1, 4.2)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def discovery(server: Server, pool_id: str) -> dict[str, Any]:
    response = httpx.get(f"{server.url}/{pool_id}/.well-known/openid-configuration")
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def fragment_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).fragment).items()}


_CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def http_sign_in(
    http: httpx.Client, params: dict[str, str], username: str, password: str = STRONG
) -> httpx.Response:
    """Authorize, then post the hosted login form as a browser would (cookies kept in
    ``http``). Returns the answer to the form post: normally the 302 to the callback."""
    authorize = http.get("/oauth2/authorize", params=params)
    assert authorize.status_code == 302, authorize.text
    login = http.get(authorize.headers["location"])
    assert login.status_code == 200, login.text
    return http.post(
        str(login.url),
        data={"_csrf": csrf_of(login.text), "username": username, "password": password},
    )


def http_code(server: Server, app: App, username: str, **extra: str) -> tuple[str, str]:
    """An authorization code through the hosted login form, and its PKCE verifier."""
    verifier, challenge = pkce()
    params = app.authorize_params(code_challenge=challenge, code_challenge_method="S256", **extra)
    with httpx.Client(base_url=server.url) as http:
        answer = http_sign_in(http, params, username)
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "?"), location
    got = query_of(location)
    assert got["state"] == params["state"]
    return got["code"], verifier


def token_request(
    server: Server, app: App, data: dict[str, str], *, basic: bool = True
) -> httpx.Response:
    """POST /oauth2/token authenticated as ``app`` (Basic, or the secret in the form)."""
    auth = None
    body = dict(data)
    if app.client_secret and basic:
        auth = httpx.BasicAuth(app.client_id, app.client_secret)
    else:
        body.setdefault("client_id", app.client_id)
        if app.client_secret:
            body.setdefault("client_secret", app.client_secret)
    return httpx.post(f"{server.url}/oauth2/token", data=body, auth=auth)


# axe-core, installed from tests/oauth/package-lock.json


def _installed() -> bool:
    lock = OAUTH_DIR / "package-lock.json"
    marker = OAUTH_DIR / "node_modules" / ".package-lock.json"
    return AXE.exists() and marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime


def ensure_axe() -> Path:
    """``npm ci`` in tests/oauth when node_modules is missing or older than the lock
    file (serialized, in case several processes get here at once). Returns the path of
    ``axe.min.js``; raises RuntimeError when npm is missing or fails."""
    if _installed():
        return AXE
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("`npm` is not on PATH: the accessibility checks need Node.js and npm")
    with open(Path(tempfile.gettempdir()) / "poolgate-tests-oauth-npm-ci.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed():
            return AXE
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=OAUTH_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    if result.returncode != 0 or not AXE.exists():
        raise RuntimeError(f"npm ci failed in {OAUTH_DIR}:\n{result.stdout}\n{result.stderr}")
    return AXE
