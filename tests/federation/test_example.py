"""The TravelGuide example's federation, as scripts/start.sh serves it: the file
applied with ``poolgate apply`` (the staff pool first, its client's id and secret
filled into the OIDC provider through ``upstream``), then "Continue with
TravelGuide-Staff-SSO" on the hosted sign-in page in Chromium, offline, ending at the
web app's callback with the ``identities`` claim."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page

from tests.conftest import Server, free_port
from tests.federation.flows import identity, sign_in, verified
from tests.oauth.conftest import Application
from tests.oauth.helpers import App

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "travelguide" / "poolgate.toml"


def apply_example(
    server: Server, application: Application, tmp_path: Path, suffix: str
) -> dict[str, Any]:
    """The example, with this server's address and the test application's callback in
    place of the demo's ports, and pool names of its own."""
    text = (
        EXAMPLE.read_text()
        .replace("http://127.0.0.1:9229", server.url)
        .replace("http://localhost:5173/callback", application.callback)
        .replace('"TravelGuideStaff"', f'"TravelGuideStaff-{suffix}"')
        .replace('"TravelGuideUserPool-staging"', f'"TG-{suffix}"')
        .replace('Domain = "travelguide"', f'Domain = "travelguide-{suffix}"')
        .replace('code_dir = "functions/', f'code_dir = "{EXAMPLE.parent}/functions/')
    )
    # The pool's triggers run the example's [[functions]], which this session's server
    # (started without the file) does not declare: it would refuse the sign-in, rightly.
    # tests/test_travelguide.py and tests/web_e2e show the triggers.
    text = re.sub(r"\[pools\.LambdaConfig\]\n(?:[^\n]+\n)+", "", text)
    path = tmp_path / "poolgate.toml"
    path.write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")}
    env["POOLGATE_PUBLIC_URL"] = server.url
    # The server's master key sealed the database; apply must open it with the same.
    env["POOLGATE_MASTER_KEY"] = server.env().get("POOLGATE_MASTER_KEY", "")
    applied = subprocess.run(
        [sys.executable, "-m", "poolgate.cli", "apply", str(path), "--data-dir",
         str(server.data_dir), "--output", "json"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert applied.returncode == 0, applied.stderr
    report: dict[str, Any] = json.loads(applied.stdout)
    return report


def call_hello(server: Server, tmp_path: Path, id_token: str) -> tuple[int, Any]:
    """GET /staging/hello through the example's gateway (a second `poolgate serve` on
    the same data, as scripts/start.sh runs it) with ``id_token``."""
    port, gateway = free_port(), free_port()
    env = server.env()
    env["POOLGATE_PUBLIC_URL"] = server.url  # the issuer the tokens name
    log = open(tmp_path / "gateway.log", "wb")  # noqa: SIM115 - the process owns it
    process = subprocess.Popen(
        [sys.executable, "-m", "poolgate.cli", "serve", "--config",
         str(tmp_path / "poolgate.toml"), "--data-dir", str(server.data_dir), "--host",
         "127.0.0.1", "--port", str(port), "--gateway-port", str(gateway), "--workers", "1"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(
                    f"http://127.0.0.1:{gateway}/staging/hello",
                    headers={"Authorization": f"Bearer {id_token}"},
                    timeout=10,
                )
                return answer.status_code, answer.json()
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((tmp_path / "gateway.log").read_text()) from None
                time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


async def test_the_demos_staff_sso_button(
    cognito: Any, fed_server: Server, application: Application, page: Page, tmp_path: Path
) -> None:
    suffix = secrets.token_hex(3)
    report = apply_example(fed_server, application, tmp_path, suffix)
    pool, staff_pool = report["pools"]
    [provider] = pool["identity_providers"]
    assert (provider["name"], provider["action"]) == ("TravelGuide-Staff-SSO", "created")
    described = cognito.describe_identity_provider(
        UserPoolId=pool["id"], ProviderName="TravelGuide-Staff-SSO"
    )["IdentityProvider"]["ProviderDetails"]
    assert described["oidc_issuer"] == f"{fed_server.url}/{staff_pool['id']}"
    assert described["client_id"] == staff_pool["clients"][0]["id"]

    web = App(pool["id"], pool["clients"][0]["id"], None, ["openid", "email", "profile"],
              application.callback)  # fmt: skip

    async def staff_login(page: Page) -> None:
        await page.get_by_label("Email").fill("staff@travelguide.example")
        await page.get_by_label("Password").fill("TravelGuide-Staff-2026!")
        await page.get_by_role("button", name="Sign in").click()

    got, verifier, nonce = await sign_in(
        page, fed_server, web, button="Continue with TravelGuide-Staff-SSO", interact=staff_login
    )
    claims = verified(fed_server, web, got, verifier, nonce)
    assert claims["cognito:username"].startswith("TravelGuide-Staff-SSO_")
    assert claims["email"] == "staff@travelguide.example"
    assert claims["name"] == "Sam Staff"
    assert identity(claims)["providerName"] == "TravelGuide-Staff-SSO"

    # The federated user's id token opens the example's API like anyone's.
    assert call_hello(fed_server, tmp_path, claims["_tokens"]["id_token"]) == (
        200,
        {"message": f"Hello {claims['cognito:username']}!", "userId": claims["sub"]},
    )

    # Applying again changes nothing, the provider included.
    again = apply_example(fed_server, application, tmp_path, suffix)
    assert again["pools"][0]["identity_providers"][0]["action"] == "unchanged"
