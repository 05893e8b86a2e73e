"""SIGTERM drains: the server stops accepting, lets the requests in flight finish, and
exits cleanly, with no traceback in its log (issue 13: CancelledError tracebacks in 3
of 5 stops with --workers 2)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.api.helpers import STRONG
from tests.conftest import (
    ADMIN_KEY_ID,
    ADMIN_SECRET,
    MASTER_KEY,
    cognito_client,
    database_url,
    free_port,
)

CONFIG = """
[[functions]]
name = "slow"
code_dir = "functions/slow"
handler = "app.lambda_handler"
timeout = 10

[[apis]]
name = "drain"
stage = "test"

[[apis.routes]]
method = "GET"
path = "/slow"
function = "slow"
"""

HANDLER = """
import time

def lambda_handler(event, context):
    time.sleep(2)
    return {"statusCode": 200, "body": "finished"}
"""


def start(tmp_path: Path, *args: str, database: str = "") -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")}
    env.update(
        POOLGATE_ADMIN_ACCESS_KEY_ID=ADMIN_KEY_ID,
        POOLGATE_ADMIN_SECRET_ACCESS_KEY=ADMIN_SECRET,
        POOLGATE_MASTER_KEY=MASTER_KEY,
        POOLGATE_LOG_LEVEL="info",
    )
    if database:
        env["POOLGATE_DATABASE_URL"] = database
    log = open(tmp_path / "server.log", "ab")  # noqa: SIM115 - the process owns it
    process = subprocess.Popen(
        [sys.executable, "-m", "poolgate.cli", "serve", "--port", str(port),
         "--data-dir", str(tmp_path / "data"), *args],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, (tmp_path / "server.log").read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
        time.sleep(0.05)
    return process, port


def test_sigterm_lets_the_request_in_flight_finish(tmp_path: Path) -> None:
    (tmp_path / "poolgate.toml").write_text(CONFIG)
    (tmp_path / "functions" / "slow").mkdir(parents=True)
    (tmp_path / "functions" / "slow" / "app.py").write_text(textwrap.dedent(HANDLER))
    gateway = free_port()
    process, port = start(
        tmp_path, "--config", "poolgate.toml", "--gateway-port", str(gateway), "--workers", "1"
    )
    answers: list[httpx.Response] = []
    request = threading.Thread(
        target=lambda: answers.append(
            httpx.get(f"http://127.0.0.1:{gateway}/test/slow", timeout=30)
        )
    )
    request.start()
    time.sleep(0.8)  # the handler is sleeping now
    process.send_signal(signal.SIGTERM)
    # Stops accepting at once, while the request is still running.
    deadline = time.monotonic() + 5
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=0.5)
        except httpx.HTTPError:  # refused, or accepted just before and never answered
            break
        assert time.monotonic() < deadline, "still accepting connections"
        time.sleep(0.05)
    request.join(timeout=30)
    assert [(a.status_code, a.text) for a in answers] == [(200, "finished")]
    assert process.wait(timeout=30) == 0
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log and "CancelledError" not in log, log


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_sigterm_with_two_workers_under_load_logs_no_traceback(
    tmp_path: Path, request: pytest.FixtureRequest, backend: str
) -> None:
    url = database_url(backend, tmp_path, request)
    for _ in range(3):
        process, port = start(tmp_path, "--workers", "2", database=url)
        workers = psutil.Process(process.pid).children()
        cognito = cognito_client(f"http://127.0.0.1:{port}")
        pool = cognito.create_user_pool(PoolName="drain")["UserPool"]["Id"]
        stop = threading.Event()

        def load(pool: str = pool, port: int = port, stop: threading.Event = stop) -> None:
            client = cognito_client(f"http://127.0.0.1:{port}")
            while not stop.is_set():
                try:
                    client.admin_create_user(
                        UserPoolId=pool, Username=f"u{time.monotonic_ns()}",
                        TemporaryPassword=STRONG, MessageAction="SUPPRESS",
                    )  # fmt: skip
                except Exception:
                    return  # the server stopped under it: what this test is about

        threads = [threading.Thread(target=load) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
        psutil.wait_procs(workers, timeout=30)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log and "CancelledError" not in log, log
