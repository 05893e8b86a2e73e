"""The user list on a pool of 100,000 users: the console pages through every one of
them, and no page asks the store for more than one page of rows (ListUsers' keyset
pages, answered from an index), with and without a filter.

The users are written straight into the store in large batches, as
``bench/list_users.py`` loads its million (a hundred thousand AdminCreateUser calls
would test something else). The time each part took is printed (``-s``), never
asserted; measured on the 2-core development machine in docs/decisions.md.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from bench.list_users import make_user

from poolgate.app import create_app
from poolgate.config import Settings
from poolgate.store.sql import SqlStore
from tests.conftest import ADMIN_KEY_ID, ADMIN_SECRET
from tests.console.conftest import Site
from tests.console.helpers import BOOTSTRAP_PASSWORD, BOOTSTRAP_USERNAME, CHOSEN_PASSWORD, sign_in

USERS = 100_000
PAGE = 60
_ROW = re.compile(r'<td><a href="/admin/pools/[^/]+/users/view\?username=([^"]+)">')
_NEXT = re.compile(r'<a href="([^"]+)" rel="next">')


@pytest.fixture(scope="module")
async def big(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Site, str]]:
    data_dir: Path = tmp_path_factory.mktemp("big-pool")
    settings = Settings(
        data_dir=data_dir,
        admin_access_key_id=ADMIN_KEY_ID,
        admin_secret_access_key=ADMIN_SECRET,
        bootstrap_admin_username=BOOTSTRAP_USERNAME,
        bootstrap_admin_password=BOOTSTRAP_PASSWORD,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        site = Site(app, data_dir)
        pool = (
            await site.api(
                "CreateUserPool", {"PoolName": "MillionsLater", "UsernameAttributes": ["email"]}
            )
        )["UserPool"]
        started = time.perf_counter()
        store = await SqlStore.open(settings.effective_database_url, migrate_schema=False)
        try:
            record = await store.get_pool(pool["Id"])
            now = time.time()
            for first in range(0, USERS, 10_000):
                await store.create_users(
                    [make_user(record, i, now) for i in range(first, first + 10_000)]
                )
        finally:
            await store.close()
        print(f"\nloaded {USERS:,} users in {time.perf_counter() - started:.1f} s")
        yield site, pool["Id"]


@pytest.fixture
def store_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ``limit`` of every ListUsers read the store serves."""
    limits: list[int] = []
    original = SqlStore.list_users

    async def counting(self: SqlStore, pool_id: str, **kwargs: Any) -> Any:
        limits.append(kwargs["limit"])
        return await original(self, pool_id, **kwargs)

    monkeypatch.setattr(SqlStore, "list_users", counting)
    return limits


async def _signed_in(site: Site) -> httpx.AsyncClient:
    http = site.client()
    trip = await sign_in(http, BOOTSTRAP_USERNAME, BOOTSTRAP_PASSWORD, CHOSEN_PASSWORD)
    if trip.paths[-1] != "/admin/":  # an earlier test of the module changed the password
        trip = await sign_in(http, BOOTSTRAP_USERNAME, CHOSEN_PASSWORD)
    assert trip.paths[-1] == "/admin/"
    return http


async def test_the_console_pages_through_100000_users(
    big: tuple[Site, str], store_reads: list[int]
) -> None:
    site, pool_id = big
    http = await _signed_in(site)
    seen: set[str] = set()
    pages = 0
    url: str | None = f"/admin/pools/{pool_id}/users"
    started = time.perf_counter()
    while url is not None:
        response = await http.get(url)
        assert response.status_code == 200, response.text[:500]
        names = [html.unescape(n) for n in _ROW.findall(response.text)]
        seen.update(names)
        pages += 1
        found = _NEXT.search(response.text)
        # Full pages, but the last (100,000 = 1,666 x 60 + 40).
        assert len(names) == (PAGE if found else USERS % PAGE), pages
        url = f"/admin/pools/{pool_id}/users{html.unescape(found.group(1))}" if found else None
    elapsed = time.perf_counter() - started
    print(f"{pages} pages of {PAGE} in {elapsed:.1f} s ({elapsed / pages * 1000:.1f} ms a page)")
    assert len(seen) == USERS and pages == -(-USERS // PAGE)
    # Every page was one keyset read of a page and one more row: nothing loads the pool.
    assert len(store_reads) == pages and max(store_reads) == PAGE + 1
    await http.aclose()


async def test_a_filter_finds_users_deep_in_the_pool(
    big: tuple[Site, str], store_reads: list[int]
) -> None:
    site, pool_id = big
    http = await _signed_in(site)
    started = time.perf_counter()
    exact = await http.get(
        f"/admin/pools/{pool_id}/users",
        params={"attribute": "email", "match": "exact", "value": "user0099999@example.com"},
    )
    prefix = await http.get(
        f"/admin/pools/{pool_id}/users",
        params={"attribute": "email", "match": "prefix", "value": "user009870"},
    )
    print(f"two filtered searches in {(time.perf_counter() - started) * 1000:.0f} ms")
    assert [html.unescape(n) for n in _ROW.findall(exact.text)] != []
    assert "user0099999@example.com" in exact.text
    listed = prefix.text
    assert all(f"user009870{d}@example.com" in listed for d in "0123456789")
    assert len(_ROW.findall(listed)) == 10
    assert store_reads == [PAGE + 1, PAGE + 1]
    await http.aclose()
