"""ListUsers over a large generated pool: median and p99 latency per filter kind.

    .venv/bin/python -m bench.list_users --users 1000000                 # SQLite
    .venv/bin/python -m bench.list_users --users 1000000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/bench_list_users

It starts its own ``poolgate serve`` (bench.server.LocalServer), creates a pool
through the API, loads the users straight into the store in large batches (a million
AdminCreateUser calls would measure something else), then times signed ListUsers
requests over HTTP, one at a time, for each kind of filter Cognito offers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import uuid
from typing import Any

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from bench.provision import admin_client
from bench.report import machine, percentile
from bench.server import LocalServer
from poolgate.config import normalize_database_url
from poolgate.core.records import User
from poolgate.core.users import lookup
from poolgate.store.sql import SqlStore

GIVEN = ["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy"]
FAMILY = ["Smith", "Jones", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas"]
STATUSES = ["CONFIRMED"] * 8 + ["UNCONFIRMED", "FORCE_CHANGE_PASSWORD"]


def make_user(pool: Any, i: int, now: float) -> User:
    name = f"user{i:07d}"
    given, family = GIVEN[i % len(GIVEN)], FAMILY[(i // 10) % len(FAMILY)]
    sub = str(uuid.UUID(int=random.getrandbits(128), version=4))
    attributes = {
        "sub": sub,
        "email": f"{name}@example.com",
        "email_verified": "true",
        "given_name": given,
        "family_name": family,
        "name": f"{given} {family}",
    }
    user = User(
        pool_id=pool.id,
        username=name,
        sub=sub,
        status=STATUSES[i % len(STATUSES)],
        enabled=i % 50 != 0,
        created=now,
        modified=now,
        attributes=attributes,
    )
    return lookup.index_keys(pool, user)


async def load(database_url: str, pool_id: str, count: int, batch: int) -> tuple[float, list[User]]:
    store = await SqlStore.open(database_url, migrate_schema=False)
    try:
        pool = await store.get_pool(pool_id)
        assert pool is not None
        samples: list[User] = []
        started = time.perf_counter()
        now = time.time()
        for first in range(0, count, batch):
            chunk = [make_user(pool, i, now) for i in range(first, min(first + batch, count))]
            await store.create_users(chunk)
            samples.extend(random.sample(chunk, min(20, len(chunk))))
            if first and first % (batch * 20) == 0:
                rate = first / (time.perf_counter() - started)
                print(f"  loaded {first:,} users ({rate:,.0f}/s)", file=sys.stderr)
        return time.perf_counter() - started, samples
    finally:
        await store.close()


class Signed:
    """Signed ListUsers requests over one keep-alive connection."""

    def __init__(self, url: str, key_id: str, secret: str) -> None:
        self.url = url
        self.auth = SigV4Auth(Credentials(key_id, secret), "cognito-idp", "us-east-1")
        self.http = httpx.Client(timeout=60)

    def list_users(self, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        data = json.dumps(body).encode()
        request = AWSRequest(
            method="POST",
            url=self.url + "/",
            data=data,
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUsers",
            },
        )
        self.auth.add_auth(request)
        started = time.perf_counter()
        response = self.http.post(self.url + "/", content=data, headers=dict(request.headers))
        elapsed = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        return elapsed, response.json()


def kinds(samples: list[User]) -> dict[str, Any]:
    """Filter kind -> function of a sample user giving a ListUsers body."""
    return {
        "no filter (first page)": lambda u: {},
        "username =": lambda u: {"Filter": f'username = "{u.username}"'},
        "username ^=": lambda u: {"Filter": f'username ^= "{u.username[:9]}"'},
        "email =": lambda u: {"Filter": f'email = "{u.attributes["email"]}"'},
        "email ^=": lambda u: {"Filter": f'email ^= "{u.attributes["email"][:9]}"'},
        "sub =": lambda u: {"Filter": f'sub = "{u.sub}"'},
        "given_name ^=": lambda u: {"Filter": f'given_name ^= "{u.attributes["given_name"][:3]}"'},
        "family_name =": lambda u: {"Filter": f'family_name = "{u.attributes["family_name"]}"'},
        "cognito:user_status =": lambda u: {"Filter": 'cognito:user_status = "UNCONFIRMED"'},
        "status = Disabled": lambda u: {"Filter": 'status = "Disabled"'},
    }


def measure(
    client: Signed, pool_id: str, samples: list[User], queries: int
) -> list[dict[str, Any]]:
    rows = []
    for kind, body_of in kinds(samples).items():
        latencies = []
        found = []
        for i in range(queries):
            user = samples[i % len(samples)]
            body = {"UserPoolId": pool_id, "Limit": 60, **body_of(user)}
            elapsed, reply = client.list_users(body)
            latencies.append(elapsed)
            found.append(len(reply["Users"]))
        ordered = sorted(latencies)
        rows.append(
            {
                "filter": kind,
                "queries": queries,
                "median_ms": statistics.median(ordered),
                "p99_ms": percentile(ordered, 99),
                "users_per_page": statistics.median(found),
            }
        )
    # Deep pagination: follow a filter's pages; each page should cost like the first.
    token = None
    latencies = []
    for _ in range(min(queries, 50)):
        body = {"UserPoolId": pool_id, "Limit": 60, "Filter": 'family_name = "Smith"'}
        if token:
            body["PaginationToken"] = token
        elapsed, reply = client.list_users(body)
        latencies.append(elapsed)
        token = reply.get("PaginationToken")
        if not token:
            break
    ordered = sorted(latencies)
    rows.append(
        {
            "filter": "family_name = (following pages)",
            "queries": len(ordered),
            "median_ms": statistics.median(ordered),
            "p99_ms": percentile(ordered, 99),
            "users_per_page": 60,
        }
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default SQLite)")
    parser.add_argument("--queries", type=int, default=200, help="requests per filter kind")
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args(argv)
    random.seed(7)

    server = LocalServer(args.database_url)
    server.start()
    try:
        admin = admin_client(server.url, server.admin_key_id, server.admin_secret, "us-east-1")
        pool_id = admin.create_user_pool(PoolName="list-users-bench")["UserPool"]["Id"]
        url = (
            normalize_database_url(args.database_url)
            if args.database_url
            else (f"sqlite:///{server.data_dir / 'poolgate.db'}")
        )
        print(f"loading {args.users:,} users into {server.backend}...", file=sys.stderr)
        seconds, samples = asyncio.run(load(url, pool_id, args.users, args.batch))
        print(f"loaded in {seconds:.1f} s ({args.users / seconds:,.0f} users/s)", file=sys.stderr)
        client = Signed(server.url, server.admin_key_id, server.admin_secret)
        client.list_users({"UserPoolId": pool_id, "Limit": 1})  # warm up
        rows = measure(client, pool_id, samples, args.queries)
    finally:
        server.stop()

    report = {
        "benchmark": "ListUsers",
        "backend": server.backend,
        "users": args.users,
        "load_seconds": seconds,
        "machine": machine(),
        "command": " ".join([sys.executable, "-m", "bench.list_users", *(argv or sys.argv[1:])]),
        "rows": rows,
    }
    print(
        f"\nListUsers, {args.users:,} users, {server.backend}, {args.queries} sequential "
        "requests per filter (Limit 60)\n"
    )
    print("| filter | median ms | p99 ms | users per page |")
    print("| --- | ---: | ---: | ---: |")
    for row in rows:
        print(
            f"| {row['filter']} | {row['median_ms']:.2f} | {row['p99_ms']:.2f} | "
            f"{row['users_per_page']:.0f} |"
        )
    if args.json_path:
        with open(args.json_path, "w") as handle:
            json.dump(report, handle, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
