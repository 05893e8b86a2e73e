"""The metrics themselves, in prometheus_client's multiprocess mode, and the
``/metrics`` page that merges every worker's samples.

Names follow Prometheus' conventions (``_total`` counters, ``_seconds`` histograms);
labels are bounded: operations come from botocore's model or the app's route table,
outcomes from Cognito's exception names or HTTP statuses.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.types import Receive, Scope, Send

from poolgate.metrics import Recorder

_LATENCY = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter(
    "poolgate_requests",
    "Requests answered, by API, operation and outcome (ok, or the error).",
    ["endpoint", "operation", "outcome"],
)
REQUEST_SECONDS = Histogram(
    "poolgate_request_duration_seconds",
    "Time to answer a request, by API, operation and outcome.",
    ["endpoint", "operation", "outcome"],
    buckets=_LATENCY,
)
SIGN_INS = Counter(
    "poolgate_sign_ins",
    "Sign-in steps by flow (AuthFlow, challenge answered or HOSTED_UI) and result "
    "(tokens, challenge, code, or the error).",
    ["flow", "result"],
)
TOKENS = Counter("poolgate_tokens_issued", "Token sets minted, by grant.", ["grant"])
LOCKOUTS = Counter("poolgate_lockouts", "Users locked out after failed sign-ins.")
THROTTLES = Counter("poolgate_throttled", "Requests refused for their rate, by limit.", ["limit"])
INVOCATIONS = Counter(
    "poolgate_function_invocations",
    "Function (gateway handler, trigger) invocations by function and outcome.",
    ["function", "outcome"],
)
INVOCATION_SECONDS = Histogram(
    "poolgate_function_duration_seconds",
    "Function invocation time (waiting for a worker included), by function and outcome.",
    ["function", "outcome"],
    buckets=_LATENCY,
)
POOL_IN_USE = Gauge(
    "poolgate_db_connections_in_use",
    "Database connections checked out of the workers' pools (PostgreSQL).",
    multiprocess_mode="livesum",
)
TOKEN_CACHE = Counter(
    "poolgate_token_cache_lookups",
    "Access tokens looked up among those whose signature a worker already checked, by "
    "result (hit: no RSA verification; miss).",
    ["result"],
)
TOKEN_CACHE_BYTES = Gauge(
    "poolgate_token_cache_bytes",
    "Estimated memory of the workers' verified-token caches (bounded by token_cache_bytes each).",
    multiprocess_mode="livesum",
)
# Resolved once: a GetUser counts a lookup, and labels() costs a dict lookup and a lock.
_TOKEN_HIT = TOKEN_CACHE.labels("hit")
_TOKEN_MISS = TOKEN_CACHE.labels("miss")
ERRORS = Counter(
    "poolgate_errors",
    "Requests that failed unexpectedly (answered 500), by component and kind "
    "(internal, database_unavailable).",
    ["component", "kind"],
)


class PrometheusRecorder(Recorder):
    def request(self, endpoint: str, operation: str, outcome: str, seconds: float) -> None:
        REQUESTS.labels(endpoint, operation, outcome).inc()
        REQUEST_SECONDS.labels(endpoint, operation, outcome).observe(seconds)

    def sign_in(self, flow: str, result: str) -> None:
        SIGN_INS.labels(flow, result).inc()

    def tokens_issued(self, grant: str) -> None:
        TOKENS.labels(grant).inc()

    def lockout(self) -> None:
        LOCKOUTS.inc()

    def throttled(self, what: str) -> None:
        THROTTLES.labels(what).inc()

    def invocation(self, function: str, outcome: str, seconds: float) -> None:
        INVOCATIONS.labels(function, outcome).inc()
        INVOCATION_SECONDS.labels(function, outcome).observe(seconds)

    def token_cache(self, hit: bool) -> None:
        (_TOKEN_HIT if hit else _TOKEN_MISS).inc()

    def token_cache_size(self, size_bytes: int) -> None:
        TOKEN_CACHE_BYTES.set(size_bytes)

    def pool_change(self, delta: int) -> None:
        POOL_IN_USE.inc(delta)

    def error(self, component: str, kind: str) -> None:
        ERRORS.labels(component, kind).inc()


def render() -> bytes:
    """Every worker's samples, added up, in Prometheus' text format."""
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


async def metrics_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The metrics listener: ``GET /metrics``; anything else is 404."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    if scope["path"] == "/metrics" and scope["method"] in ("GET", "HEAD"):
        status, body, kind = 200, render(), CONTENT_TYPE_LATEST
    else:
        status, body, kind = 404, b"not found: metrics are at /metrics\n", "text/plain"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", kind.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body if scope["method"] != "HEAD" else b""})
