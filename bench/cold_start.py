"""Cold start: seconds from launching ``poolgate serve`` to its first ``/health`` 200, on a
data directory (or PostgreSQL database) that already holds a pool with ``--users`` users.

    .venv/bin/python -m bench.cold_start --users 100000 --runs 5 --server-workers 2

It starts its own server (bench.server.LocalServer) once to create the schema, a pool, an
app client and one user through the API, stops it, copies that user ``--users - 1``
times straight through the store (``SqlStore.create_users``, 2,000 at a time: the API
would take minutes for 100,000 users, and the start does not care how they got there),
then launches the server ``--runs`` times and reports, per launch, the seconds to the
first ``/health`` 200 (polled every ``--poll-ms``), to the first signed AdminGetUser
answered (what a first real request waits for, lazy imports included), and the CPU
seconds the server's processes spent until that first ``/health`` (less noisy than the
wall time on a busy machine). The median of the runs is the figure issue 18 asks for.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as ``python bench/cold_start.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.capacity import MinimalSigner, first_api_answer
from bench.provision import PASSWORD, admin_client
from bench.report import machine
from bench.server import LocalServer
from poolgate.config import Settings
from poolgate.core.users.lookup import index_keys
from poolgate.store.sql import SqlStore

REGION = "us-east-1"
_BATCH = 2000


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _template(server: LocalServer) -> tuple[str, str]:
    """A pool, a client and one confirmed user with a password, through the API."""
    admin = admin_client(server.url, server.admin_key_id, server.admin_secret, REGION)
    pool_id = admin.create_user_pool(PoolName="cold-start")["UserPool"]["Id"]
    admin.create_user_pool_client(UserPoolId=pool_id, ClientName="cold-start")
    username = "cold-000000"
    admin.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": f"{username}@example.com"}],
    )
    admin.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
    )
    return pool_id, username


async def _copy_users(database_url: str, pool_id: str, username: str, count: int) -> None:
    """``count`` copies of the template user (new username, sub and email). Their
    sealed credentials stay bound to the template's sub, so they cannot sign in: the
    start only reads the database, it does not open credentials."""
    store = await SqlStore.open(database_url)
    try:
        pool = await store.get_pool(pool_id)
        template = await store.get_user(pool_id, username)
        assert pool is not None and template is not None
        for start in range(1, count + 1, _BATCH):
            batch = []
            for i in range(start, min(start + _BATCH, count + 1)):
                name = f"cold-{i:06d}"
                sub = str(uuid.uuid4())
                attributes = {**template.attributes, "sub": sub, "email": f"{name}@example.com"}
                user = dataclasses.replace(
                    template, username=name, sub=sub, attributes=attributes, state={}
                )
                batch.append(index_keys(pool, user))
            await store.create_users(batch)
    finally:
        await store.close()


def _database_url(server: LocalServer) -> str:
    return Settings(
        data_dir=server.data_dir, database_url=server.database_url
    ).effective_database_url


def measure(
    server: LocalServer, users: int, runs: int, poll: float
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    server.start(poll_interval=poll)
    first = server.started_in_s
    setup_started = time.perf_counter()
    pool_id, username = _template(server)
    server.halt()
    _log(f"copying the template user {users - 1:,} times...")
    asyncio.run(_copy_users(_database_url(server), pool_id, username, users - 1))
    setup = {
        "first_start_s": first,
        "users": users,
        "setup_s": time.perf_counter() - setup_started,
    }
    signer = MinimalSigner(server.url, server.admin_key_id, server.admin_secret)
    body = {"UserPoolId": pool_id, "Username": f"cold-{users - 1:06d}"}
    results = []
    for n in range(runs):
        with httpx.Client(timeout=30) as http:
            server.start(poll_interval=poll)
            health_cpu = server.cpu().seconds()
            first_api, error = first_api_answer(server, signer, http, body)
        results.append(
            {
                "health_s": server.started_in_s,
                "first_api_s": first_api,
                "health_cpu_s": health_cpu,
                "error": error,
            }
        )
        _log(f"  run {n + 1}: /health {server.started_in_s:.3f} s, first AdminGetUser "
             f"{first_api:.3f} s, CPU to /health {health_cpu:.3f} s")  # fmt: skip
        server.halt()
    return setup, results


def summary(results: list[dict[str, Any]]) -> dict[str, Any]:
    def stats(key: str) -> dict[str, float]:
        values = [float(r[key]) for r in results if r[key] is not None]
        return {
            "median": statistics.median(values),
            "min": min(values),
            "max": max(values),
        }

    return {key: stats(key) for key in ("health_s", "first_api_s", "health_cpu_s")}


def markdown(report: dict[str, Any]) -> str:
    meta, setup, stats = report["meta"], report["setup"], report["summary"]
    box = meta["machine"]
    lines = [
        f"# Cold start ({meta['backend']}, `--workers {meta['server_workers']}`)",
        "",
        f"- {meta['date']}; `{meta['command']}`",
        f"- machine: {box['nproc']} CPUs, {box['cpu_model']}, Python {box['python']}",
        f"- {setup['users']:,} users in the data directory; each launch polled `/health` every "
        f"{meta['poll_ms']:.0f} ms",
        "",
        "| run | to /health 200 s | to first AdminGetUser s | server CPU to /health s |",
        "| --- | ---: | ---: | ---: |",
    ]
    for n, run in enumerate(report["runs"], 1):
        lines.append(
            f"| {n} | {run['health_s']:.3f} | {run['first_api_s']:.3f} | "
            f"{run['health_cpu_s']:.3f} |"
        )
    for name in ("median", "min", "max"):
        lines.append(
            f"| {name} | {stats['health_s'][name]:.3f} | {stats['first_api_s'][name]:.3f} | "
            f"{stats['health_cpu_s'][name]:.3f} |"
        )
    errors = [run["error"] for run in report["runs"] if run["error"]]
    lines += ["", f"errors: {len(errors)}"] + [f"- {e}" for e in errors]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--server-workers", type=int, default=2, help="poolgate serve --workers")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--poll-ms", type=float, default=10, help="/health polling interval")
    parser.add_argument("--json", dest="json_path")
    parser.add_argument("--markdown", dest="markdown_path")
    args = parser.parse_args(argv)
    if args.users < 1 or args.runs < 1:
        parser.error("--users and --runs must be positive")
    server = LocalServer(args.database_url, args.server_workers)
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    try:
        setup, runs = measure(server, args.users, args.runs, args.poll_ms / 1000)
    finally:
        server.stop()
    report = {
        "meta": {
            "date": date,
            "command": "python -m bench.cold_start " + " ".join(argv),
            "backend": server.backend,
            "server_workers": args.server_workers,
            "poll_ms": args.poll_ms,
            "machine": machine(),
        },
        "setup": setup,
        "runs": runs,
        "summary": summary(runs),
    }
    text = markdown(report)
    print(text)
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(report, indent=2))
    if args.markdown_path:
        Path(args.markdown_path).write_text(text)
    return 1 if any(run["error"] for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
