"""Running handlers written for AWS Lambda: results, the context object, the
environment, warm workers, concurrency and code reload."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import pytest

from poolgate.functions import FunctionNotFound, FunctionRuntime
from tests.functions.conftest import WriteCode
from tests.functions.helpers import spec

# The TravelGuide workshop's handler, verbatim.
WORKSHOP_HANDLER = """\
import json

def lambda_handler(event, context):
    claims = event['requestContext']['authorizer']['claims']
    username = claims['cognito:username']
    return {
        'statusCode': 200,
        'headers': {'Access-Control-Allow-Origin': '*'},
        'body': json.dumps(f'Hello {username}!')
    }
"""


async def test_workshop_handler_returns_its_response(
    runtime: FunctionRuntime, write_code: WriteCode
) -> None:
    runtime.register(spec(write_code(app=WORKSHOP_HANDLER), name="hello"))
    event = {"requestContext": {"authorizer": {"claims": {"cognito:username": "alice"}}}}

    invocation = await runtime.invoke("hello", event, request_id="req-1")

    assert invocation.request_id == "req-1"
    assert invocation.result == {
        "statusCode": 200,
        "headers": {"Access-Control-Allow-Origin": "*"},
        "body": '"Hello alice!"',
    }
    assert json.loads(invocation.result["body"]) == "Hello alice!"
    assert invocation.duration_ms >= 0
    assert invocation.logs == []


async def test_context_has_lambdas_attributes_and_counts_down(
    runtime: FunctionRuntime, write_code: WriteCode
) -> None:
    code = write_code(
        app="""
        import time

        def lambda_handler(event, context):
            before = context.get_remaining_time_in_millis()
            time.sleep(0.2)
            return {
                "aws_request_id": context.aws_request_id,
                "function_name": context.function_name,
                "function_version": context.function_version,
                "invoked_function_arn": context.invoked_function_arn,
                "memory_limit_in_mb": context.memory_limit_in_mb,
                "log_group_name": context.log_group_name,
                "log_stream_name": context.log_stream_name,
                "identity": [
                    context.identity.cognito_identity_id,
                    context.identity.cognito_identity_pool_id,
                ],
                "client_context": context.client_context,
                "before": before,
                "after": context.get_remaining_time_in_millis(),
            }
        """
    )
    runtime.register(spec(code, name="ctx", timeout=2.0, memory_mb=256))

    result = (await runtime.invoke("ctx", {}, request_id="abc-123")).result

    assert result["aws_request_id"] == "abc-123"
    assert result["function_name"] == "ctx"
    assert result["function_version"] == "$LATEST"
    assert result["invoked_function_arn"] == "arn:aws:lambda:us-east-1:123456789012:function:ctx"
    # A string, as AWS's Python runtime reads it from the environment.
    assert result["memory_limit_in_mb"] == "256"
    assert result["log_group_name"] == "/aws/lambda/ctx"
    assert result["log_stream_name"].startswith(time.strftime("%Y/%m/%d/[$LATEST]", time.gmtime()))
    assert len(result["log_stream_name"].rpartition("]")[2]) == 32
    assert result["identity"] == [None, None]
    assert result["client_context"] is None
    assert 1800 <= result["before"] <= 2000
    assert 100 <= result["before"] - result["after"] <= 400


async def test_region_and_account_shape_the_arn(tmp_path: Path, write_code: WriteCode) -> None:
    code = write_code(app="def lambda_handler(e, c):\n    return c.invoked_function_arn\n")
    functions = FunctionRuntime(region="eu-west-3", account_id="000011112222")
    try:
        functions.register(spec(code))
        arn = (await functions.invoke("fn", None)).result
    finally:
        await functions.close()
    assert arn == "arn:aws:lambda:eu-west-3:000011112222:function:fn"


async def test_environment_working_directory_and_sys_path(
    runtime: FunctionRuntime, write_code: WriteCode, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POOLGATE_MASTER_KEY", "server-secret")
    code = write_code(
        app="""
        import os, sys

        def lambda_handler(event, context):
            return {"env": dict(os.environ), "cwd": os.getcwd(), "path0": sys.path[0]}
        """
    )
    runtime.register(
        spec(code, name="envfn", memory_mb=512, environment={"TABLE": "places", "STAGE": "dev"})
    )

    result = (await runtime.invoke("envfn", {})).result
    env = result["env"]

    assert env["TABLE"] == "places" and env["STAGE"] == "dev"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "envfn"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/envfn"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"].startswith(time.strftime("%Y/%m/%d/", time.gmtime()))
    assert env["LAMBDA_TASK_ROOT"] == str(code.resolve())
    assert env["_HANDLER"] == "app.lambda_handler"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"
    assert result["cwd"] == str(code.resolve())
    assert result["path0"] == str(code.resolve())
    # The server's own environment (keys, database passwords) is not passed on.
    assert "POOLGATE_MASTER_KEY" not in env


async def test_reserved_variables_win_over_the_specs(
    runtime: FunctionRuntime, write_code: WriteCode
) -> None:
    code = write_code(
        app="import os\ndef lambda_handler(e, c):\n    return os.environ['_HANDLER']\n"
    )
    runtime.register(spec(code, environment={"_HANDLER": "evil.handler"}))
    assert (await runtime.invoke("fn", {})).result == "app.lambda_handler"


async def test_warm_worker_keeps_module_state(
    runtime: FunctionRuntime, write_code: WriteCode
) -> None:
    code = write_code(
        app="""
        import os

        count = 0

        def lambda_handler(event, context):
            global count
            count += 1
            return {"count": count, "pid": os.getpid()}
        """
    )
    runtime.register(spec(code))

    results = [(await runtime.invoke("fn", {})).result for _ in range(3)]

    assert [r["count"] for r in results] == [1, 2, 3]
    assert len({r["pid"] for r in results}) == 1


async def test_packaged_handler_and_return_types(
    runtime: FunctionRuntime, write_code: WriteCode
) -> None:
    code = write_code(
        **{
            "pkg/__init__": "",
            "pkg.handlers": """
            import decimal

            def echo(event, context):
                return {"event": event, "price": decimal.Decimal("12.50"), "n": decimal.Decimal(3)}

            def raw(event, context):
                return b"\\x00binary"

            def nothing(event, context):
                pass
            """,
        }
    )
    runtime.register(spec(code, "pkg.handlers.echo", name="echo"))
    runtime.register(spec(code, "pkg.handlers.raw", name="raw"))
    runtime.register(spec(code, "pkg/handlers.nothing", name="nothing"))

    event = {"list": [1, 2.5, "x", None, True], "nested": {"k": "é"}}
    echoed = (await runtime.invoke("echo", event)).result
    assert echoed == {"event": event, "price": 12.5, "n": 3}
    assert (await runtime.invoke("raw", {})).result == b"\x00binary"
    assert (await runtime.invoke("nothing", {})).result is None


async def test_unknown_function(runtime: FunctionRuntime) -> None:
    with pytest.raises(FunctionNotFound) as raised:
        await runtime.invoke("missing", {}, request_id="r1")
    assert str(raised.value) == (
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing"
    )
    assert raised.value.request_id == "r1"


async def test_missing_code_directory(runtime: FunctionRuntime, tmp_path: Path) -> None:
    runtime.register(spec(tmp_path / "nowhere"))
    with pytest.raises(FunctionNotFound, match="does not exist"):
        await runtime.invoke("fn", {})


def test_register_validates_the_spec(tmp_path: Path) -> None:
    functions = FunctionRuntime()
    for bad in (
        spec(tmp_path, name="../escape"),
        spec(tmp_path, name=""),
        spec(tmp_path, timeout=0),
        spec(tmp_path, memory_mb=0),
        spec(tmp_path, runtime="nodejs20.x"),
    ):
        with pytest.raises(ValueError):
            functions.register(bad)
    assert functions.specs() == []


async def test_eight_concurrent_invocations_share_four_workers(
    runtime: FunctionRuntime, write_code: WriteCode
) -> None:
    code = write_code(
        app="""
        import os, time

        def lambda_handler(event, context):
            time.sleep(0.3)
            return {"i": event["i"], "pid": os.getpid()}
        """
    )
    runtime.register(spec(code))
    await asyncio.gather(*(runtime.invoke("fn", {"i": -1}) for _ in range(4)))  # warm up

    started = time.perf_counter()
    invocations = await asyncio.gather(*(runtime.invoke("fn", {"i": i}) for i in range(8)))
    elapsed = time.perf_counter() - started

    assert [inv.result["i"] for inv in invocations] == list(range(8))
    assert len({inv.result["pid"] for inv in invocations}) == 4
    assert len({inv.request_id for inv in invocations}) == 8
    # Two rounds of four in parallel: about 0.6 s, well under eight in a row (2.4 s).
    assert 0.55 < elapsed < 1.8


async def test_changed_code_is_picked_up(runtime: FunctionRuntime, write_code: WriteCode) -> None:
    code = write_code(app="def lambda_handler(event, context):\n    return 'v1'\n")
    runtime.register(spec(code))
    assert (await runtime.invoke("fn", {})).result == "v1"

    source = code / "app.py"
    source.write_text("def lambda_handler(event, context):\n    return 'v2'\n")
    later = time.time() + 5
    os.utime(source, (later, later))

    assert (await runtime.invoke("fn", {})).result == "v2"


async def test_code_is_scanned_at_most_once_per_interval(
    tmp_path: Path, write_code: WriteCode
) -> None:
    code = write_code(app="def lambda_handler(event, context):\n    return 'v1'\n")
    functions = FunctionRuntime(code_scan_interval=0.6)
    try:
        functions.register(spec(code))
        assert (await functions.invoke("fn", {})).result == "v1"
        (code / "helper.py").write_text("X = 1\n")  # a new module counts as a change
        source = code / "app.py"
        source.write_text("def lambda_handler(event, context):\n    return 'v2'\n")
        later = time.time() + 5
        os.utime(source, (later, later))
        assert (await functions.invoke("fn", {})).result == "v1"  # within the interval
        await asyncio.sleep(0.7)
        assert (await functions.invoke("fn", {})).result == "v2"
    finally:
        await functions.close()


async def test_registering_a_new_spec_recycles_workers(
    runtime: FunctionRuntime, write_code: WriteCode
) -> None:
    code = write_code(
        app="""
        import os

        def one(event, context):
            return ["one", os.environ.get("MODE"), os.getpid()]

        def two(event, context):
            return ["two", os.environ.get("MODE"), os.getpid()]
        """
    )
    runtime.register(spec(code, "app.one", environment={"MODE": "a"}))
    first = (await runtime.invoke("fn", {})).result
    runtime.register(spec(code, "app.one", environment={"MODE": "a"}))  # equal: no change
    assert (await runtime.invoke("fn", {})).result == first

    runtime.register(spec(code, "app.two", environment={"MODE": "b"}))
    second = (await runtime.invoke("fn", {})).result

    assert first[:2] == ["one", "a"]
    assert second[:2] == ["two", "b"]
    assert second[2] != first[2]
    assert [s.handler for s in runtime.specs()] == ["app.two"]


async def test_busy_worker_of_old_code_is_retired_when_it_finishes(
    runtime: FunctionRuntime, write_code: WriteCode
) -> None:
    code = write_code(
        app="""
        import os, time

        def lambda_handler(event, context):
            time.sleep(event["sleep"])
            return ["v1", os.getpid()]
        """
    )
    runtime.register(spec(code))
    busy = asyncio.create_task(runtime.invoke("fn", {"sleep": 0.4}))
    await asyncio.sleep(0.2)

    source = code / "app.py"
    source.write_text(
        "import os\ndef lambda_handler(event, context):\n    return ['v2', os.getpid()]\n"
    )
    later = time.time() + 5
    os.utime(source, (later, later))
    version, _ = (await runtime.invoke("fn", {"sleep": 0})).result
    old_version, old_pid = (await busy).result

    assert (version, old_version) == ("v2", "v1")
    # Both workers are idle now; the old one was retired, not put back.
    results = await asyncio.gather(*(runtime.invoke("fn", {"sleep": 0}) for _ in range(4)))
    assert {r.result[0] for r in results} == {"v2"}
    assert old_pid not in {r.result[1] for r in results}
