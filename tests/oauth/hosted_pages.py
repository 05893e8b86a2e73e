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
    STRONG,
    TEMPORARY,
    App,
    email,
    make_app,
    make_pool,
    make_user,
    pkce,
)

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
VIEWPORTS: dict[str, ViewportSize] = {"phone": PHONE, "desktop": DESKTOP}


@dataclass
class Site:
    server: Server
    app: App
    username: str  # confirmed, with a permanent password
    temporary: str  # admin-created, must choose a new password

    def query(self, **extra: str) -> str:
        _verifier, challenge = pkce()
        params = self.app.authorize_params(
            code_challenge=challenge, code_challenge_method="S256", state="xyz", **extra
        )
        return str(httpx.QueryParams(params))

    def url(self, path: str, **extra: str) -> str:
        return f"{self.server.url}{path}?{self.query(**extra)}"


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
    return Site(server, app, username, temporary)


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
