"""Capacity on one machine: cold start to the first answer, loading users through
AdminCreateUser, and the memory of the server's processes.

    .venv/bin/python -m bench.capacity --users 100000 --markdown capacity.md --json capacity.json
    .venv/bin/python -m bench.capacity --users 100000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/bench_capacity

It starts its own ``poolgate serve --workers N`` (bench.server.LocalServer) on an empty
data directory and times the launch to the first 200 from ``GET /health``; creates a pool
and an app client (boto3); loads ``--users`` users with signed AdminCreateUser requests
from ``--processes`` client processes (aiohttp, keep-alive, SigV4 signed here: botocore
costs ~0.2 ms of client CPU per request); takes the RSS of every server process idle,
after loading and after a read workload; then restarts the server on the same data
``--restarts`` times and times each start again, now with the users in the database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import itertools
import multiprocessing
import queue
import random
import shlex
import statistics
import sys
import time
import traceback
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiohttp
import httpx
import orjson
import psutil
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from bench.provision import AUTH_FLOWS, PASSWORD_POLICY, admin_client
from bench.report import machine, percentile
from bench.server import LocalServer, ProcessCpu, machine_busy_seconds

REGION = "us-east-1"
SERVICE = "cognito-idp"
CONTENT_TYPE = "application/x-amz-json-1.1"
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
SIGNED_HEADERS = "content-type;host;x-amz-date;x-amz-target"
MAX_ERROR_SAMPLES = 5
MIB = 1024 * 1024


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _command(argv: list[str]) -> str:
    return shlex.join([sys.executable, "-m", "bench.capacity", *argv])


# -- SigV4 -------------------------------------------------------------------------------


class Signer(Protocol):
    name: str

    def headers(self, operation: str, body: bytes) -> dict[str, str]: ...


class MinimalSigner:
    """SigV4 for ``POST /`` AWS JSON requests, with hmac/hashlib only.

    botocore's SigV4Auth builds an AWSRequest and walks generic canonicalisation for
    each request (~0.2 ms of CPU); this one fills in a fixed template (~0.02 ms), so the
    client processes leave the 2 cores to the server. The signing key is derived once a
    day, as AWS intends.
    """

    name = "minimal"

    def __init__(self, url: str, key_id: str, secret: str, region: str = REGION) -> None:
        self.host = urlsplit(url).netloc
        self.key_id = key_id
        self.secret = secret
        self.region = region
        self._key_date = ""
        self._key = b""
        self._second = -1
        self._amz_date = ""

    def _signing_key(self, date: str) -> bytes:
        if date != self._key_date:
            key = hmac.new(f"AWS4{self.secret}".encode(), date.encode(), hashlib.sha256).digest()
            for part in (self.region, SERVICE, "aws4_request"):
                key = hmac.new(key, part.encode(), hashlib.sha256).digest()
            self._key_date, self._key = date, key
        return self._key

    def _now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second = second
            self._amz_date = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(second))
        return self._amz_date

    def headers(self, operation: str, body: bytes, amz_date: str | None = None) -> dict[str, str]:
        amz_date = amz_date or self._now()
        target = TARGET_PREFIX + operation
        canonical = (
            f"POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{self.host}\n"
            f"x-amz-date:{amz_date}\nx-amz-target:{target}\n\n{SIGNED_HEADERS}\n"
            f"{hashlib.sha256(body).hexdigest()}"
        )
        scope = f"{amz_date[:8]}/{self.region}/{SERVICE}/aws4_request"
        to_sign = (
            f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n"
            f"{hashlib.sha256(canonical.encode()).hexdigest()}"
        )
        signature = hmac.new(
            self._signing_key(amz_date[:8]), to_sign.encode(), hashlib.sha256
        ).hexdigest()
        return {
            "Content-Type": CONTENT_TYPE,
            "X-Amz-Target": target,
            "X-Amz-Date": amz_date,
            "Authorization": (
                f"AWS4-HMAC-SHA256 Credential={self.key_id}/{scope}, "
                f"SignedHeaders={SIGNED_HEADERS}, Signature={signature}"
            ),
        }


class BotocoreSigner:
    """The reference: what boto3 does for every request."""

    name = "botocore"

    def __init__(self, url: str, key_id: str, secret: str, region: str = REGION) -> None:
        self.url = url.rstrip("/") + "/"
        self.auth = SigV4Auth(Credentials(key_id, secret), SERVICE, region)

    def headers(self, operation: str, body: bytes) -> dict[str, str]:
        request = AWSRequest(
            method="POST",
            url=self.url,
            data=body,
            headers={"Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET_PREFIX + operation},
        )
        self.auth.add_auth(request)
        return dict(request.headers)


SIGNERS: dict[str, Callable[[str, str, str], Signer]] = {
    "minimal": MinimalSigner,
    "botocore": BotocoreSigner,
}


def check_signer(url: str, key_id: str, secret: str) -> None:
    """The minimal signer must produce botocore's Authorization header, byte for byte."""
    body = orjson.dumps({"UserPoolId": "us-east-1_check", "Username": "user0"})
    reference = BotocoreSigner(url, key_id, secret).headers("AdminGetUser", body)
    mine = MinimalSigner(url, key_id, secret).headers(
        "AdminGetUser", body, amz_date=reference["X-Amz-Date"]
    )
    if mine["Authorization"] != reference["Authorization"]:
        raise RuntimeError(
            f"minimal SigV4 signer disagrees with botocore:\n  {mine['Authorization']}\n"
            f"  {reference['Authorization']}"
        )


def create_user_body(pool_id: str, i: int) -> dict[str, Any]:
    return {
        "UserPoolId": pool_id,
        "Username": f"user{i}",
        "TemporaryPassword": f"Tmp!{i}Aa1x",
        "MessageAction": "SUPPRESS",
        "UserAttributes": [
            {"Name": "email", "Value": f"user{i}@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    }


def signer_cost_ms(signer: Signer, repetitions: int = 2000) -> float:
    """CPU ms one signature costs (the body's serialisation not included)."""
    bodies = [orjson.dumps(create_user_body("us-east-1_cost", i)) for i in range(repetitions)]
    for body in bodies[:100]:
        signer.headers("AdminCreateUser", body)
    started = time.process_time()
    for body in bodies:
        signer.headers("AdminCreateUser", body)
    return (time.process_time() - started) / repetitions * 1000


async def signed_call(
    session: aiohttp.ClientSession,
    url: str,
    signer: Signer,
    operation: str,
    payload: dict[str, Any],
) -> tuple[int, bytes]:
    body = orjson.dumps(payload)
    async with session.post(url, data=body, headers=signer.headers(operation, body)) as response:
        return response.status, await response.read()


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


# -- Loading users: client processes -----------------------------------------------------


@dataclass
class LoadJob:
    url: str
    key_id: str
    secret: str
    signer: str
    pool_id: str
    worker: int
    workers: int
    users: int
    concurrency: int


@dataclass
class LoadResult:
    worker: int
    ok: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    # time.monotonic() of every success (CLOCK_MONOTONIC: one clock for all processes
    # on Linux, so the parent can merge them), and each one's latency.
    done_at: bytes = b""
    latencies_ms: bytes = b""
    started: float = 0.0
    ended: float = 0.0
    cpu_seconds: float = 0.0
    warmup_errors: int = 0
    crashed: str = ""


async def _load(job: LoadJob, barrier: Any, progress: Any) -> LoadResult:
    result = LoadResult(worker=job.worker)
    signer = SIGNERS[job.signer](job.url, job.key_id, job.secret)
    url = job.url.rstrip("/") + "/"
    # This worker's users, interleaved with the other workers' so the table grows in
    # order whatever the workers' relative speed.
    numbers = iter(range(job.worker, job.users, job.workers))
    done_at = array("d")
    latencies = array("d")
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def warm() -> None:
            try:
                async with session.get(job.url.rstrip("/") + "/health") as response:
                    await response.read()
            except aiohttp.ClientError:
                result.warmup_errors += 1

        # One connection per task, opened before the start.
        await asyncio.gather(*(warm() for _ in range(job.concurrency)))
        await asyncio.get_running_loop().run_in_executor(None, barrier.wait)
        result.started = time.monotonic()
        cpu = time.process_time()

        async def task() -> None:
            for i in numbers:
                began = time.perf_counter()
                try:
                    status, data = await signed_call(
                        session, url, signer, "AdminCreateUser", create_user_body(job.pool_id, i)
                    )
                except aiohttp.ClientError as exc:
                    status, data = 0, repr(exc).encode()
                if status == 200:
                    now = time.monotonic()
                    done_at.append(now)
                    latencies.append((time.perf_counter() - began) * 1000)
                    progress[job.worker] += 1
                    continue
                result.errors += 1
                if len(result.error_samples) < MAX_ERROR_SAMPLES:
                    text = data[:400].decode(errors="replace")
                    result.error_samples.append(f"user{i}: HTTP {status}: {text}")

        await asyncio.gather(*(task() for _ in range(job.concurrency)))
        result.cpu_seconds = time.process_time() - cpu
        result.ended = time.monotonic()
    result.ok = len(done_at)
    result.done_at = done_at.tobytes()
    result.latencies_ms = latencies.tobytes()
    return result


def _load_worker(job: LoadJob, barrier: Any, progress: Any, results: Any) -> None:
    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            results.put(runner.run(_load(job, barrier, progress)))
    except BaseException:
        # The parent must not wait at the barrier for a worker that is gone.
        barrier.abort()
        results.put(LoadResult(worker=job.worker, crashed=traceback.format_exc()))


def _shares(total: int, parts: int) -> list[int]:
    shares = [total // parts + (1 if i < total % parts else 0) for i in range(parts)]
    return [s for s in shares if s]


def _server_rss(server: LocalServer) -> int:
    assert server.process is not None
    total = 0
    for proc in _server_processes(server.process.pid, server.workers):
        try:
            total += proc[0].memory_info().rss
        except psutil.Error:
            continue
    return total


def _interpolate(samples: list[tuple[float, float]], at: float) -> float:
    """The value of a sampled counter at ``at`` (linear between samples)."""
    if at <= samples[0][0]:
        return samples[0][1]
    for (t0, v0), (t1, v1) in itertools.pairwise(samples):
        if t0 <= at <= t1:
            return v0 if t1 == t0 else v0 + (v1 - v0) * (at - t0) / (t1 - t0)
    return samples[-1][1]


def load_users(
    server: LocalServer,
    pool_id: str,
    users: int,
    processes: int,
    concurrency: int,
    signer: str,
    slice_size: int,
) -> dict[str, Any]:
    """Create ``users`` users through AdminCreateUser as fast as the server takes them."""
    assert server.process is not None
    context = multiprocessing.get_context("spawn")
    shares = _shares(concurrency, processes)
    barrier = context.Barrier(len(shares) + 1)
    progress = context.Array("q", len(shares), lock=False)
    results: Any = context.Queue()
    workers = [
        context.Process(
            target=_load_worker,
            args=(
                LoadJob(
                    server.url,
                    server.admin_key_id,
                    server.admin_secret,
                    signer,
                    pool_id,
                    index,
                    len(shares),
                    users,
                    share,
                ),
                barrier,
                progress,
                results,
            ),
            daemon=True,
        )
        for index, share in enumerate(shares)
    ]
    for worker in workers:
        worker.start()
    server_cpu = ProcessCpu(server.process.pid)
    try:
        barrier.wait(timeout=120)
    except Exception as exc:
        for worker in workers:
            worker.kill()
        crashed = []
        with contextlib.suppress(queue.Empty):
            while True:
                crashed.append(results.get(timeout=1).crashed)
        raise RuntimeError(f"client processes did not start: {crashed}") from exc
    started = time.monotonic()
    busy_before = machine_busy_seconds()
    cpu_samples = [(started, server_cpu.seconds())]
    busy_samples = [(started, busy_before)]
    rss_samples = [(started, float(_server_rss(server)))]
    collected: list[LoadResult] = []
    last_log = (started, 0)
    while len(collected) < len(workers):
        try:
            collected.append(results.get(timeout=0.5))
        except queue.Empty:
            if not any(w.is_alive() for w in workers) and results.empty():
                raise RuntimeError("client processes exited without a result") from None
        now = time.monotonic()
        cpu_samples.append((now, server_cpu.seconds()))
        busy_samples.append((now, machine_busy_seconds()))
        if now - rss_samples[-1][0] >= 2:
            rss_samples.append((now, float(_server_rss(server))))
        if now - last_log[0] >= 10:
            done = sum(progress)
            _log(
                f"  {done:,} users ({(done - last_log[1]) / (now - last_log[0]):,.0f}/s "
                f"over the last {now - last_log[0]:.0f} s)"
            )
            last_log = (now, done)
    busy = machine_busy_seconds() - busy_before
    for worker in workers:
        worker.join(timeout=30)
    crashed = [r.crashed for r in collected if r.crashed]
    if crashed:
        raise RuntimeError("a client process failed:\n" + "\n".join(crashed))

    done_at = array("d")
    latencies = array("d")
    for r in collected:
        done_at.frombytes(r.done_at)
        latencies.frombytes(r.latencies_ms)
    ordered_done = sorted(done_at)
    ordered_latencies = sorted(latencies)
    ok = len(ordered_done)
    errors = sum(r.errors for r in collected)
    ended = max(r.ended for r in collected)
    last_answer = ordered_done[-1] if ordered_done else ended
    seconds = max(last_answer - started, 1e-9)
    total_server_cpu = _interpolate(cpu_samples, ended) - cpu_samples[0][1]
    client_cpu = sum(r.cpu_seconds for r in collected)

    slices = []
    for first in range(0, ok, slice_size):
        last = min(first + slice_size, ok)
        begin = started if first == 0 else ordered_done[first - 1]
        end = ordered_done[last - 1]
        span = max(end - begin, 1e-9)
        slice_cpu = _interpolate(cpu_samples, end) - _interpolate(cpu_samples, begin)
        slice_busy = _interpolate(busy_samples, end) - _interpolate(busy_samples, begin)
        slices.append(
            {
                "from_user": first,
                "to_user": last,
                "seconds": span,
                "users_per_s": (last - first) / span,
                "server_cpu_ms_per_user": slice_cpu / (last - first) * 1000,
                "server_cpu_pct_core": slice_cpu / span * 100,
                "machine_cpu_pct_core": slice_busy / span * 100,
                "server_rss_bytes_at_end": int(_interpolate(rss_samples, end)),
            }
        )
    return {
        "users": users,
        "created": ok,
        "errors": errors,
        "error_samples": [s for r in collected for s in r.error_samples][:MAX_ERROR_SAMPLES],
        "warmup_errors": sum(r.warmup_errors for r in collected),
        "seconds": seconds,
        "users_per_s": ok / seconds,
        "latency_ms": {
            "p50": percentile(ordered_latencies, 50),
            "p95": percentile(ordered_latencies, 95),
            "p99": percentile(ordered_latencies, 99),
            "max": ordered_latencies[-1] if ordered_latencies else None,
        },
        "client_processes": len(shares),
        "client_concurrency": sum(shares),
        "client_cpu_s": client_cpu,
        "client_cpu_ms_per_user": client_cpu / max(ok + errors, 1) * 1000,
        "server_cpu_s": total_server_cpu,
        "server_cpu_ms_per_user": total_server_cpu / max(ok + errors, 1) * 1000,
        "machine_busy_s": busy,
        "slice_size": slice_size,
        "slices": slices,
    }


# -- Reads, memory, restarts -------------------------------------------------------------


async def _reads(
    url: str, signer: Signer, pool_id: str, users: int, gets: int, pages: int, concurrency: int
) -> dict[str, Any]:
    rng = random.Random(7)
    names = [f"user{rng.randrange(max(users, 1))}" for _ in range(gets)]
    get_ms: list[float] = []
    list_ms: list[float] = []
    touched = 0
    errors = 0
    samples: list[str] = []
    endpoint = url.rstrip("/") + "/"

    def failed(operation: str, status: int, data: bytes) -> None:
        nonlocal errors
        errors += 1
        if len(samples) < MAX_ERROR_SAMPLES:
            samples.append(f"{operation}: HTTP {status}: {data[:400].decode(errors='replace')}")

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        pending = iter(names)

        async def getter() -> None:
            for name in pending:
                began = time.perf_counter()
                status, data = await signed_call(
                    session,
                    endpoint,
                    signer,
                    "AdminGetUser",
                    {"UserPoolId": pool_id, "Username": name},
                )
                if status != 200:
                    failed("AdminGetUser", status, data)
                    continue
                get_ms.append((time.perf_counter() - began) * 1000)

        async def lister() -> None:
            # Follows the pages from the first, so the pages walk across the table.
            nonlocal touched
            token = None
            for _ in range(pages):
                body: dict[str, Any] = {"UserPoolId": pool_id, "Limit": 60}
                if token:
                    body["PaginationToken"] = token
                began = time.perf_counter()
                status, data = await signed_call(session, endpoint, signer, "ListUsers", body)
                if status != 200:
                    failed("ListUsers", status, data)
                    token = None
                    continue
                list_ms.append((time.perf_counter() - began) * 1000)
                reply = orjson.loads(data)
                touched += len(reply.get("Users", []))
                token = reply.get("PaginationToken")

        started = time.perf_counter()
        await asyncio.gather(lister(), *(getter() for _ in range(concurrency)))
        seconds = time.perf_counter() - started
    get_ms.sort()
    list_ms.sort()
    return {
        "admin_get_user": gets,
        "list_users_pages": pages,
        "list_users_limit": 60,
        "users_listed": touched,
        "concurrency": concurrency + 1,
        "seconds": seconds,
        "errors": errors,
        "error_samples": samples,
        "admin_get_user_ms": {"p50": percentile(get_ms, 50), "p99": percentile(get_ms, 99)},
        "list_users_ms": {"p50": percentile(list_ms, 50), "p99": percentile(list_ms, 99)},
    }


def _server_processes(pid: int, workers: int) -> list[tuple[psutil.Process, str]]:
    root = psutil.Process(pid)
    # With --workers 1 the launched process serves by itself; with more it only
    # supervises the workers it forked.
    found = [(root, "supervisor" if workers > 1 else "server")]
    try:
        children = root.children(recursive=True)
    except psutil.Error:
        children = []
    for child in children:
        try:
            role = "worker" if child.ppid() == pid else f"child of {child.ppid()}"
        except psutil.Error:
            continue
        found.append((child, role))
    return found


def memory(server: LocalServer, moment: str) -> dict[str, Any]:
    """RSS of each of the server's processes; PSS and USS too where the kernel tells.

    Forked workers share the supervisor's pages until they write them, so the RSS total
    counts shared pages more than once; the PSS total is what the server really takes.
    """
    assert server.process is not None
    processes = []
    for proc, role in _server_processes(server.process.pid, server.workers):
        try:
            info = proc.memory_full_info()
        except psutil.AccessDenied:
            info = proc.memory_info()
        except psutil.Error:
            continue
        processes.append(
            {
                "role": role,
                "pid": proc.pid,
                "rss_bytes": info.rss,
                "pss_bytes": getattr(info, "pss", None),
                "uss_bytes": getattr(info, "uss", None),
            }
        )
    pss = [p["pss_bytes"] for p in processes]
    return {
        "moment": moment,
        "processes": processes,
        "total_rss_bytes": sum(p["rss_bytes"] for p in processes),
        "total_pss_bytes": sum(pss) if all(x is not None for x in pss) else None,
    }


def first_api_answer(
    server: LocalServer, signer: Signer, http: httpx.Client, body: dict[str, Any]
) -> tuple[float, str | None]:
    """Seconds from the launch to the answer of the first signed AdminGetUser, and what
    went wrong when that answer is not a 200."""
    assert server.launched_at is not None
    data = orjson.dumps(body)
    try:
        response = http.post(
            server.url + "/", content=data, headers=signer.headers("AdminGetUser", data)
        )
    except httpx.HTTPError as exc:
        return time.perf_counter() - server.launched_at, f"AdminGetUser: {exc!r}"
    elapsed = time.perf_counter() - server.launched_at
    if response.status_code != 200:
        return elapsed, f"AdminGetUser HTTP {response.status_code}: {response.text[:400]}"
    return elapsed, None


def database_bytes(server: LocalServer) -> int | None:
    if server.database_url:
        return None
    return sum(p.stat().st_size for p in server.data_dir.glob("poolgate.db*"))


# -- The report --------------------------------------------------------------------------


def _answered(restarts: list[dict[str, Any]]) -> list[float]:
    return [r["first_api_s"] for r in restarts if r["first_api_s"] is not None]


def _seconds(value: float | None) -> str:
    return "failed" if value is None else f"{value:.2f}"


def _mib(value: float | None) -> str:
    return "" if value is None else f"{value / MIB:,.1f}"


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def markdown(report: dict[str, Any]) -> str:
    meta = report["meta"]
    cold = report["cold_start"]
    load = report["load"]
    reads = report["reads"]
    signer = report["signer"]
    empty = "empty database" if meta["backend"] == "postgresql" else "empty data directory"
    lines = [
        "# Poolgate capacity",
        "",
        f"- date: {meta['date']}",
        f"- machine: {meta['machine']['nproc']} cores, {meta['machine']['cpu_model']}, "
        f"{meta['machine']['platform']}, Python {meta['machine']['python']}",
        f"- backend: {meta['backend']}; `poolgate serve --workers {meta['server_workers']}`",
        f"- command: `{meta['command']}`",
        "",
        "## Cold start to first answer",
        "",
        "Launch of `poolgate serve` to the first 200 from `GET /health` (polled every "
        f"{cold['poll_ms']:.0f} ms), and to the answer of a first signed AdminGetUser.",
        "",
        "| start | data | to /health 200 s | to first AdminGetUser s | old server stopped in s |",
        "| --- | --- | ---: | ---: | ---: |",
        f"| first | {empty} | {cold['first_start_s']:.2f} | | |",
    ]
    for n, restart in enumerate(cold["restarts"], 1):
        lines.append(
            f"| restart {n} | {load['created']:,} users | {restart['health_s']:.2f} | "
            f"{_seconds(restart['first_api_s'])} | {restart['stop_s']:.2f} |"
        )
    if cold["restarts"]:
        lines += [
            "",
            f"Median restart to /health: {cold['restart_median_s']:.2f} s; to the first "
            f"AdminGetUser: {_seconds(cold['restart_first_api_median_s'])} s.",
        ]
    if cold["restart_errors"]:
        lines += ["", "Restart errors (the server log is on stderr):", ""]
        lines += [f"- `{e.splitlines()[0]}`" for e in cold["restart_errors"]]
    lat = load["latency_ms"]
    lines += [
        "",
        "## Loading users (AdminCreateUser)",
        "",
        f"{load['created']:,} of {load['users']:,} users created in {load['seconds']:.1f} s: "
        f"**{load['users_per_s']:,.0f} users/s**, {load['errors']} errors. "
        f"{load['client_processes']} client processes, {load['client_concurrency']} requests "
        f"in flight, SigV4 by the {signer['used']} signer.",
        "",
        "| | |",
        "| --- | ---: |",
        f"| latency p50 / p95 / p99 / max ms | {_ms(lat['p50'])} / {_ms(lat['p95'])} / "
        f"{_ms(lat['p99'])} / {_ms(lat['max'])} |",
        f"| server CPU s (ms/user, % core) | {load['server_cpu_s']:.1f} "
        f"({load['server_cpu_ms_per_user']:.2f}, "
        f"{load['server_cpu_s'] / load['seconds'] * 100:.0f}) |",
        f"| client CPU s (ms/user, % core) | {load['client_cpu_s']:.1f} "
        f"({load['client_cpu_ms_per_user']:.2f}, "
        f"{load['client_cpu_s'] / load['seconds'] * 100:.0f}) |",
        f"| machine CPU % core (all processes) | "
        f"{load['machine_busy_s'] / load['seconds'] * 100:.0f} |",
        f"| SigV4 signature, client CPU ms | botocore {signer['botocore_ms']:.3f}, "
        f"minimal {signer['minimal_ms']:.3f} |",
    ]
    if report["database_bytes"] is not None:
        lines.append(f"| SQLite database after loading MiB | {_mib(report['database_bytes'])} |")
    lines += [
        "",
        f"Per {load['slice_size']:,} users, in the order they were created:",
        "",
        "| users | seconds | users/s | server CPU ms/user | server CPU % core "
        "| machine CPU % core | server RSS MiB at end |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in load["slices"]:
        lines.append(
            f"| {s['from_user']:,} to {s['to_user']:,} | {s['seconds']:.1f} | "
            f"{s['users_per_s']:,.0f} | {s['server_cpu_ms_per_user']:.2f} | "
            f"{s['server_cpu_pct_core']:.0f} | {s['machine_cpu_pct_core']:.0f} | "
            f"{_mib(s['server_rss_bytes_at_end'])} |"
        )
    if load["error_samples"]:
        lines += ["", "First errors:", ""]
        lines += [f"- `{s}`" for s in load["error_samples"]]
    lines += [
        "",
        "## Memory",
        "",
        f"Read workload: {reads['admin_get_user']:,} AdminGetUser on random users and "
        f"{reads['list_users_pages']} ListUsers pages (Limit 60, {reads['users_listed']:,} users "
        f"listed), {reads['concurrency']} in flight, in {reads['seconds']:.1f} s, "
        f"{reads['errors']} errors; AdminGetUser p50 {_ms(reads['admin_get_user_ms']['p50'])} ms, "
        f"ListUsers p50 {_ms(reads['list_users_ms']['p50'])} ms.",
        "",
        "| moment | process | pid | RSS MiB | PSS MiB | USS MiB |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for snap in report["memory"]:
        for p in snap["processes"]:
            lines.append(
                f"| {snap['moment']} | {p['role']} | {p['pid']} | {_mib(p['rss_bytes'])} | "
                f"{_mib(p['pss_bytes'])} | {_mib(p['uss_bytes'])} |"
            )
        lines.append(
            f"| {snap['moment']} | **total** | | **{_mib(snap['total_rss_bytes'])}** | "
            f"**{_mib(snap['total_pss_bytes'])}** | |"
        )
    if reads["error_samples"]:
        lines += ["", "Read errors:", ""]
        lines += [f"- `{s}`" for s in reads["error_samples"]]
    return "\n".join(lines) + "\n"


# -- main --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--server-workers", type=int, default=2, help="poolgate serve --workers")
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight, total")
    parser.add_argument("--signer", choices=sorted(SIGNERS), default="minimal")
    parser.add_argument("--slice", type=int, default=10_000, help="users per reported slice")
    parser.add_argument("--restarts", type=int, default=3)
    parser.add_argument("--reads", type=int, default=2000, help="AdminGetUser calls")
    parser.add_argument("--list-pages", type=int, default=200, help="ListUsers calls")
    parser.add_argument("--poll-ms", type=float, default=10, help="/health polling interval")
    parser.add_argument("--json", dest="json_path")
    parser.add_argument("--markdown", dest="markdown_path")
    args = parser.parse_args(argv)
    if args.users < 1 or args.processes < 1 or args.concurrency < 1 or args.slice < 1:
        parser.error("--users, --processes, --concurrency and --slice must be positive")
    poll = args.poll_ms / 1000

    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    server = LocalServer(args.database_url, args.server_workers)
    snapshots = []
    restarts: list[dict[str, Any]] = []
    restart_errors: list[str] = []
    _log(f"starting poolgate serve --workers {args.server_workers} ({server.backend})...")
    server.start(poll_interval=poll)
    assert server.started_in_s is not None
    first_start = server.started_in_s
    _log(f"  first start: {first_start:.2f} s")
    try:
        check_signer(server.url, server.admin_key_id, server.admin_secret)
        signer_ms = {
            name: signer_cost_ms(make(server.url, server.admin_key_id, server.admin_secret))
            for name, make in SIGNERS.items()
        }
        _log(
            f"  SigV4 client CPU per request: botocore {signer_ms['botocore']:.3f} ms, "
            f"minimal {signer_ms['minimal']:.3f} ms; using {args.signer}"
        )
        snapshots.append(memory(server, "idle, first start"))
        admin = admin_client(server.url, server.admin_key_id, server.admin_secret, REGION)
        pool_id = admin.create_user_pool(
            PoolName="capacity-bench", Policies={"PasswordPolicy": PASSWORD_POLICY}
        )["UserPool"]["Id"]
        admin.create_user_pool_client(
            UserPoolId=pool_id, ClientName="capacity", ExplicitAuthFlows=AUTH_FLOWS
        )

        _log(
            f"loading {args.users:,} users ({args.processes} client processes, "
            f"{args.concurrency} in flight)..."
        )
        load = load_users(
            server,
            pool_id,
            args.users,
            args.processes,
            args.concurrency,
            args.signer,
            args.slice,
        )
        _log(
            f"  {load['created']:,} users in {load['seconds']:.1f} s "
            f"({load['users_per_s']:,.0f}/s), {load['errors']} errors"
        )
        for sample in load["error_samples"]:
            _log(f"  error: {sample}")
        snapshots.append(memory(server, "after loading"))

        signer = SIGNERS[args.signer](server.url, server.admin_key_id, server.admin_secret)
        _log(f"reads: {args.reads:,} AdminGetUser, {args.list_pages} ListUsers...")
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            reads = runner.run(
                _reads(server.url, signer, pool_id, args.users, args.reads, args.list_pages, 8)
            )
        snapshots.append(memory(server, "after reads"))
        db_bytes = database_bytes(server)

        probe = {"UserPoolId": pool_id, "Username": f"user{args.users // 2}"}
        # A failed restart is reported with everything measured before it, not lost.
        with httpx.Client(timeout=30) as http:
            for n in range(args.restarts):
                before = time.perf_counter()
                try:
                    server.restart(poll_interval=poll)
                except RuntimeError as exc:
                    restart_errors.append(f"restart {n + 1}: {str(exc)[:2000]}")
                    break
                assert server.launched_at is not None and server.started_in_s is not None
                seconds, error = first_api_answer(server, signer, http, probe)
                restart = {
                    "stop_s": server.launched_at - before,
                    "health_s": server.started_in_s,
                    "first_api_s": seconds if error is None else None,
                }
                restarts.append(restart)
                _log(
                    f"  restart {n + 1}: /health {restart['health_s']:.2f} s, first "
                    f"AdminGetUser {seconds:.2f} s (stop {restart['stop_s']:.2f} s)"
                )
                if error is not None:
                    restart_errors.append(f"restart {n + 1}: {error}")
                    _log(f"  error: {error}")
        if restarts and not restart_errors:
            snapshots.append(memory(server, "after restart"))
        if load["errors"] or reads["errors"] or restart_errors:
            _log(f"server log (end):\n{server.log()[-4000:]}")
    except BaseException:
        _log(f"server log:\n{server.log()[-4000:]}")
        raise
    finally:
        server.stop()

    report = {
        "meta": {
            "date": date,
            "machine": machine(),
            "command": _command(argv),
            "backend": server.backend,
            "server_workers": args.server_workers,
        },
        "cold_start": {
            "poll_ms": args.poll_ms,
            "first_start_s": first_start,
            "restarts": restarts,
            "restarts_s": [r["health_s"] for r in restarts],
            "restart_median_s": (
                statistics.median(r["health_s"] for r in restarts) if restarts else None
            ),
            "restart_first_api_median_s": (
                statistics.median(answered) if (answered := _answered(restarts)) else None
            ),
            "restart_errors": restart_errors,
        },
        "signer": {
            "used": args.signer,
            "botocore_ms": signer_ms["botocore"],
            "minimal_ms": signer_ms["minimal"],
        },
        "load": load,
        "reads": reads,
        "memory": snapshots,
        "database_bytes": db_bytes,
    }
    text = markdown(report)
    print(text, end="")
    if args.markdown_path:
        Path(args.markdown_path).write_text(text)
    if args.json_path:
        Path(args.json_path).write_bytes(orjson.dumps(report, option=orjson.OPT_INDENT_2))
    failed = load["errors"] or reads["errors"] or restart_errors
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
