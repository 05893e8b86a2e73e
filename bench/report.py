"""Summaries of one level's samples, the machine header, Markdown and JSON output."""

from __future__ import annotations

import math
import os
import platform
from array import array
from typing import Any

from bench.load import HTTP_PER_OP, WorkerResult


def percentile(ordered: list[float], q: float) -> float | None:
    """Nearest-rank percentile of already sorted samples (None when there are none)."""
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[rank - 1]


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, Any]:
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count() or 0
    return {
        "nproc": nproc,
        "cpu_model": cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def summarize(
    scenario: str,
    concurrency: int,
    start_at: float,
    results: list[WorkerResult],
    server_cpu_seconds: float | None,
    machine_busy_seconds: float | None = None,
    floor_ms: float | None = None,
) -> dict[str, Any]:
    """One (scenario, concurrency) row from every worker's raw samples.

    ``floor_ms`` is the scenario's crypto floor (CPU ms per operation, ``bench.floor``);
    with a sampled server CPU it gives the crypto efficiency, floor / server CPU per op.
    """
    latencies: list[float] = []
    for result in results:
        samples = array("d")
        samples.frombytes(result.latencies_ms)
        latencies.extend(samples)
    latencies.sort()
    ok = sum(r.ok for r in results)
    errors = sum(r.errors for r in results)
    requests = ok + errors
    ended = max((r.ended for r in results), default=start_at)
    elapsed = max(ended - start_at, 1e-9)
    client_cpu = sum(r.cpu_seconds for r in results)
    samples_text: list[str] = []
    for result in results:
        samples_text.extend(result.error_samples)

    def per_request_ms(seconds: float | None) -> float | None:
        if seconds is None or not requests:
            return None
        return seconds / requests * 1000.0

    server_ms = per_request_ms(server_cpu_seconds)
    efficiency = (
        floor_ms / server_ms
        if floor_ms is not None and floor_ms > 0 and server_ms is not None and server_ms > 0
        else None
    )
    return {
        "scenario": scenario,
        "concurrency": concurrency,
        "driver": "python",
        "requests": requests,
        "ok": ok,
        "errors": errors,
        "error_samples": samples_text[:5],
        "warmup_errors": sum(r.warmup_errors for r in results),
        "http_requests": sum(r.http_requests for r in results),
        "http_requests_per_op": HTTP_PER_OP[scenario],
        "elapsed_s": elapsed,
        "requests_per_s": ok / elapsed,
        "latency_ms": {
            "p50": percentile(latencies, 50),
            "p95": percentile(latencies, 95),
            "p99": percentile(latencies, 99),
            "mean": sum(latencies) / len(latencies) if latencies else None,
            "max": latencies[-1] if latencies else None,
        },
        "client_processes": len(results),
        "client_cpu_s": client_cpu,
        "client_cpu_ms_per_request": per_request_ms(client_cpu),
        "client_cpu_pct_core": client_cpu / elapsed * 100.0,
        "server_cpu_s": server_cpu_seconds,
        "server_cpu_ms_per_request": server_ms,
        "floor_cpu_ms_per_op": floor_ms,
        "crypto_efficiency": efficiency,
        "server_cpu_pct_core": (
            None if server_cpu_seconds is None else server_cpu_seconds / elapsed * 100.0
        ),
        "machine_cpu_pct_core": (
            None if machine_busy_seconds is None else machine_busy_seconds / elapsed * 100.0
        ),
    }


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


COLUMNS = [
    "scenario",
    "conc.",
    "requests",
    "errors",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "client CPU ms/req",
    "client CPU % core",
    "server CPU ms/req",
    "server CPU % core",
    "machine CPU % core",
    "floor CPU ms/op",
    "crypto eff.",
]


PRIMITIVE_LABELS = {
    "rs256_sign": "RS256 signature (RSA-2048, PyJWT `jwt.encode`)",
    "rs256_verify": "RS256 verification (PyJWT `jwt.decode`)",
    "es256_verify": "ES256 verification (P-256 ECDSA, `cryptography`; a passkey assertion)",
    "password_check": "password check (`srp.password_matches`, one modexp)",
    "srp_start_challenge": "SRP `start_challenge` (g^b)",
    "srp_expected_signature": "SRP `expected_signature` (v^u, (A v^u)^b)",
    "make_verifier": "`srp.make_verifier` (one modexp)",
    "modexp_g_256": "3072-bit modexp of g = 2, 256-bit exponent (gmpy2 `powmod`)",
    "modexp_3072_256": "3072-bit modexp of a random base, 256-bit exponent (gmpy2 `powmod`)",
}


def _floor_header(floor: dict[str, Any] | None) -> list[str]:
    if not floor:
        return []
    lines = [
        f"- crypto floor: CPU time in the benchmark process (`time.process_time()`, "
        f"{floor['repetitions']} repetitions each), same machine, same run:",
        "",
        "| primitive | CPU ms |",
        "|---|---:|",
    ]
    for name, value in floor["primitives_ms"].items():
        lines.append(f"| {PRIMITIVE_LABELS.get(name, name)} | {_num(value, 3)} |")
    lines += ["", "| scenario | floor CPU ms/op | counts |", "|---|---:|---|"]
    for scenario, entry in floor["scenarios"].items():
        lines.append(f"| {scenario} | {_num(entry['floor_ms'], 3)} | {entry['note']} |")
    return lines


def markdown(report: dict[str, Any]) -> str:
    meta = report["meta"]
    setup = report["setup"]
    mach = meta["machine"]
    bound = (
        f"{meta['requests']} requests per level"
        if meta.get("requests")
        else f"{meta['duration_s']:g} s per level"
    )
    lines = [
        "# Poolgate benchmark",
        "",
        f"- date: {meta['date']}",
        f"- machine: {mach['nproc']} cores ({mach['cpu_model']}), {mach['platform']}, "
        f"Python {mach['python']}",
        f"- endpoint: {meta['endpoint']}"
        + (
            " (`poolgate serve` started by the benchmark, "
            f"{meta.get('server_workers', 1)} worker process(es))"
            if meta["server_started"]
            else ""
        ),
        f"- backend: {meta['backend']}",
        f"- command: `{meta['command']}`",
        f"- client: {meta['client_processes']} "
        f"process{'es' if meta['client_processes'] != 1 else ''}, {meta['client']}; {bound}",
        f"- setup: {setup['users']} users in {setup['seconds']:.2f} s "
        f"({setup['users_per_s']:.1f} users/s)",
        *_floor_header(report.get("crypto_floor")),
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(COLUMNS))) + "|",
    ]
    for row in report["results"]:
        lat = row["latency_ms"]
        cells = [
            row["scenario"] + (" (wrk)" if row.get("driver") == "wrk" else ""),
            str(row["concurrency"]),
            f"{row['requests']:,}",
            f"{row['errors']:,}",
            _num(row["requests_per_s"]),
            _num(lat["p50"]),
            _num(lat["p95"]),
            _num(lat["p99"]),
            _num(row["client_cpu_ms_per_request"], 2),
            _num(row["client_cpu_pct_core"], 0),
            _num(row["server_cpu_ms_per_request"], 2),
            _num(row["server_cpu_pct_core"], 0),
            _num(row.get("machine_cpu_pct_core"), 0),
            _num(row.get("floor_cpu_ms_per_op"), 2),
            _num(row.get("crypto_efficiency"), 2),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "One `srp` request is a full sign-in: InitiateAuth + RespondToAuthChallenge "
        "(2 HTTP requests). req/s counts successful requests. CPU % core: CPU seconds "
        "over the measured wall time (100 = one core busy); machine CPU counts every "
        "process on the machine, so machine minus client minus server is what else ran. "
        "Crypto eff. = floor CPU ms/op / server CPU ms/req (one op; for `srp` a full "
        "sign-in; the floor column is the scenario's primitives timed again right after "
        "its level, the header's table once before the first): the share of the server's "
        "CPU that went to the unavoidable "
        "cryptography. It does not depend on how much CPU the client takes. None for "
        "`get_user`, whose floor is 0 (the server caches verified access tokens).",
    ]
    database = [r for r in report["results"] if r.get("database_cpu_ms_per_request") is not None]
    if database:
        lines += [
            "",
            "PostgreSQL's own CPU (every `postgres` process on this machine, per request; "
            "not in the server CPU columns):",
            "",
            "| scenario | conc. | database CPU ms/req | server + database CPU ms/req |",
            "|---|---:|---:|---:|",
        ]
        for r in database:
            server = r.get("server_cpu_ms_per_request")
            both = f"{server + r['database_cpu_ms_per_request']:.2f}" if server is not None else "-"
            lines.append(
                f"| {r['scenario']} | {r['concurrency']} | "
                f"{r['database_cpu_ms_per_request']:.2f} | {both} |"
            )
    checks = targets(report["results"], report.get("server_workers_rss"))
    if checks:
        lines += [
            "",
            "## Targets (issue 18: 2 workers, concurrency 64 unless named)",
            "",
            "| target | measured | met |",
            "|---|---|---|",
        ]
        lines += [
            f"| {c['target']} | {c['measured']} | {'yes' if c['met'] else '**no**'} |"
            for c in checks
        ]
    if not meta["server_started"] and not report.get("server_cpu_sampled"):
        lines.append("Server CPU not sampled: the endpoint was not started by the benchmark.")
    failed = [row for row in report["results"] if row["errors"] or row["warmup_errors"]]
    if failed:
        lines += ["", "## Errors", ""]
        for row in failed:
            lines.append(
                f"- {row['scenario']} at {row['concurrency']}: {row['errors']} errors "
                f"({row['warmup_errors']} in warm-up)"
            )
            lines += [f"  - `{sample}`" for sample in row["error_samples"]]
    return "\n".join(lines) + "\n"


TARGET_CONCURRENCY = 64
# Issue 18's targets (issue 8's were 0.6 and 0.5).
EFFICIENCY_TARGET = 0.8
GET_USER_VS_HEALTH = 0.6
TRIGGER_P50_EXTRA_MS = 3.0
RSS_PER_WORKER_MB = 150.0
P99_AT_ONE_MS = 20.0
TAIL_RATIO = 3.0


def targets(
    rows: list[dict[str, Any]], workers_rss: list[int] | None = None
) -> list[dict[str, Any]]:
    """The issue's targets that this run's rows can decide, each with what was measured.
    ``workers_rss``: the server's worker processes' RSS (bytes) after the run."""
    checks: list[dict[str, Any]] = []
    by_key = {(r["scenario"], r["concurrency"]): r for r in rows}

    def check(target: str, measured: str, met: bool) -> None:
        checks.append({"target": target, "measured": measured, "met": met})

    plain, triggered = by_key.get(("password", 1)), by_key.get(("triggers", 1))
    if plain and triggered and plain["latency_ms"]["p50"] and triggered["latency_ms"]["p50"]:
        extra = triggered["latency_ms"]["p50"] - plain["latency_ms"]["p50"]
        check(
            f"triggers: p50 within {TRIGGER_P50_EXTRA_MS:g} ms of password's at c=1",
            f"{triggered['latency_ms']['p50']:.1f} - {plain['latency_ms']['p50']:.1f} "
            f"= {extra:.1f} ms",
            extra <= TRIGGER_P50_EXTRA_MS,
        )
    if workers_rss:
        largest = max(workers_rss) / 2**20
        check(
            f"RSS per worker < {RSS_PER_WORKER_MB:g} MB after the run",
            ", ".join(f"{rss / 2**20:.0f}" for rss in workers_rss) + " MB",
            largest < RSS_PER_WORKER_MB,
        )

    for scenario in ("password", "srp", "refresh"):
        row = by_key.get((scenario, TARGET_CONCURRENCY))
        if row is not None and row.get("crypto_efficiency") is not None:
            eff = row["crypto_efficiency"]
            check(
                f"{scenario}: crypto efficiency >= {EFFICIENCY_TARGET}",
                f"{eff:.2f}",
                eff >= EFFICIENCY_TARGET,
            )
    for concurrency in sorted({r["concurrency"] for r in rows}):
        get_user = by_key.get(("get_user", concurrency))
        health = by_key.get(("health", concurrency))
        if get_user and health and health["requests_per_s"] > 0:
            rates = get_user["requests_per_s"], health["requests_per_s"]
            ratio = rates[0] / rates[1]
            check(
                f"GetUser >= {GET_USER_VS_HEALTH} x GET /health (c={concurrency})",
                f"{rates[0]:,.0f} / {rates[1]:,.0f} = {ratio:.2f}",
                ratio >= GET_USER_VS_HEALTH,
            )
    for row in rows:
        lat = row["latency_ms"]
        if row["concurrency"] == 1 and lat["p99"] is not None:
            check(
                f"{row['scenario']}: p99 < {P99_AT_ONE_MS:g} ms at c=1",
                f"{lat['p99']:.1f} ms",
                lat["p99"] < P99_AT_ONE_MS,
            )
        if row["concurrency"] == TARGET_CONCURRENCY and lat["p99"] and lat["p50"]:
            ratio = lat["p99"] / lat["p50"]
            check(
                f"{row['scenario']}: p99 <= {TAIL_RATIO:g} x p50",
                f"{lat['p99']:.1f} / {lat['p50']:.1f} ms = {ratio:.1f}",
                ratio <= TAIL_RATIO,
            )
    errors = sum(r["errors"] + r.get("warmup_errors", 0) for r in rows)
    if rows:
        check("no errors", f"{errors}", errors == 0)
    return checks
