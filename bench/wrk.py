"""The read paths (``health``, ``get_user``) driven by wrk instead of Python clients.

A Python client spends about as much CPU per GetUser as the server does, so on a
2-core machine it takes half the machine from the server it measures. wrk (C, one
event loop per thread) costs a fraction of that; its own CPU time is still reported
(``getrusage`` of the child), so what the generator took is visible next to the
server's figures.

wrk keeps every connection busy with one request at a time, like the Python driver:
``--connections`` is the concurrency.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.load import HTTP_PER_OP

WRK_SCENARIOS = ("health", "get_user")

# The request() function runs per request in each wrk thread's own Lua state; the
# tokens are cycled from a different offset in each thread.
_LUA = """
local tokens = {%(tokens)s}
local scenario = "%(scenario)s"
local counter = 0
local headers = {
  ["Content-Type"] = "application/x-amz-json-1.1",
  ["X-Amz-Target"] = "AWSCognitoIdentityProviderService.GetUser",
}

function setup(thread)
  thread:set("offset", math.random(1, 100000))
end

function init(args)
  counter = offset or 0
end

function request()
  if scenario == "health" then
    return wrk.format("GET", "/health")
  end
  counter = counter + 1
  local token = tokens[(counter %% #tokens) + 1]
  return wrk.format("POST", "/", headers, '{"AccessToken":"' .. token .. '"}')
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%%d,"duration_us":%%d,"status":%%d,"connect":%%d,"read":%%d,' ..
    '"write":%%d,"timeout":%%d,"p50":%%d,"p95":%%d,"p99":%%d,"mean":%%f,"max":%%d}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, latency.max))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def run(
    url: str,
    scenario: str,
    concurrency: int,
    duration: float,
    threads: int,
    tokens: list[str],
    server_cpu: Any,
    machine_busy: Any,
) -> dict[str, Any]:
    """One (scenario, concurrency) level with wrk; the row has ``bench.report``'s keys.

    ``server_cpu`` and ``machine_busy`` are callables returning CPU seconds (or None)
    sampled around the run."""
    if scenario not in WRK_SCENARIOS:
        raise ValueError(f"wrk drives only {', '.join(WRK_SCENARIOS)}, not {scenario}")
    if scenario == "get_user" and not tokens:
        raise ValueError("get_user needs access tokens")
    threads = max(1, min(threads, concurrency))
    with tempfile.TemporaryDirectory(prefix="poolgate-wrk-") as tmp:
        script = Path(tmp) / "bench.lua"
        script.write_text(
            _LUA
            % {
                "scenario": scenario,
                "tokens": ",".join(json.dumps(t) for t in tokens) or '""',
            }
        )
        seconds = max(1, round(duration))
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            url.rstrip("/") + "/",
        ]
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_before = server_cpu()
        busy_before = machine_busy()
        started = time.time()
        completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
        elapsed = time.time() - started
        server_after = server_cpu()
        busy_after = machine_busy()
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr[-2000:]}")
    line = next((ln for ln in completed.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{completed.stdout[-2000:]}")
    data = json.loads(line[len("WRKJSON ") :])
    client_cpu = (children_after.ru_utime - children_before.ru_utime) + (
        children_after.ru_stime - children_before.ru_stime
    )
    requests = int(data["requests"])
    socket_errors = sum(int(data[k]) for k in ("connect", "read", "write", "timeout"))
    errors = int(data["status"]) + socket_errors
    ok = max(requests - int(data["status"]), 0)
    window = max(data["duration_us"] / 1e6, 1e-9)
    server_seconds = (
        None if server_before is None or server_after is None else server_after - server_before
    )

    def per_request_ms(value: float | None) -> float | None:
        return None if value is None or not requests else value / requests * 1000.0

    return {
        "scenario": scenario,
        "concurrency": concurrency,
        "driver": "wrk",
        "requests": requests,
        "ok": ok,
        "errors": errors,
        "error_samples": (
            [f"{data['status']} responses were not 2xx/3xx"] if data["status"] else []
        )
        + ([f"{socket_errors} socket errors/timeouts"] if socket_errors else []),
        "warmup_errors": 0,
        "http_requests": requests,
        "http_requests_per_op": HTTP_PER_OP[scenario],
        "elapsed_s": window,
        "requests_per_s": ok / window,
        "latency_ms": {
            "p50": data["p50"] / 1000.0,
            "p95": data["p95"] / 1000.0,
            "p99": data["p99"] / 1000.0,
            "mean": data["mean"] / 1000.0,
            "max": data["max"] / 1000.0,
        },
        "client_processes": 1,
        "client_threads": threads,
        "client_cpu_s": client_cpu,
        "client_cpu_ms_per_request": per_request_ms(client_cpu),
        # wrk's CPU over the whole wall time of its run (it starts and stops itself).
        "client_cpu_pct_core": client_cpu / max(elapsed, 1e-9) * 100.0,
        "server_cpu_s": server_seconds,
        "server_cpu_ms_per_request": per_request_ms(server_seconds),
        "floor_cpu_ms_per_op": None,
        "crypto_efficiency": None,
        "server_cpu_pct_core": (
            None if server_seconds is None else server_seconds / max(elapsed, 1e-9) * 100.0
        ),
        "machine_cpu_pct_core": (
            None
            if busy_before is None or busy_after is None
            else (busy_after - busy_before) / max(elapsed, 1e-9) * 100.0
        ),
    }
