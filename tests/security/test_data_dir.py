"""Every file Poolgate creates in the data directory is its owner's alone, and the
generated admin secret is shown only on a terminal, never written to a log."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import httpx

from tests.conftest import Server


class KeylessServer(Server):
    """A server that generates its admin key and its master key (neither in its
    environment)."""

    def env(self) -> dict[str, str]:
        env = super().env()
        env.pop("POOLGATE_ADMIN_ACCESS_KEY_ID")
        env.pop("POOLGATE_ADMIN_SECRET_ACCESS_KEY")
        env.pop("POOLGATE_MASTER_KEY", None)
        return env


def test_data_dir_is_private_and_the_secret_stays_out_of_the_log(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    (data_dir / "left-open.txt").write_text("from an older version")
    os.chmod(data_dir / "left-open.txt", 0o644)
    server = KeylessServer(data_dir=data_dir, database_url="")
    server.start()
    try:
        httpx.get(server.url + "/health")
        secret = json.loads((data_dir / "admin-key.json").read_text())["secret_access_key"]
        modes = {
            path.name: stat.S_IMODE(path.stat().st_mode)
            for path in data_dir.iterdir()
            if path.name != "server.log"  # the test's own capture of the output
        }
        log = server.log()
    finally:
        server.stop()
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for name in ("poolgate.db", "poolgate.db-wal", "poolgate.db-shm", "master.key"):
        assert modes.get(name) == 0o600, (name, modes)
    assert modes["admin-key.json"] == 0o600
    assert modes["left-open.txt"] == 0o600
    assert secret not in log
    assert "admin-key.json" in log and "not a terminal" in log
