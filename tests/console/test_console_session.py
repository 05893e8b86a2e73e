"""Who may use the console: only a session of the administrators' pool, through its
console client; every page refuses without one, every post without the session's CSRF
token; a user of another pool cannot sign in, nor can a code or token of another
client open a session; signing out, a global sign-out or disabling an administrator
ends the session at once."""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest

from poolgate.console import routes
from poolgate.crypto.sealing import Sealer, load_or_create_master_key
from tests.console.conftest import Site
from tests.console.helpers import (
    BOOTSTRAP_USERNAME,
    CHOSEN_PASSWORD,
    Trip,
    csrf_of,
    follow,
    post_action,
    sign_in,
)

STRONG = "Travel!Guide123"


async def _ids(site: Site) -> dict[str, str]:
    listed = await site.api("ListUserPools", {"MaxResults": 60})
    [pool] = [p for p in listed["UserPools"] if p["Name"] == "poolgate-administrators"]
    clients = await site.api("ListUserPoolClients", {"UserPoolId": pool["Id"], "MaxResults": 60})
    return {
        "pool_id": pool["Id"],
        "client_id": clients["UserPoolClients"][0]["ClientId"],
        "action": "disable",
    }


def _paths(ids: dict[str, str]) -> list[tuple[str, str]]:
    found = []
    for path, _handler, methods in routes.PAGES:
        concrete = path.format(**ids)
        found += [(method, concrete) for method in methods]
    return found


async def test_every_page_refuses_without_a_session(site: Site) -> None:
    ids = await _ids(site)
    checked = 0
    async with site.client() as anonymous:
        for method, path in _paths(ids):
            response = await anonymous.request(method, path, data={"username": "x"})
            if method == "GET":
                assert response.status_code == 303, (method, path)
                location = response.headers["location"]
                assert location.startswith("/admin/login?next="), (path, location)
                assert parse_qs(urlsplit(location).query)["next"] == [path]
            else:
                assert response.status_code == 401, (method, path, response.status_code)
                assert "Your console session has ended" in response.text
            assert ids["pool_id"] not in response.text, path
            checked += 1
        # A cookie that is not a session, and one sealed with another key, open nothing.
        for value in ("garbage", base64.urlsafe_b64encode(b"x" * 80).decode()):
            anonymous.cookies.set("poolgate_console", value)
            assert (await anonymous.get("/admin/")).status_code == 303
    assert checked == sum(len(methods) for _, _, methods in routes.PAGES) > 40


async def test_a_post_without_the_sessions_csrf_token_is_refused(site: Site) -> None:
    before = await site.api("ListUserPools", {"MaxResults": 60})
    ids = await _ids(site)
    other = await site.admin()
    stolen = csrf_of((await other.get("/admin/")).text)  # another session's valid token
    http = await site.admin()
    form = {"name": "NoCsrfPool", "sign_in": "email", "min_length": "8"}
    for token in (None, "", stolen, "x" * 43):
        data = dict(form) if token is None else {**form, "_csrf": token}
        response = await http.post("/admin/pools/new", data=data)
        assert response.status_code == 403, token
        assert "This form has expired" in response.text
    for method, path in _paths(ids):
        if method == "POST":
            response = await http.post(path, data={"username": BOOTSTRAP_USERNAME})
            assert response.status_code == 403, path
    after = await site.api("ListUserPools", {"MaxResults": 60})
    assert after["UserPools"] == before["UserPools"]
    # The administrator is still enabled: the refused POST .../users/disable did nothing.
    user = await site.api(
        "AdminGetUser", {"UserPoolId": ids["pool_id"], "Username": BOOTSTRAP_USERNAME}
    )
    assert user["Enabled"] is True
    # And the session's own token works.
    page = await http.get("/admin/pools/new")
    response = await http.post(
        "/admin/pools/new", data={**form, "_csrf": csrf_of(page.text), "name": "Bad/Name"}
    )
    assert response.status_code == 400  # reached the form's checks
    await other.aclose()
    await http.aclose()


async def _other_pool(site: Site) -> tuple[str, str, str]:
    pool = (await site.api("CreateUserPool", {"PoolName": "NotTheAdmins"}))["UserPool"]
    client = (
        await site.api(
            "CreateUserPoolClient",
            {
                "UserPoolId": pool["Id"],
                "ClientName": "web",
                "AllowedOAuthFlows": ["code"],
                "AllowedOAuthScopes": ["openid"],
                "AllowedOAuthFlowsUserPoolClient": True,
                "CallbackURLs": ["http://localhost:9/callback"],
                "SupportedIdentityProviders": ["COGNITO"],
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            },
        )
    )["UserPoolClient"]
    for username in ("visitor", BOOTSTRAP_USERNAME):
        await site.api(
            "AdminCreateUser",
            {"UserPoolId": pool["Id"], "Username": username, "MessageAction": "SUPPRESS"},
        )
        await site.api(
            "AdminSetUserPassword",
            {"UserPoolId": pool["Id"], "Username": username, "Password": STRONG, "Permanent": True},
        )
    return pool["Id"], client["ClientId"], "visitor"


async def test_a_user_of_another_pool_cannot_sign_in(site: Site) -> None:
    _pool_id, client_id, visitor = await _other_pool(site)
    async with site.client() as http:
        # The console's sign-in page belongs to the administrators' pool: the other
        # pool's users (even one named like an administrator) are unknown there.
        for username in (visitor, BOOTSTRAP_USERNAME):
            trip = await sign_in(http, username, STRONG)
            assert trip.paths[-1] == "/login", trip.paths
            assert trip.last is not None and "Incorrect username or password." in trip.last.text
            assert (await http.get("/admin/")).status_code == 303
        # The other pool's sign-in succeeds in its own client, and its code opens nothing.
        verifier = "v" * 50
        authorize = await http.get(
            "/oauth2/authorize",
            params={
                "client_id": client_id,
                "response_type": "code",
                "scope": "openid",
                "redirect_uri": "http://localhost:9/callback",
                "state": "s",
                "code_challenge": _challenge(verifier),
                "code_challenge_method": "S256",
            },
        )
        login = await http.get(authorize.headers["location"])
        answer = await http.post(
            str(login.url),
            data={"_csrf": csrf_of(login.text), "username": visitor, "password": STRONG},
        )
        code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        started = await http.get("/admin/login")
        state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
        callback = await http.get("/admin/callback", params={"code": code, "state": state})
        assert callback.status_code == 400
        assert "issued to another client" in callback.text
        assert "set-cookie" not in callback.headers or "poolgate_console=" not in str(
            callback.headers.get_list("set-cookie")
        )
        assert (await http.get("/admin/")).status_code == 303
        # A callback whose state this browser did not start is refused too.
        forged = await http.get("/admin/callback", params={"code": code, "state": "forged"})
        assert forged.status_code == 400 and "did not start here" in forged.text
    # An access token of the administrators' pool from another client opens nothing:
    # sealed as a session cookie (with the server's own key), it is still refused.
    ids = await _ids(site)
    other = (
        await site.api(
            "CreateUserPoolClient",
            {
                "UserPoolId": ids["pool_id"],
                "ClientName": "script",
                "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
            },
        )
    )["UserPoolClient"]
    tokens = (
        await site.api(
            "AdminInitiateAuth",
            {
                "UserPoolId": ids["pool_id"],
                "ClientId": other["ClientId"],
                "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": BOOTSTRAP_USERNAME, "PASSWORD": CHOSEN_PASSWORD},
            },
        )
    )["AuthenticationResult"]
    sealer = Sealer(load_or_create_master_key("", site.data_dir))
    forged_cookie = base64.urlsafe_b64encode(
        sealer.seal(orjson.dumps({"a": tokens["AccessToken"], "c": "x"}), "console-session")
    ).decode()
    async with site.client() as http:
        http.cookies.set("poolgate_console", forged_cookie)
        assert (await http.get("/admin/")).status_code == 303
    await site.api(
        "DeleteUserPoolClient", {"UserPoolId": ids["pool_id"], "ClientId": other["ClientId"]}
    )


def _challenge(verifier: str) -> str:
    import hashlib

    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _session_cookie(http: Any) -> str:
    value = http.cookies.get("poolgate_console")
    assert value
    return str(value)


async def test_signing_out_ends_the_session_everywhere(site: Site) -> None:
    http = await site.admin()
    copied = _session_cookie(http)
    page = await http.get("/admin/")
    out = await http.post("/admin/logout", data={"_csrf": csrf_of(page.text)})
    assert out.status_code == 303 and out.headers["location"].startswith("/logout?")
    trip = Trip()
    signed_out = await follow(http, out, trip)
    assert trip.paths[-1] == "/admin/signed-out" and signed_out.status_code == 200
    # The cookie is gone, and a copy of it is worthless: its tokens were revoked.
    assert "poolgate_console" not in http.cookies
    async with site.client() as thief:
        thief.cookies.set("poolgate_console", copied)
        assert (await thief.get("/admin/")).status_code == 303
    # The hosted pages' session ended too: signing in asks for the password again.
    again = await http.get("/admin/login")
    hosted = await follow(http, again, Trip())
    assert "Sign in" in hosted.text and 'name="password"' in hosted.text
    await http.aclose()


async def test_global_sign_out_and_disabling_end_sessions_at_once(site: Site) -> None:
    ids = await _ids(site)
    await site.api(
        "AdminCreateUser",
        {
            "UserPoolId": ids["pool_id"],
            "Username": "second",
            "TemporaryPassword": "Second!Temp1",
            "MessageAction": "SUPPRESS",
        },
    )
    async with site.client() as http:
        trip = await sign_in(http, "second", "Second!Temp1", CHOSEN_PASSWORD)
        assert trip.paths[-1] == "/admin/"
        assert (await http.get("/admin/account")).status_code == 200
        await site.api(
            "AdminUserGlobalSignOut", {"UserPoolId": ids["pool_id"], "Username": "second"}
        )
        assert (await http.get("/admin/account")).status_code == 303
    async with site.client() as http:
        trip = await sign_in(http, "second", CHOSEN_PASSWORD)
        assert trip.paths[-1] == "/admin/"
        await site.api("AdminDisableUser", {"UserPoolId": ids["pool_id"], "Username": "second"})
        assert (await http.get("/admin/")).status_code == 303
    await site.api("AdminDeleteUser", {"UserPoolId": ids["pool_id"], "Username": "second"})


async def test_the_session_cookie_is_locked_down(site: Site) -> None:
    async with site.client() as http:
        trip = Trip(paths=["/admin/"])
        await follow(http, await http.get("/admin/"), trip)
        page = await http.get(trip.last.url if trip.last else "/login")
        response = await http.post(
            str(page.url),
            data={
                "_csrf": csrf_of(page.text),
                "username": BOOTSTRAP_USERNAME,
                "password": CHOSEN_PASSWORD,
            },
        )
        callback = await http.get(response.headers["location"])
        cookies = [c for c in callback.headers.get_list("set-cookie") if "poolgate_console=" in c]
        assert len(cookies) == 1
        attributes = {part.strip().split("=")[0].lower() for part in cookies[0].split(";")}
        assert {"httponly", "samesite", "path", "max-age"} <= attributes
        assert re.search(r"samesite=strict", cookies[0], re.I)
        home = await http.get(callback.headers["location"])
        assert home.status_code == 200
        csp = home.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert home.headers["cache-control"] == "no-store"


async def test_without_an_administrator_the_console_says_how_to_make_one(
    tmp_path: Any,
) -> None:
    from poolgate.app import create_app
    from poolgate.config import Settings
    from tests.conftest import ADMIN_KEY_ID, ADMIN_SECRET

    app = create_app(
        Settings(
            data_dir=tmp_path,
            admin_access_key_id=ADMIN_KEY_ID,
            admin_secret_access_key=ADMIN_SECRET,
        )
    )
    async with app.router.lifespan_context(app):
        site = Site(app, tmp_path)
        async with site.client() as http:
            login = await http.get("/admin/login")
            assert login.status_code == 503
            assert "POOLGATE_BOOTSTRAP_ADMIN_USERNAME" in login.text
            assert "poolgate admin create" in login.text
            # And no pool was made for it.
            listed = await site.api("ListUserPools", {"MaxResults": 60})
            assert listed["UserPools"] == []


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/elsewhere"])
async def test_after_signing_in_only_console_pages(site: Site, target: str) -> None:
    async with site.client() as http:
        start = await http.get("/admin/login", params={"next": target})
        assert start.status_code == 303
        trip = Trip()
        login = await follow(http, start, trip)
        answer = await http.post(
            str(login.url),
            data={
                "_csrf": csrf_of(login.text),
                "username": BOOTSTRAP_USERNAME,
                "password": CHOSEN_PASSWORD,
            },
        )
        callback = await http.get(answer.headers["location"])
        assert callback.headers["location"] == "/admin/"
    assert post_action  # the helper module's form reader is what sign_in uses


async def test_no_post_ends_in_a_server_error(site: Site) -> None:
    """Whatever a form carries (missing fields, wrong types, unknown names), a post is
    answered with a page: a redirect, the form again with the API's message, or 404."""
    ids = await _ids(site)
    pool = (await site.api("CreateUserPool", {"PoolName": "Robust"}))["UserPool"]["Id"]
    http = await site.admin()
    token = csrf_of((await http.get("/admin/")).text)
    bodies: list[dict[str, Any]] = [
        {},
        {"username": "nobody", "name": "nobody", "identifier": "nobody", "client": "ALL"},
        {
            "min_length": "many",
            "temporary_days": "-1",
            "precedence": "high",
            "access": "x",
            "mfa": "SOMETIMES",
            "sign_in": "telepathy",
            "type": "Carrier-Pigeon",
            "domain": "UPPER",
            "css": "}{",
            "code": "x",
            "new_password": "a",
        },
    ]
    for path, _handler, methods in routes.PAGES:
        if "POST" not in methods:
            continue
        concrete = path.format(**{**ids, "pool_id": pool, "action": "unknown"})
        for action in ("unknown", "disable", "delete", "password", "totp-verify", "update"):
            target = concrete.replace("/unknown", f"/{action}") if "{action}" in path else concrete
            for body in bodies:
                response = await http.post(target, data={"_csrf": token, **body})
                assert response.status_code in (200, 303, 400, 404), (
                    target,
                    body,
                    response.status_code,
                    response.text[:300],
                )
            if "{action}" not in path:
                break
    # The administrators' session survived all of it.
    assert (await http.get("/admin/")).status_code == 200
    await http.aclose()
