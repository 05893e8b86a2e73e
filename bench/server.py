"""A ``poolgate serve`` process the benchmark starts (and stops) itself."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine spent on anything but idling, since boot."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


class ProcessCpu:
    """User+system CPU seconds of a process and its live children (workers)."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)

    def seconds(self) -> float:
        total = 0.0
        procs = [self.process]
        with contextlib.suppress(psutil.Error):
            procs += self.process.children(recursive=True)
        for proc in procs:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total


def postgres_cpu_seconds() -> float:
    """User+system CPU seconds of every PostgreSQL server process on this machine (the
    postmaster and its backends): the database's share of a run, which the server's CPU
    does not include. Backends that exited meanwhile are not counted."""
    total = 0.0
    for proc in psutil.process_iter(["name", "cpu_times"]):
        if proc.info["name"] in ("postgres", "postmaster") and proc.info["cpu_times"]:
            total += proc.info["cpu_times"].user + proc.info["cpu_times"].system
    return total


class LocalServer:
    """``poolgate serve`` on a free port with a temporary data directory."""

    def __init__(self, database_url: str = "", workers: int = 1) -> None:
        self.database_url = database_url
        self.workers = workers
        self.port = free_port()
        self.data_dir = Path(tempfile.mkdtemp(prefix="poolgate-bench-"))
        self.admin_key_id = "AKPGBENCH" + secrets.token_hex(6).upper()[:11]
        self.admin_secret = secrets.token_urlsafe(30)
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.data_dir / "server.log"
        # Set by start(): perf_counter() just before the launch, and the seconds from
        # there to the first 200 from /health (the cold start, bench.capacity).
        self.launched_at: float | None = None
        self.started_in_s: float | None = None
        # More ``poolgate serve`` options (bench.gateway: --config, --gateway-port).
        self.serve_args: list[str] = []
        # More settings for the server, as POOLGATE_* variables.
        self.extra_env: dict[str, str] = {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def backend(self) -> str:
        return "postgresql" if self.database_url else "sqlite"

    def start(self, timeout: float = 60, poll_interval: float = 0.05) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")}
        env.update(
            POOLGATE_ADMIN_ACCESS_KEY_ID=self.admin_key_id,
            POOLGATE_ADMIN_SECRET_ACCESS_KEY=self.admin_secret,
            POOLGATE_LOG_LEVEL="warning",
        )
        if self.database_url:
            env["POOLGATE_DATABASE_URL"] = self.database_url
        env.update(self.extra_env)
        # One client made before the launch: httpx.get() builds a client (and loads the
        # CA bundle) on every poll, which would be counted in started_in_s.
        with httpx.Client(timeout=1) as http, open(self.log_path, "ab") as log:
            self.launched_at = time.perf_counter()
            self.started_in_s = None
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "poolgate.cli",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--data-dir",
                    str(self.data_dir),
                    "--workers",
                    str(self.workers),
                    *self.serve_args,
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"poolgate exited early:\n{self.log()}")
                try:
                    if http.get(self.url + "/health").status_code == 200:
                        self.started_in_s = time.perf_counter() - self.launched_at
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(poll_interval)
        raise RuntimeError(f"poolgate did not become healthy:\n{self.log()}")

    def workers_rss(self) -> list[int]:
        """RSS (bytes) of the server's worker processes (the process itself when it has
        no children: ``--workers 1``)."""
        assert self.process is not None
        parent = psutil.Process(self.process.pid)
        procs = parent.children(recursive=False) or [parent]
        sizes = []
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                sizes.append(int(proc.memory_info().rss))
        return sizes

    def cpu(self) -> ProcessCpu:
        assert self.process is not None
        return ProcessCpu(self.process.pid)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def restart(self, timeout: float = 60, poll_interval: float = 0.05) -> None:
        """Stop the server and start it again on the same port, data directory (or
        database) and admin key."""
        self._terminate()
        self.start(timeout, poll_interval)

    def halt(self) -> None:
        """Stop the server, keeping its data directory (or database) for a later start."""
        self._terminate()

    def _terminate(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        self._terminate()
        shutil.rmtree(self.data_dir, ignore_errors=True)
