"""Passkeys on the hosted pages, in Chromium with a CDP virtual authenticator
(WebAuthn.enable / WebAuthn.addVirtualAuthenticator): signed in with a password, the
user adds a passkey on /passkey/add, then signs in on /passkey with it alone, and the
application's code exchange gives their tokens. A tampered assertion is refused. The
pages run only their one same-origin script (the Content-Security-Policy says so)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from playwright.async_api import Page, Route

from tests.conftest import Server
from tests.oauth.conftest import Application
from tests.oauth.helpers import POLICY, STRONG, make_app, make_pool, make_user, pkce, query_of

pytestmark = pytest.mark.browser


async def virtual_authenticator(page: Page) -> None:
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("WebAuthn.enable")
    await cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {"options": {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                     "hasUserVerification": True, "isUserVerified": True}},
    )  # fmt: skip


def local(server: Server, path: str, params: dict[str, str]) -> str:
    """The server under the name "localhost" (browsers refuse IP addresses as RP ids)."""
    return f"http://localhost:{server.port}{path}?{urlencode(params)}"


async def test_add_a_passkey_then_sign_in_with_it(
    page: Page, server: Server, cognito: Any, application: Application
) -> None:
    pool_id = make_pool(
        cognito,
        Policies={"PasswordPolicy": POLICY,
                  "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "WEB_AUTHN"]}},
    )  # fmt: skip
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, WebAuthnConfiguration={"RelyingPartyId": "localhost"}
    )
    app = make_app(cognito, pool_id, callback=application.callback)
    username = make_user(cognito, pool_id)
    await virtual_authenticator(page)
    _verifier, challenge = pkce()
    params = app.authorize_params(code_challenge=challenge, code_challenge_method="S256")

    await page.goto(local(server, "/oauth2/authorize", params))
    await page.get_by_label("Email").fill(username)
    await page.get_by_label("Password", exact=True).fill(STRONG)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(lambda url: url.startswith(app.callback))

    response = await page.goto(local(server, "/passkey/add", params))
    assert response is not None
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    await page.get_by_role("button", name="Add a passkey").click()
    await page.get_by_text("Passkey added").wait_for()

    # A new browser session: no cookie, only the passkey.
    await page.context.clear_cookies()
    await page.goto(local(server, "/login", params))
    await page.get_by_role("link", name="Sign in with a passkey").click()
    await page.get_by_label("Email").fill(username)

    # First a tampered assertion (one byte of the signature flipped): refused.
    async def tamper(route: Route) -> None:
        form = dict(parse_qsl(route.request.post_data or ""))
        credential = json.loads(form["credential"])
        signature = credential["response"]["signature"]
        credential["response"]["signature"] = ("B" if signature[5] == "A" else "A").join(
            (signature[:5], signature[6:])
        )
        form["credential"] = json.dumps(credential)
        await route.continue_(post_data=urlencode(form))

    await page.route("**/passkey?*", tamper)
    await page.get_by_role("button", name="Sign in with a passkey").click()
    await page.get_by_role("alert").wait_for()
    assert "Incorrect username or password." in await page.get_by_role("alert").inner_text()
    await page.unroute("**/passkey?*", tamper)

    await page.get_by_role("button", name="Sign in with a passkey").click()
    await page.wait_for_url(lambda url: url.startswith(app.callback))
    assert "code" in query_of(page.url)
    assert urlsplit(page.url).netloc == urlsplit(app.callback).netloc
