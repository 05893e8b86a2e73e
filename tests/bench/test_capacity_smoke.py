"""The capacity benchmark end to end, small: its own server, 60 users, one restart."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import orjson
from bench.capacity import BotocoreSigner, MinimalSigner

ROOT = Path(__file__).resolve().parents[2]


def test_minimal_signer_matches_botocore() -> None:
    url, key_id, secret = "http://127.0.0.1:9229", "AKPGTEST0000000", "s3cret/+="
    body = orjson.dumps({"UserPoolId": "us-east-1_x", "Username": "user1"})
    reference = BotocoreSigner(url, key_id, secret).headers("AdminCreateUser", body)
    mine = MinimalSigner(url, key_id, secret).headers(
        "AdminCreateUser", body, amz_date=reference["X-Amz-Date"]
    )
    assert mine["Authorization"] == reference["Authorization"]
    assert mine["X-Amz-Target"] == reference["X-Amz-Target"]


def test_capacity_smoke(tmp_path: Path) -> None:
    out = tmp_path / "capacity.json"
    md = tmp_path / "capacity.md"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.capacity",
            "--users",
            "60",
            "--restarts",
            "1",
            "--processes",
            "1",
            "--concurrency",
            "4",
            "--reads",
            "50",
            "--list-pages",
            "5",
            "--json",
            str(out),
            "--markdown",
            str(md),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    report = json.loads(out.read_text())
    meta = report["meta"]
    assert {"date", "machine", "command", "backend"} <= set(meta)
    assert meta["backend"] == "sqlite" and "bench.capacity" in meta["command"]
    assert {"nproc", "cpu_model"} <= set(meta["machine"])

    cold = report["cold_start"]
    assert cold["first_start_s"] > 0
    assert len(cold["restarts_s"]) == 1 and cold["restarts_s"][0] > 0
    assert cold["restart_median_s"] > 0
    assert cold["restarts"][0]["first_api_s"] >= cold["restarts"][0]["health_s"]

    load = report["load"]
    assert load["users"] == 60 and load["created"] == 60
    assert load["errors"] == 0, load["error_samples"]
    assert load["users_per_s"] > 0
    assert load["server_cpu_s"] > 0 and load["client_cpu_s"] > 0
    assert sum(s["to_user"] - s["from_user"] for s in load["slices"]) == 60
    assert report["reads"]["errors"] == 0, report["reads"]["error_samples"]
    assert report["signer"]["minimal_ms"] > 0 and report["signer"]["botocore_ms"] > 0

    moments = [snap["moment"] for snap in report["memory"]]
    assert moments == ["idle, first start", "after loading", "after reads", "after restart"]
    for snap in report["memory"]:
        roles = [p["role"] for p in snap["processes"]]
        # The default --server-workers 2: the launched supervisor and its two workers.
        assert roles.count("supervisor") == 1 and roles.count("worker") == 2, snap
        assert all(p["rss_bytes"] > 0 for p in snap["processes"]), snap
        assert snap["total_rss_bytes"] > 0

    assert "## Cold start to first answer" in completed.stdout
    assert md.read_text() == completed.stdout
