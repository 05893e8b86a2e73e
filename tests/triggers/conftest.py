"""A deployment for the trigger tests: ``poolgate serve --config FILE`` as a real
process (SQLite and PostgreSQL), without the gateway, whose ``[[functions]]`` are the
handlers of ``tests/triggers/functions``. Every test makes the pools it needs with
boto3, their LambdaConfig naming those functions by ARN.

The functions keep each event they receive (``recorder.py``) in ``events_dir``, one
JSON line per invocation in a file per pool; the custom challenge's codes go to
``codes_dir``.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.helpers import FLOWS, POLICY
from tests.conftest import BACKENDS, Server, cognito_client, database_url

FUNCTIONS_DIR = Path(__file__).resolve().parent / "functions"
REGION, ACCOUNT = "us-east-1", "123456789012"

# name: (handler, the function's other [[functions]] settings)
FUNCTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "pre-sign-up-auto-confirm": ("sign_up.auto_confirm", {}),
    "pre-sign-up-guest-list": ("sign_up.guest_list", {}),
    "pre-sign-up-sleeper": ("sign_up.sleeper", {"timeout": 10}),
    "post-confirmation-travellers": (
        "sign_up.add_to_travellers",
        {"admin_credentials": True, "memory_mb": 512},
    ),
    "pre-authentication": ("authentication.pre_authentication", {}),
    "post-authentication": ("authentication.post_authentication", {}),
    "token-v1": ("tokens.v1", {}),
    "token-v2": ("tokens.v2", {}),
    "custom-message": ("messages.custom_message", {}),
    "migrate-user": ("migration.migrate", {}),
    "define-auth-challenge": ("custom_auth.define", {}),
    "create-auth-challenge": ("custom_auth.create", {}),
    "verify-auth-challenge": ("custom_auth.verify", {}),
    "unrecognizable": ("broken.unrecognizable", {}),
    "crash": ("broken.crash", {}),
    "overrun": ("broken.overrun", {"timeout": 1}),
    "record-only": ("broken.record_only", {}),
}


def arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def _toml_value(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, bool) else str(value).lower()


def functions_toml(events_dir: Path, codes_dir: Path) -> str:
    sections = []
    for name, (handler, settings) in FUNCTIONS.items():
        lines = [
            "[[functions]]",
            f'name = "{name}"',
            f"code_dir = {json.dumps(str(FUNCTIONS_DIR))}",
            f'handler = "{handler}"',
        ]
        # Powertools (and boto3) need more room than Lambda's 128 MB default.
        lines += [
            f"{key} = {_toml_value(value)}" for key, value in {"memory_mb": 256, **settings}.items()
        ]
        environment = {"EVENTS_DIR": str(events_dir), "CODES_DIR": str(codes_dir)}
        lines.append(
            "environment = { "
            + ", ".join(f"{key} = {json.dumps(value)}" for key, value in environment.items())
            + " }"
        )
        sections.append("\n".join(lines))
    return "\n\n".join(sections) + "\n"


@dataclass
class ConfigServer(Server):
    """``poolgate serve --config FILE`` (no gateway: triggers run without one)."""

    config: Path | None = None
    extra_args: list[str] = field(default_factory=list)

    def start(self) -> None:
        assert self.config is not None
        self.log_path = self.data_dir / "server.log"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - the process owns it
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "poolgate.cli", "serve", "--config", str(self.config),
                "--host", "127.0.0.1", "--port", str(self.port),
                "--data-dir", str(self.data_dir), *self.extra_args,
            ],
            env=self.env(), stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
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


@dataclass
class Deployment:
    server: ConfigServer
    cognito: Any
    events_dir: Path
    codes_dir: Path

    @property
    def url(self) -> str:
        return self.server.url

    def pool(self, triggers: dict[str, str], **extra: Any) -> str:
        """A pool like TravelGuide's (sign-in with email) whose LambdaConfig runs the
        named functions: ``{"PreSignUp": "pre-sign-up-auto-confirm", ...}``;
        PreTokenGeneration as ``{"PreTokenGenerationConfig": ("V2_0", "token-v2")}``."""
        config: dict[str, Any] = {}
        for trigger, function in triggers.items():
            if trigger == "PreTokenGenerationConfig":
                version, name = function
                config[trigger] = {"LambdaVersion": version, "LambdaArn": arn(name)}
            else:
                config[trigger] = arn(function)
        extra.setdefault("Policies", {"PasswordPolicy": POLICY})
        pool = self.cognito.create_user_pool(
            PoolName=f"TriggersPool-{secrets.token_hex(3)}",
            UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"],
            UsernameConfiguration={"CaseSensitive": False},
            LambdaConfig=config,
            **extra,
        )["UserPool"]
        return str(pool["Id"])

    def client(self, pool_id: str, **extra: Any) -> str:
        extra.setdefault("ExplicitAuthFlows", [*FLOWS, "ALLOW_CUSTOM_AUTH"])
        extra.setdefault("ReadAttributes", ["email", "email_verified", "name"])
        created = self.cognito.create_user_pool_client(
            UserPoolId=pool_id, ClientName=f"web-{secrets.token_hex(3)}", **extra
        )["UserPoolClient"]
        return str(created["ClientId"])

    def records(self, pool_id: str, source: str | None = None) -> list[dict[str, Any]]:
        """What the pool's functions were given (and returned), oldest first."""
        path = self.events_dir / f"{pool_id}.jsonl"
        if not path.exists():
            return []
        found = [json.loads(line) for line in path.read_text().splitlines() if line]
        return [r for r in found if source is None or r["event"]["triggerSource"] == source]

    def events(self, pool_id: str, source: str | None = None) -> list[dict[str, Any]]:
        return [record["event"] for record in self.records(pool_id, source)]

    def code_for(self, username: str) -> str:
        return (self.codes_dir / f"{username}.code").read_text()


@pytest.fixture(scope="session", params=BACKENDS)
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp(f"triggers-{request.param}")
    events_dir, codes_dir = root / "events", root / "codes"
    events_dir.mkdir()
    codes_dir.mkdir()
    config = root / "poolgate.toml"
    config.write_text(functions_toml(events_dir, codes_dir))
    server = ConfigServer(
        data_dir=root / "data",
        database_url=database_url(request.param, root, request),
        config=config,
    )
    server.start()
    try:
        yield Deployment(server, cognito_client(server.url), events_dir, codes_dir)
    finally:
        server.stop()
