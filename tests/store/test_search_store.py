"""ListUsers: filters ``=`` and ``^=`` on every searchable attribute, in byte-wise key
order, paged by the resume key each row carries; on SQLite and a real PostgreSQL
server."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from poolgate.store.records import User
from poolgate.store.sql import SqlStore
from tests.store.factories import OTHER_POOL, POOL, pool, user


def _people() -> list[User]:
    def person(name: str, **keys: Any) -> User:
        return user(name, username_key=name, **keys)

    return [
        person(
            "alan",
            email_key="alan@example.com",
            phone_key="+15550101",
            name_key="alan turing",
            given_name_key="alan",
            family_name_key="turing",
            preferred_username_key="enigma",
        ),
        person(
            "alice",
            email_key="alice@example.com",
            phone_key="+15550102",
            name_key="alice liddell",
            given_name_key="alice",
            family_name_key="liddell",
            preferred_username_key="wonder",
            status="UNCONFIRMED",
        ),
        person(
            "alicia",
            email_key="alicia@example.org",
            phone_key="+32470000001",
            name_key="alicia liddell",
            given_name_key="alicia",
            family_name_key="liddell",
            status="FORCE_CHANGE_PASSWORD",
            enabled=False,
        ),
        person("al😀", email_key="emoji@example.com", given_name_key="al😀"),
        person("al_x", email_key="under@example.com", family_name_key="liddell"),
        person("bob", email_key="bob@example.org", phone_key="+15550199", enabled=False),
        person("Zed", email_key="zed@example.com", given_name_key="Zed", family_name_key="zoë"),
        person("zoe", email_key=None, family_name_key="zoe", status="UNCONFIRMED"),
    ]


PEOPLE = _people()
COLUMN: dict[str, Callable[[User], str | None]] = {
    "username": lambda u: u.username_key,
    "email": lambda u: u.email_key,
    "phone_number": lambda u: u.phone_key,
    "name": lambda u: u.name_key,
    "given_name": lambda u: u.given_name_key,
    "family_name": lambda u: u.family_name_key,
    "preferred_username": lambda u: u.preferred_username_key,
    "user_status": lambda u: u.status,
    "sub": lambda u: u.sub,
}


def expected(field: str, value: str, prefix: bool) -> list[str]:
    """Usernames in the order ListUsers answers: by key, byte-wise, then by sub."""
    column = COLUMN[field]
    found = [
        u
        for u in PEOPLE
        if (key := column(u)) is not None and (key.startswith(value) if prefix else key == value)
    ]
    found.sort(key=lambda u: (str(column(u)).encode(), u.sub))
    return [u.username for u in found]


@pytest.fixture
async def ready(store: SqlStore) -> SqlStore:
    await store.create_pool(pool(), [])
    await store.create_pool(pool(OTHER_POOL), [])
    await store.create_users(PEOPLE[:3])
    for person in PEOPLE[3:]:
        await store.create_user(person)
    # Look-alikes in another pool never show.
    await store.create_users([user(u.username, pool_id=OTHER_POOL) for u in PEOPLE])
    return store


async def page_all(
    store: SqlStore, field: str | None, value: str | None, prefix: bool, limit: int
) -> list[User]:
    """Every page of one search, checking that each row's resume key is its own."""
    found: list[User] = []
    after: tuple[str, str] | None = None
    for _ in range(len(PEOPLE) + 2):
        page = await store.list_users(
            POOL, field=field, value=value, prefix=prefix, limit=limit, after=after
        )
        assert len(page) <= limit
        for person, resume in page:
            assert resume[1] == person.sub
        found += [person for person, _ in page]
        if len(page) < limit:
            return found
        after = page[-1][1]
    raise AssertionError("paging did not end")


async def test_no_filter_lists_everyone_by_username_key(ready: SqlStore) -> None:
    everyone = sorted(PEOPLE, key=lambda u: u.username_key.encode())
    assert [u.username for u in everyone] == [
        "Zed",
        "al_x",
        "alan",
        "alice",
        "alicia",
        "al😀",
        "bob",
        "zoe",
    ]
    first = await ready.list_users(POOL, field=None, value=None, prefix=False, limit=3, after=None)
    assert [(u, key) for u, key in first] == [(u, (u.username_key, u.sub)) for u in everyone[:3]]
    for limit in (1, 3, 8, 50):
        assert await page_all(ready, None, None, False, limit) == everyone


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "alice"),
        ("username", "Zed"),
        ("email", "bob@example.org"),
        ("phone_number", "+15550102"),
        ("name", "alan turing"),
        ("given_name", "al😀"),
        ("family_name", "liddell"),
        ("family_name", "zoë"),
        ("preferred_username", "wonder"),
        ("user_status", "UNCONFIRMED"),
        ("user_status", "CONFIRMED"),
        ("sub", PEOPLE[1].sub),
    ],
)
async def test_exact_filters(ready: SqlStore, field: str, value: str) -> None:
    want = expected(field, value, prefix=False)
    assert want  # the data set has a match for every case
    for limit in (1, 2, 60):
        found = await page_all(ready, field, value, False, limit)
        assert [u.username for u in found] == want
    page = await ready.list_users(POOL, field=field, value=value, prefix=False, limit=1, after=None)
    assert page[0][1] == (value, page[0][0].sub)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("username", "al"),
        ("username", "ali"),
        ("username", "al_"),
        ("username", "z"),
        ("username", ""),
        ("email", "ali"),
        ("email", "zed@"),
        ("phone_number", "+1555"),
        ("phone_number", "+32"),
        ("name", "ali"),
        ("given_name", "al"),
        ("family_name", "lid"),
        ("family_name", "zo"),
        ("preferred_username", "wo"),
        ("user_status", "UN"),
        ("user_status", "CONF"),
        ("sub", PEOPLE[2].sub[:8]),
    ],
)
async def test_prefix_filters(ready: SqlStore, field: str, value: str) -> None:
    want = expected(field, value, prefix=True)
    for limit in (1, 2, 60):
        found = await page_all(ready, field, value, True, limit)
        assert [u.username for u in found] == want


async def test_prefix_filters_match_bytes_not_patterns(ready: SqlStore) -> None:
    async def usernames(field: str, value: str) -> list[str]:
        return [u.username for u in await page_all(ready, field, value, True, 10)]

    assert await usernames("username", "al") == ["al_x", "alan", "alice", "alicia", "al😀"]
    # "_" and "%" are characters, not wildcards; case counts.
    assert await usernames("username", "al_") == ["al_x"]
    assert await usernames("username", "al%") == []
    assert await usernames("username", "Z") == ["Zed"]
    assert await usernames("username", "ZED") == []
    # A key continuing with a character beyond the BMP is still within the prefix.
    assert await usernames("given_name", "al") == ["alan", "alice", "alicia", "al😀"]
    assert await usernames("family_name", "zo") == ["zoe", "Zed"]
    assert await usernames("email", "nobody") == []


@pytest.mark.parametrize(
    ("value", "prefix", "want"),
    [
        ("Enabled", False, True),
        ("Disabled", False, False),
        ("Dis", True, False),
        ("En", True, True),
        ("", True, None),
        ("enabled", False, "none"),
        ("Dis", False, "none"),
    ],
)
async def test_enabled_filter(ready: SqlStore, value: str, prefix: bool, want: object) -> None:
    if want == "none":
        chosen: list[User] = []
    else:
        chosen = [u for u in PEOPLE if want is None or u.enabled is want]
    chosen.sort(key=lambda u: (u.username_key.encode(), u.sub))
    for limit in (1, 2, 60):
        found = await page_all(ready, "enabled", value, prefix, limit)
        assert found == chosen
    page = await ready.list_users(
        POOL, field="enabled", value=value, prefix=prefix, limit=1, after=None
    )
    if chosen:
        assert page[0][1] == (chosen[0].username_key, chosen[0].sub)


async def test_search_sees_changes(ready: SqlStore) -> None:
    alice = PEOPLE[1]
    await ready.put_user(replace(alice, email_key="renamed@example.net", status="CONFIRMED"))
    assert [u.username for u in await page_all(ready, "email", "alice", True, 10)] == []
    assert [u.username for u in await page_all(ready, "email", "renamed@", True, 10)] == ["alice"]
    assert [u.username for u in await page_all(ready, "user_status", "UNCONFIRMED", False, 10)] == [
        "zoe"
    ]
    assert await ready.delete_user(POOL, alice.sub)
    assert "alice" not in [u.username for u in await page_all(ready, None, None, False, 10)]
