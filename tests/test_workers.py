"""``poolgate serve --workers N``: several processes on one port over one store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import psutil
import pytest

from tests.api.helpers import STRONG
from tests.conftest import (
    ADMIN_KEY_ID,
    ADMIN_SECRET,
    Server,
    _pg,
    cognito_client,
    database_url,
    free_port,
    latest_code,
)


def test_two_workers_share_the_port_and_the_store(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")}
    env.update(
        POOLGATE_ADMIN_ACCESS_KEY_ID=ADMIN_KEY_ID, POOLGATE_ADMIN_SECRET_ACCESS_KEY=ADMIN_SECRET
    )
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - the process owns it
    process = subprocess.Popen(
        [sys.executable, "-m", "poolgate.cli", "serve", "--port", str(port),
         "--data-dir", str(tmp_path / "data"), "--workers", "2"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while len(psutil.Process(process.pid).children()) < 2 or not _healthy(url):
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.1)
        workers = psutil.Process(process.pid).children()
        assert len(workers) == 2

        cognito = cognito_client(url)
        pool = cognito.create_user_pool(
            PoolName="workers", AutoVerifiedAttributes=["email"], UsernameAttributes=["email"]
        )["UserPool"]["Id"]
        client = cognito.create_user_pool_client(
            UserPoolId=pool,
            ClientName="c",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        # Many requests: each worker answers some, and all see the same data.
        address = "w@example.com"
        cognito.sign_up(ClientId=client, Username=address, Password=STRONG)
        server = SimpleNamespace(url=url)  # what latest_code reads from a Server
        cognito.confirm_sign_up(
            ClientId=client, Username=address, ConfirmationCode=latest_code(server, address)
        )  # type: ignore[arg-type]
        for _ in range(10):
            tokens = cognito.initiate_auth(
                ClientId=client,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": address, "PASSWORD": STRONG},
            )["AuthenticationResult"]
            assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"]

        # A worker that dies is replaced.
        workers[0].kill()
        deadline = time.monotonic() + 30
        while (
            len(
                [
                    c
                    for c in psutil.Process(process.pid).children()
                    if c.status() != psutil.STATUS_ZOMBIE
                ]
            )
            < 2
        ):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert _healthy(url)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    with pytest.raises(httpx.HTTPError):
        httpx.get(url + "/health", timeout=1)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url + "/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_change_through_one_worker_is_seen_by_the_next_request_on_any(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    server = Server(tmp_path / "data", database_url(backend, tmp_path, request))
    server.extra_env["POOLGATE_LOG_LEVEL"] = "warning"
    server.start()  # the default: one worker per core
    try:
        assert len(psutil.Process(server.process.pid).children()) >= 1  # type: ignore[union-attr]
        cognito = cognito_client(server.url)
        pool = cognito.create_user_pool(PoolName="config")["UserPool"]["Id"]
        client = cognito.create_user_pool_client(
            UserPoolId=pool, ClientName="c", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        cognito.admin_create_user(
            UserPoolId=pool, Username="u", TemporaryPassword=STRONG, MessageAction="SUPPRESS"
        )
        cognito.admin_set_user_password(
            UserPoolId=pool, Username="u", Password=STRONG, Permanent=True
        )

        def sign_in() -> httpx.Response:
            # A new connection each time, so the kernel spreads them over the workers.
            return httpx.post(
                server.url + "/",
                headers={
                    "Content-Type": "application/x-amz-json-1.1",
                    "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
                },
                json={
                    "ClientId": client,
                    "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": "u", "PASSWORD": STRONG},
                },
            )

        # Every worker caches the client...
        assert all(sign_in().status_code == 200 for _ in range(12))
        cognito.update_user_pool_client(
            UserPoolId=pool, ClientId=client, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"]
        )
        # ...and none of them answers from the old copy afterwards.
        for _ in range(12):
            response = sign_in()
            assert response.status_code == 400, response.text
            assert response.json()["__type"] == "InvalidParameterException"
    finally:
        server.stop()


def test_workers_do_not_outlive_a_killed_supervisor(tmp_path: Path) -> None:
    server = Server(tmp_path / "data", "")
    server.start()
    assert server.process is not None
    workers = psutil.Process(server.process.pid).children()
    assert len(workers) >= 2
    server.stop(kill=True)  # SIGKILL: the supervisor cannot stop them itself
    _gone, alive = psutil.wait_procs(workers, timeout=30)
    assert not alive, [p.pid for p in alive]
    with pytest.raises(httpx.HTTPError):
        httpx.get(server.url + "/health", timeout=1)


def test_hot_reads_survive_postgresql_dropping_the_pooled_connections(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = database_url("postgresql", tmp_path, request)
    server = Server(tmp_path / "data", url)
    server.extra_env["POOLGATE_LOG_LEVEL"] = "warning"
    server.start()
    try:
        cognito = cognito_client(server.url)
        pool = cognito.create_user_pool(PoolName="pg-restart")["UserPool"]["Id"]
        client = cognito.create_user_pool_client(
            UserPoolId=pool, ClientName="c", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        cognito.admin_create_user(
            UserPoolId=pool, Username="u", TemporaryPassword=STRONG, MessageAction="SUPPRESS"
        )
        cognito.admin_set_user_password(
            UserPoolId=pool, Username="u", Password=STRONG, Permanent=True
        )
        access = cognito.initiate_auth(
            ClientId=client,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "u", "PASSWORD": STRONG},
        )["AuthenticationResult"]["AccessToken"]
        assert cognito.get_user(AccessToken=access)["Username"] == "u"
        # What a database restart does to every pooled connection (no pre-ping).
        database = url.rsplit("/", 1)[1]
        _pg(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{database}' AND pid <> pg_backend_pid()"
        )
        for _ in range(6):
            # httpx, not boto3: botocore would retry a 500 and hide it.
            response = httpx.post(
                server.url + "/",
                headers={
                    "Content-Type": "application/x-amz-json-1.1",
                    "X-Amz-Target": "AWSCognitoIdentityProviderService.GetUser",
                },
                json={"AccessToken": access},
            )
            assert response.status_code == 200, response.text
    finally:
        server.stop()
