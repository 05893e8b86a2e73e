"""The mailbox is served only in local development unless asked for, and then behind
the admin key; every endpoint refuses a Host that is not the server's (DNS rebinding)."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from poolgate.config import load_settings
from tests.conftest import ADMIN_KEY_ID, ADMIN_SECRET, Server
from tests.security.inprocess import app_client

MAILBOX = ("/_mailbox", "/_mailbox/messages")


@pytest.mark.parametrize(
    ("settings", "served", "needs_key"),
    [
        ({}, True, False),
        ({"host": "localhost", "public_url": "http://localhost:9229"}, True, False),
        ({"host": "0.0.0.0"}, False, True),
        ({"public_url": "https://id.example.com"}, False, True),
        ({"public_url": "http://id.example.com"}, False, True),
        ({"host": "0.0.0.0", "mailbox": "true"}, True, True),
        ({"mailbox": "false"}, False, False),
    ],
)
def test_when_the_mailbox_is_served(
    settings: dict[str, str], served: bool, needs_key: bool
) -> None:
    loaded = load_settings(None, {}, **settings)
    assert (loaded.mailbox_served, loaded.mailbox_needs_admin_key and served) == (
        served,
        needs_key and served,
    )


@pytest.mark.parametrize(
    ("settings", "base_url"),
    [
        ({"host": "0.0.0.0"}, "http://127.0.0.1:9229"),
        ({"public_url": "https://id.example.com"}, "https://id.example.com"),
    ],
)
async def test_off_loopback_the_mailbox_is_not_there(
    tmp_path: Path, settings: dict[str, str], base_url: str
) -> None:
    async with app_client(tmp_path, base_url, **settings) as http:
        for path in MAILBOX:
            assert (await http.get(path)).status_code == 404


async def test_asked_for_off_loopback_it_needs_the_admin_key(tmp_path: Path) -> None:
    async with app_client(
        tmp_path, "https://id.example.com", public_url="https://id.example.com", mailbox="true"
    ) as http:
        for path in MAILBOX:
            response = await http.get(path)
            assert response.status_code == 403
            assert response.headers["www-authenticate"].startswith("Basic")
            wrong = base64.b64encode(f"{ADMIN_KEY_ID}:nope".encode()).decode()
            assert (
                await http.get(path, headers={"Authorization": f"Basic {wrong}"})
            ).status_code == 403
        right = base64.b64encode(f"{ADMIN_KEY_ID}:{ADMIN_SECRET}".encode()).decode()
        response = await http.get("/_mailbox/messages", headers={"Authorization": f"Basic {right}"})
        assert (response.status_code, response.json()) == (200, {"messages": []})
        # SigV4, as the AWS CLI and SDKs sign: the server's region and cognito-idp.
        url = "https://id.example.com/_mailbox/messages?limit=5"
        for region, status in (("us-east-1", 200), ("eu-west-1", 403)):
            request = AWSRequest(method="GET", url=url)
            SigV4Auth(Credentials(ADMIN_KEY_ID, ADMIN_SECRET), "cognito-idp", region).add_auth(
                request
            )
            response = await http.get(url, headers=dict(request.headers.items()))
            assert response.status_code == status, region


async def test_loopback_development_reads_codes_without_a_key(tmp_path: Path) -> None:
    async with app_client(tmp_path) as http:
        assert (await http.get("/_mailbox/messages")).status_code == 200
        assert (await http.get("/_mailbox")).status_code == 200


async def test_an_unknown_host_is_refused_on_every_endpoint(tmp_path: Path) -> None:
    async with app_client(tmp_path, public_url="https://id.example.com") as http:
        evil = {"Host": "evil.example"}
        for method, path in (
            ("GET", "/_mailbox/messages"),
            ("GET", "/login"),
            ("POST", "/oauth2/token"),
            ("GET", "/us-east-1_AAAAAAAAA/.well-known/jwks.json"),
        ):
            response = await http.request(method, path, headers=evil)
            assert response.status_code == 403, path
        response = await http.post(
            "/",
            headers={**evil, "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools"},
            content=b"{}",
        )
        assert response.status_code == 403
        assert response.json()["__type"] == "AccessDeniedException"
        for host in (
            "id.example.com",
            "id.example.com:443",
            "127.0.0.1:9229",
            "localhost",
            "[::1]:9",
        ):
            assert (await http.get("/login", headers={"Host": host})).status_code != 403, host
        # The health probes answer whatever the Host: balancers probe nodes by address.
        assert (await http.get("/health", headers=evil)).status_code == 200
        assert (await http.get("/health/ready", headers=evil)).status_code == 200


async def test_allowed_hosts_adds_names(tmp_path: Path) -> None:
    async with app_client(tmp_path, allowed_hosts="auth.internal, other.example") as http:
        assert (await http.get("/login", headers={"Host": "auth.internal:8443"})).status_code != 403
        assert (await http.get("/login", headers={"Host": "evil.example"})).status_code == 403


def test_a_rebinding_page_cannot_read_the_real_servers_mailbox(server: Server) -> None:
    response = httpx.get(server.url + "/_mailbox/messages", headers={"Host": "evil.example:9229"})
    assert response.status_code == 403
    assert httpx.get(server.url + "/_mailbox/messages").status_code == 200
