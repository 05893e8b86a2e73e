"""Every hosted page in each state worth looking at, reached the way a user reaches it:
shared by the accessibility tests and by ``screenshots.py``.

``make_site`` creates a pool, a public app client and two users through boto3;
``STATES`` maps a name to a coroutine that brings a Playwright page to that state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, ViewportSize

from tests.conftest import Server
from tests.oauth.helpers import (
    CALLBACK,
    POLICY,
    STRONG,
    TEMPORARY,
    App,
    email,
    make_app,
    make_pool,
    make_user,
    pkce,
)
from tests.oauth.test_hosted_mfa import with_totp

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
VIEWPORTS: dict[str, ViewportSize] = {"phone": PHONE, "desktop": DESKTOP}


@dataclass
class Site:
    server: Server
    app: App
    username: str  # confirmed, with a permanent password
    temporary: str  # admin-created, must choose a new password
    # A pool with TOTP (OPTIONAL) and passkeys, and a user with TOTP on; a pool with
    # MFA ON and a user who has not set a factor up yet.
    mfa_app: App | None = None
    mfa_user: str = ""
    setup_app: App | None = None
    setup_user: str = ""

    def query(self, app: App | None = None, **extra: str) -> str:
        _verifier, challenge = pkce()
        params = (app or self.app).authorize_params(
            code_challenge=challenge, code_challenge_method="S256", state="xyz", **extra
        )
        return str(httpx.QueryParams(params))

    def url(self, path: str, app: App | None = None, **extra: str) -> str:
        return f"{self.server.url}{path}?{self.query(app, **extra)}"


def make_site(server: Server, cognito: Any, callback: str = CALLBACK) -> Site:
    pool_id = make_pool(cognito)
    app = make_app(cognito, pool_id, name="TravelGuide", callback=callback)
    username = make_user(cognito, pool_id)
    temporary = email()
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=temporary,
        TemporaryPassword=TEMPORARY,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": temporary},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    mfa_pool = make_pool(
        cognito,
        Policies={"PasswordPolicy": POLICY,
                  "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}},
    )  # fmt: skip
    cognito.set_user_pool_mfa_config(
        UserPoolId=mfa_pool, SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="OPTIONAL",
    )  # fmt: skip
    mfa_user = make_user(cognito, mfa_pool)
    with_totp(cognito, mfa_pool, mfa_user)
    setup_pool = make_pool(cognito)
    cognito.set_user_pool_mfa_config(
        UserPoolId=setup_pool, SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="ON",
    )  # fmt: skip
    return Site(
        server, app, username, temporary,
        mfa_app=make_app(cognito, mfa_pool, name="TravelGuide", callback=callback),
        mfa_user=mfa_user,
        setup_app=make_app(cognito, setup_pool, name="TravelGuide", callback=callback),
        setup_user=make_user(cognito, setup_pool),
    )  # fmt: skip


async def _login(page: Page, site: Site) -> None:
    await page.goto(site.url("/oauth2/authorize"))
    await page.get_by_role("heading", name="Sign in").wait_for()


async def _login_error(page: Page, site: Site) -> None:
    await _login(page, site)
    await page.get_by_label("Email").fill("nobody@example.com")
    await page.get_by_label("Password", exact=True).fill("Wrong!Password1")
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("alert").wait_for()


async def _signup(page: Page, site: Site) -> None:
    await page.goto(site.url("/signup"))
    await page.get_by_role("heading", name="Sign up").wait_for()


async def _signup_error(page: Page, site: Site) -> None:
    await _signup(page, site)
    await page.get_by_label("Email").fill(email())
    await page.get_by_label("Password", exact=True).fill("short")
    await page.get_by_role("button", name="Sign up").click()
    await page.get_by_role("alert").wait_for()


async def _confirm(page: Page, site: Site) -> None:
    await _signup(page, site)
    await page.get_by_label("Email").fill(email())
    await page.get_by_label("Password", exact=True).fill(STRONG)
    await page.get_by_role("button", name="Sign up").click()
    await page.get_by_role("heading", name="Confirm your account").wait_for()


async def _confirm_error(page: Page, site: Site) -> None:
    await _confirm(page, site)
    await page.get_by_label("Verification code").fill("000000")
    await page.get_by_role("button", name="Confirm account").click()
    await page.locator(".field-error").wait_for()


async def _new_password(page: Page, site: Site) -> None:
    await _login(page, site)
    await page.get_by_label("Email").fill(site.temporary)
    await page.get_by_label("Password", exact=True).fill(TEMPORARY)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("heading", name="Change your password").wait_for()


async def _forgot(page: Page, site: Site) -> None:
    await page.goto(site.url("/forgotPassword"))
    await page.get_by_role("heading", name="Forgot your password?").wait_for()


async def _reset(page: Page, site: Site) -> None:
    await _forgot(page, site)
    await page.get_by_label("Email").fill(site.username)
    await page.get_by_role("button", name="Reset my password").click()
    await page.get_by_role("heading", name="Reset your password").wait_for()


async def _signed_in_to(page: Page, site: Site, app: App | None, username: str) -> None:
    await page.goto(site.url("/oauth2/authorize", app))
    await page.get_by_label("Email").fill(username)
    await page.get_by_label("Password", exact=True).fill(STRONG)
    await page.get_by_role("button", name="Sign in").click()


async def _mfa_code(page: Page, site: Site) -> None:
    await _signed_in_to(page, site, site.mfa_app, site.mfa_user)
    await page.get_by_role("heading", name="Enter your authenticator code").wait_for()


async def _mfa_code_error(page: Page, site: Site) -> None:
    await _mfa_code(page, site)
    await page.get_by_label("Code").fill("000000")
    await page.get_by_role("button", name="Verify").click()
    await page.get_by_role("alert").wait_for()


async def _mfa_setup(page: Page, site: Site) -> None:
    await _signed_in_to(page, site, site.setup_app, site.setup_user)
    await page.get_by_role("heading", name="Set up an authenticator app").wait_for()


async def _passkey(page: Page, site: Site) -> None:
    await page.goto(site.url("/passkey", site.mfa_app))
    await page.get_by_role("heading", name="Sign in with a passkey").wait_for()


async def _error(page: Page, site: Site) -> None:
    response = await page.goto(site.url("/oauth2/authorize", redirect_uri="https://evil.example/"))
    assert response is not None and response.status == 400
    await page.get_by_role("alert").wait_for()


State = Callable[[Page, Site], Awaitable[None]]
STATES: dict[str, State] = {
    "login": _login,
    "login-error": _login_error,
    "signup": _signup,
    "signup-error": _signup_error,
    "confirm": _confirm,
    "confirm-error": _confirm_error,
    "new-password": _new_password,
    "forgot-password": _forgot,
    "reset-password": _reset,
    "mfa-code": _mfa_code,
    "mfa-code-error": _mfa_code_error,
    "mfa-setup": _mfa_setup,
    "passkey": _passkey,
    "error": _error,
}


async def axe_violations(page: Page, axe: Path) -> list[dict[str, Any]]:
    """Run axe-core in the page (its context must bypass the page's CSP)."""
    await page.add_script_tag(path=str(axe))
    result: dict[str, Any] = await page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = ", ".join(" ".join(node["target"]) for node in v["nodes"])
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({targets})")
    return "\n".join(lines)
