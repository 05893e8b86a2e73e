"""Fixtures for federation: one Poolgate server (SQLite; the store's federation
contract runs on PostgreSQL too, in tests/store), the loopback stand-ins for Google,
Facebook, Apple and Amazon, panva's oidc-provider in Node, a pysaml2 identity
provider, Chromium through Playwright (tests/oauth's fixtures), and aws-jwt-verify as
the judge of the tokens at the end."""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import Server, cognito_client, free_port
from tests.federation.standins import Standins, ThreadedServer
from tests.oauth.conftest import application, browser, page  # noqa: F401

HERE = Path(__file__).resolve().parent
LOCK = HERE / "package-lock.json"
INSTALLED = HERE / "node_modules" / ".package-lock.json"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's Chromium through Playwright (tests/oauth)"
    )


def _node_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is not on PATH: tests/federation needs Node.js 20+ and npm")
    return path


def ensure_node_modules() -> None:
    """``npm ci`` in tests/federation when node_modules is missing or older than the
    lock file (serialized across processes)."""

    def installed() -> bool:
        return INSTALLED.exists() and INSTALLED.stat().st_mtime >= LOCK.stat().st_mtime

    if installed():
        return
    npm = _node_tool("npm")
    with open(Path(tempfile.gettempdir()) / "poolgate-tests-federation-npm.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed():
            return
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    if result.returncode != 0:
        pytest.fail(f"npm ci failed in {HERE}:\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="session")
def fed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if shutil.which("xmlsec1") is None:
        pytest.fail("xmlsec1 is missing: run scripts/ensure-xmlsec1.sh (Debian's xmlsec1)")
    server = Server(data_dir=tmp_path_factory.mktemp("federation"), database_url="")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cognito(fed_server: Server) -> Any:
    return cognito_client(fed_server.url)


@pytest.fixture(scope="session")
def standins() -> Iterator[Standins]:
    stand = Standins()
    with ThreadedServer(stand.app(), stand.port):
        yield stand


@pytest.fixture(autouse=True)
def _reset_standins(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "standins" in request.fixturenames:
        stand: Standins = request.getfixturevalue("standins")
        stand.faults.clear()
        stand.apple_first_time = True


class OidcProvider:
    """panva's oidc-provider on loopback, with one client for Poolgate."""

    def __init__(self, redirect_uri: str) -> None:
        self.port = free_port()
        self.client_id = "poolgate-" + secrets.token_hex(4)
        self.client_secret = secrets.token_urlsafe(24)
        env = {
            **os.environ,
            "PORT": str(self.port),
            "CLIENT_ID": self.client_id,
            "CLIENT_SECRET": self.client_secret,
            "REDIRECT_URI": redirect_uri,
        }
        self.process = subprocess.Popen(
            [_node_tool("node"), str(HERE / "oidc_provider.mjs")],
            cwd=HERE,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        said = []
        # It warns (runtime version, development interactions) before it is ready.
        for line in self.process.stdout:
            said.append(line)
            if line.strip() == "ready":
                break
        else:
            self.process.kill()
            raise RuntimeError("oidc-provider did not start:\n" + "".join(said))
        # Keep reading what it says, so a full pipe never blocks it.
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def oidc_provider(fed_server: Server) -> Iterator[OidcProvider]:
    ensure_node_modules()
    provider = OidcProvider(f"{fed_server.url}/oauth2/idpresponse")
    # wait until discovery answers
    deadline = time.monotonic() + 15
    while True:
        try:
            httpx.get(f"{provider.issuer}/.well-known/openid-configuration").raise_for_status()
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    yield provider
    provider.stop()


def verify_tokens(server: Server, pool_id: str, client_id: str, tokens: dict[str, Any]) -> Any:
    """aws-jwt-verify's verdict on an id and an access token: their payloads."""
    ensure_node_modules()
    issuer = f"{server.url}/{pool_id}"
    request = [
        {"token": tokens["id_token"], "issuer": issuer, "clientId": client_id, "use": "id"},
        {"token": tokens["access_token"], "issuer": issuer, "clientId": client_id, "use": "access"},
    ]
    result = subprocess.run(
        [_node_tool("node"), str(HERE / "verify.mjs")],
        cwd=HERE,
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    payloads = json.loads(result.stdout)
    for payload in payloads:
        assert "error" not in payload, payload
    return payloads
