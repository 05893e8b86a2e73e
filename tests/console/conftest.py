"""The identity provider's app in process (httpx's ASGI transport, lifespan entered),
with the console on and a bootstrap administrator, once per test module: ``Site``
opens browser-like clients (each its own cookie jar) and signs them in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from poolgate.app import create_app
from poolgate.bootstrap import SharedContext, declared_functions
from poolgate.config import Settings
from tests.conftest import ADMIN_KEY_ID, ADMIN_SECRET
from tests.console.helpers import (
    BOOTSTRAP_PASSWORD,
    BOOTSTRAP_USERNAME,
    CHOSEN_PASSWORD,
    sign_in,
)
from tests.security.inprocess import signed

BASE_URL = "http://127.0.0.1:9229"
# The deployment's one function, offered by the triggers page (its worker starts only
# when a trigger runs it).
FUNCTIONS = [{"name": "stamp", "code_dir": "functions/stamp", "handler": "app.handler"}]


@dataclass
class Site:
    app: Any
    data_dir: Path

    def client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=("127.0.0.1", 50000))
        return httpx.AsyncClient(transport=transport, base_url=BASE_URL)

    async def admin(self, username: str = BOOTSTRAP_USERNAME) -> httpx.AsyncClient:
        """A new client signed in to the console (the bootstrap administrator's
        password was changed by the module's first sign-in)."""
        http = self.client()
        trip = await sign_in(http, username, CHOSEN_PASSWORD)
        assert trip.paths[-1] == "/admin/", trip.paths
        return http

    async def api(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        """A Cognito operation signed with the admin key, as boto3 sends it."""
        async with self.client() as http:
            return await signed(http, operation, body)


@pytest.fixture(scope="module")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    data_dir = tmp_path_factory.mktemp("console")
    settings = Settings(
        data_dir=data_dir,
        admin_access_key_id=ADMIN_KEY_ID,
        admin_secret_access_key=ADMIN_SECRET,
        bootstrap_admin_username=BOOTSTRAP_USERNAME,
        bootstrap_admin_password=BOOTSTRAP_PASSWORD,
        extra={"functions": FUNCTIONS},
    )
    functions = declared_functions(settings, Path(__file__).resolve().parent)
    app = create_app(settings, SharedContext(settings, functions))
    async with app.router.lifespan_context(app):
        found = Site(app, data_dir)
        async with found.client() as http:
            trip = await sign_in(http, BOOTSTRAP_USERNAME, BOOTSTRAP_PASSWORD, CHOSEN_PASSWORD)
            assert trip.paths[-1] == "/admin/", trip.paths
        yield found


@pytest.fixture
async def admin(site: Site) -> AsyncIterator[httpx.AsyncClient]:
    http = await site.admin()
    yield http
    await http.aclose()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's Chromium through Playwright (tests/oauth)"
    )


# Chromium, once per session (tests/oauth's fixture).
from tests.oauth.conftest import browser  # noqa: E402, F401
