"""The cluster a person starts with ``scripts/cluster.sh``: two nodes on PostgreSQL
behind HAProxy. Sign-ups, sign-ins, refreshes and GetUser run through the balancer
while one node is killed with SIGKILL and comes back; then:

- every acknowledged sign-up is there;
- the only 5xx the clients saw were requests in flight on the killed node (at most
  one per client thread);
- a lockout earned on one node, and a sign-out made on one node, hold on the other;
- a token minted by one node is accepted by the other (one issuer).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from tests.api.helpers import STRONG
from tests.conftest import PG_DSN, _pg, free_port

ROOT = Path(__file__).resolve().parents[2]
THREADS = 6


@dataclass
class Cluster:
    dir: Path
    state: dict[str, Any]
    keys: dict[str, str]
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return str(self.state["url"])

    def node(self, name: str) -> dict[str, Any]:
        self.state = json.loads((self.dir / "cluster.json").read_text())
        return next(n for n in self.state["nodes"] if n["name"] == name)

    def client(self, url: str | None = None, signed: bool = True) -> Any:
        extra: dict[str, Any] = {}
        if not signed:
            from botocore import UNSIGNED

            extra["signature_version"] = UNSIGNED
        return boto3.client(
            "cognito-idp",
            endpoint_url=url or self.url,
            region_name="us-east-1",
            aws_access_key_id=self.keys["access_key_id"],
            aws_secret_access_key=self.keys["secret_access_key"],
            # One attempt: botocore would retry a 5xx and hide it from the count.
            config=Config(retries={"max_attempts": 1, "mode": "standard"}, **extra),
        )


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    directory = tmp_path_factory.mktemp("cluster")
    name = f"poolgate_cluster_{secrets.token_hex(4)}"
    url = f"{PG_DSN.rsplit('/', 1)[0]}/{name}"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")}
    log = open(directory / "cluster.out", "wb")  # noqa: SIM115 - the script owns it
    process = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "cluster.sh"), "--dir", str(directory),
         "--port", str(port), "--node-port", str(free_port()), "--database-url", url],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        state_file = directory / "cluster.json"
        while not (state_file.exists() and json.loads(state_file.read_text())["ready"]):
            output = (directory / "cluster.out").read_text(errors="replace")
            assert process.poll() is None, output
            assert time.monotonic() < deadline, output
            time.sleep(0.2)
        keys = json.loads((directory / "admin-key.json").read_text())
        yield Cluster(directory, json.loads(state_file.read_text()), keys, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Load:
    """Client threads doing sign-up, confirm, sign-in, refresh and GetUser in a loop."""

    cluster: Cluster
    pool: str
    client: str
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    other_errors: list[str] = field(default_factory=list)
    ok: int = 0

    def run(self) -> None:
        admin = self.cluster.client()
        public = self.cluster.client(signed=False)
        while not self.stop.is_set():
            username = f"load-{secrets.token_hex(6)}"
            self.call(public.sign_up, ClientId=self.client, Username=username, Password=STRONG)
            if not self.call(admin.admin_confirm_sign_up, UserPoolId=self.pool, Username=username):
                continue
            with self.lock:
                self.acknowledged.append(username)
            result = self.call(
                public.initiate_auth,
                ClientId=self.client,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": STRONG},
            )
            if not result:
                continue
            tokens = result["AuthenticationResult"]
            self.call(public.get_user, AccessToken=tokens["AccessToken"])
            self.call(
                public.initiate_auth,
                ClientId=self.client,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
            )

    def call(self, operation: Any, **params: Any) -> Any:
        name = operation.__name__
        try:
            result = operation(**params)
        except ClientError as error:
            status = error.response["ResponseMetadata"].get("HTTPStatusCode", 0)
            with self.lock:
                target = self.server_errors if status >= 500 else self.other_errors
                target.append(f"{name}: {status} {error.response['Error'].get('Code')}")
            return None
        except BotoConnectionError as error:  # the balancer itself must never go away
            with self.lock:
                self.other_errors.append(f"{name}: connection {error}")
            return None
        with self.lock:
            self.ok += 1
        return result or True


def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not become ready")


def test_sigkill_of_a_node_under_load_loses_no_acknowledged_write(cluster: Cluster) -> None:
    admin = cluster.client()
    pool = admin.create_user_pool(PoolName=f"cluster-{secrets.token_hex(3)}")["UserPool"]["Id"]
    client = admin.create_user_pool_client(
        UserPoolId=pool,
        ClientName="load",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    load = Load(cluster, pool, client)
    threads = [threading.Thread(target=load.run, daemon=True) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    time.sleep(4)
    victim = cluster.node("node1")
    before_kill = load.ok
    os.kill(victim["pid"], signal.SIGKILL)
    # The cluster script starts it again, as systemd would.
    deadline = time.monotonic() + 60
    while cluster.node("node1")["pid"] == victim["pid"]:
        assert time.monotonic() < deadline, "node1 was not restarted"
        time.sleep(0.1)
    wait_ready(victim["url"])
    time.sleep(4)  # both nodes serve again
    load.stop.set()
    for thread in threads:
        thread.join(timeout=60)

    assert before_kill > 0 and load.ok > before_kill
    # At most the requests in flight on the killed node: one per client thread.
    assert len(load.server_errors) <= THREADS, load.server_errors
    assert not [e for e in load.other_errors if "connection" in e], load.other_errors
    # No acknowledged write lost: every confirmed sign-up is there, confirmed.
    assert len(load.acknowledged) > 10
    for username in load.acknowledged:
        user = admin.admin_get_user(UserPoolId=pool, Username=username)
        assert user["UserStatus"] == "CONFIRMED", username
    # Both nodes answered requests of the load (their metrics say so).
    for node in cluster.state["nodes"]:
        metrics = httpx.get(f"http://127.0.0.1:{node['metrics_port']}/metrics").text
        assert 'operation="InitiateAuth",outcome="ok"' in metrics, node["name"]


def test_lockout_revocation_and_tokens_hold_across_nodes(cluster: Cluster) -> None:
    node1, node2 = (cluster.node(n)["url"] for n in ("node1", "node2"))
    wait_ready(node1)
    admin = cluster.client()
    pool = admin.create_user_pool(PoolName=f"shared-{secrets.token_hex(3)}")["UserPool"]["Id"]
    client = admin.create_user_pool_client(
        UserPoolId=pool,
        ClientName="shared",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    for name in ("locked", "revoked"):
        admin.admin_create_user(UserPoolId=pool, Username=name, MessageAction="SUPPRESS")
        admin.admin_set_user_password(
            UserPoolId=pool, Username=name, Password=STRONG, Permanent=True
        )
    on_1, on_2 = cluster.client(node1, signed=False), cluster.client(node2, signed=False)

    def sign_in(cognito: Any, name: str, password: str = STRONG) -> dict[str, Any]:
        return dict(
            cognito.initiate_auth(
                ClientId=client,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": name, "PASSWORD": password},
            )["AuthenticationResult"]
        )

    # Lockout earned on node 1 holds on node 2, even for the right password.
    for _ in range(5):
        with pytest.raises(ClientError):
            sign_in(on_1, "locked", "Wrong!Password1")
    with pytest.raises(ClientError) as locked:
        sign_in(on_2, "locked")
    assert locked.value.response["Error"]["Message"] == "Password attempts exceeded"

    # A token minted by node 1 works on node 2: one issuer for the cluster.
    tokens = sign_in(on_1, "revoked")
    assert on_2.get_user(AccessToken=tokens["AccessToken"])["Username"] == "revoked"
    # Signed out on node 1: node 2 refuses the access token and the refresh token.
    on_1.global_sign_out(AccessToken=tokens["AccessToken"])
    with pytest.raises(ClientError) as revoked:
        on_2.get_user(AccessToken=tokens["AccessToken"])
    assert revoked.value.response["Error"]["Message"] == "Access Token has been revoked"
    with pytest.raises(ClientError) as refresh:
        on_2.initiate_auth(
            ClientId=client,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
    assert refresh.value.response["Error"]["Message"] == "Refresh Token has been revoked"


def test_the_travelguide_example_is_applied(cluster: Cluster) -> None:
    pools = cluster.client().list_user_pools(MaxResults=60)["UserPools"]
    assert "TravelGuideUserPool-staging" in [p["Name"] for p in pools]
