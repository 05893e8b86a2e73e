"""A deployment for the gateway tests: ``poolgate serve --config FILE --gateway-port P``
as a real process (SQLite and PostgreSQL), its user pool, app client and functions,
and a small HTTP upstream.

The pool is created through boto3 on a first start without the gateway; the config
file, which needs the pool's id and client id for the JWT authorizer, is written
next, and the server restarts with it (same port, so the same issuer).
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.helpers import FLOWS, POLICY, STRONG
from tests.api.test_sign_in import confirmed_user
from tests.conftest import BACKENDS, Server, cognito_client, database_url, free_port
from tests.gateway.handlers import write_handlers

ADMIN_SCOPE = "aws.cognito.signin.user.admin"


@dataclass
class GatewayServer(Server):
    """A ``poolgate serve`` process with ``--config`` and ``--gateway-port``."""

    config: Path | None = None
    gateway_port: int = field(default_factory=free_port)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def command(self) -> list[str]:
        args = [
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
        ]
        if self.config is not None:
            args += ["--config", str(self.config), "--gateway-port", str(self.gateway_port)]
        return args

    def start(self) -> None:
        self.log_path = self.data_dir / "server.log"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - the process owns it
        self.process = subprocess.Popen(
            self.command(), env=self.env(), stdout=log, stderr=subprocess.STDOUT
        )
        urls = [self.url + "/health"]
        if self.config is not None:
            urls.append(self.gateway_url + "/")
        deadline = time.monotonic() + 30
        for url in urls:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"poolgate exited early:\n{self.log()}")
                try:
                    httpx.get(url, timeout=1)
                    break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"poolgate did not start:\n{self.log()}")
                time.sleep(0.05)


class Upstream:
    """An HTTP server recording the requests it gets and answering 201 with their
    description."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = {
                    "method": self.command,
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body.decode("latin-1"),
                }
                upstream.requests.append(seen)
                payload = json.dumps(seen).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Upstream", "yes")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Deployment:
    server: GatewayServer
    cognito: Any
    pool: str
    pool_name: str
    client: str
    other_pool: str
    other_client: str
    upstream: Upstream

    @property
    def url(self) -> str:
        """The REST API's stage URL."""
        return self.server.gateway_url + "/staging"

    @property
    def http_api_url(self) -> str:
        return self.server.gateway_url

    def tokens(self, pool: str | None = None, client: str | None = None) -> dict[str, Any]:
        """A new confirmed user of ``pool`` signed in: its AuthenticationResult."""
        pool = pool or self.pool
        client = client or self.client
        address = confirmed_user(self.cognito, pool)
        result: dict[str, Any] = self.cognito.initiate_auth(
            ClientId=client,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": address, "PASSWORD": STRONG},
        )["AuthenticationResult"]
        return result


def _pool(cognito: Any, name: str) -> tuple[str, str]:
    pool = cognito.create_user_pool(
        PoolName=name,
        Policies={"PasswordPolicy": POLICY},
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
    )["UserPool"]["Id"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool,
        ClientName="web",
        ExplicitAuthFlows=FLOWS,
        ReadAttributes=["email", "email_verified", "name"],
    )["UserPoolClient"]["ClientId"]
    return pool, client


def gateway_config(deployment: Deployment) -> str:
    """The TOML of the test deployment: a REST API on stage ``staging`` and an HTTP
    API on ``$default``."""
    upstream = deployment.upstream.url
    issuer = f"{deployment.server.url}/{deployment.pool}"
    functions = "\n".join(
        f"""
[[functions]]
name = "{name}"
code_dir = "functions/{name}"
handler = "app.lambda_handler"
timeout = {timeout}
"""
        for name, timeout in [
            ("hello", 3),
            ("echo", 3),
            ("boom", 3),
            ("malformed", 3),
            ("sleeper", 1),
            ("slow", 10),
            ("printer", 3),
            ("mirror", 3),
            ("v2", 3),
        ]
    ).replace('code_dir = "functions/slow"', 'code_dir = "functions/sleeper"')
    return f"""
{functions}

[[apis]]
name = "travelguide"
stage = "staging"

[apis.cors]
allow_origins = ["http://localhost:5173"]
allow_headers = ["authorization", "content-type"]
allow_methods = ["GET", "POST", "PUT", "DELETE", "OPTIONS"]
max_age = 600
expose_headers = ["x-handler"]

[[apis.authorizers]]
name = "cognito"
type = "COGNITO_USER_POOLS"
user_pool = "{deployment.pool_name}"

[[apis.routes]]
method = "GET"
path = "/hello"
function = "hello"
authorizer = "cognito"

[[apis.routes]]
method = "GET"
path = "/echo/{{name}}"
function = "echo"
authorizer = "cognito"

[[apis.routes]]
method = "GET"
path = "/scoped"
function = "echo"
authorizer = "cognito"
scopes = ["{ADMIN_SCOPE}"]

[[apis.routes]]
method = "ANY"
path = "/files/{{proxy+}}"
function = "echo"

[[apis.routes]]
method = "GET"
path = "/files/readme"
function = "mirror"

[[apis.routes]]
method = "GET"
path = "/boom"
function = "boom"

[[apis.routes]]
method = "GET"
path = "/malformed"
function = "malformed"

[[apis.routes]]
method = "GET"
path = "/sleeper"
function = "sleeper"

[[apis.routes]]
method = "GET"
path = "/slow"
function = "slow"
timeout_ms = 1000

[[apis.routes]]
method = "GET"
path = "/print"
function = "printer"

[[apis.routes]]
method = "POST"
path = "/mirror"
function = "mirror"

[[apis.routes]]
method = "ANY"
path = "/upstream/{{proxy+}}"
upstream = "{upstream}/base"

[[apis]]
name = "http-api"
type = "HTTP"

[[apis.authorizers]]
name = "jwt"
type = "JWT"
issuer = "{issuer}"
audience = ["{deployment.client}"]

[[apis.routes]]
method = "GET"
path = "/v2/claims"
function = "v2"
authorizer = "jwt"

[[apis.routes]]
method = "GET"
path = "/v2/openid"
function = "v2"
authorizer = "jwt"
scopes = ["openid"]

[[apis.routes]]
method = "GET"
path = "/v2/echo"
function = "echo"
"""


@pytest.fixture(scope="session", params=BACKENDS)
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp(f"gateway-{request.param}")
    write_handlers(root)
    upstream = Upstream()
    upstream.start()
    server = GatewayServer(
        data_dir=root / "data", database_url=database_url(request.param, root, request)
    )
    server.start()
    try:
        cognito = cognito_client(server.url)
        # The PostgreSQL database is shared by the session: a name of its own.
        pool_name = f"GatewayPool-{secrets.token_hex(4)}"
        pool, client = _pool(cognito, pool_name)
        other_pool, other_client = _pool(cognito, f"OtherPool-{secrets.token_hex(4)}")
        deployment = Deployment(
            server, cognito, pool, pool_name, client, other_pool, other_client, upstream
        )
        config = root / "poolgate.toml"
        config.write_text(gateway_config(deployment))
        server.stop()
        server.config = config
        server.start()
        yield deployment
    finally:
        server.stop()
        upstream.stop()
