"""One master key per database: a node with another key refuses to start, and
``poolgate master-key rotate`` reseals every stored secret with a new one."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from botocore.exceptions import ClientError

from tests.api.helpers import POLICY, STRONG, client
from tests.conftest import PG_DSN, Server, _pg, cognito_client, free_port

NEW_PASSWORD = "Rotated!Key456"


@pytest.fixture
def own_database() -> Iterator[str]:
    """A database of this test's own: its master key is recorded in it."""
    name = f"poolgate_key_{secrets.token_hex(4)}"
    _pg(f'CREATE DATABASE "{name}"')
    yield f"{PG_DSN.rsplit('/', 1)[0]}/{name}"
    _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def poolgate(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")}
    environ.update(env or {})
    environ["POOLGATE_LOG_LEVEL"] = "warning"
    return subprocess.run(
        [sys.executable, "-m", "poolgate.cli", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    output = (result.stdout + result.stderr).strip()
    assert "Traceback" not in output, output
    assert result.returncode != 0, output
    assert len(output.splitlines()) == 1, output
    return output


def node(data_dir: Path, database_url: str) -> Server:
    """A server with the key of its own data directory (not the session's shared one)."""
    server = Server(data_dir, database_url)
    server.extra_env["POOLGATE_MASTER_KEY"] = ""
    return server


def populate(server: Server) -> dict[str, Any]:
    """A pool with a client secret, a user with a password and a history of one."""
    cognito: Any = cognito_client(server.url)
    pool = cognito.create_user_pool(
        PoolName="rotation",
        Policies={"PasswordPolicy": {**POLICY, "PasswordHistorySize": 2}},
        UsernameAttributes=["email"],
        UserPoolTier="ESSENTIALS",
    )["UserPool"]["Id"]
    with_secret = client(cognito, pool, GenerateSecret=True)
    public = client(cognito, pool)
    cognito.admin_create_user(
        UserPoolId=pool, Username="kept@example.com", MessageAction="SUPPRESS"
    )
    cognito.admin_set_user_password(
        UserPoolId=pool, Username="kept@example.com", Password="First!Password1", Permanent=True
    )
    cognito.admin_set_user_password(
        UserPoolId=pool, Username="kept@example.com", Password=STRONG, Permanent=True
    )
    return {
        "pool": pool,
        "client": public["ClientId"],
        "secret_client": with_secret["ClientId"],
        "secret": with_secret["ClientSecret"],
        "jwks": httpx.get(f"{server.url}/{pool}/.well-known/jwks.json").json(),
    }


def sign_in(server: Server, state: dict[str, Any], password: str = STRONG) -> dict[str, Any]:
    cognito: Any = cognito_client(server.url)
    result = cognito.initiate_auth(
        ClientId=state["client"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "kept@example.com", "PASSWORD": password},
    )
    return dict(result["AuthenticationResult"])


def test_a_node_with_another_master_key_refuses_to_start(tmp_path: Path, own_database: str) -> None:
    first = node(tmp_path / "node-1", own_database)
    first.start()
    try:
        state = populate(first)
        sign_in(first, state)
    finally:
        first.stop()
    # A second node with a data directory of its own generates a key of its own.
    second = node(tmp_path / "node-2", own_database)
    result = poolgate(
        "serve", "--port", str(free_port()), "--data-dir", str(second.data_dir),
        env=second.env(),
    )  # fmt: skip
    line = one_line(result)
    assert "POOLGATE_MASTER_KEY" in line and "master key" in line
    # Given the first node's key, it starts and signs the first node's users in.
    key = (first.data_dir / "master.key").read_text().strip()
    second.extra_env["POOLGATE_MASTER_KEY"] = key
    second.start()
    try:
        assert sign_in(second, state)["AccessToken"]
    finally:
        second.stop()


def test_rotation_reseals_every_secret(tmp_path: Path) -> None:
    server = node(tmp_path / "data", "")
    server.start()
    try:
        state = populate(server)
    finally:
        server.stop()
    old_key = (server.data_dir / "master.key").read_text()

    result = poolgate("master-key", "rotate", "--data-dir", str(server.data_dir))
    assert result.returncode == 0, result.stderr
    assert "2 signing keys, 1 client secrets, 1 password verifiers" in result.stdout
    new_key = (server.data_dir / "master.key").read_text()
    assert new_key != old_key
    assert (server.data_dir / "master.key").stat().st_mode & 0o777 == 0o600
    assert not (server.data_dir / "master.key.new").exists()

    server.start()
    try:
        tokens = sign_in(server, state)  # the verifier opens with the new key
        cognito: Any = cognito_client(server.url)
        described = cognito.describe_user_pool_client(
            UserPoolId=state["pool"], ClientId=state["secret_client"]
        )["UserPoolClient"]
        assert described["ClientSecret"] == state["secret"]
        # The same signing keys, their private parts resealed: new tokens verify
        # against the JWKS published before the rotation.
        assert (
            httpx.get(f"{server.url}/{state['pool']}/.well-known/jwks.json").json()
            == (state["jwks"])
        )
        header = jwt.get_unverified_header(tokens["AccessToken"])
        key = next(k for k in state["jwks"]["keys"] if k["kid"] == header["kid"])
        claims = jwt.decode(
            tokens["AccessToken"],
            jwt.PyJWK(key).key,
            algorithms=["RS256"],
            options={"verify_aud": False},
        )
        assert claims["client_id"] == state["client"]
        # The password history was resealed too: the last password is still refused.
        with pytest.raises(ClientError) as refused:
            cognito.change_password(
                AccessToken=tokens["AccessToken"],
                PreviousPassword=STRONG,
                ProposedPassword="First!Password1",
            )
        assert refused.value.response["Error"]["Code"] == "PasswordHistoryPolicyViolationException"
    finally:
        server.stop()

    # The old key no longer opens this database.
    result = poolgate(
        "serve", "--port", str(free_port()), "--data-dir", str(server.data_dir),
        env={**server.env(), "POOLGATE_MASTER_KEY": old_key.strip()},
    )  # fmt: skip
    assert "POOLGATE_MASTER_KEY" in one_line(result)


def test_rotation_of_a_configured_key_prints_the_new_one(tmp_path: Path) -> None:
    server = node(tmp_path / "data", "")
    server.start()
    try:
        state = populate(server)
    finally:
        server.stop()
    old_key = (server.data_dir / "master.key").read_text().strip()
    (server.data_dir / "master.key").unlink()  # the key comes from the environment now
    result = poolgate(
        "master-key", "rotate", "--data-dir", str(server.data_dir),
        env={"POOLGATE_MASTER_KEY": old_key},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    printed = [line for line in result.stdout.splitlines() if "POOLGATE_MASTER_KEY=" in line]
    assert len(printed) == 1
    new_key = printed[0].split("=", 1)[1].strip().strip("'")
    assert new_key != old_key
    assert not (server.data_dir / "master.key").exists()
    server.extra_env["POOLGATE_MASTER_KEY"] = new_key
    server.start()
    try:
        assert sign_in(server, state)["AccessToken"]
    finally:
        server.stop()


def test_rotation_refuses_while_a_server_runs(tmp_path: Path, own_database: str) -> None:
    server = node(tmp_path / "data", own_database)
    server.start()
    try:
        populate(server)
        before = (server.data_dir / "master.key").read_text()
        result = poolgate(
            "master-key", "rotate", "--data-dir", str(server.data_dir),
            env={"POOLGATE_DATABASE_URL": own_database},
        )  # fmt: skip
        line = one_line(result)
        assert line.startswith("poolgate master-key rotate: ")
        assert "stop every node" in line
        assert (server.data_dir / "master.key").read_text() == before
    finally:
        server.stop()
