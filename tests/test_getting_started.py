"""What a newcomer runs first, in the README's order: ``scripts/start.sh``, the README's
AWS CLI and boto3 examples against the running demo, and ``start.sh`` once more.

The README's examples are read from README.md itself and run as written, with only
the port changed (the test's server listens on a free port, not 9229) and the data
directory a temporary one. The old README created a second ``TravelGuideUserPool-staging``
and the next ``start.sh`` refused to start; the test makes that namesake too and checks
that ``start.sh`` starts, names the pool it uses (the oldest) and that the demo's API
still accepts the demo user's tokens.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from tests.conftest import cognito_client, free_port

ROOT = Path(__file__).resolve().parent.parent
DEMO_POOL = "TravelGuideUserPool-staging"
DEMO = "demo@travelguide.example"
READY = "Ctrl-C stops everything."


def readme_block(language: str, containing: str) -> str:
    """The README's fenced ``language`` block that contains ``containing``."""
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M)
    [block] = [b for b in blocks if containing in b]
    return block


def aws_cli() -> str:
    found = shutil.which("aws") or str(ROOT / ".tools" / "awscli" / "bin" / "aws")
    if not os.access(found, os.X_OK):
        pytest.fail("the AWS CLI is missing: run scripts/ensure-awscli.sh")
    return found


@dataclass
class Demo:
    """One run of start.sh, in a process group of its own, and what it printed."""

    process: subprocess.Popen[str]
    output: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.output)

    def field(self, label: str) -> list[str]:
        """The words after ``label`` on the summary's line for it."""
        for line in self.output:
            if line.startswith(f"  {label} "):
                return line[len(label) + 2 :].split()
        raise AssertionError(f"no {label!r} line in:\n{self.text}")

    def stop(self) -> None:
        if self.process.poll() is None:
            # Ctrl-C's path: the script asks each child to stop, then exits.
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start(env: dict[str, str]) -> Demo:
    process = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "start.sh"), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    demo = Demo(process, [])
    deadline = time.monotonic() + 240
    while True:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            demo.stop()
            raise AssertionError(f"start.sh did not get ready:\n{demo.text}") from None
        if line is None:
            process.wait(timeout=30)
            raise AssertionError(f"start.sh exited {process.returncode}:\n{demo.text}")
        demo.output.append(line)
        if line == READY:
            return demo


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """Where the README's commands run: a directory with the repository's .venv and a
    data/ of its own, which start.sh (POOLGATE_DATA_DIR) also uses."""
    work = tmp_path / "work"
    work.mkdir()
    (work / ".venv").symlink_to(ROOT / ".venv")
    port, gateway_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POOLGATE_", "AWS_", "WEB_"))}
    env.update(
        POOLGATE_PORT=str(port),
        POOLGATE_GATEWAY_PORT=str(gateway_port),
        POOLGATE_DATA_DIR=str(work / "data"),
        TRAVELGUIDE_WEB="no",
        # Nothing of the machine's own AWS configuration.
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        PATH=f"{Path(aws_cli()).parent}{os.pathsep}{os.environ['PATH']}",
    )
    yield work, env


def run_readme_examples(work: Path, env: dict[str, str], port: str) -> str:
    shell = readme_block("sh", "aws cognito-idp")
    python = readme_block("python", "boto3.client")
    script = f"{shell}\n.venv/bin/python - <<'README_PY'\n{python}README_PY\n"
    script = script.replace("127.0.0.1:9229", f"127.0.0.1:{port}")
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def admin(env: dict[str, str], work: Path) -> Any:
    key = subprocess.run(
        [".venv/bin/poolgate", "admin-key", "--export", "--data-dir", "data"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    exports = dict(re.findall(r"(AWS_\w+)=(\S+)", key))
    return boto3.client(
        "cognito-idp",
        endpoint_url=f"http://127.0.0.1:{env['POOLGATE_PORT']}",
        region_name=exports["AWS_DEFAULT_REGION"],
        aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
    )


def pool_ids(cognito: Any, name: str) -> list[str]:
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    return [p["Id"] for p in sorted(pools, key=lambda p: p["CreationDate"]) if p["Name"] == name]


def test_the_readme_examples_then_start_sh_again(
    workdir: tuple[Path, dict[str, str]],
) -> None:
    work, env = workdir
    port = env["POOLGATE_PORT"]

    first = start(env)
    try:
        [name, demo_pool] = first.field("User pool")
        assert name == DEMO_POOL
        assert "Note on the user pool" not in first.text
        # The admin console, with its first administrator's temporary password.
        assert first.field("Admin console")[0] == f"http://127.0.0.1:{port}/admin/"
        assert "temporary password   TravelGuide-Admin-2026!" in first.text
        printed = run_readme_examples(work, env, port)
        cognito = admin(env, work)
        # The CLI's pool and boto3's, under names of their own; the demo's is alone.
        assert pool_ids(cognito, DEMO_POOL) == [demo_pool]
        [mine] = pool_ids(cognito, "MyAppPool")
        [boto3_pool] = pool_ids(cognito, "MyAppPool-boto3")
        assert f"{boto3_pool} MyAppPool-boto3" in printed
        # The CLI's user landed in the demo's pool, with its invitation in the mailbox.
        ana = cognito.admin_get_user(UserPoolId=demo_pool, Username="ana@example.com")
        assert ana["UserStatus"] == "FORCE_CHANGE_PASSWORD"
        mail = httpx.get(
            f"http://127.0.0.1:{port}/_mailbox/messages",
            params={"recipient": "ana@example.com"},
        ).json()["messages"]
        assert [m["purpose"] for m in mail] == ["invitation"], mail
        assert mine != demo_pool

        # What the old README did: a second pool by the demo's name.
        namesake = cognito.create_user_pool(PoolName=DEMO_POOL)["UserPool"]["Id"]
        assert pool_ids(cognito, DEMO_POOL) == [demo_pool, namesake]
    finally:
        first.stop()
    # Ctrl-C's exit status: the script stopped its children and itself (the second
    # start needs the same ports free, and checks them).
    assert first.process.returncode == 130

    again = start(env)
    try:
        assert again.field("User pool") == [DEMO_POOL, demo_pool]
        summary = again.text[again.text.index("TravelGuide is running.") :]
        note = " ".join(summary[summary.index("Note on the user pool:") :].split())
        assert note.startswith(
            "Note on the user pool: 2 user pools have this name; apply manages the oldest, "
            f"{demo_pool} (newer: {namesake})."
        ), note
        assert "The demo, its web app and its API use that pool" in note
        [client_id] = again.field("App client")[1:]

        # The demo's API answers the demo user of the oldest pool.
        cognito = cognito_client(f"http://127.0.0.1:{port}", signed=False)
        started = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": DEMO, "PASSWORD": "TravelGuide-2026!"},
        )
        assert started["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
        tokens = cognito.respond_to_auth_challenge(
            ClientId=client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=started["Session"],
            ChallengeResponses={
                "USERNAME": started["ChallengeParameters"]["USER_ID_FOR_SRP"],
                "NEW_PASSWORD": "Chosen-By-Dana-7",
            },
        )["AuthenticationResult"]
        [api] = again.field("API")[:1]
        hello = httpx.get(
            f"{api}/hello", headers={"Authorization": f"Bearer {tokens['IdToken']}"}, timeout=30
        )
        assert hello.status_code == 200, hello.text
        assert hello.json()["message"].startswith("Hello ")
        assert set(hello.json()) == {"message", "userId"}
    finally:
        again.stop()
