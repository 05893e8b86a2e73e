"""Fixtures for the hosted UI and OAuth tests: one Chromium per test session (Debian's,
driven by Playwright's async API on pytest-asyncio's session loop), a fresh browser
context per test, and the "application" the browser returns to: a page server on a
free loopback port that answers every path with a blank page and records what it
was asked.

Select the browser tests with ``-m browser``, or leave them out with
``-m "not browser"``.
"""

from __future__ import annotations

import os
import threading
import warnings
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import authlib.deprecate
import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.conftest import free_port
from tests.oauth.helpers import CHROMIUM, CHROMIUM_ARGS

# Authlib 1.9 warns on import that authlib.jose and its httpx integration are
# deprecated (for joserfc and httpx2); both are still what this suite means to test
# with. Import them once, quietly; the tests' own warnings filter is set below.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", authlib.deprecate.AuthlibDeprecationWarning)
    import authlib.integrations.httpx_client
    import authlib.jose


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's Chromium through Playwright (tests/oauth)"
    )
    config.addinivalue_line("filterwarnings", "ignore::authlib.deprecate.AuthlibDeprecationWarning")


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
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
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A new browser profile: no cookies, no session."""
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    page = await context.new_page()
    yield page
    await context.close()


@dataclass
class Application:
    """Where the browser lands after Poolgate: ``callback`` and ``signed_out`` are
    registered on the app clients; ``paths`` lists the paths requested, in order."""

    origin: str
    paths: list[str] = field(default_factory=list)

    @property
    def callback(self) -> str:
        return f"{self.origin}/callback"

    @property
    def signed_out(self) -> str:
        return f"{self.origin}/signed-out"


@pytest.fixture(scope="session")
def application() -> Iterator[Application]:
    port = free_port()
    app = Application(f"http://localhost:{port}")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            app.paths.append(self.path.split("?", 1)[0])
            body = b"<!doctype html><html lang=en><title>TravelGuide</title><p>app</p></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield app
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)
