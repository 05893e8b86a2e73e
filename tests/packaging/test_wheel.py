"""A built wheel works on its own, away from the source tree: the hosted pages, the
migrations, ``poolgate apply``, and the admin console.

The test builds the wheel from a copy of the project's files, installs it (not
editable) into a fresh virtual environment, and runs that environment's ``poolgate``
from a directory outside the repository, so nothing can be imported from ``src/``:
the hosted pages' templates, the Alembic migrations and every other file the package
reads at run time must have been packaged. It needs pip to reach the package index (or
its cache) for the build backend and the dependencies, and fails, never skips, when it
cannot.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx

from tests.conftest import free_port
from tests.console.helpers import (
    BOOTSTRAP_PASSWORD,
    BOOTSTRAP_USERNAME,
    CHOSEN_PASSWORD,
    sign_in,
)

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "poolgate"
CALLBACK = "http://localhost:5173/callback"
CONFIG = f"""
[[pools]]
PoolName = "WheelPool"

[[pools.clients]]
ClientName = "wheel-web"
GenerateSecret = false
ExplicitAuthFlows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
AllowedOAuthFlows = ["code"]
AllowedOAuthScopes = ["openid", "email"]
AllowedOAuthFlowsUserPoolClient = true
CallbackURLs = ["{CALLBACK}"]
SupportedIdentityProviders = ["COGNITO"]
"""


def clean_env() -> dict[str, str]:
    """The environment without anything that would point Python at the source tree
    or at the project's own virtual environment, nor Poolgate settings."""
    dropped = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONSAFEPATH")
    return {
        key: value
        for key, value in os.environ.items()
        if key not in dropped and not key.startswith("POOLGATE_")
    }


def run(args: list[str | Path], cwd: Path, timeout: float = 120) -> str:
    done = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, (
        f"{' '.join(map(str, args))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


def tracked_package_files() -> set[str]:
    """The package's files, relative to src/: git's list when this is a checkout (so
    a stray local file does not count), else what the directory holds."""
    if (ROOT / ".git").exists() and shutil.which("git"):
        out = subprocess.run(
            ["git", "ls-files", "-z", "src/poolgate"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        names = {name.removeprefix("src/") for name in out.split("\0") if name}
    else:
        names = {
            str(path.relative_to(PACKAGE.parent))
            for path in PACKAGE.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }
    assert names, "found no files under src/poolgate"
    return names


def build_wheel(tmp: Path) -> Path:
    """The wheel, built from a copy of what the build reads (a build in the checkout
    would leave build/ behind and could pick up stale files from an earlier one)."""
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "src",
        source / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"),
    )
    out = tmp / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", out, source], tmp)
    [wheel] = out.glob("poolgate-*.whl")
    return wheel


def wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"poolgate serve exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"poolgate serve did not become healthy:\n{log.read_text()}")


async def check_console(url: str) -> None:
    """The admin console from the installed package: the bootstrap administrator signs
    in (and changes the temporary password), and the pages, their stylesheet and their
    script are served from the wheel's templates and static files."""
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        trip = await sign_in(http, BOOTSTRAP_USERNAME, BOOTSTRAP_PASSWORD, CHOSEN_PASSWORD)
        assert trip.paths[-1] == "/admin/", trip.paths
        assert trip.last is not None and "WheelPool" in trip.last.text
        form = await http.get("/admin/pools/new")
        assert form.status_code == 200 and 'id="password-rules"' in form.text
        for asset, kind in (("console.css", "text/css"), ("console.js", "javascript")):
            found = re.search(rf'"(/admin/static/{asset}\?v=[0-9a-f]+)"', form.text)
            assert found, asset
            served = await http.get(found.group(1))
            assert served.status_code == 200 and kind in served.headers["content-type"]
            shipped = (PACKAGE / "console" / "static" / asset).read_bytes()
            assert served.content == shipped


def test_installed_wheel_serves_the_hosted_pages_and_migrates(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], tmp_path)
    python = venv / "bin" / "python"
    poolgate = venv / "bin" / "poolgate"
    run([python, "-m", "pip", "install", "--quiet", wheel], tmp_path, timeout=300)

    # Everything below runs from here: not the repository, so not src/.
    work = tmp_path / "work"
    work.mkdir()
    installed = Path(
        run([python, "-c", "import poolgate; print(poolgate.__file__)"], work).strip()
    ).parent
    assert installed.is_relative_to(venv), installed
    shipped = {str(p.relative_to(installed.parent)) for p in installed.rglob("*") if p.is_file()}
    missing = sorted(tracked_package_files() - shipped)
    assert not missing, f"the installed package lacks {missing}"
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert run([poolgate, "--version"], work) == f"poolgate {declared}\n"

    # The server on an empty data directory: it migrates the new database itself.
    data = work / "data"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    serve = [poolgate, "serve", "--host", "127.0.0.1", "--port", port, "--data-dir", data]
    log = work / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(arg) for arg in [*serve, "--workers", 1]],
            cwd=work,
            # The console's first administrator (tests/console/helpers.py signs in).
            env={
                **clean_env(),
                "POOLGATE_BOOTSTRAP_ADMIN_USERNAME": BOOTSTRAP_USERNAME,
                "POOLGATE_BOOTSTRAP_ADMIN_PASSWORD": BOOTSTRAP_PASSWORD,
            },
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_healthy(process, url, log)
        head = run(
            [python, "-c", "from poolgate.store import migrate; print(migrate.head_revision())"],
            work,
        ).strip()
        with sqlite3.connect(data / "poolgate.db") as db:
            [(revision,)] = db.execute("SELECT version_num FROM alembic_version").fetchall()
        assert revision == head

        (work / "poolgate.toml").write_text(CONFIG)
        apply = [poolgate, "apply", "poolgate.toml", "--data-dir", data, "--output", "json"]
        first = json.loads(run(apply, work))
        [pool] = first["pools"]
        [client] = pool["clients"]
        assert (pool["action"], client["action"]) == ("created", "created")

        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        page = httpx.get(
            f"{url}/login",
            params={
                "client_id": client["id"],
                "response_type": "code",
                "redirect_uri": CALLBACK,
                "scope": "openid",
                # A public client's code flow needs PKCE (require_pkce defaults on).
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            },
            timeout=10,
        )
        assert page.status_code == 200, (page.headers.get("location"), page.text)
        assert "<h1>Sign in</h1>" in page.text
        assert '<form method="post" action="/login?' in page.text
        assert 'name="password"' in page.text

        asyncio.run(check_console(url))

        again = json.loads(run(apply, work))
        assert again["pools"][0]["action"] == "unchanged"
        assert again["pools"][0]["clients"][0]["action"] == "unchanged"
        assert again["pools"][0]["id"] == pool["id"]
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert process.returncode == 0, log.read_text()
