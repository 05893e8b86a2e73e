"""amazon-cognito-identity-js completes a CUSTOM_AUTH sign-in through its
``customChallenge`` callback (with a one-time code made by the pool's create auth
challenge function), and aws-jwt-verify accepts tokens carrying the claims a pre token
generation function added: ``triggers.mjs`` run by Node against the trigger tests'
``poolgate serve --config`` (tests/triggers/conftest.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess

import pytest
from tests.api.helpers import STRONG
from tests.node.test_node_clients import NODE_DIR, _tool, ensure_node_modules
from tests.triggers.conftest import Deployment, deployment  # noqa: F401 - the fixture
from tests.triggers.helpers import user

CUSTOM = {
    "DefineAuthChallenge": "define-auth-challenge",
    "CreateAuthChallenge": "create-auth-challenge",
    "VerifyAuthChallengeResponse": "verify-auth-challenge",
}


def test_javascript_clients_and_triggers(deployment: Deployment) -> None:  # noqa: F811
    node = _tool("node")
    ensure_node_modules()
    pool = deployment.pool({**CUSTOM, "PreTokenGenerationConfig": ("V2_0", "token-v2")})
    client_id = deployment.client(
        pool, ExplicitAuthFlows=["ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH",
                                 "ALLOW_REFRESH_TOKEN_AUTH"],
    )  # fmt: skip
    env = {
        **os.environ,
        "POOLGATE_URL": deployment.url,
        "TRIGGER_POOL_ID": pool,
        "TRIGGER_CLIENT_ID": client_id,
        "TRIGGER_USER": user(deployment, pool),
        "TRIGGER_PASSWORD": STRONG,
        "CODES_DIR": str(deployment.codes_dir),
        "NO_COLOR": "1",
    }
    env.pop("NODE_OPTIONS", None)
    try:
        result = subprocess.run(
            [node, "--test", "--test-reporter=spec", str(NODE_DIR / "triggers.mjs")],
            cwd=NODE_DIR, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"node --test timed out:\n{exc.stdout}\n{exc.stderr}")
    assert result.returncode == 0, (
        f"node --test failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
        f"\n--- server log (tail) ---\n{deployment.server.log()[-5000:]}"
    )
    for name in ("customChallenge", "SRP first", "three wrong codes"):
        assert name in result.stdout, result.stdout
    # The functions saw the sign-ins identity-js made: SRP_A first in the second one.
    defines = deployment.events(pool, "DefineAuthChallenge_Authentication")
    first_steps = [
        e["request"]["session"][0]["challengeName"] for e in defines if e["request"]["session"]
    ]
    assert "SRP_A" in first_steps
    verified = deployment.events(pool, "VerifyAuthChallengeResponse_Authentication")
    assert verified and all(e["request"]["clientMetadata"] == {"screen": "node"} for e in verified)
