"""Signing in to the admin console without a browser: the whole trip (``/admin/login``,
``/oauth2/authorize``, the hosted ``/login`` and ``/newPassword`` forms with their CSRF
tokens, ``/admin/callback``) with httpx, following each redirect by hand so a test can
see where it went. Used by the in-process tests and by tests/packaging (the installed
wheel's console)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpx

BOOTSTRAP_USERNAME = "root-admin"
BOOTSTRAP_PASSWORD = "Bootstrap!Pass1"
CHOSEN_PASSWORD = "Console!Chosen2"

_CSRF = re.compile(r'name="_csrf" value="([^"]+)"')
_SESSION = re.compile(r'name="session" value="([^"]*)"')
_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


def shown(response: httpx.Response) -> str:
    """The page's text with HTML's escapes undone (Cognito's messages have quotes)."""
    return html.unescape(response.text)


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, f"no CSRF token in the page:\n{page[:2000]}"
    return html.unescape(found.group(1))


def post_action(page: str) -> str:
    found = _ACTION.search(page)
    assert found, f"no form in the page:\n{page[:2000]}"
    return html.unescape(found.group(1))


@dataclass
class Trip:
    """Where a sign-in went: the paths visited in order, and the last answer."""

    paths: list[str] = field(default_factory=list)
    last: httpx.Response | None = None


async def follow(http: httpx.AsyncClient, response: httpx.Response, trip: Trip) -> httpx.Response:
    """Follow redirects by hand, recording each path."""
    while response.is_redirect:
        target = urljoin(str(response.url), response.headers["location"])
        trip.paths.append(httpx.URL(target).path)
        response = await http.get(target)
    trip.last = response
    return response


async def sign_in(
    http: httpx.AsyncClient,
    username: str,
    password: str,
    new_password: str | None = None,
    start: str = "/admin/",
) -> Trip:
    """Sign in to the console as ``username``; ``new_password`` answers the forced
    password change of an administrator created with a temporary password. Returns
    the trip; its last answer is the page after the sign-in (or the refusal)."""
    trip = Trip(paths=[start])
    page = await follow(http, await http.get(start), trip)
    assert page.status_code == 200 and "/login" in trip.paths, (trip.paths, page.text[:500])
    response = await http.post(
        urljoin(str(page.url), post_action(page.text)),
        data={"_csrf": csrf_of(page.text), "username": username, "password": password},
    )
    page = await follow(http, response, trip)
    if new_password is not None and trip.paths[-1] == "/newPassword":
        response = await http.post(
            urljoin(str(page.url), post_action(page.text)),
            data={
                "_csrf": csrf_of(page.text),
                "session": html.unescape(_SESSION.search(page.text).group(1)),  # type: ignore[union-attr]
                "new_password": new_password,
                "confirm_password": new_password,
            },
        )
        page = await follow(http, response, trip)
    return trip


async def console_post(
    http: httpx.AsyncClient, page_path: str, action: str, data: dict[str, Any]
) -> httpx.Response:
    """Post ``data`` to ``action`` with the form token of the console page at
    ``page_path``, as the page's own form would."""
    page = await http.get(page_path)
    assert page.status_code == 200, (page_path, page.status_code, page.text[:500])
    return await http.post(action, data={"_csrf": csrf_of(page.text), **data})
