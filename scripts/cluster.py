"""A local Poolgate cluster: N nodes on one PostgreSQL database behind HAProxy.

Run it through scripts/cluster.sh (which sets up .venv and HAProxy first):

    ./scripts/cluster.sh                      # 2 nodes, http://127.0.0.1:9229
    ./scripts/cluster.sh --nodes 3 --workers 2

What it does, as a production setup would:
- one master key and one admin key for every node (generated once into --dir);
- every node started with the same --public-url, the balancer's URL (the issuer);
- HAProxy from deploy/haproxy.cfg, with its bind port and server lines replaced,
  health-checking each node's /health/ready;
- examples/travelguide/poolgate.toml applied through the shared database;
- a node that exits is started again (what systemd's Restart=always does), so a node
  can be killed and watched coming back.

--dir/cluster.json says where everything is (ports, pids), for scripts and tests;
"ready" is true once the balancer answers. Ctrl-C (or SIGTERM) stops everything.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import secrets
import signal
import string
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HAPROXY = "/usr/sbin/haproxy"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1, help="worker processes per node")
    parser.add_argument("--port", type=int, default=9229, help="the balancer's port")
    parser.add_argument(
        "--node-port",
        type=int,
        default=0,
        help="first node's port (default: --port + 10); node i gets it + i - 1",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "POOLGATE_CLUSTER_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/poolgate_cluster"
        ),
        help="created when missing",
    )
    parser.add_argument("--dir", type=Path, default=ROOT / "cluster-data")
    parser.add_argument("--no-example", action="store_true", help="do not apply TravelGuide")
    args = parser.parse_args()
    cluster = Cluster(args)
    signal.signal(signal.SIGTERM, lambda *_: cluster.request_stop())
    signal.signal(signal.SIGINT, lambda *_: cluster.request_stop())
    try:
        return cluster.run()
    finally:
        cluster.stop()


class Cluster:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.dir: Path = args.dir.resolve()
        self.url = f"http://127.0.0.1:{args.port}"
        first = args.node_port or args.port + 10
        self.nodes = [
            {"name": f"node{i}", "port": first + i - 1, "metrics_port": first + 100 + i - 1}
            for i in range(1, args.nodes + 1)
        ]
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.haproxy: subprocess.Popen[bytes] | None = None
        self.stopping = False
        self.ready = False

    # -- set-up ------------------------------------------------------------------------

    def secrets_env(self) -> dict[str, str]:
        """One master key and one admin key for all nodes, kept in --dir (0600)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        master = self.dir / "master.key"
        if not master.exists():
            _private(master, base64.urlsafe_b64encode(os.urandom(32)).decode())
        admin = self.dir / "admin-key.json"
        if not admin.exists():
            alphabet = string.ascii_uppercase + string.digits
            key_id = "AKPG" + "".join(secrets.choice(alphabet) for _ in range(16))
            _private(
                admin,
                json.dumps(
                    {"access_key_id": key_id, "secret_access_key": secrets.token_urlsafe(30)}
                ),
            )
        keys = json.loads(admin.read_text())
        return {
            "POOLGATE_MASTER_KEY": master.read_text().strip(),
            "POOLGATE_ADMIN_ACCESS_KEY_ID": keys["access_key_id"],
            "POOLGATE_ADMIN_SECRET_ACCESS_KEY": keys["secret_access_key"],
            "POOLGATE_DATABASE_URL": self.args.database_url,
            "POOLGATE_PUBLIC_URL": self.url,
        }

    def create_database(self) -> None:
        import asyncpg

        url = self.args.database_url
        base, _, name = url.rpartition("/")

        async def create() -> None:
            try:
                conn = await asyncpg.connect(f"{base}/postgres", timeout=10)
            except Exception as error:
                raise SystemExit(f"cluster: cannot reach PostgreSQL at {base}: {error}") from None
            try:
                if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                    await conn.execute(f'CREATE DATABASE "{name}"')
                    log(f"created the database {name}")
            finally:
                await conn.close()

        asyncio.run(create())

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")}
        env.update(self.base_env)
        return env

    def start_node(self, node: dict[str, Any]) -> None:
        data = self.dir / node["name"]
        data.mkdir(parents=True, exist_ok=True)
        env = self.env()
        env["POOLGATE_METRICS_PORT"] = str(node["metrics_port"])
        out = open(self.dir / f"{node['name']}.log", "ab")  # noqa: SIM115 - the node owns it
        process = subprocess.Popen(
            [PYTHON, "-m", "poolgate.cli", "serve", "--host", "127.0.0.1",
             "--port", str(node["port"]), "--data-dir", str(data),
             "--workers", str(self.args.workers)],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
        )  # fmt: skip
        self.processes[node["name"]] = process
        node["pid"] = process.pid
        node["starts"] = node.get("starts", 0) + 1
        self.write_state()

    def haproxy_config(self) -> Path:
        """deploy/haproxy.cfg with this cluster's bind port and nodes."""
        text = (ROOT / "deploy" / "haproxy.cfg").read_text()
        text = re.sub(r"(?m)^    bind :\d+$", f"    bind 127.0.0.1:{self.args.port}", text)
        servers = "".join(
            f"    server {node['name']} 127.0.0.1:{node['port']} check\n" for node in self.nodes
        )
        text = re.sub(r"(?m)^    server node\d+ .*\n", "", text).rstrip("\n") + "\n" + servers
        path = self.dir / "haproxy.cfg"
        path.write_text(text)
        return path

    def start_haproxy(self) -> None:
        config = self.haproxy_config()
        checked = subprocess.run([HAPROXY, "-c", "-q", "-f", str(config)], capture_output=True)
        if checked.returncode != 0:
            raise SystemExit(f"cluster: HAProxy refused {config}:\n{checked.stderr.decode()}")
        out = open(self.dir / "haproxy.log", "ab")  # noqa: SIM115 - HAProxy owns it
        self.haproxy = subprocess.Popen(
            [HAPROXY, "-db", "-f", str(config)], stdout=out, stderr=subprocess.STDOUT
        )

    def apply_example(self) -> None:
        example = ROOT / "examples" / "travelguide" / "poolgate.toml"
        result = subprocess.run(
            [PYTHON, "-m", "poolgate.cli", "apply", str(example),
             "--data-dir", str(self.dir / "node1")],
            env=self.env(), capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
        if result.returncode != 0:
            raise SystemExit(f"cluster: applying {example} failed:\n{result.stderr}")
        log("applied examples/travelguide/poolgate.toml:")
        for line in result.stdout.splitlines():
            log(f"  {line}")

    # -- running -----------------------------------------------------------------------

    def run(self) -> int:
        self.base_env = self.secrets_env()
        self.create_database()
        if not Path(HAPROXY).exists():
            raise SystemExit("cluster: HAProxy is missing (scripts/ensure-haproxy.sh installs it)")
        # The first node migrates the database alone; the others then start at once.
        self.start_node(self.nodes[0])
        self.wait_ready(f"http://127.0.0.1:{self.nodes[0]['port']}", self.nodes[0]["name"])
        for node in self.nodes[1:]:
            self.start_node(node)
        for node in self.nodes[1:]:
            self.wait_ready(f"http://127.0.0.1:{node['port']}", node["name"])
        self.start_haproxy()
        self.wait_ready(self.url, "the balancer")
        if not self.args.no_example:
            self.apply_example()
        self.ready = True
        self.write_state()
        self.announce()
        while not self.stopping:
            self.restart_exited()
            if self.haproxy is not None and self.haproxy.poll() is not None:
                log(f"HAProxy exited ({self.haproxy.returncode}); see {self.dir / 'haproxy.log'}")
                return 1
            time.sleep(0.2)
        return 0

    def restart_exited(self) -> None:
        for node in self.nodes:
            process = self.processes.get(node["name"])
            if process is None or process.poll() is None or self.stopping:
                continue
            log(f"{node['name']} exited ({process.returncode}); starting it again")
            del self.processes[node["name"]]
            time.sleep(0.5)  # a SIGKILLed node's workers drain before the port is free
            self.start_node(node)

    def wait_ready(self, url: str, what: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.stopping:
            try:
                with urllib.request.urlopen(url + "/health/ready", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            running = dict(self.processes)
            if self.haproxy is not None:
                running["haproxy"] = self.haproxy
            for name, process in running.items():
                if process.poll() is not None:
                    tail = (self.dir / f"{name}.log").read_text(errors="replace")[-2000:]
                    raise SystemExit(f"cluster: {name} exited while starting:\n{tail}")
            time.sleep(0.1)
        raise SystemExit(f"cluster: {what} did not become ready at {url}")

    def write_state(self) -> None:
        state = {
            "ready": self.ready,
            "url": self.url,
            "database_url": self.args.database_url,
            "nodes": [
                {**node, "url": f"http://127.0.0.1:{node['port']}"} for node in self.nodes
            ],
            "haproxy_pid": self.haproxy.pid if self.haproxy else None,
            "admin_key_file": str(self.dir / "admin-key.json"),
        }
        tmp = self.dir / "cluster.json.tmp"
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.dir / "cluster.json")

    def announce(self) -> None:
        keys = self.base_env
        log(f"Poolgate cluster ready at {self.url} (HAProxy, health-checking /health/ready)")
        for node in self.nodes:
            log(
                f"  {node['name']}: http://127.0.0.1:{node['port']} "
                f"(metrics http://127.0.0.1:{node['metrics_port']}/metrics, "
                f"log {self.dir / (node['name'] + '.log')})"
            )
        log(f"  database: {self.args.database_url}")
        log("  admin key for the AWS CLI and SDKs:")
        log(
            f"    export AWS_ACCESS_KEY_ID={keys['POOLGATE_ADMIN_ACCESS_KEY_ID']} "
            f"AWS_SECRET_ACCESS_KEY={keys['POOLGATE_ADMIN_SECRET_ACCESS_KEY']} "
            "AWS_DEFAULT_REGION=us-east-1"
        )
        log("  Ctrl-C stops the cluster.")

    def request_stop(self) -> None:
        self.stopping = True

    def stop(self) -> None:
        self.stopping = True
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        if self.haproxy is not None and self.haproxy.poll() is None:
            self.haproxy.terminate()
        for process in [*self.processes.values(), *([self.haproxy] if self.haproxy else [])]:
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()


def _private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")


def log(message: str) -> None:
    print(message, flush=True)


if __name__ == "__main__":
    sys.exit(main())
