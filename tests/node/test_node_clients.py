"""Real JavaScript clients judge Poolgate's sign-in and tokens.

amazon-cognito-identity-js (SRP, NEW_PASSWORD_REQUIRED, sign-up, refresh, GetUser),
aws-jwt-verify (signature, issuer, audience through the published JWKS) and the AWS
SDK for JavaScript v3 run in Node against a real ``poolgate serve`` process, on
SQLite and on PostgreSQL. Python creates the pools and users with boto3 and hands
them to ``tests/node/clients.test.mjs`` through environment variables.

Node and npm are required, not optional: CI installs them, so their absence fails.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from tests.api.helpers import STRONG, client, email, email_pool
from tests.conftest import Server, cognito_client

NODE_DIR = Path(__file__).resolve().parent
LOCK = NODE_DIR / "package-lock.json"
MODULES = NODE_DIR / "node_modules"
# npm writes this file at the end of every install: its age tells whether the
# installed tree is older than the lock file.
INSTALLED = MODULES / ".package-lock.json"

TEMP_PASSWORD = "Temp!Pass123"
NEW_PASSWORD = "Changed!Pass456"

JS_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"`{name}` is not on PATH: the JavaScript client tests need Node.js 20+ and npm "
            "(CI installs them; locally install Node.js, e.g. from nodejs.org or your "
            "package manager)"
        )
    return path


def _installed() -> bool:
    return INSTALLED.exists() and INSTALLED.stat().st_mtime >= LOCK.stat().st_mtime


def ensure_node_modules() -> None:
    """``npm ci`` once, then only when package-lock.json changes. Serialized through
    a lock file, in case several pytest processes get here at once."""
    npm = _tool("npm")
    if _installed():
        return
    with open(Path(tempfile.gettempdir()) / "poolgate-tests-node-npm-ci.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _installed():
            return
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    if result.returncode != 0:
        pytest.fail(f"npm ci failed in {NODE_DIR}:\n{result.stdout}\n{result.stderr}")


def _admin_created_user(cognito: Any, pool_id: str, username: str, password: str) -> None:
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        TemporaryPassword=password,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": username},
            {"Name": "email_verified", "Value": "true"},
        ],
    )


def _confirmed_user(cognito: Any, pool_id: str, username: str, password: str) -> None:
    _admin_created_user(cognito, pool_id, username, TEMP_PASSWORD)
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=True
    )


def _app(cognito: Any) -> tuple[str, str]:
    pool = email_pool(cognito)
    app_client = client(
        cognito,
        pool["Id"],
        ExplicitAuthFlows=JS_FLOWS,
        PreventUserExistenceErrors="LEGACY",
    )
    return pool["Id"], app_client["ClientId"]


def scenario(server: Server) -> dict[str, str]:
    """Two pools like TravelGuide's and the users the JavaScript tests sign in."""
    cognito = cognito_client(server.url)
    pool_id, client_id = _app(cognito)
    other_pool_id, other_client_id = _app(cognito)

    confirmed = email()
    _confirmed_user(cognito, pool_id, confirmed, STRONG)
    admin_created = email()
    _admin_created_user(cognito, pool_id, admin_created, TEMP_PASSWORD)
    other_user = email()
    _confirmed_user(cognito, other_pool_id, other_user, STRONG)

    return {
        "POOLGATE_URL": server.url,
        "MAILBOX_URL": server.url,
        "POOL_ID": pool_id,
        "CLIENT_ID": client_id,
        "OTHER_POOL_ID": other_pool_id,
        "OTHER_CLIENT_ID": other_client_id,
        "OTHER_USER": other_user,
        "OTHER_PASSWORD": STRONG,
        "CONFIRMED_USER": confirmed,
        "CONFIRMED_PASSWORD": STRONG,
        "ADMIN_CREATED_USER": admin_created,
        "TEMP_PASSWORD": TEMP_PASSWORD,
        "NEW_PASSWORD": NEW_PASSWORD,
        "SIGNUP_EMAIL": email(),
        "SIGNUP_PASSWORD": STRONG,
    }


def test_javascript_clients(server: Server) -> None:
    node = _tool("node")
    ensure_node_modules()
    setup = scenario(server)
    env = {**os.environ, **setup, "NO_COLOR": "1"}
    env.pop("NODE_OPTIONS", None)
    # The test files by name: `node --test DIR` searches a directory on Node 20 but
    # reads its arguments as globs from Node 21 on.
    files = [str(path) for path in sorted(NODE_DIR.glob("*.test.mjs"))]
    assert files, f"no *.test.mjs in {NODE_DIR}"
    try:
        result = subprocess.run(
            [node, "--test", "--test-reporter=spec", *files],
            cwd=NODE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"node --test timed out after 300 s:\n{exc.stdout}\n{exc.stderr}")
    assert result.returncode == 0, (
        f"node --test failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
        f"\n--- server log (tail) ---\n{server.log()[-5000:]}"
    )
