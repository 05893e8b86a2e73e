"""Fixtures for the web app's end-to-end tests: the TravelGuide system once per session
(see stack.py) and one Debian Chromium per session, driven by Playwright's async API
on pytest-asyncio's session loop, with a fresh browser context per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.oauth.helpers import CHROMIUM, CHROMIUM_ARGS
from tests.web_e2e.stack import Stack, travelguide_stack


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's Chromium through Playwright (tests/oauth)"
    )


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with travelguide_stack(tmp_path_factory.mktemp("web-e2e")) as running:
        yield running


@pytest.fixture(scope="session")
async def web_browser() -> AsyncIterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium "
            "(run scripts/ensure-chromium.sh, or apt-get install chromium)"
        )
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(web_browser: Browser) -> AsyncIterator[Page]:
    """A new browser profile: no cookies, no sessionStorage."""
    context = await web_browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = await context.new_page()
    yield page
    await context.close()
