"""One worker process, below the runtime: the start-up handshake and the environment."""

from __future__ import annotations

import asyncio

from poolgate.functions.process import WorkerProcess, describe_exit
from tests.functions.conftest import WriteCode
from tests.functions.helpers import spec


async def test_ready_frame_that_arrives_before_anyone_waits(write_code: WriteCode) -> None:
    code = write_code(app="def lambda_handler(event, context):\n    return 1\n")
    worker = await WorkerProcess.spawn(
        spec(code), generation=0, region="us-east-1", account_id="1", on_exit=lambda _: None
    )
    try:
        await asyncio.sleep(0.5)  # the worker is up and has said so; nobody listened yet
        reply = await worker.wait_ready(timeout=2)
        assert isinstance(reply, tuple) and reply[0]["type"] == "ready"
        assert worker.init_ms is not None
    finally:
        await worker.dispose()
    assert worker.process.returncode is not None


def test_exit_descriptions_use_lambdas_wording() -> None:
    assert describe_exit(1) == "exit status 1"
    assert describe_exit(-9) == "signal: killed"
    assert describe_exit(-11) == "signal: segmentation fault"
    assert describe_exit(-6) == "signal: aborted"
