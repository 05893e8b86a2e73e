"""bench.cold_start end to end, small: its own server, 30 users, two launches."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cold_start_smoke(tmp_path: Path) -> None:
    out, md = tmp_path / "cold.json", tmp_path / "cold.md"
    completed = subprocess.run(
        [sys.executable, "-m", "bench.cold_start", "--users", "30", "--runs", "2",
         "--server-workers", "1", "--json", str(out), "--markdown", str(md)],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-4000:]
    report = json.loads(out.read_text())
    assert report["setup"]["users"] == 30
    assert len(report["runs"]) == 2
    for run in report["runs"]:
        # The first signed AdminGetUser found a copied user: the copies are real rows.
        assert run["error"] is None
        assert 0 < run["health_s"] <= run["first_api_s"]
        assert run["health_cpu_s"] > 0
    assert report["summary"]["health_s"]["min"] <= report["summary"]["health_s"]["median"]
    assert "| median |" in md.read_text()
