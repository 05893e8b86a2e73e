"""The workshop's story walked through the TravelGuide web app in Debian's Chromium:
sign up (with a home airport), confirm with the mailed code, sign in through
Poolgate's hosted page, the profile with the example's Lambda triggers' work (the
travellers group, the home airport claim) and the tokens, ``GET /hello``, the access
token expiring and being refreshed (Playwright's clock), a global sign-out and the old
refresh token refused; and the admin-created demo user's first sign-in through SRP
with the forced password change, then a damaged id token that the API refuses (the
app refreshes and the cards still show their data) and the tokens page on a phone.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import httpx
import jwt
import pytest
from playwright.async_api import Page, expect

from tests.web_e2e.stack import DEMO, DEMO_TEMPORARY, Stack, latest_code

pytestmark = pytest.mark.browser

PASSWORD = "Trip-Planner-2026!"


async def stored_session(page: Page) -> dict[str, Any]:
    """The app's session as it keeps it in sessionStorage (tokens.ts)."""
    raw = await page.evaluate("() => window.sessionStorage.getItem('travelguide.session')")
    assert raw, "the app holds no session"
    session: dict[str, Any] = json.loads(raw)
    return session


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


async def say_hello(page: Page, sub: str) -> str:
    """The greeting, after checking that the card shows the handler's userId too."""
    card = page.locator(".hello-card")
    await card.get_by_role("button", name="Say hello").click()
    bubble = card.locator(".speech-bubble")
    await bubble.wait_for()
    await expect(card.locator(".hello-user-id")).to_contain_text(f"userId {sub}")
    return (await bubble.inner_text()).strip()


async def test_the_workshop_story(stack: Stack, page: Page) -> None:
    email = f"traveller-{secrets.token_hex(4)}@example.com"

    # Signed out: the home page with both ways in; create an account.
    await page.goto(stack.app_url + "/")
    await expect(page.get_by_role("heading", name="Sign in to TravelGuide")).to_be_visible()
    await page.get_by_role("link", name="Create an account").click()
    await expect(
        page.get_by_role("heading", name="Create your TravelGuide account")
    ).to_be_visible()
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Home airport (optional)").fill("kix")
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()

    # The code from the mailbox, as a developer reads it.
    await expect(page.get_by_role("heading", name="Confirm your email")).to_be_visible()
    await expect(page.get_by_label("Email")).to_have_value(email)
    await page.get_by_label("Confirmation code").fill(latest_code(stack.poolgate_url, email))
    await page.get_by_role("button", name="Confirm account").click()
    await expect(page.get_by_text("Your account is confirmed.")).to_be_visible()

    # The hosted UI: Poolgate's /login, then back to /callback and the dashboard.
    await page.get_by_role("button", name="Continue with Poolgate").click()
    await page.wait_for_url(f"{stack.poolgate_url}/login*")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Welcome", exact=False)).to_be_visible()
    assert page.url == stack.app_url + "/"
    await expect(
        page.get_by_text("Signed in through Poolgate\N{RIGHT SINGLE QUOTATION MARK}s sign-in page")
    ).to_be_visible()

    session = await stored_session(page)
    assert session["source"] == "hosted"
    id_claims = claims(session["idToken"])
    assert id_claims["email"] == email
    assert "aws.cognito.signin.user.admin" in claims(session["accessToken"])["scope"].split()

    # The profile from the id token.
    await expect(page.locator(".two-col").get_by_text(email).first).to_be_visible()
    # The example's two Lambda triggers: the travellers-group function
    # (PostConfirmation) put the new traveller in `travellers` when they confirmed, and
    # the home-airport function (PreTokenGeneration) named their airport in the token.
    assert id_claims["cognito:groups"] == ["travellers"]
    assert (id_claims["home_airport"], id_claims["home_airport_name"]) == ("KIX", "Osaka Kansai")
    profile = page.locator(".profile-card")
    await expect(profile.get_by_role("list", name="Groups")).to_have_text("travellers")
    await expect(profile).to_contain_text("Osaka Kansai KIX")

    # The protected API: the workshop's handler greets cognito:username.
    assert await say_hello(page, id_claims["sub"]) == f"Hello {id_claims['cognito:username']}!"

    # The token panel.
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Tokens").click()
    await expect(page.get_by_role("heading", name="Your tokens")).to_be_visible()
    for kind in ("id", "access", "refresh"):
        await expect(page.locator(f"#token-{kind}")).to_be_visible()
    await expect(page.locator(".token-card").first).to_contain_text(id_claims["sub"])
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Trips").click()
    await expect(page.get_by_text("Not refreshed yet")).to_be_visible()

    # The access token expires: a fake clock, installed now that the hosted sign-in is
    # done (the session survives the reload in sessionStorage), paused so that only
    # the app's own timer moves it, then an hour and a minute later.
    await page.clock.install()
    await page.reload()
    await expect(page.get_by_role("heading", name="Welcome", exact=False)).to_be_visible()
    await page.clock.pause_at(time.time() + 1)
    before = await stored_session(page)
    await page.clock.run_for("01:01:00")
    await expect(page.get_by_text("Refreshed at")).to_be_visible()
    await expect(page.get_by_text("(automatically)")).to_be_visible()
    after = await stored_session(page)
    assert after["refreshCount"] >= 1
    assert after["accessToken"] != before["accessToken"]
    assert claims(after["accessToken"])["exp"] > claims(before["accessToken"])["exp"]
    # Back to the real time: the server's new tokens are young again.
    await page.clock.set_system_time(time.time())
    await page.clock.resume()
    assert await say_hello(page, id_claims["sub"]) == f"Hello {id_claims['cognito:username']}!"

    # Sign out everywhere: GlobalSignOut, then Poolgate's /logout and back to the app.
    old_refresh = (await stored_session(page))["refreshToken"]
    assert old_refresh
    await page.get_by_role("button", name="Sign out everywhere").click()
    await expect(page.get_by_text("You are signed out everywhere.")).to_be_visible()
    assert page.url.startswith(stack.app_url + "/")
    await page.get_by_role("button", name="Try the old refresh token").click()
    await expect(page.locator(".revoked-demo")).to_contain_text("Refresh Token has been revoked")

    # And straight at Poolgate's token endpoint.
    refused = httpx.post(
        f"{stack.poolgate_url}/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "client_id": stack.client_id,
            "refresh_token": old_refresh,
        },
        timeout=30,
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


async def test_the_demo_users_first_sign_in_through_srp(stack: Stack, page: Page) -> None:
    await page.goto(stack.app_url + "/")
    signin = page.locator(".signin-card")
    await signin.get_by_label("Email").fill(DEMO)
    await signin.get_by_label("Password", exact=True).fill(DEMO_TEMPORARY)
    await signin.get_by_role("button", name="Sign in", exact=True).click()

    await expect(page.get_by_role("heading", name="Choose your own password")).to_be_visible()
    await page.get_by_label("New password", exact=True).fill("Chosen-By-Dana-7")
    await page.get_by_label("New password, again").fill("Chosen-By-Dana-7")
    await page.get_by_role("button", name="Set password and sign in").click()

    await expect(page.get_by_role("heading", name="Welcome", exact=False)).to_be_visible()
    await expect(page.get_by_text("Signed in with SRP")).to_be_visible()
    session = await stored_session(page)
    assert session["source"] == "direct"
    id_claims = claims(session["idToken"])
    assert id_claims["email"] == DEMO
    assert await say_hello(page, id_claims["sub"]) == f"Hello {id_claims['cognito:username']}!"

    # A damaged id token (its signature changed, its claims intact): the API refuses it
    # with 401, the app refreshes by itself and sends the calls again, so the cards
    # show their data instead of "sign in again".
    damaged = dict(session)
    header, body, signature = session["idToken"].split(".")
    damaged["idToken"] = f"{header}.{body}.{signature[::-1]}"
    await page.evaluate(
        "(s) => window.sessionStorage.setItem('travelguide.session', s)", json.dumps(damaged)
    )
    await page.reload()
    await expect(page.get_by_text("(automatically)")).to_be_visible()
    destinations = page.locator(".destinations-card")
    await expect(destinations.get_by_role("heading", name="Kyoto")).to_be_visible()
    await expect(destinations).to_contain_text("it was refused (401), so the app refreshed")
    favourites = page.locator(".favourites-card")
    await expect(favourites.get_by_text("No favourites yet.")).to_be_visible()
    for card in (destinations, favourites):
        await expect(card.get_by_role("alert")).to_have_count(0)
        await expect(card).not_to_contain_text("sign in again")
    renewed = await stored_session(page)
    assert renewed["idToken"] != damaged["idToken"]
    assert claims(renewed["idToken"])["sub"] == id_claims["sub"]

    # On a phone, the tokens page's claims fit their cards.
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Tokens").click()
    await expect(page.get_by_role("heading", name="Your tokens")).to_be_visible()
    overflow = await page.evaluate(
        """() => [...document.querySelectorAll('.table-wrap')].map(
            (wrap) => wrap.scrollWidth - wrap.clientWidth)"""
    )
    assert overflow and all(extra <= 0 for extra in overflow), overflow
    assert await page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), (
        "the page scrolls sideways at 390 px"
    )
