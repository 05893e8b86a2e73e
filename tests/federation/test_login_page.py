"""The sign-in page's provider buttons: one per identity provider the app client
supports, named after the provider; plain links, so a browser without JavaScript
goes through the whole federated sign-in; nothing serious for axe-core at phone and
desktop widths; reachable with the keyboard."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.async_api import Browser

from tests.conftest import Server
from tests.federation.flows import federated_app
from tests.federation.standins import Standins
from tests.federation.test_social import add_google
from tests.oauth.conftest import Application
from tests.oauth.helpers import ensure_axe, make_pool, pkce, query_of
from tests.oauth.hosted_pages import VIEWPORTS, axe_violations, describe

pytestmark = pytest.mark.browser


def login_url(
    server: Server, cognito: Any, standins: Standins, application: Application
) -> tuple[str, Any]:
    pool_id = make_pool(cognito)
    add_google(cognito, pool_id, standins)
    cognito.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Partners",
        ProviderType="OIDC",
        ProviderDetails={
            "client_id": "c",
            "authorize_scopes": "openid",
            "oidc_issuer": "https://partners.example.com",
        },
    )
    app = federated_app(cognito, application, ["COGNITO", "Google", "Partners"], pool_id)
    _verifier, challenge = pkce()
    params = app.authorize_params(code_challenge=challenge)
    return f"{server.url}/login?{urlencode(params)}", app


async def test_buttons_are_named_links_that_work_without_javascript(
    cognito: Any,
    fed_server: Server,
    standins: Standins,
    application: Application,
    browser: Browser,
) -> None:
    url, app = login_url(fed_server, cognito, standins, application)
    context = await browser.new_context(java_script_enabled=False)
    try:
        page = await context.new_page()
        await page.goto(url)
        providers = page.get_by_role("navigation", name="Sign in with another account")
        links = providers.get_by_role("link")
        assert await links.all_inner_texts() == ["Continue with Google", "Continue with Partners"]
        # The password form is still there: the client supports COGNITO too.
        assert await page.get_by_label("Password").count() == 1
        await providers.get_by_role("link", name="Continue with Google").click()
        await page.wait_for_url(f"{app.callback}?*")
        assert "code" in query_of(page.url)
    finally:
        await context.close()


async def test_only_providers_no_password_form(
    cognito: Any, fed_server: Server, standins: Standins, application: Application,
    browser: Browser,
) -> None:  # fmt: skip
    pool_id = make_pool(cognito)
    add_google(cognito, pool_id, standins)
    app = federated_app(cognito, application, ["Google"], pool_id)
    _verifier, challenge = pkce()
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.goto(
            f"{fed_server.url}/login?{urlencode(app.authorize_params(code_challenge=challenge))}"
        )
        assert await page.get_by_label("Password").count() == 0
        assert await page.get_by_role("link", name="Continue with Google").count() == 1
        # The keyboard reaches the button first.
        await page.keyboard.press("Tab")
        focused = await page.evaluate("document.activeElement.textContent")
        assert focused == "Continue with Google"
    finally:
        await context.close()


async def test_axe_finds_nothing_serious(
    cognito: Any,
    fed_server: Server,
    standins: Standins,
    application: Application,
    browser: Browser,
) -> None:
    try:
        axe = ensure_axe()
    except RuntimeError as error:
        pytest.fail(str(error))
    url, _app = login_url(fed_server, cognito, standins, application)
    for label, viewport in VIEWPORTS.items():
        context = await browser.new_context(viewport=viewport, bypass_csp=True)
        try:
            page = await context.new_page()
            await page.goto(url)
            serious = [
                v for v in await axe_violations(page, axe) if v["impact"] in ("serious", "critical")
            ]
            assert serious == [], f"{label}:\n{describe(serious)}"
        finally:
            await context.close()
