"""``/metrics``: Prometheus text with per-operation counters and latency histograms,
added up across the worker processes of ``serve --workers 2``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from botocore.exceptions import ClientError
from prometheus_client.parser import text_string_to_metric_families

from tests.api.helpers import STRONG
from tests.conftest import ADMIN_KEY_ID, ADMIN_SECRET, cognito_client, free_port


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    port, metrics_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")}
    env.update(
        POOLGATE_ADMIN_ACCESS_KEY_ID=ADMIN_KEY_ID,
        POOLGATE_ADMIN_SECRET_ACCESS_KEY=ADMIN_SECRET,
        POOLGATE_METRICS_PORT=str(metrics_port),
        POOLGATE_LOG_LEVEL="warning",
    )
    data = tmp_path / "data"
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - the process owns it
    process = subprocess.Popen(
        [sys.executable, "-m", "poolgate.cli", "serve", "--port", str(port),
         "--data-dir", str(data), "--workers", "2"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url, metrics_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{metrics_port}/metrics"
    try:
        deadline = time.monotonic() + 60
        while len(psutil.Process(process.pid).children()) < 2 or not _up(url, metrics_url):
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.1)
        yield url, metrics_url, data
    finally:
        process.terminate()
        process.wait(timeout=30)


def _up(url: str, metrics_url: str) -> bool:
    try:
        return (
            httpx.get(url + "/health", timeout=1).status_code == 200
            and httpx.get(metrics_url, timeout=1).status_code == 200
        )
    except httpx.HTTPError:
        return False


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(metrics_url: str) -> Samples:
    response = httpx.get(metrics_url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(
    found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_metrics_add_up_across_workers(two_workers: tuple[str, str, Path]) -> None:
    url, metrics_url, data = two_workers
    cognito: Any = cognito_client(url)
    pool = cognito.create_user_pool(PoolName="metrics")["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="c",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool, Username="m", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool, Username="m", Password=STRONG, Permanent=True)
    signed_in = 30
    for _ in range(signed_in):
        tokens = cognito.initiate_auth(
            ClientId=client,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "m", "PASSWORD": STRONG},
        )["AuthenticationResult"]
    user_calls = 6
    for _ in range(user_calls):
        cognito.get_user(AccessToken=tokens["AccessToken"])
    wrong = 6  # the fifth failure locks the user out; the sixth is refused as locked
    for _ in range(wrong):
        with pytest.raises(ClientError):
            cognito.initiate_auth(
                ClientId=client,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "m", "PASSWORD": "Wrong!Password1"},
            )
    unknown = httpx.post(
        url,
        headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.NoSuchThing"},
        content=b"{}",
    )
    assert unknown.status_code == 400
    assert httpx.get(f"{url}/{pool}/.well-known/jwks.json").status_code == 200

    # Both workers answered some of them: each writes its own sample files.
    files = {p.name.rsplit("_", 1)[1] for p in (data / "run").glob("*/counter_*.db")}
    assert len(files) >= 2, files

    found = samples(metrics_url)
    ok = {"endpoint": "awsjson", "operation": "InitiateAuth", "outcome": "ok"}
    assert value(found, "poolgate_requests_total", **ok) == signed_in
    assert value(found, "poolgate_request_duration_seconds_count", **ok) == signed_in
    assert value(found, "poolgate_request_duration_seconds_bucket", **ok, le="+Inf") == signed_in
    refused = {**ok, "outcome": "NotAuthorizedException"}
    assert value(found, "poolgate_requests_total", **refused) == wrong
    assert value(found, "poolgate_requests_total", endpoint="awsjson", operation="-",
                 outcome="UnknownOperationException") == 1  # fmt: skip
    assert value(found, "poolgate_sign_ins_total", flow="USER_PASSWORD_AUTH", result="tokens") == (
        signed_in
    )
    assert (
        value(
            found,
            "poolgate_sign_ins_total",
            flow="USER_PASSWORD_AUTH",
            result="NotAuthorizedException",
        )
        == wrong
    )
    assert value(found, "poolgate_tokens_issued_total", grant="sign_in") == signed_in
    assert value(found, "poolgate_lockouts_total") == 1
    assert value(
        found, "poolgate_requests_total",
        endpoint="wellknown", operation="/{pool_id}/.well-known/jwks.json", outcome="ok",
    ) == 1  # fmt: skip
    assert ("poolgate_db_connections_in_use", frozenset()) in found
    # Each worker verifies the token's signature once (a miss), then remembers it.
    misses = value(found, "poolgate_token_cache_lookups_total", result="miss")
    hits = value(found, "poolgate_token_cache_lookups_total", result="hit")
    assert misses in (1, 2) and hits + misses == user_calls
    assert 1000 < value(found, "poolgate_token_cache_bytes") < 2 * 10_000
    assert httpx.get(metrics_url.replace("/metrics", "/other")).status_code == 404
