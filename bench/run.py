"""Poolgate's benchmark: Cognito's sign-up and sign-in paths under concurrent load.

    .venv/bin/python -m bench.run                      # starts its own server (SQLite)
    .venv/bin/python -m bench.run --url http://127.0.0.1:9229 --scenarios srp

See bench/README.md for the options and what each column means.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as ``python bench/run.py``
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import wrk
from bench.floor import floor_ms, recipe_ms
from bench.floor import measure as measure_floor
from bench.load import PASSKEY_ORIGIN, SCENARIOS, Job, WorkerPool, split
from bench.provision import (
    FEDERATED_CALLBACK,
    FEDERATED_PROVIDER,
    Provisioned,
    admin_client,
    delete_pool,
    fetch_tokens,
    provision,
    provision_email_otp,
    provision_federated,
    provision_passkey,
    provision_totp,
    trigger_config,
    trigger_lambda_config,
)
from bench.report import machine, markdown, summarize, targets
from bench.server import LocalServer, ProcessCpu, machine_busy_seconds, postgres_cpu_seconds

SIGN_IN = {"password", "srp", "refresh", "get_user", "passkey", "federated"}


def _int_list(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError("concurrency levels must be positive integers")
    return values


def _scenarios(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown scenario(s) {', '.join(unknown) or '(none)'}; choose from "
            + ",".join(SCENARIOS)
        )
    return names


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="Benchmark a Cognito-compatible endpoint (by default a Poolgate "
        "server the benchmark starts and stops itself).",
    )
    parser.add_argument(
        "--url",
        help="Cognito endpoint; default: start a local `poolgate serve` on a free port "
        "with a temporary data directory",
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="for the server the benchmark starts: PostgreSQL URL (default SQLite)",
    )
    parser.add_argument(
        "--server-workers",
        type=int,
        default=1,
        help="for the server the benchmark starts: poolgate serve --workers N (default 1)",
    )
    parser.add_argument("--admin-key-id", help="admin access key id (default: $AWS_ACCESS_KEY_ID)")
    parser.add_argument(
        "--admin-secret", help="admin secret access key (default: $AWS_SECRET_ACCESS_KEY)"
    )
    parser.add_argument(
        "--region",
        default=os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "us-east-1",
        help="region for the signed admin calls (default $AWS_DEFAULT_REGION or us-east-1)",
    )
    parser.add_argument(
        "--concurrency",
        type=_int_list,
        default=[1, 16, 64],
        help="comma-separated concurrency levels (default 1,16,64)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=10.0,
        help="seconds per (scenario, concurrency) level (default 10)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        help="stop after this many requests per level instead of after --duration",
    )
    parser.add_argument(
        "--scenarios",
        type=_scenarios,
        default=list(SCENARIOS),
        help="comma-separated, from " + ",".join(SCENARIOS) + " (default: all)",
    )
    parser.add_argument(
        "--users", type=int, default=200, help="users created for the sign-in scenarios"
    )
    parser.add_argument(
        "--totp-users",
        type=int,
        default=150,
        help="totp and email_otp: users per concurrency level; each signs in once (a TOTP "
        "code is single use, a user gets 5 codes an hour), so such a level is this many "
        "sign-ins, not --duration",
    )
    parser.add_argument(
        "--processes", type=int, default=2, help="client worker processes (default 2)"
    )
    parser.add_argument(
        "--server-pid",
        type=int,
        help="with --url: a local server process whose CPU time to sample (and children's)",
    )
    parser.add_argument(
        "--backend", help="with --url: what to call the endpoint's backend in the report"
    )
    parser.add_argument(
        "--keep-pool",
        action="store_true",
        help="with --url: keep the benchmark's user pool instead of deleting it",
    )
    parser.add_argument(
        "--floor-repetitions",
        type=int,
        default=200,
        help="repetitions of each crypto primitive timed for the crypto floor (default 200)",
    )
    parser.add_argument(
        "--wrk",
        action="store_true",
        help="drive the read paths (" + ",".join(wrk.WRK_SCENARIOS) + ") with wrk instead of "
        "the Python clients, which cost the machine about as much CPU as the server",
    )
    parser.add_argument(
        "--sqlite-synchronous",
        type=lambda text: [v.strip().lower() for v in text.split(",") if v.strip()],
        default=[],
        help="run once per value (full,normal) of the started SQLite server's "
        "sqlite_synchronous, and compare them",
    )
    parser.add_argument("--json", type=Path, help="write the results as JSON here")
    parser.add_argument("--markdown", type=Path, help="write the Markdown report here")
    args = parser.parse_args(argv)
    if args.url and args.database_url:
        parser.error("--database-url is for the server the benchmark starts; not with --url")
    if not args.url and (args.server_pid or args.backend or args.keep_pool):
        parser.error("--server-pid, --backend and --keep-pool go with --url")
    if args.requests is not None and args.requests < 1:
        parser.error("--requests must be positive")
    if args.duration <= 0:
        parser.error("--duration must be positive")
    if args.floor_repetitions < 1:
        parser.error("--floor-repetitions must be positive")
    if args.processes < 1:
        parser.error("--processes must be positive")
    if args.users < 1 and SIGN_IN & set(args.scenarios):
        parser.error("the sign-in scenarios need --users of at least 1")
    if args.wrk and not wrk.available():
        parser.error("--wrk: wrk is not installed (Debian: apt-get install wrk)")
    if args.sqlite_synchronous and (args.url or args.database_url):
        parser.error("--sqlite-synchronous is for the SQLite server the benchmark starts")
    if set(args.sqlite_synchronous) - {"full", "normal"}:
        parser.error("--sqlite-synchronous takes full and/or normal")
    if args.wrk and args.requests is not None:
        parser.error("--wrk runs for --duration; it does not take --requests")
    return args


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _command(argv: list[str]) -> str:
    prog = "python -m bench.run" if __package__ else f"python {sys.argv[0]}"
    return " ".join([prog, *(shlex.quote(a) for a in argv)])


def _jobs(
    args: argparse.Namespace,
    url: str,
    setup: Provisioned,
    scenario: str,
    concurrency: int,
    level: int,
) -> list[Job]:
    shares = [s for s in split(concurrency, args.processes) if s > 0]
    request_shares: list[int | None] = [None] * len(shares)
    if args.requests is not None:
        # In proportion to each worker's concurrency; at least one each.
        request_shares = [max(1, args.requests * s // concurrency) for s in shares]
        request_shares[0] += max(0, args.requests - sum(r or 0 for r in request_shares))
    tokens = {"refresh": setup.refresh_tokens, "get_user": setup.access_tokens}.get(scenario, [])
    slices: list[list[Any]] = [[] for _ in shares]
    once: dict[str, list[Any]] = {
        "totp": setup.totp_users,
        "email_otp": setup.email_otp.users if setup.email_otp else [],
    }
    if scenario in once:
        # Each user signs in once per level (a TOTP code is single use; a user is sent
        # at most 5 codes an hour): this level's own users, as many as it makes
        # sign-ins (its requests and each task's warm-up one).
        users = once[scenario]
        per_level = len(users) // len(args.concurrency)
        index = args.concurrency.index(concurrency)
        mine = users[index * per_level : (index + 1) * per_level]
        requests = max(len(shares), len(mine) - concurrency)
        request_shares = [max(1, requests * s // concurrency) for s in shares]
        start = 0
        for i, share in enumerate(shares):
            slices[i] = mine[start : start + share + (request_shares[i] or 0)]
            start += len(slices[i])
    own = {
        "triggers": setup.triggers,
        "email_otp": setup.email_otp,
        "passkey": setup.passkey,
        "federated": setup.federated,
    }.get(scenario) or setup
    return [
        Job(
            scenario=scenario,
            url=url,
            pool_id=own.pool_id,
            client_id=own.client_id,
            run_id=setup.run_id,
            level=level,
            worker=i,
            workers=len(shares),
            concurrency=share,
            duration=None if args.requests is not None or scenario in once else args.duration,
            requests=request_shares[i],
            users=(
                own.users
                if scenario in ("triggers", "federated")
                else setup.users
                if scenario in ("password", "srp")
                else []
            ),
            tokens=tokens,
            totp_users=slices[i] if scenario == "totp" else [],
            email_users=slices[i] if scenario == "email_otp" else [],
            passkeys=setup.passkeys if scenario == "passkey" else [],
            provider=FEDERATED_PROVIDER if scenario == "federated" else "",
            callback=FEDERATED_CALLBACK if scenario == "federated" else "",
        )
        for i, share in enumerate(shares)
    ]


def benchmark(
    args: argparse.Namespace, argv: list[str], server_env: dict[str, str] | None = None
) -> dict[str, Any]:
    server: LocalServer | None = None
    probe: ProcessCpu | None = None
    admin: Any = None
    setup: Provisioned | None = None
    workers: WorkerPool | None = None
    try:
        if args.url:
            url = args.url
            key_id = args.admin_key_id or os.environ.get("AWS_ACCESS_KEY_ID")
            secret = args.admin_secret or os.environ.get("AWS_SECRET_ACCESS_KEY")
            backend = args.backend or "external"
            if args.server_pid:
                probe = ProcessCpu(args.server_pid)
        else:
            server = LocalServer(args.database_url, workers=args.server_workers)
            server.extra_env.update(server_env or {})
            if "triggers" in args.scenarios:
                server.serve_args = ["--config", str(trigger_config(server.data_dir))]
            _log(f"starting poolgate serve ({server.backend}) on {server.url}")
            server.start()
            url = server.url
            key_id = args.admin_key_id or server.admin_key_id
            secret = args.admin_secret or server.admin_secret
            backend = server.backend
            probe = server.cpu()
        # Spawned before the setup's threads; they import their modules meanwhile.
        workers = WorkerPool(args.processes)
        admin = admin_client(url, key_id, secret, args.region)
        _log(f"setup: a pool, a client and {args.users} users")
        setup = provision(admin, args.users)
        _log(
            f"setup: {len(setup.users)} users in {setup.setup_seconds:.2f} s "
            f"({setup.users_per_second:.1f} users/s)"
        )
        if {"refresh", "get_user"} & set(args.scenarios):
            fetch_tokens(url, setup)
            _log(f"tokens: {len(setup.users)} sign-ins in {setup.token_seconds:.2f} s")
        if "triggers" in args.scenarios:
            # A server given by --url must declare the functions itself (bench/README.md).
            setup.triggers = provision(
                admin, args.users, lambda_config=trigger_lambda_config(args.region)
            )
            _log(f"triggers: a pool with 2 triggers and {args.users} users")
        if "email_otp" in args.scenarios:
            count = args.totp_users * len(args.concurrency)
            setup.email_otp = provision_email_otp(admin, count)
            _log(f"email_otp: a pool with {count} users who sign in with emailed codes")
        if "passkey" in args.scenarios:
            setup.passkey, setup.passkeys = provision_passkey(
                url, admin, args.users, PASSKEY_ORIGIN
            )
            _log(
                f"passkey: a pool with {args.users} users, each with a passkey, in "
                f"{setup.passkey.setup_seconds:.2f} s"
            )
        if "federated" in args.scenarios:
            setup.federated = provision_federated(url, admin, args.users)
            _log(
                f"federated: an upstream pool with {args.users} users and a downstream "
                f"pool federating it, in {setup.federated.setup_seconds:.2f} s"
            )
        if "totp" in args.scenarios:
            count = args.totp_users * len(args.concurrency)
            provision_totp(url, admin, setup, count)
            _log(f"totp: {count} users with an authenticator in {setup.totp_seconds:.2f} s")
        # The floor, timed here while the server and the client workers are idle.
        floor = measure_floor(args.floor_repetitions)
        _log(
            "crypto floor (CPU ms): "
            + ", ".join(f"{k} {v:.3f}" for k, v in floor["primitives_ms"].items())
        )
        timeout = (args.duration if args.requests is None else 0) + 300
        # A PostgreSQL on this machine: its processes' CPU per level, reported apart.
        sample_database = backend == "postgresql" and bool(postgres_cpu_seconds())
        rows: list[dict[str, Any]] = []
        level = 0
        for scenario in args.scenarios:
            for concurrency in args.concurrency:
                level += 1
                cpu_at_start: list[float] = []
                busy_at_start: list[float] = []
                db_at_start: list[float] = []

                def on_start(
                    cpu_at_start: list[float] = cpu_at_start,
                    busy_at_start: list[float] = busy_at_start,
                    db_at_start: list[float] = db_at_start,
                ) -> None:
                    busy_at_start.append(machine_busy_seconds())
                    if sample_database:
                        db_at_start.append(postgres_cpu_seconds())
                    if probe is not None:
                        cpu_at_start.append(probe.seconds())

                if args.wrk and scenario in wrk.WRK_SCENARIOS:
                    db_before = postgres_cpu_seconds() if sample_database else None
                    row = wrk.run(
                        url,
                        scenario,
                        concurrency,
                        args.duration,
                        args.processes,
                        setup.access_tokens,
                        server_cpu=probe.seconds if probe is not None else lambda: None,
                        machine_busy=machine_busy_seconds,
                    )
                    if db_before is not None and row["requests"]:
                        # Over wrk's whole run, its short warm-up included.
                        db_cpu = postgres_cpu_seconds() - db_before
                        row["database_cpu_ms_per_request"] = db_cpu / row["requests"] * 1000
                else:
                    jobs = _jobs(args, url, setup, scenario, concurrency, level)
                    start_at, results = workers.run(jobs, on_start, timeout)
                    server_cpu = (
                        probe.seconds() - cpu_at_start[0]
                        if probe is not None and cpu_at_start
                        else None
                    )
                    machine_busy = machine_busy_seconds() - busy_at_start[0]
                    level_floor = recipe_ms(scenario, args.floor_repetitions)
                    row = summarize(
                        scenario,
                        concurrency,
                        start_at,
                        results,
                        server_cpu,
                        machine_busy,
                        level_floor,
                    )
                    row["floor_at_start_ms_per_op"] = floor_ms(floor, scenario)
                    if db_at_start:
                        # PostgreSQL's own CPU, apart from the server's (issue 18).
                        db_cpu = postgres_cpu_seconds() - db_at_start[0]
                        row["database_cpu_ms_per_request"] = (
                            db_cpu / row["requests"] * 1000 if row["requests"] else None
                        )
                rows.append(row)
                _log(
                    f"{scenario:>9}{' (wrk)' if row.get('driver') == 'wrk' else ''} "
                    f"c={concurrency:<4} {row['requests']:>7} req "
                    f"{row['errors']:>4} err {row['requests_per_s']:>8.1f} req/s "
                    f"p50 {row['latency_ms']['p50'] or 0:.1f} ms "
                    f"p99 {row['latency_ms']['p99'] or 0:.1f} ms "
                    f"client CPU {row['client_cpu_pct_core']:.0f}%"
                    + (
                        f" server CPU {row['server_cpu_pct_core']:.0f}%"
                        if row["server_cpu_pct_core"] is not None
                        else ""
                    )
                    + (
                        f" crypto eff. {row['crypto_efficiency']:.2f}"
                        if row["crypto_efficiency"] is not None
                        else ""
                    )
                )
        # What each worker holds after every scenario ran (issue 18: < 150 MB each).
        workers_rss = server.workers_rss() if server is not None else []
        try:
            import uvloop  # noqa: F401

            client = "aiohttp + uvloop"
        except ImportError:
            client = "aiohttp + asyncio"
        return {
            "meta": {
                "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
                "machine": machine(),
                "endpoint": url,
                "server_started": server is not None,
                "server_workers": args.server_workers if server is not None else None,
                "backend": backend,
                "command": _command(argv),
                "client": client,
                "client_processes": args.processes,
                "concurrency": args.concurrency,
                "duration_s": None if args.requests is not None else args.duration,
                "requests": args.requests,
                "scenarios": args.scenarios,
                "read_paths_driver": "wrk" if args.wrk else "python",
            },
            "server_cpu_sampled": probe is not None,
            "setup": {
                "pool_id": setup.pool_id,
                "client_id": setup.client_id,
                "users": len(setup.users),
                "seconds": setup.setup_seconds,
                "users_per_s": setup.users_per_second,
                "token_sign_ins_s": setup.token_seconds,
            },
            "crypto_floor": floor,
            "results": rows,
            "server_workers_rss": workers_rss,
            "targets": targets(rows, workers_rss),
        }
    except BaseException:
        if server is not None:
            _log("the server's log (last 4000 characters):\n" + server.log()[-4000:])
        raise
    finally:
        if workers is not None:
            workers.close()
        if setup is not None and server is None and not args.keep_pool:
            extras = (setup.triggers, setup.email_otp, setup.passkey, setup.federated)
            pools = [setup.pool_id]
            for extra in extras:
                if extra is not None:
                    pools += [extra.pool_id, *extra.extra_pool_ids]
            for pool_id in pools:
                try:
                    delete_pool(admin, pool_id)
                except Exception as exc:
                    _log(f"could not delete the benchmark's pool {pool_id}: {exc}")
        if server is not None:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if args.sqlite_synchronous:
        return compare_synchronous(args, argv)
    report = benchmark(args, argv)
    text = markdown(report)
    print(text, end="")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    if args.markdown:
        args.markdown.write_text(text)
    return 0


def compare_synchronous(args: argparse.Namespace, argv: list[str]) -> int:
    """One benchmark per sqlite_synchronous value, one after the other on the same
    machine, then a table of the two side by side."""
    reports = {}
    for value in args.sqlite_synchronous:
        _log(f"sqlite_synchronous={value}")
        reports[value] = benchmark(args, argv, {"POOLGATE_SQLITE_SYNCHRONOUS": value})
    values = list(reports)
    lines = ["# SQLite synchronous: " + " vs ".join(v.upper() for v in values), ""]
    header = ["scenario", "c"]
    for value in values:
        header += [f"{value.upper()} req/s", f"{value.upper()} p50 ms", f"{value.upper()} p99 ms"]
    lines += ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for i, row in enumerate(reports[values[0]]["results"]):
        cells = [row["scenario"], str(row["concurrency"])]
        for value in values:
            other = reports[value]["results"][i]
            latency = other["latency_ms"]
            cells += [
                f"{other['requests_per_s']:.1f}",
                f"{latency['p50'] or 0:.2f}",
                f"{latency['p99'] or 0:.2f}",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    text = (
        "\n".join(lines)
        + "\n\n"
        + "\n".join(
            f"## sqlite_synchronous={value}\n\n{markdown(report)}"
            for value, report in reports.items()
        )
    )
    print(text, end="")
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2) + "\n")
    if args.markdown:
        args.markdown.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
