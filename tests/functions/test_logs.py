"""What handlers print and log: per invocation, in the function's log file, in the
server log, and through ``poolgate logs``."""

from __future__ import annotations

import logging
import re
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from poolgate.cli import app
from poolgate.functions import FunctionRuntime, FunctionTimeout, HandlerError
from poolgate.functions.logfile import follow, tail
from tests.functions.conftest import WriteCode
from tests.functions.helpers import spec

LOGGING_HANDLER = """
import logging, sys

logger = logging.getLogger()
print("cold start")  # module level: the init phase

def lambda_handler(event, context):
    print("print to stdout", event["n"])
    print("print to stderr", file=sys.stderr)
    logger.debug("debug line")
    logger.info("info line %s", event["n"])
    logging.getLogger("app.db").warning("warning line")
    if event.get("fail"):
        raise RuntimeError("failed on purpose")
    return "done"
"""
ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


async def test_print_and_logging_are_captured_with_the_request_id(
    runtime: FunctionRuntime, write_code: WriteCode
) -> None:
    runtime.register(spec(write_code(app=LOGGING_HANDLER), name="logger"))

    invocation = await runtime.invoke("logger", {"n": 1}, request_id="req-log-1")

    assert invocation.logs[:2] == ["print to stdout 1", "print to stderr"]
    assert len(invocation.logs) == 4
    assert re.fullmatch(rf"\[INFO\]\t{ISO}\treq-log-1\tinfo line 1", invocation.logs[2])
    assert re.fullmatch(rf"\[WARNING\]\t{ISO}\treq-log-1\twarning line", invocation.logs[3])
    # The module-level print belongs to the init phase, not to the invocation.
    assert "cold start" not in invocation.logs

    second = await runtime.invoke("logger", {"n": 2}, request_id="req-log-2")
    assert second.logs[0] == "print to stdout 2"
    assert "req-log-2\tinfo line 2" in second.logs[2]


async def test_log_file_has_lambdas_start_end_and_report_lines(
    runtime: FunctionRuntime, write_code: WriteCode, tmp_path: Path
) -> None:
    runtime.register(spec(write_code(app=LOGGING_HANDLER), name="logger", memory_mb=192))
    await runtime.invoke("logger", {"n": 1}, request_id="req-a")
    with pytest.raises(HandlerError) as raised:
        await runtime.invoke("logger", {"n": 2, "fail": True}, request_id="req-b")

    lines = (tmp_path / "logs" / "logger.log").read_text().splitlines()
    pattern = re.compile(rf"({ISO}) (\S+) (.*)")
    parsed = [pattern.fullmatch(line) for line in lines]
    assert all(parsed), lines
    messages = [(m[2], m[3]) for m in parsed if m]

    assert messages[0] == ("req-a", "cold start")
    assert messages[1] == ("req-a", "START RequestId: req-a Version: $LATEST")
    assert messages[2] == ("req-a", "print to stdout 1")
    assert messages[3] == ("req-a", "print to stderr")
    assert messages[4][1].startswith("[INFO]\t") and messages[4][1].endswith("\tinfo line 1")
    assert messages[5][1].endswith("\twarning line")
    assert messages[6] == ("req-a", "END RequestId: req-a")
    assert re.fullmatch(
        r"REPORT RequestId: req-a\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms"
        r"\tMemory Size: 192 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms",
        messages[7][1],
    )
    assert messages[8] == ("req-b", "START RequestId: req-b Version: $LATEST")
    failed = [message for request, message in messages[9:] if request == "req-b"]
    assert "[ERROR] RuntimeError: failed on purpose" in failed
    assert "Traceback (most recent call last):" in failed
    assert failed[-2] == "END RequestId: req-b"
    assert "Init Duration" not in failed[-1]
    assert raised.value.logs == failed[:-2]


async def test_timeout_is_reported_in_the_log(
    runtime: FunctionRuntime, write_code: WriteCode, tmp_path: Path
) -> None:
    code = write_code(app="import time\ndef lambda_handler(e, c):\n    time.sleep(5)\n")
    runtime.register(spec(code, name="sleepy", timeout=0.5))
    with pytest.raises(FunctionTimeout):
        await runtime.invoke("sleepy", {}, request_id="req-t")
    text = (tmp_path / "logs" / "sleepy.log").read_text()
    assert " req-t Task timed out after 0.50 seconds\n" in text
    assert re.search(r"REPORT RequestId: req-t\tDuration: 500\.00 ms.*\tStatus: timeout\n", text)


async def test_log_level_from_the_environment(
    runtime: FunctionRuntime, write_code: WriteCode
) -> None:
    code = write_code(app=LOGGING_HANDLER)
    runtime.register(spec(code, name="debug", environment={"AWS_LAMBDA_LOG_LEVEL": "DEBUG"}))
    runtime.register(spec(code, name="warn", environment={"AWS_LAMBDA_LOG_LEVEL": "WARN"}))

    debug = (await runtime.invoke("debug", {"n": 1})).logs
    warn = (await runtime.invoke("warn", {"n": 1})).logs

    assert any(line.endswith("\tdebug line") for line in debug)
    assert not any("info line" in line for line in warn)
    assert any(line.endswith("\twarning line") for line in warn)


async def test_lines_go_to_the_server_log(
    runtime: FunctionRuntime, write_code: WriteCode, caplog: pytest.LogCaptureFixture
) -> None:
    runtime.register(spec(write_code(app=LOGGING_HANDLER), name="logger"))
    with caplog.at_level(logging.DEBUG, logger="poolgate.functions"):
        await runtime.invoke("logger", {"n": 7}, request_id="req-server")
    messages = [r.getMessage() for r in caplog.records if r.name == "poolgate.functions"]
    assert "logger req-server print to stdout 7" in messages
    assert any(m.startswith("logger req-server REPORT RequestId: req-server") for m in messages)


async def test_without_log_dir_nothing_is_written(tmp_path: Path, write_code: WriteCode) -> None:
    functions = FunctionRuntime()
    try:
        functions.register(spec(write_code(app=LOGGING_HANDLER), name="logger"))
        assert (await functions.invoke("logger", {"n": 1})).logs[0] == "print to stdout 1"
    finally:
        await functions.close()
    assert not (tmp_path / "logs").exists()


# -- poolgate logs ----------------------------------------------------------------------------


def _write_log(data_dir: Path, name: str, count: int) -> Path:
    path = data_dir / "logs" / f"{name}.log"
    path.parent.mkdir(parents=True)
    path.write_text("".join(f"2024-05-01T00:00:00.000Z req line {i}\n" for i in range(count)))
    return path


def test_cli_prints_the_last_lines(tmp_path: Path) -> None:
    _write_log(tmp_path, "hello", 120)
    runner = CliRunner()

    result = runner.invoke(app, ["logs", "hello", "--data-dir", str(tmp_path), "--lines", "3"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "2024-05-01T00:00:00.000Z req line 117",
        "2024-05-01T00:00:00.000Z req line 118",
        "2024-05-01T00:00:00.000Z req line 119",
    ]

    default = runner.invoke(app, ["logs", "hello", "--data-dir", str(tmp_path)])
    assert len(default.output.splitlines()) == 50
    assert default.output.splitlines()[-1].endswith("line 119")


async def test_cli_prints_what_the_runtime_wrote(tmp_path: Path, write_code: WriteCode) -> None:
    functions = FunctionRuntime(log_dir=tmp_path / "data" / "logs")
    try:
        functions.register(spec(write_code(app=LOGGING_HANDLER), name="logger"))
        await functions.invoke("logger", {"n": 5}, request_id="req-cli")
    finally:
        await functions.close()

    result = CliRunner().invoke(app, ["logs", "logger", "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    assert " req-cli print to stdout 5" in result.output
    assert " req-cli START RequestId: req-cli Version: $LATEST" in result.output
    assert " req-cli REPORT RequestId: req-cli\tDuration: " in result.output


def test_cli_refuses_missing_logs_and_bad_names(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["logs", "nothing", "--data-dir", str(tmp_path)])
    assert missing.exit_code == 1
    assert "no log for function nothing" in missing.output
    bad = runner.invoke(app, ["logs", "../etc/passwd", "--data-dir", str(tmp_path)])
    assert bad.exit_code == 2


def test_tail_reads_large_files_from_the_end(tmp_path: Path) -> None:
    path = tmp_path / "big.log"
    path.write_text("".join(f"line {i} {'x' * 100}\n" for i in range(5000)))
    last, end = tail(path, 2, block=1000)
    assert [line.split()[1] for line in last] == ["4998", "4999"]
    assert end == path.stat().st_size
    assert tail(path, 0)[0] == []
    short = tmp_path / "short.log"
    short.write_text("only\n")
    assert tail(short, 10)[0] == ["only"]


def test_follow_prints_appended_lines_and_survives_truncation(tmp_path: Path) -> None:
    path = tmp_path / "fn.log"
    path.write_text("old line\n")
    seen: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=follow,
        args=(path, path.stat().st_size, seen.append),
        kwargs={"poll": 0.02, "keep_going": lambda: not stop.is_set()},
    )
    thread.start()
    try:
        with path.open("a") as log:
            log.write("new line 1\nnew ")
            log.flush()
            time.sleep(0.1)
            log.write("line 2\n")
        _wait_for(lambda: seen == ["new line 1", "new line 2"])
        path.write_text("after truncation\n")
        _wait_for(lambda: seen[-1:] == ["after truncation"])
    finally:
        stop.set()
        thread.join()
    assert seen == ["new line 1", "new line 2", "after truncation"]


def _wait_for(condition: object, timeout: float = 3.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")
