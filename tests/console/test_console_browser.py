"""The console in Chromium, against a real ``poolgate serve`` on SQLite and on
PostgreSQL:

- the workshop, as a person follows it: sign in as the bootstrap administrator
  (choosing a new password first), create ``TravelGuideUserPool-staging`` with the
  workshop's password policy, its app client with ALLOW_USER_PASSWORD_AUTH,
  ALLOW_REFRESH_TOKEN_AUTH and ALLOW_USER_SRP_AUTH, a user with a temporary password;
  then boto3 sees exactly that configuration, and the user signs in with
  amazon-cognito-identity-js and is asked for a new password;
- axe-core finds nothing serious or critical on any main screen, at phone and desktop
  widths, and no screen overflows a phone;
- what the script does: the live password rules, the branding preview as CSS is typed.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.conftest import PG_DSN, Server, cognito_client
from tests.console.browser import Seeded, console_server, fresh_pg_database, screens, seed
from tests.console.browser import sign_in as browser_sign_in
from tests.console.helpers import BOOTSTRAP_PASSWORD, BOOTSTRAP_USERNAME, CHOSEN_PASSWORD
from tests.node.test_node_clients import NODE_DIR, _tool, ensure_node_modules
from tests.oauth.helpers import ensure_axe
from tests.oauth.hosted_pages import PHONE, VIEWPORTS, axe_violations, describe

pytestmark = pytest.mark.browser

TEMPORARY = "TravelGuide-2026!"
DEMO = "demo@travelguide.example"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp(f"console-{request.param}")
    if request.param == "sqlite":
        srv = console_server(data_dir)
        yield srv
        srv.stop()
        return
    for url in fresh_pg_database(PG_DSN):
        srv = console_server(data_dir, url)
        try:
            yield srv
        finally:
            srv.stop()


@pytest.fixture(scope="module")
async def signed_in(server: Server, browser: Browser) -> AsyncIterator[BrowserContext]:
    """A browser profile signed in as the bootstrap administrator, whose first sign-in
    chose a new password (the module's first test checks that part as it happens)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = await context.new_page()
    await browser_sign_in(page, server.url, BOOTSTRAP_USERNAME, BOOTSTRAP_PASSWORD, CHOSEN_PASSWORD)
    await page.close()
    yield context
    await context.close()


def first_sign_in(
    server: Server, pool_id: str, client_id: str, username: str, password: str
) -> dict[str, Any]:
    """amazon-cognito-identity-js's authenticateUser, in Node."""
    ensure_node_modules()
    done = subprocess.run(
        [
            _tool("node"),
            str(NODE_DIR / "first_sign_in.mjs"),
            server.url,
            pool_id,
            client_id,
            username,
            password,
        ],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def test_the_workshop_in_the_console(server: Server, signed_in: BrowserContext) -> None:
    page = await signed_in.new_page()
    await page.goto(f"{server.url}/admin/")
    await expect(page.get_by_role("heading", name="User pools")).to_be_visible()
    await expect(page.get_by_role("link", name=BOOTSTRAP_USERNAME)).to_be_visible()

    # "Navigate to AWS Console -> Cognito -> User Pools -> Create user pool"
    await page.get_by_role("link", name="Create user pool").click()
    await page.get_by_label("Name (required)").fill("TravelGuideUserPool-staging")
    await page.get_by_role("radio", name="Email address", exact=True).check()
    await page.get_by_label("Minimum length").fill("8")
    for rule in ("number", "special character", "uppercase letter", "lowercase letter"):
        await page.get_by_label(f"At least 1 {rule}").check()
    await page.get_by_label("Enable self-registration").check()
    await page.get_by_role("button", name="Create user pool").click()
    await expect(page.get_by_role("status")).to_contain_text(
        "Created user pool TravelGuideUserPool-staging"
    )
    pool_id = page.url.rsplit("/", 1)[1]

    # "App integration -> App clients -> Create app client"
    await (
        page.get_by_role("navigation", name="User pool")
        .get_by_role("link", name="App clients")
        .click()
    )
    await page.get_by_role("link", name="Create app client").click()
    await page.get_by_label("App client name (required)").fill("travelguide-web")
    await page.get_by_label("Don't generate a client secret").check()
    for flow in ("USER_PASSWORD_AUTH", "REFRESH_TOKEN_AUTH", "USER_SRP_AUTH"):
        await page.get_by_label(f"({flow})").check()
    await page.get_by_role("button", name="Create app client").click()
    await expect(page.get_by_role("status")).to_contain_text("Created app client travelguide-web")
    client_id = await page.locator("#client-id").inner_text()

    # "User Pool -> Users -> Create user" with a temporary password
    await page.get_by_role("navigation", name="User pool").get_by_role("link", name="Users").click()
    await page.get_by_role("link", name="Create user").click()
    await page.get_by_label("Email address (required)").fill(DEMO)
    await page.get_by_label("Mark the email address as verified").check()
    await page.get_by_label("Temporary password", exact=True).fill(TEMPORARY)
    await page.get_by_role("button", name="Create user").click()
    await expect(page.get_by_role("status")).to_contain_text("FORCE_CHANGE_PASSWORD")
    await page.close()

    # boto3 sees exactly that configuration.
    cognito: Any = cognito_client(server.url)
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Name"] == "TravelGuideUserPool-staging"
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"] == {
        "MinimumLength": 8,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": True,
        "TemporaryPasswordValidityDays": 7,
    }
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)[
        "UserPoolClient"
    ]
    assert sorted(client["ExplicitAuthFlows"]) == [
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_USER_SRP_AUTH",
    ]
    assert "ClientSecret" not in client and client["ClientName"] == "travelguide-web"
    [user] = cognito.list_users(UserPoolId=pool_id, Filter=f'email = "{DEMO}"')["Users"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD" and user["Enabled"] is True
    attributes = {a["Name"]: a["Value"] for a in user["Attributes"]}
    assert attributes["email"] == DEMO and attributes["email_verified"] == "true"
    # The bootstrap administrator changed the password at the first sign-in.
    admins = next(
        p
        for p in cognito.list_user_pools(MaxResults=60)["UserPools"]
        if p["Name"] == "poolgate-administrators"
    )
    root = cognito.admin_get_user(UserPoolId=admins["Id"], Username=BOOTSTRAP_USERNAME)
    assert root["UserStatus"] == "CONFIRMED"

    # The user signs in with amazon-cognito-identity-js and is asked for a new password.
    result = first_sign_in(server, pool_id, client_id, DEMO, TEMPORARY)
    assert result["kind"] == "newPasswordRequired", result
    assert result["userAttributes"]["email"] == DEMO


@pytest.fixture(scope="module")
def seeded(server: Server) -> Seeded:
    return seed(cognito_client(server.url))


@pytest.fixture(scope="module")
async def audit_contexts(
    browser: Browser, server: Server, signed_in: BrowserContext
) -> AsyncIterator[dict[str, BrowserContext]]:
    """Per viewport, a signed-in context that lets axe-core's script past the CSP."""
    state = await signed_in.storage_state()
    contexts = {
        label: await browser.new_context(viewport=viewport, bypass_csp=True, storage_state=state)
        for label, viewport in VIEWPORTS.items()
    }
    yield contexts
    for context in contexts.values():
        await context.close()


@pytest.fixture(scope="session")
def axe() -> Path:
    try:
        return ensure_axe()
    except RuntimeError as error:
        pytest.fail(str(error))


async def test_axe_finds_nothing_serious_on_any_screen(
    server: Server, seeded: Seeded, audit_contexts: dict[str, BrowserContext], axe: Path
) -> None:
    report = []
    for name, path in screens(seeded).items():
        for label, context in audit_contexts.items():
            page = await context.new_page()
            try:
                response = await page.goto(f"{server.url}{path}")
                assert response is not None and response.status == 200, (name, label)
                violations = await axe_violations(page, axe)
                if label == "phone":
                    overflow = await page.evaluate(
                        "document.documentElement.scrollWidth > window.innerWidth"
                    )
                    assert not overflow, f"{name} overflows a phone's width"
            finally:
                await page.close()
            if violations:
                print(f"{name} ({label}):\n{describe(violations)}")
            serious = [v for v in violations if v["impact"] in ("serious", "critical")]
            if serious:
                report.append(f"{name} at {label} width:\n{describe(serious)}")
    assert not report, "\n".join(report)


async def test_the_password_rules_follow_the_form(
    server: Server, signed_in: BrowserContext
) -> None:
    page = await signed_in.new_page()
    await page.goto(f"{server.url}/admin/pools/new")
    rules = page.locator("#password-rules li")
    await expect(rules).to_have_count(5)
    await page.get_by_label("Minimum length").fill("12")
    await expect(rules.first).to_have_text("Contains at least 12 characters")
    await page.get_by_label("At least 1 special character").uncheck()
    await expect(rules).to_have_count(4)
    await page.get_by_label("Try a password against these rules").fill("short1A")
    await expect(page.locator("#try-password-result")).to_have_text("1 rule not met.")
    await expect(page.locator('#password-rules li[data-rule="length"]')).to_have_class("unmet")
    await page.get_by_label("Try a password against these rules").fill("Long-enough-1A")
    await expect(page.locator("#try-password-result")).to_have_text(
        "This password meets every rule."
    )
    await page.close()


async def test_the_branding_preview_follows_the_css(
    server: Server, seeded: Seeded, signed_in: BrowserContext
) -> None:
    page = await signed_in.new_page()
    await page.goto(f"{server.url}/admin/pools/{seeded.pool_id}/branding")
    frame = page.frame_locator('iframe[name="preview"]')
    await expect(frame.get_by_role("heading", name="Sign in")).to_be_visible()
    await page.get_by_label("CSS").fill(
        ".submitButton-customizable { background-color: rgb(10, 125, 82); }"
    )
    button = frame.get_by_role("button", name="Sign in")
    await expect(button).to_have_css("background-color", "rgb(10, 125, 82)", timeout=10_000)
    # Nothing was saved by previewing.
    cognito: Any = cognito_client(server.url)
    saved = cognito.get_ui_customization(UserPoolId=seeded.pool_id)["UICustomization"]
    assert "CSS" not in saved
    await page.get_by_role("button", name="Save branding").click()
    await expect(page.get_by_role("status")).to_contain_text("Saved the branding")
    saved = cognito.get_ui_customization(UserPoolId=seeded.pool_id)["UICustomization"]
    assert saved["CSS"].startswith(".submitButton-customizable")
    await page.close()


async def test_the_console_on_a_phone(
    server: Server, browser: Browser, signed_in: BrowserContext, seeded: Seeded
) -> None:
    context = await browser.new_context(
        viewport=PHONE, storage_state=await signed_in.storage_state()
    )
    page: Page = await context.new_page()
    await page.goto(f"{server.url}/admin/pools/{seeded.pool_id}/users")
    await expect(page.get_by_role("cell", name="ana@travelguide.example")).to_be_visible()
    table = page.get_by_role("region", name="Users")
    box = await table.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    await context.close()
