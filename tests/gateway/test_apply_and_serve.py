"""``poolgate apply`` validates and reports the gateway's configuration (routes are
configuration, not stored state); ``poolgate serve`` refuses a broken one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import free_port

FILE = """
[[pools]]
PoolName = "ApplyGatewayPool"

[[functions]]
name = "hello"
code_dir = "functions/hello"
handler = "app.lambda_handler"

[[apis]]
name = "travelguide"
stage = "staging"

[[apis.authorizers]]
name = "cognito"
type = "COGNITO_USER_POOLS"
user_pool = "ApplyGatewayPool"

[[apis.routes]]
method = "GET"
path = "/hello"
function = "hello"
authorizer = "cognito"
"""


def poolgate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")}
    return subprocess.run(
        [sys.executable, "-m", "poolgate.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_apply_reports_functions_and_apis_as_configured(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "functions" / "hello").mkdir(parents=True)
    (project / "poolgate.toml").write_text(FILE)
    data = str(tmp_path / "data")
    # Run from elsewhere: code_dir is relative to the file, not to the working directory.
    text = poolgate("apply", str(project / "poolgate.toml"), "--data-dir", data, cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert "function hello: configured" in lines
    assert any(
        line.startswith("api travelguide ") and line.endswith(": configured") for line in lines
    )
    assert lines[-1] == "1 created, 0 updated, 0 unchanged, 2 configured"
    report = json.loads(
        poolgate(
            "apply", "project/poolgate.toml", "--data-dir", data, "-o", "json", cwd=tmp_path
        ).stdout
    )
    assert report["functions"] == [{"name": "hello", "id": "hello", "action": "configured"}]
    assert report["apis"][0]["action"] == "configured"
    assert report["pools"][0]["action"] == "unchanged"


def test_a_broken_gateway_section_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "poolgate.toml").write_text(FILE.replace('function = "hello"', 'function = "helo"'))
    data = str(tmp_path / "data")
    result = poolgate("apply", "poolgate.toml", "--data-dir", data, cwd=tmp_path)
    assert result.returncode == 2
    assert "nothing was changed" in result.stderr
    assert "function 'hello': code_dir" in result.stderr
    assert "route GET /hello of api 'travelguide': no [[functions]] entry is named 'helo'" in (
        result.stderr
    )
    # The pool was not created: applying a fixed file creates it now.
    (tmp_path / "functions" / "hello").mkdir(parents=True)
    (tmp_path / "poolgate.toml").write_text(FILE)
    fixed = poolgate("apply", "poolgate.toml", "--data-dir", data, cwd=tmp_path)
    assert fixed.stdout.splitlines()[0].endswith(": created"), fixed.stdout


def test_serve_refuses_a_broken_gateway_configuration(tmp_path: Path) -> None:
    (tmp_path / "poolgate.toml").write_text(FILE)  # functions/hello does not exist here
    result = poolgate(
        "serve",
        "--config",
        "poolgate.toml",
        "--port",
        str(free_port()),
        "--gateway-port",
        str(free_port()),
        "--data-dir",
        str(tmp_path / "data"),
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "the gateway configuration has problems" in result.stderr
    assert "function 'hello': code_dir" in result.stderr
