"""Gateway throughput: a trivial Python handler behind the gateway, with and without
the Cognito authorizer (with and without its revocation check), against the identity
provider's ``GET /health`` (the HTTP floor of the same stack), measured in the same run.

    .venv/bin/python -m bench.gateway --duration 10 --concurrency 1,16,64

It starts its own ``poolgate serve --config FILE --gateway-port P`` (SQLite), makes a
pool, a client and a user through the API, signs in for an id token, then drives each
target with aiohttp from one client process per core and reports requests/s,
p50/p95/p99 and the CPU the server and the client spent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.provision import admin_client
from bench.report import machine, percentile
from bench.server import LocalServer, ProcessCpu, free_port

HANDLER = """def lambda_handler(event, context):
    return {"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": "ok"}
"""


class GatewayDeployment(LocalServer):
    """A ``LocalServer`` whose gateway listens too once it is given a config file."""

    def __init__(self, workers: int = 2) -> None:
        super().__init__(workers=workers)
        self.gateway_port = free_port()

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}/bench"

    def serve(self, config: Path | None) -> None:
        """(Re)start on the same data directory, with the gateway routes of ``config``."""
        self.serve_args = (
            ["--config", str(config), "--gateway-port", str(self.gateway_port)] if config else []
        )
        self.restart()


def setup(deployment: GatewayDeployment) -> str:
    """Pool, client, user; the config file; returns an id token."""
    deployment.serve(None)
    admin = admin_client(
        deployment.url, deployment.admin_key_id, deployment.admin_secret, "us-east-1"
    )
    pool = admin.create_user_pool(PoolName="gateway-bench")["UserPool"]["Id"]
    client = admin.create_user_pool_client(
        UserPoolId=pool,
        ClientName="bench",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        IdTokenValidity=1,
        TokenValidityUnits={"IdToken": "days"},
    )["UserPoolClient"]["ClientId"]
    admin.admin_create_user(UserPoolId=pool, Username="bench", MessageAction="SUPPRESS")
    admin.admin_set_user_password(
        UserPoolId=pool, Username="bench", Password="Bench!Pass123", Permanent=True
    )
    tokens = admin.initiate_auth(
        ClientId=client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bench", "PASSWORD": "Bench!Pass123"},
    )
    code = deployment.data_dir / "fn"
    code.mkdir()
    (code / "app.py").write_text(HANDLER)
    config = deployment.data_dir / "gateway.toml"
    config.write_text(f'''
[[functions]]
name = "trivial"
code_dir = "{code}"
handler = "app.lambda_handler"

[[apis]]
name = "bench"
stage = "bench"

[[apis.authorizers]]
name = "cognito"
type = "COGNITO_USER_POOLS"
user_pool = "{pool}"

[[apis.authorizers]]
name = "cognito-trusting"
type = "COGNITO_USER_POOLS"
user_pool = "{pool}"
check_revocation = false

[[apis.routes]]
method = "GET"
path = "/open"
function = "trivial"

[[apis.routes]]
method = "GET"
path = "/secure"
function = "trivial"
authorizer = "cognito"

[[apis.routes]]
method = "GET"
path = "/trusting"
function = "trivial"
authorizer = "cognito-trusting"
''')
    deployment.serve(config)
    return str(tokens["AuthenticationResult"]["IdToken"])


async def _drive(
    url: str, headers: dict[str, str], concurrency: int, seconds: float, start_at: float
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        async with session.get(url, headers=headers) as warm:
            await warm.read()
        await asyncio.sleep(max(0.0, start_at - time.time()))
        cpu = time.process_time()
        end = time.monotonic() + seconds

        async def one() -> None:
            nonlocal errors
            while time.monotonic() < end:
                began = time.perf_counter()
                async with session.get(url, headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                        continue
                latencies.append((time.perf_counter() - began) * 1000)

        await asyncio.gather(*(one() for _ in range(concurrency)))
        return latencies, errors, time.process_time() - cpu


def _worker(args: tuple[str, dict[str, str], int, float, float]) -> tuple[list[float], int, float]:
    return asyncio.run(_drive(*args))


def measure(
    url: str,
    headers: dict[str, str],
    concurrency: int,
    seconds: float,
    processes: int,
    server: ProcessCpu,
) -> dict[str, Any]:
    shares = [
        concurrency // processes + (1 if i < concurrency % processes else 0)
        for i in range(processes)
    ]
    shares = [s for s in shares if s]
    start_at = time.time() + 1.0
    with multiprocessing.get_context("spawn").Pool(len(shares)) as pool:
        pending = pool.map_async(_worker, [(url, headers, s, seconds, start_at) for s in shares])
        time.sleep(max(0.0, start_at - time.time()))
        server_cpu = server.seconds()
        results = pending.get()
        server_cpu = server.seconds() - server_cpu
    latencies = sorted(x for r in results for x in r[0])
    requests = len(latencies)
    client_cpu = sum(r[2] for r in results)
    return {
        "concurrency": concurrency,
        "requests": requests,
        "errors": sum(r[1] for r in results),
        "rps": requests / seconds,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "server_cpu_ms_per_req": server_cpu / max(requests, 1) * 1000,
        "client_cpu_pct": client_cpu / seconds * 100,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--concurrency", default="1,16,64")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.concurrency.split(",")]
    deployment = GatewayDeployment(args.server_workers)
    rows = []
    try:
        token = setup(deployment)
        assert deployment.process is not None
        server = ProcessCpu(deployment.process.pid)
        targets = {
            "GET /health (HTTP floor)": (deployment.url + "/health", {}),
            "gateway, no authorizer": (deployment.gateway_url + "/open", {}),
            # API Gateway's behaviour: a valid signature is enough until the token expires.
            "gateway, Cognito authorizer, no revocation check": (
                deployment.gateway_url + "/trusting",
                {"Authorization": f"Bearer {token}"},
            ),
            # Poolgate's default: the user and the token's refresh family are read too.
            "gateway, Cognito authorizer + revocation check": (
                deployment.gateway_url + "/secure",
                {"Authorization": f"Bearer {token}"},
            ),
        }
        for name, (url, headers) in targets.items():
            for level in levels:
                row = measure(url, headers, level, args.duration, args.processes, server)
                rows.append({"target": name, **row})
                print(f"  {name} c={level}: {row['rps']:.0f} req/s", file=sys.stderr)
    finally:
        deployment.stop()
    floor = {r["concurrency"]: r["rps"] for r in rows if r["target"].startswith("GET /health")}
    print(
        f"\nGateway, {args.duration:.0f} s per level, {args.processes} client processes, "
        f"poolgate serve --workers {args.server_workers}, SQLite\n"
    )
    print(
        "| target | conc. | requests | errors | req/s | x floor | p50 ms | p95 ms | p99 ms "
        "| server CPU ms/req | client CPU % core |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        ratio = r["rps"] / floor[r["concurrency"]] if floor.get(r["concurrency"]) else 0
        print(
            f"| {r['target']} | {r['concurrency']} | {r['requests']:,} | {r['errors']} | "
            f"{r['rps']:.0f} | {ratio:.2f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | "
            f"{r['server_cpu_ms_per_req']:.2f} | {r['client_cpu_pct']:.0f} |"
        )
    if args.json_path:
        Path(args.json_path).write_text(json.dumps({"machine": machine(), "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
