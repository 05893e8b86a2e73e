"""Accessibility of the hosted pages, in Chromium:

- axe-core (tests/oauth/package.json, installed with ``npm ci``) audits every page and
  state at phone and desktop widths; a serious or critical violation fails. The pages'
  Content-Security-Policy forbids scripts, so the audit's browser context bypasses it
  (``bypass_csp``) and only the audit's.
- The keyboard alone signs in: Tab goes username, password, submit, then the links,
  each visibly focused, and Enter submits.
- Nothing overflows a phone's width, even a long app name.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page

from tests.conftest import Server
from tests.oauth.conftest import Application
from tests.oauth.helpers import STRONG, ensure_axe, make_app, make_pool, make_user
from tests.oauth.hosted_pages import (
    PHONE,
    STATES,
    VIEWPORTS,
    Site,
    axe_violations,
    describe,
    make_site,
)

pytestmark = pytest.mark.browser

_sites: dict[str, Site] = {}


@pytest.fixture
def site(server: Server, cognito: Any, application: Application) -> Site:
    """One pool and client per server (and so per backend) for the whole module."""
    if server.url not in _sites:
        _sites[server.url] = make_site(server, cognito, callback=application.callback)
    return _sites[server.url]


@pytest.fixture(scope="session")
def axe() -> Path:
    try:
        return ensure_axe()
    except RuntimeError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="module")
async def audit_contexts(browser: Browser) -> AsyncIterator[dict[str, BrowserContext]]:
    """A browser context per viewport, shared by the audits (they never sign in, so
    no session carries over), that lets axe-core's script past the pages' CSP."""
    contexts = {
        label: await browser.new_context(viewport=viewport, bypass_csp=True)
        for label, viewport in VIEWPORTS.items()
    }
    yield contexts
    for context in contexts.values():
        await context.close()


@pytest.mark.parametrize("state", list(STATES))
async def test_axe_finds_nothing_serious(
    audit_contexts: dict[str, BrowserContext], site: Site, axe: Path, state: str
) -> None:
    report = []
    for label, context in audit_contexts.items():
        page = await context.new_page()
        try:
            await STATES[state](page, site)
            violations = await axe_violations(page, axe)
        finally:
            await page.close()
        if violations:
            print(f"{state} ({label}):\n{describe(violations)}")  # shown with -rP
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            report.append(f"{state} at {label} width:\n{describe(serious)}")
    assert not report, "\n".join(report)


async def focused(page: Page) -> dict[str, Any]:
    """The focused element: what it is and whether its focus is visible."""
    result: dict[str, Any] = await page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return {
                tag: el.tagName.toLowerCase(),
                id: el.id,
                text: (el.innerText || '').trim(),
                outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
            };
        }"""
    )
    return result


async def test_keyboard_focus_order_on_login(page: Page, site: Site) -> None:
    await STATES["login"](page, site)
    expected = [
        ("input", "username", ""),
        ("input", "password", ""),
        ("button", "", "Sign in"),
        ("a", "", "Forgot your password?"),
        ("a", "", "Sign up"),
    ]
    seen = []
    for step, _ in enumerate(expected):
        if step:  # the username field has focus on arrival (autofocus)
            await page.keyboard.press("Tab")
        now = await focused(page)
        seen.append((now["tag"], now["id"], now["text"]))
        assert now["outline"], f"no visible focus on {now}"
    assert seen == expected
    # And back.
    await page.keyboard.press("Shift+Tab")
    assert (await focused(page))["text"] == "Forgot your password?"


async def test_keyboard_alone_signs_in(page: Page, site: Site, cognito: Any) -> None:
    username = make_user(cognito, site.app.pool_id)
    await STATES["login"](page, site)
    await page.keyboard.type(username)
    await page.keyboard.press("Tab")
    await page.keyboard.type(STRONG)
    await page.keyboard.press("Enter")
    await page.wait_for_url(lambda url: url.startswith(site.app.callback))
    assert "code=" in page.url


async def test_nothing_overflows_a_phone(
    browser: Browser, server: Server, cognito: Any, site: Site
) -> None:
    pool_id = make_pool(cognito)
    long_name = "TravelGuide" + "Itineraries" * 10  # one 121-character word
    long = Site(server, make_app(cognito, pool_id, name=long_name), site.username, "")
    context = await browser.new_context(viewport=PHONE)
    try:
        page = await context.new_page()
        for state, target in [
            ("login", long),
            ("signup", long),
            ("signup-error", site),
            ("confirm", site),
            ("error", site),
        ]:
            await STATES[state](page, target)
            widths = await page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert widths[0] <= widths[1], f"{state} overflows: {widths}"
    finally:
        await context.close()
