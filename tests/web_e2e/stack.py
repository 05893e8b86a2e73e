"""The whole TravelGuide system for the browser tests and the screenshot script: the
example applied to a temporary copy (SQLite), ``poolgate serve`` with its gateway, and
a copy of the built web app served by ``scripts/serve_web.py`` with a ``config.json``
pointing at that Poolgate. Everything runs on free ports; the app's origin is
``http://localhost:<port>``, which the copied ``poolgate.toml`` registers instead of
the example's port 5173 (callback, logout URL and the API's CORS origin).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import free_port
from tests.gateway.conftest import GatewayServer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_DIR = ROOT / "examples" / "travelguide"
WEB = ROOT / "web"
DIST = WEB / "dist"
DEMO = "demo@travelguide.example"
DEMO_TEMPORARY = "TravelGuide-2026!"
SCOPE = "openid email profile aws.cognito.signin.user.admin"


@dataclass
class Stack:
    root: Path
    server: GatewayServer
    pool_id: str
    client_id: str
    app_url: str

    @property
    def poolgate_url(self) -> str:
        return self.server.url

    @property
    def api_url(self) -> str:
        return f"{self.server.gateway_url}/staging"


def _web_sources_newer_than(stamp: float) -> bool:
    paths = [WEB / "src", WEB / "public", WEB / "index.html", WEB / "package.json"]
    paths += list(WEB.glob("vite.config.*")) + list(WEB.glob("tsconfig*.json"))
    for path in paths:
        files = path.rglob("*") if path.is_dir() else [path]
        for file in files:
            if file.is_file() and file.name != "config.json" and file.stat().st_mtime > stamp:
                return True
    return False


def ensure_web_build(tmp: Path) -> Path:
    """web/dist when it is up to date with web/src; otherwise a build of the sources
    in ``tmp``. Never a build into web/dist: a demo started by scripts/start.sh may be
    serving it, and ``vite build`` empties the folder it writes."""
    index = DIST / "index.html"
    if index.is_file() and not _web_sources_newer_than(index.stat().st_mtime):
        return DIST
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm was not found: install Node.js 20.19+ to build web/")
    if not (WEB / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True, timeout=600)
    out = tmp / "web-build"
    subprocess.run(
        [npm, "run", "build", "--", "--outDir", str(out), "--emptyOutDir"],
        cwd=WEB,
        check=True,
        timeout=600,
    )
    return out


def _poolgate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")}
    return subprocess.run(
        [sys.executable, "-m", "poolgate.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _wait_for(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited early")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start") from None
            time.sleep(0.05)


@dataclass(frozen=True)
class Ports:
    poolgate: int
    gateway: int
    web: int


# What scripts/start.sh uses: the screenshots show these, as a reader's demo would.
DEMO_PORTS = Ports(poolgate=9229, gateway=9230, web=5173)


@contextmanager
def travelguide_stack(tmp: Path, ports: Ports | None = None) -> Iterator[Stack]:
    """``ports``: fixed ports (the screenshots use the demo's); free ones by default."""
    dist = ensure_web_build(tmp)
    web_port = ports.web if ports else free_port()
    app_url = f"http://localhost:{web_port}"

    # The repository's layout in miniature, as tests/test_travelguide.py does: the
    # favourites function keeps its database in ../../../../data, this run's data dir.
    root = tmp / "travelguide"
    example = root / "examples" / "travelguide"
    shutil.copytree(
        EXAMPLE_DIR, example, ignore=shutil.ignore_patterns("__pycache__", "*.db", "*.db-*")
    )
    config = example / "poolgate.toml"
    config.write_text(config.read_text().replace("localhost:5173", f"localhost:{web_port}"))
    applied = _poolgate("apply", str(config), "--data-dir", "data", "--output", "json", cwd=root)
    assert applied.returncode == 0, applied.stderr
    pool = json.loads(applied.stdout)["pools"][0]

    server = GatewayServer(data_dir=root / "data", database_url="", config=config)
    if ports is not None:
        server.port, server.gateway_port = ports.poolgate, ports.gateway
    # The key `poolgate apply` generated into the data directory sealed the database.
    server.extra_env["POOLGATE_MASTER_KEY"] = ""
    server.start()
    web: subprocess.Popen[bytes] | None = None
    try:
        site = root / "web-dist"
        shutil.copytree(dist, site, ignore=shutil.ignore_patterns("config.json"))
        settings = {
            "poolgateUrl": server.url,
            "userPoolId": pool["id"],
            "clientId": pool["clients"][0]["id"],
            "apiUrl": f"{server.gateway_url}/staging",
            "redirectUri": f"{app_url}/callback",
            "logoutUri": f"{app_url}/",
            "mailboxUrl": f"{server.url}/_mailbox",
            "scope": SCOPE,
        }
        (site / "config.json").write_text(json.dumps(settings, indent=2) + "\n")
        log = open(root / "web.log", "ab")  # noqa: SIM115 - the process owns it
        web = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "scripts" / "serve_web.py"),
                "--dir",
                str(site),
                "--host",
                "127.0.0.1",
                "--port",
                str(web_port),
                "--quiet",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _wait_for(f"http://127.0.0.1:{web_port}/config.json", web, "serve_web.py")
        yield Stack(root, server, pool["id"], pool["clients"][0]["id"], app_url)
    finally:
        if web is not None:
            web.terminate()
            web.wait(timeout=10)
        server.stop()


def latest_code(poolgate_url: str, recipient: str) -> str:
    """The code in the newest message to ``recipient``, from the developer mailbox."""
    response = httpx.get(
        f"{poolgate_url}/_mailbox/messages", params={"recipient": recipient, "limit": 1}
    )
    response.raise_for_status()
    messages = response.json()["messages"]
    assert messages, f"no message to {recipient}"
    body = str(messages[0]["body"])
    match = re.search(r"\b(\d{6})\b", body)
    assert match, f"no code in {body!r}"
    return match.group(1)
