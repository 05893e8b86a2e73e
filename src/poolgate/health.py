"""Liveness and readiness, for load balancers and orchestrators.

- ``GET /health`` (liveness): the process answers. Never touches the database, so a
  database outage does not get every node restarted.
- ``GET /health/ready`` (readiness): this node should get traffic: the database
  answers, its schema is the one this version runs, and the node is not draining.
  A load balancer health-checks this one (``deploy/haproxy.cfg``).

On SIGTERM the process starts draining: readiness answers 503 at once, the listening
sockets close, in-flight requests finish (up to ``drain_timeout``), then it exits.
"""

from __future__ import annotations

import asyncio

import orjson
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from poolgate.core.context import Context
from poolgate.store.migrate import HEAD_REVISION

# How long the readiness probe waits for the database.
READY_TIMEOUT_S = 2.0

_draining = False


def start_draining() -> None:
    global _draining
    _draining = True


def draining() -> bool:
    return _draining


async def liveness(_: Request) -> Response:
    return PlainTextResponse("ok")


async def readiness(ctx: Context) -> Response:
    problem = await _problem(ctx)
    body = {"status": "ready" if problem is None else "unavailable"}
    if problem is not None:
        body["reason"] = problem
    return Response(
        orjson.dumps(body),
        status_code=200 if problem is None else 503,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


async def _problem(ctx: Context) -> str | None:
    if _draining:
        return "draining: the server is stopping"
    try:
        revision = await asyncio.wait_for(ctx.store.schema_revision(), READY_TIMEOUT_S)
    except TimeoutError:
        return f"the database did not answer within {READY_TIMEOUT_S:g} s"
    except Exception as error:
        return f"the database is unreachable: {type(error).__name__}"
    if revision != HEAD_REVISION:
        return f"the database schema is at {revision!r}, this server runs {HEAD_REVISION!r}"
    return None
