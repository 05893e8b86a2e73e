"""``poolgate admin-key``: the admin key's id and where its secret is kept, and
``--export``, whose output a shell evaluates to hand the key to the AWS CLI and SDKs."""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import boto3

from tests.conftest import Server

POOLGATE = [sys.executable, "-m", "poolgate.cli"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POOLGATE_", "AWS_"))}
    env.update(extra)
    return env


def admin_key(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*POOLGATE, "admin-key", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def evaluated(*args: str, cwd: Path, env: dict[str, str]) -> list[str]:
    """What ``eval "$(poolgate admin-key --export ARGS)"`` sets, as bash sees it."""
    command = shlex.join([*POOLGATE, "admin-key", "--export", *args])
    script = (
        f'eval "$({command})" && '
        'printf "%s\\0" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_DEFAULT_REGION"'
    )
    done = subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split("\0")[:3]


class KeylessServer(Server):
    """A server given no admin key: it generates one into its data directory."""

    def env(self) -> dict[str, str]:
        env = super().env()
        del env["POOLGATE_ADMIN_ACCESS_KEY_ID"], env["POOLGATE_ADMIN_SECRET_ACCESS_KEY"]
        return env


def test_exported_key_is_the_one_the_server_generated(tmp_path: Path) -> None:
    server = KeylessServer(data_dir=tmp_path / "data", database_url="")
    server.start()
    try:
        env = clean_env()
        key_id, secret, region = evaluated("--data-dir", "data", cwd=tmp_path, env=env)
        assert key_id.startswith("AKPG") and secret and region == "us-east-1"
        cognito = boto3.client(
            "cognito-idp",
            endpoint_url=server.url,
            region_name=region,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
        )
        assert cognito.list_user_pools(MaxResults=1)["UserPools"] == []

        shown = admin_key("--data-dir", "data", cwd=tmp_path, env=env)
        assert shown.returncode == 0, shown.stderr
        path = (tmp_path / "data" / "admin-key.json").resolve()
        assert shown.stdout.splitlines() == [
            f"access key id:  {key_id}",
            f"secret:         in {path} (mode 0600)",
            'for the AWS CLI and SDKs: eval "$(poolgate admin-key --export)"',
        ]
        assert secret not in shown.stdout
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        server.stop()


def test_a_configured_key_is_exported_quoted_with_the_configured_region(tmp_path: Path) -> None:
    secret = 'it\'s $HOME `id` "quoted" and spaced'
    env = clean_env(
        POOLGATE_ADMIN_ACCESS_KEY_ID="AKPGCONFIGURED000001",
        POOLGATE_ADMIN_SECRET_ACCESS_KEY=secret,
    )
    (tmp_path / "poolgate.toml").write_text('region = "eu-west-1"\ndata_dir = "elsewhere"\n')
    args = ("--config", "poolgate.toml")
    assert evaluated(*args, cwd=tmp_path, env=env) == ["AKPGCONFIGURED000001", secret, "eu-west-1"]
    shown = admin_key(*args, cwd=tmp_path, env=env)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[:2] == [
        "access key id:  AKPGCONFIGURED000001",
        "secret:         set by the configuration (admin_secret_access_key or "
        "POOLGATE_ADMIN_SECRET_ACCESS_KEY)",
    ]
    assert secret not in shown.stdout
    assert not (tmp_path / "elsewhere").exists()


def test_no_key_yet_is_an_error_and_creates_nothing(tmp_path: Path) -> None:
    for args in ((), ("--export",)):
        result = admin_key("--data-dir", "data", *args, cwd=tmp_path, env=clean_env())
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr.startswith(
            "poolgate admin-key: there is no admin key yet: data/admin-key.json does not exist. "
            "`poolgate serve --data-dir data` generates it on its first start"
        )
    assert not (tmp_path / "data").exists()


def test_an_unreadable_key_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "admin-key.json").write_text("{not json")
    result = admin_key("--export", "--data-dir", "data", cwd=tmp_path, env=clean_env())
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("poolgate admin-key: cannot read the admin key from data/admin-key.json")
