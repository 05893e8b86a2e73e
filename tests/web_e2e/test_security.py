"""The TravelGuide app's Security page in Debian's Chromium, with a CDP virtual
authenticator standing in for the device's passkey (WebAuthn.enable,
WebAuthn.addVirtualAuthenticator through Playwright's CDP session): register a
passkey, sign out, sign in with USER_AUTH + WEB_AUTHN and no password; a tampered
assertion is refused. Then an authenticator app set up from the page's QR code (codes
from pyotp) is asked for at the next sign-in."""

from __future__ import annotations

import json
import time
from typing import Any

import pyotp
import pytest
from playwright.async_api import Page, Route, expect

from tests.api.helpers import email
from tests.conftest import cognito_client
from tests.web_e2e.stack import Stack
from tests.web_e2e.test_story import claims, stored_session

pytestmark = pytest.mark.browser

PASSWORD = "Trip-Planner-2026!"


def traveller(stack: Stack) -> str:
    cognito: Any = cognito_client(stack.poolgate_url)
    address = email()
    cognito.admin_create_user(
        UserPoolId=stack.pool_id, Username=address, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": address},
                        {"Name": "email_verified", "Value": "true"}],
    )  # fmt: skip
    cognito.admin_set_user_password(
        UserPoolId=stack.pool_id, Username=address, Password=PASSWORD, Permanent=True
    )
    return address


async def virtual_authenticator(page: Page) -> None:
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("WebAuthn.enable")
    await cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {"options": {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                     "hasUserVerification": True, "isUserVerified": True}},
    )  # fmt: skip


async def sign_in_with_password(page: Page, stack: Stack, address: str) -> None:
    await page.goto(stack.app_url + "/")
    signin = page.locator(".signin-card")
    await signin.get_by_label("Email").fill(address)
    await signin.get_by_label("Password", exact=True).fill(PASSWORD)
    await signin.get_by_role("button", name="Sign in", exact=True).click()


async def sign_out(page: Page) -> None:
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in to TravelGuide")).to_be_visible()


async def test_passkey_then_totp_from_the_security_page(stack: Stack, page: Page) -> None:
    address = traveller(stack)
    await virtual_authenticator(page)
    await sign_in_with_password(page, stack, address)
    await expect(page.get_by_role("heading", name="Welcome", exact=False)).to_be_visible()

    await page.get_by_role("link", name="Security").click()
    await expect(page.get_by_role("heading", name="Security")).to_be_visible()
    await expect(page.get_by_test_id("no-passkeys")).to_be_visible()
    await page.get_by_role("button", name="Register a passkey").click()
    await expect(page.get_by_text("Passkey added")).to_be_visible()
    await expect(page.get_by_role("button", name="Remove Passkey 1")).to_be_visible()
    await sign_out(page)

    # A tampered assertion (its signature changed on the way): refused.
    async def tamper(route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        if body.get("ChallengeName") != "WEB_AUTHN":
            await route.continue_()
            return
        credential = json.loads(body["ChallengeResponses"]["CREDENTIAL"])
        signature = credential["response"]["signature"]
        flipped = "B" if signature[5] == "A" else "A"
        credential["response"]["signature"] = signature[:5] + flipped + signature[6:]
        body["ChallengeResponses"]["CREDENTIAL"] = json.dumps(credential)
        await route.continue_(post_data=json.dumps(body))

    await page.route(stack.poolgate_url + "/", tamper)
    signin = page.locator(".signin-card")
    await signin.get_by_label("Email").fill(address)
    await signin.get_by_role("button", name="Sign in with a passkey").click()
    await expect(signin.get_by_text("Incorrect username or password.")).to_be_visible()
    await page.unroute(stack.poolgate_url + "/", tamper)

    # The passkey alone: no password typed.
    await signin.get_by_role("button", name="Sign in with a passkey").click()
    await expect(page.get_by_role("heading", name="Welcome", exact=False)).to_be_visible()
    session = await stored_session(page)
    assert claims(session["idToken"])["email"] == address

    # An authenticator app from the QR code; the next sign-in asks for its code.
    await page.get_by_role("link", name="Security").click()
    await page.get_by_role("button", name="Set up an authenticator app").click()
    await expect(
        page.get_by_alt_text("QR code to add TravelGuide to an authenticator app")
    ).to_be_visible()
    secret = (await page.locator(".totp-secret").inner_text()).strip()
    set_up_at = time.time()
    await page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).at(set_up_at))
    await page.get_by_role("button", name="Verify and turn on").click()
    await expect(page.get_by_test_id("mfa-status")).to_have_text("Authenticator app: on")
    await sign_out(page)

    await sign_in_with_password(page, stack, address)
    await expect(page.get_by_role("heading", name="Enter your authenticator code")).to_be_visible()
    await page.get_by_role("textbox", name="Code").fill(pyotp.TOTP(secret).at(set_up_at + 30))
    await page.get_by_role("button", name="Verify").click()
    await expect(page.get_by_role("heading", name="Welcome", exact=False)).to_be_visible()
