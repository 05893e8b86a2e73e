"""The rest of a pool's pages: domain and branding (with the preview), resource servers,
identity providers, signing keys; and the administrator's own account."""

from __future__ import annotations

import struct
import zlib
from typing import Any
from urllib.parse import urlencode

import pyotp
import pytest

from tests.console.conftest import Site
from tests.console.helpers import console_post, csrf_of, shown
from tests.console.test_console_pools import create_client, create_pool, pool_id_of


def png(width: int = 2, height: int = 2) -> bytes:
    """A tiny valid PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
async def pool_id(site: Site) -> str:
    http = await site.admin()
    try:
        return pool_id_of(await create_pool(http, name="FeaturesPool"))
    finally:
        await http.aclose()


CSS = ".submitButton-customizable { background-color: #0a7d52; }"


async def test_domain_and_branding_with_a_preview(site: Site, admin: Any, pool_id: str) -> None:
    page = f"/admin/pools/{pool_id}/branding"
    created = await console_post(
        admin, page, f"/admin/pools/{pool_id}/domain", {"domain": "features-demo"}
    )
    assert created.status_code == 303, shown(created)[:2000]
    described = (await site.api("DescribeUserPool", {"UserPoolId": pool_id}))["UserPool"]
    assert described["Domain"] == "features-demo"
    taken = await console_post(
        admin, page, f"/admin/pools/{pool_id}/domain", {"domain": "Not A Domain"}
    )
    assert taken.status_code == 400 and "(InvalidParameterException)" in shown(taken)

    # The preview renders the hosted sign-in page with the draft, before anything is saved.
    form_page = await admin.get(page)
    token = csrf_of(form_page.text)
    preview = await admin.post(
        f"{page}/preview",
        data={"_csrf": token, "css": CSS, "client": "ALL"},
        files={"logo": ("logo.png", png(), "image/png")},
    )
    assert preview.status_code == 200
    assert CSS in preview.text and "<h1>Sign in</h1>" in preview.text
    assert 'src="data:image/png;base64,' in preview.text
    assert "frame-ancestors 'self'" in preview.headers["content-security-policy"]
    assert preview.headers["x-frame-options"] == "SAMEORIGIN"
    assert (await site.api("GetUICustomization", {"UserPoolId": pool_id}))["UICustomization"].get(
        "CSS"
    ) is None
    refused = await admin.post(
        f"{page}/preview", data={"_csrf": token, "client": "ALL", "css": "body { color: red; }"}
    )
    assert refused.status_code == 400 and "Invalid CSS" in shown(refused)

    saved = await admin.post(
        page,
        data={"_csrf": token, "css": CSS, "client": "ALL"},
        files={"logo": ("logo.png", png(), "image/png")},
    )
    assert saved.status_code == 303
    branding = (await site.api("GetUICustomization", {"UserPoolId": pool_id}))["UICustomization"]
    assert branding["CSS"] == CSS and branding["ImageUrl"].endswith(branding["CSSVersion"])
    # Saving the CSS again without a file keeps the logo (SetUICustomization replaces both).
    again = await admin.post(page, data={"_csrf": token, "css": CSS + " ", "client": "ALL"})
    assert again.status_code == 303
    kept = (await site.api("GetUICustomization", {"UserPoolId": pool_id}))["UICustomization"]
    assert "ImageUrl" in kept
    shown_now = await admin.get(page)
    assert CSS in shown_now.text and "Remove the current logo" in shown_now.text
    saved_preview = await admin.get(f"{page}/preview?client=ALL")
    assert CSS in saved_preview.text
    bad = await admin.post(page, data={"_csrf": token, "client": "ALL", "css": "@import x;"})
    assert bad.status_code == 400 and "Invalid CSS" in shown(bad)


async def test_resource_servers_and_their_scopes(site: Site, admin: Any, pool_id: str) -> None:
    page = f"/admin/pools/{pool_id}/resource-servers"
    created = await console_post(
        admin,
        page,
        page,
        {
            "identifier": "https://api.travelguide.example",
            "name": "TravelGuide API",
            "scopes": "read Read the destinations\nwrite Change favourites\n",
        },
    )
    assert created.status_code == 303, shown(created)[:2000]
    server = (
        await site.api(
            "DescribeResourceServer",
            {"UserPoolId": pool_id, "Identifier": "https://api.travelguide.example"},
        )
    )["ResourceServer"]
    assert server["Scopes"] == [
        {"ScopeName": "read", "ScopeDescription": "Read the destinations"},
        {"ScopeName": "write", "ScopeDescription": "Change favourites"},
    ]
    view = f"{page}/view?{urlencode({'identifier': server['Identifier']})}"
    updated = await console_post(
        admin,
        view,
        view,
        {"identifier": server["Identifier"], "name": "API", "scopes": "read Read"},
    )
    assert updated.status_code == 303
    listed = await site.api("ListResourceServers", {"UserPoolId": pool_id, "MaxResults": 10})
    assert listed["ResourceServers"][0]["Scopes"] == [
        {"ScopeName": "read", "ScopeDescription": "Read"}
    ]
    # The new scope is offered to app clients.
    client_form = await admin.get(f"/admin/pools/{pool_id}/clients/new")
    assert "https://api.travelguide.example/read" in client_form.text
    no_description = await console_post(
        admin,
        page,
        page,
        {"identifier": "https://other.example", "name": "Other", "scopes": "read"},
    )
    assert no_description.status_code == 400 and "scopeDescription" in shown(no_description)
    deleted = await console_post(
        admin, view, f"{page}/delete", {"identifier": server["Identifier"]}
    )
    assert deleted.status_code == 303
    assert (await site.api("ListResourceServers", {"UserPoolId": pool_id, "MaxResults": 10}))[
        "ResourceServers"
    ] == []


async def test_identity_providers(site: Site, admin: Any, pool_id: str) -> None:
    page = f"/admin/pools/{pool_id}/identity-providers"
    created = await console_post(
        admin,
        page,
        page,
        {
            "type": "Google",
            "name": "Google",
            "details": "client_id = 123-abc.apps.googleusercontent.com\n"
            "authorize_scopes = openid email",
            "secret": "GOCSPX-secret",
            "mapping": "email = email\nname = name",
        },
    )
    assert created.status_code == 303, shown(created)[:2000]
    provider = (
        await site.api(
            "DescribeIdentityProvider", {"UserPoolId": pool_id, "ProviderName": "Google"}
        )
    )["IdentityProvider"]
    assert provider["ProviderDetails"]["client_id"] == "123-abc.apps.googleusercontent.com"
    assert provider["ProviderDetails"]["client_secret"] == "GOCSPX-secret"
    assert provider["AttributeMapping"] == {"email": "email", "name": "name", "username": "sub"}
    view = f"{page}/view?name=Google"
    shown_page = await admin.get(view)
    assert "GOCSPX-secret" not in shown_page.text  # the secret is not put in the page
    updated = await console_post(
        admin,
        view,
        view,
        {
            "name": "Google",
            "details": "client_id = 456-def.apps.googleusercontent.com\n"
            "authorize_scopes = openid email profile",
            "mapping": "email = email",
        },
    )
    assert updated.status_code == 303, shown(updated)[:2000]
    provider = (
        await site.api(
            "DescribeIdentityProvider", {"UserPoolId": pool_id, "ProviderName": "Google"}
        )
    )["IdentityProvider"]
    assert provider["ProviderDetails"]["client_id"] == "456-def.apps.googleusercontent.com"
    assert provider["ProviderDetails"]["client_secret"] == "GOCSPX-secret"  # kept
    # The provider can be offered by an app client.
    client = await create_client(
        admin,
        pool_id,
        name="federated",
        oauth="on",
        oauth_flow=["code"],
        scope=["openid"],
        callbacks="https://app.example/cb",
        provider=["COGNITO", "Google"],
    )
    assert client.status_code == 303, shown(client)[:2000]
    missing = await console_post(
        admin, page, page, {"type": "Google", "name": "Google2", "details": "client_id = x"}
    )
    assert missing.status_code == 400 and "(InvalidParameterException)" in shown(missing)


async def test_signing_keys_rotate_from_the_console(site: Site, admin: Any, pool_id: str) -> None:
    async with site.client() as http:
        before = (await http.get(f"/{pool_id}/.well-known/jwks.json")).json()["keys"]
    page = f"/admin/pools/{pool_id}/keys"
    listing = await admin.get(page)
    assert listing.text.count("Signing</span>") == 2
    rotated = await console_post(admin, page, page, {})
    assert rotated.status_code == 303
    async with site.client() as http:
        after = (await http.get(f"/{pool_id}/.well-known/jwks.json")).json()["keys"]
    assert len(after) == 4 and {k["kid"] for k in before} < {k["kid"] for k in after}
    listing = await admin.get(page)
    assert "New signing keys published" in listing.text
    assert listing.text.count("Signing</span>") == 2
    assert listing.text.count("Published, signs soon</span>") == 2


async def test_the_administrators_own_account(site: Site) -> None:
    listed = await site.api("ListUserPools", {"MaxResults": 60})
    admins = next(p["Id"] for p in listed["UserPools"] if p["Name"] == "poolgate-administrators")
    await site.api(
        "AdminCreateUser",
        {
            "UserPoolId": admins,
            "Username": "mfa-admin",
            "TemporaryPassword": "Mfa!Temp1234",
            "MessageAction": "SUPPRESS",
        },
    )
    from tests.console.helpers import sign_in

    async with site.client() as http:
        trip = await sign_in(http, "mfa-admin", "Mfa!Temp1234", "Mfa!Chosen1234")
        assert trip.paths[-1] == "/admin/"
        started = await console_post(http, "/admin/account", "/admin/account/totp", {})
        assert started.status_code == 200 and "data:image/svg+xml" in started.text
        secret = shown(started).split('<code class="secret">')[1].split("<")[0].replace(" ", "")
        wrong = await console_post(
            http, "/admin/account", "/admin/account/totp-verify", {"code": "000000"}
        )
        assert wrong.status_code == 400 and "(" in shown(wrong)
        verified = await console_post(
            http, "/admin/account", "/admin/account/totp-verify", {"code": pyotp.TOTP(secret).now()}
        )
        assert verified.status_code == 303, shown(verified)[:2000]
        user = await site.api("AdminGetUser", {"UserPoolId": admins, "Username": "mfa-admin"})
        assert user["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
        assert user["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"
        changed = await console_post(
            http,
            "/admin/account",
            "/admin/account/password",
            {
                "password": "Mfa!Chosen1234",
                "new_password": "Mfa!Again5678",
                "confirm_password": "Mfa!Again5678",
            },
        )
        assert changed.status_code == 303, shown(changed)[:2000]
        out = await console_post(http, "/admin/account", "/admin/account/sign-out-everywhere", {})
        assert out.status_code == 303 and out.headers["location"] == "/admin/signed-out"
        assert (await http.get("/admin/account")).status_code == 303
    # The next sign-in asks for the authenticator's code on the hosted pages.
    async with site.client() as http:
        trip = await sign_in(http, "mfa-admin", "Mfa!Again5678")
        assert trip.last is not None and "authenticator" in shown(trip.last).lower()
        assert trip.paths[-1] != "/admin/"
