"""The runtime's side of one worker process: starting it with Lambda's environment,
the frame protocol on its pipes, reading what it printed, stopping it.

A worker is ``python -u worker.py ...`` in its own session (so that killing its
process group also kills whatever the handler started), with:

- fd 0 ``/dev/null``; fds 1 and 2 an unlinked capture file opened ``O_APPEND``, shared
  with this process: the handler's output is read from it after each invocation and the
  file truncated while the worker is idle. A regular file needs no reader while the
  handler runs, keeps the order of stdout and stderr, and still holds what was printed
  before a crash or a timeout;
- two pipes for the protocol (see ``worker.py``), read here through an asyncio
  protocol, so the event loop never blocks on a worker;
- an address-space limit (``RLIMIT_AS``) of ``memory_mb`` plus ``BASE_ADDRESS_SPACE_MB``.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import fcntl
import os
import secrets
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from poolgate.core.triggers.lambda_config import function_arn
from poolgate.functions.spec import FunctionSpec

FRAME_HEADER = struct.Struct("!II")  # header length, body length (same in worker.py)
WORKER_SCRIPT = Path(__file__).with_name("worker.py")

# RLIMIT_AS counts address space, not resident memory. Measured (CPython 3.11, x86-64):
# an idle worker maps 15 MB; importing boto3 and creating a client, 56 MB; the first
# thread a handler starts reserves 74 MB more (an 8 MB stack and a 64 MB glibc malloc
# arena) while resident memory barely moves. 200 MB on top of memory_mb lets a handler
# with a few threads and common libraries run, and a handler allocating a few times
# its memory_mb still fails.
BASE_ADDRESS_SPACE_MB = 200
# Lambda's init phase may take up to 10 seconds, apart from the function's timeout.
INIT_TIMEOUT = 10.0
# At most this much of one invocation's output is kept (the rest is counted, dropped).
MAX_OUTPUT_BYTES = 1 << 20


class Outcome(enum.Enum):
    EXITED = "exited"
    TIMED_OUT = "timed out"


Frame = tuple[dict[str, Any], bytes]
INIT_REPLIES = frozenset({"ready", "init_error"})
Reply = Frame | Outcome


def log_stream_name() -> str:
    """Lambda's shape: ``2024/05/01/[$LATEST]`` and 32 hex digits, one per instance."""
    return time.strftime("%Y/%m/%d/", time.gmtime()) + "[$LATEST]" + secrets.token_hex(16)


def lambda_environment(
    spec: FunctionSpec, *, code_dir: Path, region: str, log_stream: str
) -> dict[str, str]:
    """The worker's whole environment. Nothing of the server's is passed on but PATH:
    the server's environment may hold its master key or database password. The
    reserved variables win over the spec's, as Lambda refuses to let them be set.
    https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
    """
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
    }
    env.update(spec.environment)
    env.update(
        {
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": log_stream,
            "LAMBDA_TASK_ROOT": str(code_dir),
            "_HANDLER": spec.handler,
        }
    )
    return env


def _capture_file() -> int:
    fd, path = tempfile.mkstemp(prefix="poolgate-function-", suffix=".out")
    os.unlink(path)
    # O_APPEND lives in the open file description the worker's fds 1 and 2 share, so
    # after the file is truncated its writes start again at offset 0.
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_APPEND)
    return fd


def describe_exit(returncode: int | None) -> str:
    """Lambda's wording: ``exit status 1``, ``signal: killed``."""
    if returncode is None:
        return "exit status unknown"
    if returncode < 0:
        name = signal.strsignal(-returncode) or f"signal {-returncode}"
        return f"signal: {name.lower()}"
    return f"exit status {returncode}"


class _ResponseReader(asyncio.Protocol):
    def __init__(self, worker: WorkerProcess) -> None:
        self._worker = worker
        self._buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        while len(buffer) >= FRAME_HEADER.size:
            header_size, body_size = FRAME_HEADER.unpack_from(buffer)
            end = FRAME_HEADER.size + header_size + body_size
            if len(buffer) < end:
                return
            start = FRAME_HEADER.size + header_size
            try:
                header = orjson.loads(buffer[FRAME_HEADER.size : start])
            except orjson.JSONDecodeError:
                self._worker.kill()  # not our worker talking: treat it as a crash
                return
            body = bytes(buffer[start:end])
            del buffer[:end]
            self._worker._deliver((header, body))

    def connection_lost(self, exc: Exception | None) -> None:
        self._worker._exited()


class WorkerProcess:
    """One worker: one function's handler, imported once, one invocation at a time."""

    def __init__(
        self,
        spec: FunctionSpec,
        generation: int,
        process: asyncio.subprocess.Process,
        capture_fd: int,
        log_stream: str,
        on_exit: Callable[[WorkerProcess], None],
    ) -> None:
        self.spec = spec
        self.generation = generation
        self.process = process
        self.log_stream = log_stream
        self.init_ms: float | None = None  # reported with the first invocation
        self.max_rss_kb = 0  # the worker's peak resident size, as of its last reply
        self.exited = False
        self.retire = False  # set when this worker must not serve another invocation
        self._capture = capture_fd
        self._on_exit = on_exit
        self._waiter: asyncio.Future[Reply] | None = None
        # A frame that came before anyone waited for it: the "ready" frame may arrive
        # while spawn() is still connecting the request pipe.
        self._early: Frame | None = None
        self._requests: asyncio.WriteTransport | None = None
        self._responses: asyncio.ReadTransport | None = None
        self._disposed = False

    @classmethod
    async def spawn(
        cls,
        spec: FunctionSpec,
        *,
        generation: int,
        region: str,
        account_id: str,
        on_exit: Callable[[WorkerProcess], None],
    ) -> WorkerProcess:
        """Start a worker; ``wait_ready`` then tells whether its handler imported."""
        loop = asyncio.get_running_loop()
        code_dir = spec.code_dir.resolve()
        if not code_dir.is_dir():
            raise FileNotFoundError(f"code directory {code_dir} does not exist")
        log_stream = log_stream_name()
        env = lambda_environment(spec, code_dir=code_dir, region=region, log_stream=log_stream)
        address_space = (spec.memory_mb + BASE_ADDRESS_SPACE_MB) << 20
        request_r, request_w = os.pipe()
        response_r, response_w = os.pipe()
        capture = _capture_file()
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-u",
                str(WORKER_SCRIPT),
                str(request_r),
                str(response_w),
                str(address_space),
                function_arn(region, account_id, spec.name),
                stdin=subprocess.DEVNULL,
                stdout=capture,
                stderr=capture,
                pass_fds=(request_r, response_w),
                cwd=code_dir,
                env=env,
                start_new_session=True,
            )
        except BaseException:
            for fd in (request_w, response_r, capture):
                os.close(fd)
            raise
        finally:
            os.close(request_r)
            os.close(response_w)
        worker = cls(spec, generation, process, capture, log_stream, on_exit)
        try:
            worker._responses, _ = await loop.connect_read_pipe(
                lambda: _ResponseReader(worker), os.fdopen(response_r, "rb", buffering=0)
            )
            worker._requests, _ = await loop.connect_write_pipe(
                asyncio.Protocol, os.fdopen(request_w, "wb", buffering=0)
            )
        except BaseException:
            worker.kill()
            await worker.dispose()
            raise
        return worker

    # -- talking to it ---------------------------------------------------------------------

    def _arm(self) -> asyncio.Future[Reply]:
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        if self._early is not None:
            future.set_result(self._early)
            self._early = None
        elif self.exited:
            future.set_result(Outcome.EXITED)
        else:
            self._waiter = future
        return future

    def _deliver(self, reply: Reply) -> None:
        future, self._waiter = self._waiter, None
        if future is not None and not future.done():
            future.set_result(reply)
        elif future is None and isinstance(reply, tuple) and reply[0].get("type") in INIT_REPLIES:
            self._early = reply  # "ready" or "init_error", before wait_ready()

    def _exited(self) -> None:
        self.exited = True
        self._deliver(Outcome.EXITED)
        self._on_exit(self)

    def expire(self, future: asyncio.Future[Reply]) -> None:
        """The deadline passed: kill the worker (the handler may be stuck in C code
        that no signal handler would interrupt) and resolve ``future``."""
        if not future.done():
            self.kill()
            future.set_result(Outcome.TIMED_OUT)

    async def wait_ready(self, timeout: float = INIT_TIMEOUT) -> Reply:
        future = self._arm()
        handle = asyncio.get_running_loop().call_later(timeout, self.expire, future)
        try:
            reply = await future
        finally:
            handle.cancel()
        if isinstance(reply, tuple) and reply[0].get("type") == "ready":
            self.init_ms = float(reply[0].get("init_ms", 0.0))
        return reply

    def request(self, header: dict[str, Any], body: bytes) -> asyncio.Future[Reply]:
        """Send one invocation; the future resolves with the reply frame, or
        ``Outcome.EXITED`` if the worker died. The caller arms the deadline."""
        future = self._arm()
        if self._requests is not None and not self._requests.is_closing():
            encoded = orjson.dumps(header)
            self._requests.write(FRAME_HEADER.pack(len(encoded), len(body)) + encoded + body)
        return future

    def take_output(self) -> bytes:
        """What the worker printed since the last call; empties the capture file."""
        if self._disposed:
            return b""
        size = os.fstat(self._capture).st_size
        if not size:
            return b""
        data = os.pread(self._capture, min(size, MAX_OUTPUT_BYTES), 0)
        os.ftruncate(self._capture, 0)
        if size > MAX_OUTPUT_BYTES:
            dropped = size - MAX_OUTPUT_BYTES
            data += f"\n[poolgate: {dropped} more bytes of output were dropped]\n".encode()
        return data

    # -- ending it -------------------------------------------------------------------------

    def kill(self) -> None:
        """SIGKILL the worker's process group: the worker and what its handler started."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    async def exit_status(self, timeout: float = 2.0) -> str:
        try:
            returncode = await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.kill()
            returncode = await self.process.wait()
        return describe_exit(returncode)

    async def dispose(self, grace: float = 0.0) -> None:
        """Stop the worker: close its request pipe (it exits when idle), wait up to
        ``grace`` seconds, then kill its process group; reap it and close the files."""
        if self._disposed:
            return
        self._disposed = True
        self.retire = True
        if self._requests is not None:
            self._requests.close()
        if grace > 0 and self.process.returncode is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.process.wait()), grace)
        self.kill()  # also whatever the handler left running in the group
        await self.process.wait()
        if self._responses is not None:
            self._responses.close()
        os.close(self._capture)
