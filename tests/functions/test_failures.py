"""Whatever a handler does wrong costs at most its worker: errors in Lambda's shape,
timeouts, crashes, memory exhaustion, import failures, and the next call works."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from poolgate.functions import (
    FunctionCrashed,
    FunctionError,
    FunctionRuntime,
    FunctionTimeout,
    HandlerError,
    ResultNotSerializable,
)
from tests.functions.conftest import WriteCode
from tests.functions.helpers import spec

HANDLERS = """
import ctypes, functools, json, os, sys, time

def healthy_when_asked(handler):
    # {"ok": true} makes any of these answer normally: "the next call works".
    @functools.wraps(handler)
    def wrapper(event, context):
        if event.get("ok"):
            return {"pid": os.getpid()}
        return handler(event, context)
    return wrapper

@healthy_when_asked
def boom(event, context):
    print("about to fail")
    raise ValueError("boom: " + event["why"])

@healthy_when_asked
def slow(event, context):
    print("going to sleep", flush=True)
    time.sleep(event.get("seconds", 30))
    return "woke up"

def spawn_and_hang(event, context):
    import subprocess
    child = subprocess.Popen(["sleep", "60"])
    with open(event["pidfile"], "w") as f:
        f.write(str(child.pid))
    time.sleep(30)

@healthy_when_asked
def exit_hard(event, context):
    print("exiting")
    os._exit(1)

@healthy_when_asked
def segfault(event, context):
    ctypes.string_at(0)

@healthy_when_asked
def sys_exit(event, context):
    sys.exit(3)

@healthy_when_asked
def hog(event, context):
    blocks = []
    for _ in range(64):
        blocks.append(bytearray(64 * 1024 * 1024))
    return len(blocks)

@healthy_when_asked
def unserializable(event, context):
    return {"when": {1, 2}}

def nan(event, context):
    return float("nan")

def protocol_noise(event, context):
    # Frames look like this on the protocol pipes; on stdout they are only output.
    os.write(1, b"\\x00\\x00\\x00\\x10\\x00\\x00\\x00\\x00" + b'{"type":"result"}\\n')
    sys.stdout.buffer.write(b"\\xff\\xfe not utf-8\\n")
    print(json.dumps({"type": "result", "kind": "json"}))
    return "clean"
"""


@pytest.fixture
def handlers(runtime: FunctionRuntime, write_code: WriteCode) -> FunctionRuntime:
    code = write_code(app=HANDLERS)
    for name in (
        "boom",
        "exit_hard",
        "segfault",
        "sys_exit",
        "unserializable",
        "nan",
        "protocol_noise",
        "spawn_and_hang",
    ):
        runtime.register(spec(code, f"app.{name}", name=name, timeout=1.0))
    runtime.register(spec(code, "app.slow", name="slow", timeout=0.5))
    runtime.register(spec(code, "app.hog", name="hog", memory_mb=128))
    return runtime


async def test_handler_exception_has_lambdas_shape_and_worker_survives(
    handlers: FunctionRuntime,
) -> None:
    with pytest.raises(HandlerError) as raised:
        await handlers.invoke("boom", {"why": "bad input"}, request_id="req-err")

    payload = raised.value.payload
    assert payload["errorMessage"] == "boom: bad input"
    assert payload["errorType"] == "ValueError"
    assert payload["requestId"] == "req-err"
    assert isinstance(payload["stackTrace"], list)
    assert all(isinstance(entry, str) for entry in payload["stackTrace"])
    # The user's frames only: the runtime's own frames are cut, as Lambda does.
    assert len(payload["stackTrace"]) == 2
    assert "app.py" in payload["stackTrace"][0] and "in wrapper" in payload["stackTrace"][0]
    assert "app.py" in payload["stackTrace"][1] and "in boom" in payload["stackTrace"][1]
    assert 'raise ValueError("boom: " + event["why"])' in payload["stackTrace"][1]
    assert str(raised.value) == "ValueError: boom: bad input"
    assert raised.value.request_id == "req-err"
    logs = raised.value.logs
    assert logs[0] == "about to fail"
    assert logs[1] == "[ERROR] ValueError: boom: bad input"
    assert logs[2] == "Traceback (most recent call last):"

    # Same process, still warm.
    pid = (await handlers.invoke("boom", {"ok": True})).result["pid"]
    with pytest.raises(HandlerError):
        await handlers.invoke("boom", {"why": "again"})
    assert (await handlers.invoke("boom", {"ok": True})).result["pid"] == pid


async def test_timeout_kills_the_worker_and_the_next_call_works(
    handlers: FunctionRuntime,
) -> None:
    pid = (await handlers.invoke("slow", {"ok": True})).result["pid"]

    started = time.perf_counter()
    with pytest.raises(FunctionTimeout) as raised:
        await handlers.invoke("slow", {"seconds": 30}, request_id="req-slow")
    elapsed = time.perf_counter() - started

    assert 0.45 < elapsed < 1.5
    assert str(raised.value) == "Task timed out after 0.50 seconds"
    assert raised.value.payload["errorType"] == "Sandbox.Timedout"
    assert raised.value.payload["errorMessage"] == (
        "RequestId: req-slow Error: Task timed out after 0.50 seconds"
    )
    assert raised.value.logs == ["going to sleep"]
    assert (await handlers.invoke("slow", {"seconds": 0})).result == "woke up"
    assert (await handlers.invoke("slow", {"ok": True})).result["pid"] != pid  # replaced


async def test_timeout_kills_what_the_handler_started(
    handlers: FunctionRuntime, tmp_path: Path
) -> None:
    pidfile = tmp_path / "child.pid"
    with pytest.raises(FunctionTimeout):
        await handlers.invoke("spawn_and_hang", {"pidfile": str(pidfile)})
    child = int(pidfile.read_text())
    for _ in range(50):
        if not _running(child):
            break
        await asyncio.sleep(0.02)
    else:
        pytest.fail("the handler's child process outlived the timeout")


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan is reaped only if PID 1 reaps)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


async def test_os_exit_is_a_crash_and_the_next_call_works(handlers: FunctionRuntime) -> None:
    with pytest.raises(FunctionCrashed) as raised:
        await handlers.invoke("exit_hard", {}, request_id="req-exit")
    assert (
        str(raised.value) == "RequestId: req-exit Error: Runtime exited with error: exit status 1"
    )
    assert raised.value.payload["errorType"] == "Runtime.ExitError"
    assert raised.value.logs == ["exiting"]

    assert (await handlers.invoke("exit_hard", {"ok": True})).result["pid"] > 0
    with pytest.raises(FunctionCrashed):
        await handlers.invoke("exit_hard", {})
    assert (await handlers.invoke("exit_hard", {"ok": True})).result["pid"] > 0

    # sys.exit() is no exception a handler returns: Lambda's runtime exits too.
    with pytest.raises(FunctionCrashed, match="exit status 3"):
        await handlers.invoke("sys_exit", {})
    assert (await handlers.invoke("sys_exit", {"ok": True})).result["pid"] > 0


async def test_segfault_is_a_crash(handlers: FunctionRuntime) -> None:
    with pytest.raises(FunctionCrashed) as raised:
        await handlers.invoke("segfault", {})
    assert str(raised.value).endswith("Runtime exited with error: signal: segmentation fault")
    # faulthandler leaves the Python traceback in the log.
    assert any("Fatal Python error: Segmentation fault" in line for line in raised.value.logs)
    assert (await handlers.invoke("segfault", {"ok": True})).result["pid"] > 0


async def test_memory_beyond_the_limit_is_contained(handlers: FunctionRuntime) -> None:
    pid = (await handlers.invoke("hog", {"ok": True})).result["pid"]
    with pytest.raises((HandlerError, FunctionCrashed)) as raised:
        await handlers.invoke("hog", {})  # 4 GB for a 128 MB function
    if isinstance(raised.value, HandlerError):
        assert raised.value.payload["errorType"] == "MemoryError"
        assert raised.value.logs[0] == "[ERROR] MemoryError: "

    # The worker that ran out of memory was retired: the next one starts fresh.
    assert (await handlers.invoke("hog", {"ok": True})).result["pid"] != pid


async def test_result_that_json_cannot_carry(handlers: FunctionRuntime) -> None:
    with pytest.raises(ResultNotSerializable) as raised:
        await handlers.invoke("unserializable", {})
    assert raised.value.payload["errorType"] == "Runtime.MarshalError"
    assert raised.value.payload["errorMessage"] == (
        "Unable to marshal response: Object of type set is not JSON serializable"
    )
    assert (await handlers.invoke("unserializable", {"ok": True})).result["pid"] > 0
    result = await handlers.invoke("nan", {})
    assert result.result != result.result  # NaN, as Python's json writes it


async def test_output_cannot_corrupt_the_protocol(handlers: FunctionRuntime) -> None:
    invocation = await handlers.invoke("protocol_noise", {})
    assert invocation.result == "clean"
    assert invocation.logs[-2:] == ["\ufffd\ufffd not utf-8", '{"type": "result", "kind": "json"}']


@pytest.mark.parametrize(
    ("handler", "error_type", "message"),
    [
        ("missing_module.handler", "Runtime.ImportModuleError",
         "Unable to import module 'missing_module': No module named 'missing_module'"),
        ("app.nothing_here", "Runtime.HandlerNotFound",
         "Handler 'nothing_here' missing on module 'app'"),
        ("nodots", "Runtime.MalformedHandlerName",
         "Bad handler 'nodots': not enough values to unpack (expected 2, got 1)"),
        ("broken.handler", "Runtime.UserCodeSyntaxError", "Syntax error in module 'broken'"),
        ("sys.handler", "Runtime.BuiltInModuleConflict",
         "Cannot use built-in module sys as a handler module"),
        ("raises_on_import.handler", "KeyError", "'CONFIG'"),
        ("imports_missing.handler", "Runtime.ImportModuleError",
         "Unable to import module 'imports_missing': No module named 'not_installed'"),
    ],
)  # fmt: skip
async def test_import_failures_have_lambdas_error_types(
    runtime: FunctionRuntime, write_code: WriteCode, handler: str, error_type: str, message: str
) -> None:
    code = write_code(
        app="def lambda_handler(event, context):\n    return 1\n",
        broken="def handler(event, context)\n    return 1\n",
        raises_on_import="import os\nprint('loading')\nos.environ['CONFIG']\n",
        imports_missing="import not_installed\n",
    )
    runtime.register(spec(code, handler))

    with pytest.raises(HandlerError) as raised:
        await runtime.invoke("fn", {}, request_id="req-init")

    assert raised.value.payload["errorType"] == error_type
    assert raised.value.payload["errorMessage"].startswith(message)
    assert raised.value.payload["requestId"] == "req-init"
    assert f"[ERROR] {error_type}: {message}" in "\n".join(raised.value.logs)
    if handler.startswith("raises_on_import"):
        assert raised.value.logs[0] == "loading"


async def test_fixed_import_error_recovers_without_restart(
    runtime: FunctionRuntime, write_code: WriteCode
) -> None:
    code = write_code(app="import not_installed\n")
    runtime.register(spec(code))
    with pytest.raises(HandlerError, match=r"Runtime\.ImportModuleError"):
        await runtime.invoke("fn", {})
    (code / "not_installed.py").write_text("")
    (code / "app.py").write_text("def lambda_handler(event, context):\n    return 'fixed'\n")
    assert (await runtime.invoke("fn", {})).result == "fixed"


async def test_cancelled_caller_does_not_leak_the_worker(
    tmp_path: Path, write_code: WriteCode
) -> None:
    code = write_code(
        app="""
        import os, time

        def lambda_handler(event, context):
            time.sleep(event["sleep"])
            return os.getpid()
        """
    )
    functions = FunctionRuntime(max_workers_per_function=1)
    try:
        functions.register(spec(code))
        warm = (await functions.invoke("fn", {"sleep": 0})).result
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.1):
                await functions.invoke("fn", {"sleep": 0.3})
        # The only worker finishes its invocation, then serves this one.
        assert (await functions.invoke("fn", {"sleep": 0})).result == warm
    finally:
        await functions.close()


async def test_close_stops_busy_workers(tmp_path: Path, write_code: WriteCode) -> None:
    code = write_code(app=HANDLERS)
    functions = FunctionRuntime()
    functions.register(spec(code, "app.slow", name="slow", timeout=30))
    task = asyncio.create_task(functions.invoke("slow", {"seconds": 30}))
    await asyncio.sleep(0.3)
    started = time.perf_counter()
    await functions.close()
    assert time.perf_counter() - started < 2
    with pytest.raises(FunctionCrashed):
        await task
    with pytest.raises(FunctionError, match="closed"):
        await functions.invoke("slow", {})


def test_errors_are_function_errors() -> None:
    for error in (HandlerError, FunctionTimeout, FunctionCrashed, ResultNotSerializable):
        assert issubclass(error, FunctionError)
