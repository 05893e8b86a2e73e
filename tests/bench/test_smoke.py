"""The benchmark end to end, small: its own server, every scenario, two levels."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench import load

ROOT = Path(__file__).resolve().parents[2]
# Every scenario but the HTTP floor (health), which the wrk smoke test drives.
SCENARIOS = [name for name in load.SCENARIOS if name != "health"]


def test_benchmark_smoke(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    md = tmp_path / "bench.md"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--users",
            "5",
            "--totp-users",
            "8",
            "--requests",
            "20",
            "--concurrency",
            "1,4",
            "--processes",
            "1",
            "--floor-repetitions",
            "5",
            "--scenarios",
            ",".join(SCENARIOS),
            "--json",
            str(out),
            "--markdown",
            str(md),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    report = json.loads(out.read_text())
    assert set(report) >= {"meta", "setup", "results"}
    meta = report["meta"]
    assert {"date", "machine", "endpoint", "backend", "command"} <= set(meta)
    assert meta["backend"] == "sqlite" and meta["server_started"] is True
    assert {"nproc", "cpu_model"} <= set(meta["machine"])
    assert report["setup"]["users"] == 5 and report["setup"]["users_per_s"] > 0

    floor = report["crypto_floor"]
    assert floor["repetitions"] == 5
    assert set(floor["primitives_ms"]) == {
        "rs256_sign",
        "rs256_verify",
        "es256_verify",
        "password_check",
        "srp_start_challenge",
        "srp_expected_signature",
        "make_verifier",
        "modexp_g_256",
        "modexp_3072_256",
    }
    assert all(ms > 0 for ms in floor["primitives_ms"].values())
    assert set(floor["scenarios"]) == set(SCENARIOS)
    assert floor["scenarios"]["get_user"]["floor_ms"] == 0

    rows = {(row["scenario"], row["concurrency"]): row for row in report["results"]}
    assert set(rows) == {(s, c) for s in SCENARIOS for c in (1, 4)}
    for key, row in rows.items():
        assert row["requests"] > 0, key
        assert row["errors"] == 0, (key, row["error_samples"])
        assert row["warmup_errors"] == 0, (key, row["error_samples"])
        assert {
            "requests_per_s",
            "latency_ms",
            "client_cpu_s",
            "client_cpu_ms_per_request",
            "client_cpu_pct_core",
            "server_cpu_s",
            "server_cpu_ms_per_request",
            "floor_cpu_ms_per_op",
            "crypto_efficiency",
            "error_samples",
        } <= set(row), key
        assert {"p50", "p95", "p99"} <= set(row["latency_ms"]), key
        assert row["server_cpu_s"] is not None, key
        assert row["floor_at_start_ms_per_op"] == floor["scenarios"][key[0]]["floor_ms"], key
        # Timed again after the level: the same primitives, so within noise of the header's
        # (zero for get_user, whose floor has none).
        level_floor = row["floor_cpu_ms_per_op"]
        if floor["scenarios"][key[0]]["floor_ms"] == 0:
            assert level_floor is None, key
        else:
            assert level_floor is not None and level_floor > 0, key
        efficiency = row["crypto_efficiency"]
        if key[0] == "get_user":
            assert efficiency is None, key
        elif efficiency is not None:
            assert isinstance(efficiency, float) and 0 < efficiency <= 2, (key, efficiency)
    assert rows[("srp", 4)]["http_requests"] >= 2 * rows[("srp", 4)]["requests"]
    # totp: each of a level's 8 users signs in once, 4 of them in the warm-up at c=4.
    assert rows[("totp", 4)]["requests"] == 4
    assert rows[("totp", 4)]["http_requests"] >= 2 * rows[("totp", 4)]["requests"]
    # email_otp likewise (5 codes an hour per user), reading each code from the mailbox.
    assert rows[("email_otp", 4)]["requests"] == 4
    assert rows[("email_otp", 4)]["http_requests"] >= 3 * rows[("email_otp", 4)]["requests"]

    # passkey: InitiateAuth USER_AUTH and the WEB_AUTHN answer, with one passkey per user.
    assert rows[("passkey", 4)]["http_requests"] == 2 * rows[("passkey", 4)]["requests"]
    # federated: the whole redirect chain through the upstream pool's hosted login, then
    # the downstream's token endpoint.
    assert rows[("federated", 4)]["http_requests"] == 6 * rows[("federated", 4)]["requests"]

    table = completed.stdout
    assert "| scenario |" in table and "| srp | 4 |" in table
    assert "crypto eff." in table and "| primitive | CPU ms |" in table
    assert md.read_text() == table


def test_benchmark_read_paths_with_wrk(tmp_path: Path) -> None:
    out = tmp_path / "wrk.json"
    completed = subprocess.run(
        [
            sys.executable, "-m", "bench.run", "--wrk", "--users", "3", "--duration", "1",
            "--concurrency", "2", "--processes", "1", "--floor-repetitions", "2",
            "--server-workers", "2", "--scenarios", "health,get_user", "--json", str(out),
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-4000:]
    report = json.loads(out.read_text())
    rows = {row["scenario"]: row for row in report["results"]}
    assert set(rows) == {"health", "get_user"}
    for name, row in rows.items():
        assert row["driver"] == "wrk", name
        assert row["requests"] > 0 and row["errors"] == 0, (name, row["error_samples"])
        assert row["latency_ms"]["p99"] > 0 and row["client_cpu_s"] >= 0, name
        assert row["server_cpu_s"] is not None, name
    targets = {t["target"] for t in report["targets"]}
    assert "GetUser >= 0.6 x GET /health (c=2)" in targets
    assert "| get_user (wrk) | 2 |" in completed.stdout
