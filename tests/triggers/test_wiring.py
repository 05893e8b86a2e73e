"""How LambdaConfig meets the deployment's [[functions]]: ARNs checked when a pool is
created, updated or applied, what Poolgate refuses, a trigger whose function is gone,
and the triggers' invocations in ``poolgate logs``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.helpers import STRONG, email, error_of
from tests.conftest import MASTER_KEY, Server, cognito_client
from tests.triggers.conftest import ACCOUNT, FUNCTIONS_DIR, Deployment, arn

UNDECLARED = arn("no-such-function")


def refused(deployment: Deployment, **config: object) -> tuple[str, str]:
    with pytest.raises(ClientError) as exc:
        deployment.cognito.create_user_pool(PoolName="Refused", LambdaConfig=config)
    return error_of(exc)


def test_create_and_update_check_every_arn(deployment: Deployment) -> None:
    assert refused(deployment, PreSignUp=UNDECLARED) == (
        "InvalidParameterException",
        "PreSignUp: the function no-such-function is not declared: add a [[functions]] entry "
        "of that name to the server's configuration file.",
    )
    other_region = f"arn:aws:lambda:eu-west-1:{ACCOUNT}:function:record-only"
    code, message = refused(deployment, PostConfirmation=other_region)
    assert code == "InvalidParameterException"
    assert message.startswith(f"PostConfirmation: {other_region} is not a Lambda function ARN")

    pool = deployment.pool({"PreSignUp": "record-only"})
    with pytest.raises(ClientError) as exc:
        deployment.cognito.update_user_pool(
            UserPoolId=pool, LambdaConfig={"PreSignUp": arn("record-only"),
                                           "UserMigration": UNDECLARED},
        )  # fmt: skip
    assert error_of(exc)[0] == "InvalidParameterException"
    kept = deployment.cognito.describe_user_pool(UserPoolId=pool)["UserPool"]["LambdaConfig"]
    assert kept == {"PreSignUp": arn("record-only")}  # the refused update changed nothing

    # The legacy PreTokenGeneration member and PreTokenGenerationConfig stay in step.
    deployment.cognito.update_user_pool(
        UserPoolId=pool, LambdaConfig={"PreTokenGeneration": arn("token-v1")}
    )
    described = deployment.cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert described["LambdaConfig"] == {
        "PreTokenGeneration": arn("token-v1"),
        "PreTokenGenerationConfig": {"LambdaVersion": "V1_0", "LambdaArn": arn("token-v1")},
    }
    # UpdateUserPool without LambdaConfig removes the triggers, as Cognito's does.
    deployment.cognito.update_user_pool(UserPoolId=pool)
    described = deployment.cognito.describe_user_pool(UserPoolId=pool)["UserPool"]
    assert not described.get("LambdaConfig")


@pytest.mark.parametrize(
    ("member", "value", "why"),
    [
        ("CustomEmailSender", {"LambdaVersion": "V1_0", "LambdaArn": arn("record-only")}, "KMS"),
        ("CustomSMSSender", {"LambdaVersion": "V1_0", "LambdaArn": arn("record-only")}, "KMS"),
        ("KMSKeyID", "arn:aws:kms:us-east-1:123456789012:key/abc", "KMS"),
        ("InboundFederation", {"LambdaVersion": "V1_0", "LambdaArn": arn("record-only")}, "not"),
    ],
)
def test_what_cannot_be_honoured_is_refused(
    deployment: Deployment, member: str, value: object, why: str
) -> None:
    code, message = refused(deployment, **{member: value})
    assert code == "InvalidParameterException"
    assert member in message and why in message


def test_a_server_without_functions_refuses_triggers(server: Server) -> None:
    cognito = cognito_client(server.url)
    with pytest.raises(ClientError) as exc:
        cognito.create_user_pool(PoolName="NoFunctions", LambdaConfig={"PreSignUp": UNDECLARED})
    assert error_of(exc)[0] == "InvalidParameterException"


def poolgate(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "poolgate.cli", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
        # The servers' master key: apply and serve share the database.
        env={**{k: v for k, v in os.environ.items() if not k.startswith("POOLGATE_")},
             "POOLGATE_MASTER_KEY": MASTER_KEY, **(env or {})},
    )  # fmt: skip


APPLIED = """
[[pools]]
PoolName = "AppliedTriggers"
UsernameAttributes = ["email"]
AutoVerifiedAttributes = ["email"]
LambdaConfig = {{ PreSignUp = "{arn}" }}

[[pools.clients]]
ClientName = "web"
ExplicitAuthFlows = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

[[functions]]
name = "greeter"
code_dir = "{code_dir}"
handler = "sign_up.auto_confirm"
memory_mb = 256
environment = {{ EVENTS_DIR = "{events}", CODES_DIR = "{events}" }}
"""


def test_apply_checks_the_arns_and_serve_runs_them(tmp_path: Path) -> None:
    events = tmp_path / "events"
    events.mkdir()
    data = str(tmp_path / "data")
    file = tmp_path / "poolgate.toml"
    values = {"code_dir": FUNCTIONS_DIR, "events": events}
    file.write_text(APPLIED.format(arn=arn("greter"), **values))
    result = poolgate("apply", str(file), "--data-dir", data, cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    assert "pool 'AppliedTriggers': PreSignUp: the function greter is not declared" in result.stderr
    assert "nothing was changed" in result.stderr

    file.write_text(APPLIED.format(arn=arn("greeter"), **values))
    result = poolgate("apply", str(file), "--data-dir", data, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "pool AppliedTriggers" in result.stdout or "AppliedTriggers" in result.stdout

    # Served with the same file, the trigger runs (no gateway: triggers need none).
    server = _ConfigServer(tmp_path, data, file)
    server.start()
    try:
        cognito = cognito_client(server.url)
        pool = cognito.list_user_pools(MaxResults=10)["UserPools"][0]["Id"]
        client = cognito.list_user_pool_clients(UserPoolId=pool)["UserPoolClients"][0]
        answer = cognito.sign_up(ClientId=client["ClientId"], Username=email(), Password=STRONG)
        assert answer["UserConfirmed"] is True
        logs = poolgate("logs", "greeter", "--data-dir", data, cwd=tmp_path)
    finally:
        server.stop()
    assert logs.returncode == 0, logs.stderr
    # One invocation: the CloudWatch-like lines Lambda writes, each after its request id.
    text = logs.stdout
    starts = re.findall(r" (\S+) START RequestId: (\S+) Version: \$LATEST\n", text)
    assert len(starts) == 1 and starts[0][0] == starts[0][1], text
    request_id = starts[0][0]
    assert f" {request_id} END RequestId: {request_id}\n" in text
    assert re.search(rf" {request_id} REPORT RequestId: {request_id}\tDuration: [\d.]+ ms", text)

    # Served with a file that does not declare the function: the trigger cannot run,
    # and the operation fails with Cognito's error instead of skipping it.
    other = tmp_path / "other.toml"
    other.write_text("")
    server = _ConfigServer(tmp_path, data, other)
    server.start()
    try:
        cognito = cognito_client(server.url)
        with pytest.raises(ClientError) as exc:
            cognito.sign_up(ClientId=client["ClientId"], Username=email(), Password=STRONG)
        assert error_of(exc) == (
            "UnexpectedLambdaException",
            "PreSignUp invocation failed due to error ResourceNotFoundException.",
        )
    finally:
        server.stop()


def _ConfigServer(root: Path, data: str, config: Path) -> Server:
    from tests.triggers.conftest import ConfigServer

    return ConfigServer(data_dir=Path(data), database_url="", config=config)


def test_apply_finds_the_functions_in_the_servers_config(tmp_path: Path) -> None:
    # The pools in one file, the [[functions]] in the --config file `poolgate serve`
    # reads: apply checks the ARNs against those.
    events = tmp_path / "events"
    events.mkdir()
    whole = APPLIED.format(arn=arn("greeter"), code_dir=FUNCTIONS_DIR, events=events)
    pools_part, functions_part = whole.split("[[functions]]")
    (tmp_path / "pools.toml").write_text(pools_part)
    (tmp_path / "server.toml").write_text("[[functions]]" + functions_part)
    data = str(tmp_path / "data")
    result = poolgate(
        "apply", "pools.toml", "--config", "server.toml", "--data-dir", data, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith(": created")

    # A broken [[functions]] section is reported with the rest, and nothing changes.
    broken = whole.replace(str(FUNCTIONS_DIR), str(tmp_path / "nowhere"))
    (tmp_path / "broken.toml").write_text(broken.replace("AppliedTriggers", "Broken"))
    result = poolgate("apply", "broken.toml", "--data-dir", data, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "nothing was changed" in result.stderr
    assert "function 'greeter': code_dir" in result.stderr
