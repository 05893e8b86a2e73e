"""Shared fixtures: backends (SQLite always, a real PostgreSQL server), a Poolgate
server running as a real process, and boto3 clients pointed at it.

PostgreSQL is not optional: when it cannot be reached the PostgreSQL half of the
suite fails instead of being skipped, so CI cannot go green on SQLite alone.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import boto3
import httpx
import psutil
import pytest
from botocore.config import Config

PG_DSN = os.environ.get("POOLGATE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
ADMIN_KEY_ID = "AKPGTESTADMIN0000001"
ADMIN_SECRET = "test-admin-secret-do-not-use-in-production"
# One master key for every server and context of the session: they share the
# PostgreSQL database, which refuses a key other than the one that sealed it.
MASTER_KEY = "cG9vbGdhdGUtdGVzdHMtbWFzdGVyLWtleS0zMmJ5dGU="  # b"poolgate-tests-master-key-32byte"
BACKENDS = ["sqlite", "postgresql"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _pg_execute(sql: str) -> None:
    conn = await asyncpg.connect(PG_DSN, timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg(sql: str) -> None:
    """Run one statement on its own loop in a thread: fixtures may be set up while
    pytest-asyncio's loop is running."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(_pg_execute(sql))
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    name = f"poolgate_test_{secrets.token_hex(4)}"
    try:
        _pg(f'CREATE DATABASE "{name}"')
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL is required for these tests and unreachable at {PG_DSN}: {exc}")
    base = PG_DSN.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(backend: str, tmp: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return ""
    return str(request.getfixturevalue("pg_database"))


@dataclass
class Server:
    """A ``poolgate serve`` process."""

    data_dir: Path
    database_url: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")}
        env.update(
            POOLGATE_ADMIN_ACCESS_KEY_ID=ADMIN_KEY_ID,
            POOLGATE_ADMIN_SECRET_ACCESS_KEY=ADMIN_SECRET,
            POOLGATE_MASTER_KEY=MASTER_KEY,
            POOLGATE_LOG_LEVEL="info",
            # Several servers share PostgreSQL at once in a session; CI's server allows
            # 100 connections: 2 workers x (5 + 1) each.
            POOLGATE_DATABASE_POOL_SIZE="5",
            # Stopping waits for requests in flight at most this long, well within the
            # 30 s ``stop`` gives the server (a test may leave a slow request behind).
            POOLGATE_DRAIN_TIMEOUT="10",
        )
        if self.database_url:
            env["POOLGATE_DATABASE_URL"] = self.database_url
        env.update(self.extra_env)
        return env

    def start(self) -> None:
        self.log_path = self.data_dir / "server.log"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - the process owns it
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "poolgate.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
            ],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"poolgate exited early:\n{self.log()}")
            try:
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"poolgate did not become healthy:\n{self.log()}")

    def stop(self, kill: bool = False) -> None:
        if self.process is None:
            return
        # With several workers, a killed supervisor's workers stop on their own
        # (PR_SET_PDEATHSIG) but not at once: wait, so that a restart on the same port
        # is not answered by one of them.
        workers = psutil.Process(self.process.pid).children()
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        self.process.wait(timeout=30)
        psutil.wait_procs(workers, timeout=30)
        self.process = None

    def restart(self, kill: bool = False) -> None:
        self.stop(kill=kill)
        self.start()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path and self.log_path.exists() else ""


@pytest.fixture(scope="session", params=BACKENDS)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    backend = request.param
    data_dir = tmp_path_factory.mktemp(f"server-{backend}")
    srv = Server(data_dir=data_dir, database_url=database_url(backend, data_dir, request))
    srv.start()
    yield srv
    srv.stop()


# Errors every operation may answer: the wire protocol's and SigV4's, and the marker
# for operations Poolgate does not implement yet.
UNDECLARED_OK = {
    "SerializationException",
    "UnknownOperationException",
    "MissingAuthenticationTokenException",
    "IncompleteSignatureException",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "UnsupportedOperationException",
}
ANSWERED_ERRORS: list[tuple[str, str]] = []


def _record_error(parsed: dict[str, object], model: object, **_: object) -> None:
    error = parsed.get("Error")
    if isinstance(error, dict) and error.get("Code"):
        ANSWERED_ERRORS.append((str(getattr(model, "name", "")), str(error["Code"])))


def cognito_client(url: str, *, validate: bool = True, signed: bool = True) -> object:
    kwargs: dict[str, object] = {}
    if not signed:
        from botocore import UNSIGNED

        kwargs["signature_version"] = UNSIGNED
    client = boto3.client(
        "cognito-idp",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=ADMIN_KEY_ID,
        aws_secret_access_key=ADMIN_SECRET,
        config=Config(parameter_validation=validate, retries={"max_attempts": 1}, **kwargs),
    )
    client.meta.events.register("after-call.cognito-identity-provider", _record_error)
    return client


@pytest.fixture(autouse=True)
def error_contract() -> Iterator[None]:
    """Every ``__type`` Poolgate answers must be declared for that operation in
    botocore's model: client code catches exceptions by those names."""
    from poolgate.awsjson.model import service_model

    ANSWERED_ERRORS.clear()
    yield
    model = service_model()
    for name, code in ANSWERED_ERRORS:
        operation = model.operation(name)
        assert operation is not None, name
        assert code in operation.errors or code in UNDECLARED_OK, (
            f"{name} answered {code}, which botocore's model does not declare for it"
        )


@pytest.fixture
def cognito(server: Server):  # type: ignore[no-untyped-def]
    return cognito_client(server.url)


@pytest.fixture
def raw_cognito(server: Server):  # type: ignore[no-untyped-def]
    """A client that leaves validation to the server, to test the server's answers."""
    return cognito_client(server.url, validate=False)


def latest_message(server: Server, recipient: str) -> dict[str, object]:
    """The newest message to ``recipient``, read from the outbox over HTTP as a
    developer would (never from the database)."""
    response = httpx.get(
        f"{server.url}/_mailbox/messages", params={"recipient": recipient, "limit": 1}
    )
    response.raise_for_status()
    messages = response.json()["messages"]
    assert messages, f"no message to {recipient}"
    return dict(messages[0])


def latest_code(server: Server, recipient: str) -> str:
    import re

    body = str(latest_message(server, recipient)["body"])
    match = re.search(r"\b(\d{6})\b", body)
    assert match, f"no code in {body!r}"
    return match.group(1)
