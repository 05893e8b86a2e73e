"""Running Python handlers written for AWS Lambda, unchanged, in worker processes.

Each registered function has a pool of up to ``max_workers_per_function`` worker
processes (``process.py``, ``worker.py``). An invocation takes the most recently used
idle worker, or starts one (importing the handler module: Lambda's cold start), and
further invocations wait for a free worker. A warm worker keeps its module state, as
a Lambda execution environment does. Whatever a handler does (raise, hang, exit,
segfault, exhaust its memory) costs at most its worker: the invocation fails with a
:class:`~poolgate.functions.errors.FunctionError` and the next one gets a healthy
worker, started lazily.

Lambda's model: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import time
import uuid
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from poolgate import metrics
from poolgate.core.triggers.lambda_config import function_arn
from poolgate.functions.codewatch import CodeWatcher
from poolgate.functions.errors import (
    FunctionCrashed,
    FunctionError,
    FunctionNotFound,
    FunctionTimeout,
    HandlerError,
    ResultNotSerializable,
    error_payload,
)
from poolgate.functions.logfile import LogFile, format_lines
from poolgate.functions.process import INIT_TIMEOUT, Outcome, Reply, WorkerProcess
from poolgate.functions.spec import FunctionSpec

logger = logging.getLogger("poolgate.functions")

# An idle worker being retired gets this long to exit on its own before it is killed.
RETIRE_GRACE = 1.0


@dataclass(frozen=True)
class Invocation:
    request_id: str
    result: Any  # the handler's JSON-serializable return value (bytes if it returned bytes)
    duration_ms: float  # the handler's own time, as Lambda's REPORT line counts it
    logs: list[str]  # lines the handler printed/logged during this invocation


class _Function:
    """A registered function: its spec, its workers and what watches its code."""

    def __init__(self, spec: FunctionSpec, max_workers: int, scan_interval: float) -> None:
        self.spec = spec
        self.generation = 0  # workers of an older generation are retired, not reused
        self.idle: list[WorkerProcess] = []  # most recently used last
        self.workers: set[WorkerProcess] = set()
        self.slots = asyncio.Semaphore(max_workers)
        self.watcher = CodeWatcher(spec.code_dir, scan_interval)
        self.log: LogFile | None = None


class FunctionRuntime:
    """Registered functions and their worker pools. Create it anywhere; use it from one
    event loop; ``close()`` it to stop every worker."""

    def __init__(
        self,
        *,
        log_dir: Path | None = None,
        max_workers_per_function: int = 4,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        code_scan_interval: float = 1.0,
    ) -> None:
        if max_workers_per_function < 1:
            raise ValueError("max_workers_per_function must be at least 1")
        self.log_dir = log_dir
        self.max_workers_per_function = max_workers_per_function
        self.region = region
        self.account_id = account_id
        self.code_scan_interval = code_scan_interval
        self._functions: dict[str, _Function] = {}
        self._background: set[asyncio.Task[None]] = set()
        self._orphans: list[WorkerProcess] = []  # retired outside the loop, to be reaped
        self._closed = False

    # -- functions -------------------------------------------------------------------------

    def register(self, spec: FunctionSpec) -> None:
        """Add a function, or replace the one of that name (its workers are recycled:
        idle ones now, busy ones when their invocation ends). Registering an equal
        spec again changes nothing."""
        spec.validate()
        function = self._functions.get(spec.name)
        if function is None:
            function = _Function(spec, self.max_workers_per_function, self.code_scan_interval)
            if self.log_dir is not None:
                function.log = LogFile(self.log_dir / f"{spec.name}.log")
            self._functions[spec.name] = function
        elif function.spec != spec:
            function.spec = spec
            function.watcher = CodeWatcher(spec.code_dir, self.code_scan_interval)
            self._recycle(function)

    def specs(self) -> list[FunctionSpec]:
        return [function.spec for function in self._functions.values()]

    # -- invoking --------------------------------------------------------------------------

    async def invoke(self, name: str, event: Any, *, request_id: str | None = None) -> Invocation:
        """Run the function ``name`` on ``event`` (anything JSON can carry; ``TypeError``
        otherwise) and return what its handler returned.

        Raises :class:`HandlerError` (the handler raised), :class:`FunctionTimeout`,
        :class:`FunctionCrashed`, :class:`ResultNotSerializable` or
        :class:`FunctionNotFound`. The timeout counts from the moment a worker takes
        the invocation: waiting for a free worker and a cold start are not counted.
        Cancelling the caller does not cut the invocation short: it runs to its end or
        its timeout, and its worker is then reused.
        """
        started = time.perf_counter()
        try:
            invocation = await self._invoke(name, event, request_id)
        except FunctionError as error:
            metrics.recorder().invocation(name, type(error).__name__, time.perf_counter() - started)
            raise
        metrics.recorder().invocation(name, "ok", time.perf_counter() - started)
        return invocation

    async def _invoke(self, name: str, event: Any, request_id: str | None) -> Invocation:
        request_id = request_id or str(uuid.uuid4())
        self._check_open(request_id)
        self._dispose_orphans()
        function = self._functions.get(name)
        if function is None:
            arn = function_arn(self.region, self.account_id, name)
            raise FunctionNotFound(f"Function not found: {arn}", request_id=request_id)
        body = orjson.dumps(event, option=orjson.OPT_NON_STR_KEYS)
        if await function.watcher.changed():
            logger.info("function %s: code changed, recycling its workers", name)
            self._recycle(function)
        await function.slots.acquire()
        try:
            worker = await self._take_worker(function, request_id)
        except BaseException:
            function.slots.release()
            raise
        return await self._run(function, worker, request_id, body)

    def _check_open(self, request_id: str) -> None:
        if self._closed:
            raise FunctionCrashed("the function runtime is closed", request_id=request_id)

    async def _take_worker(self, function: _Function, request_id: str) -> WorkerProcess:
        self._check_open(request_id)  # close() may have come while we waited for a slot
        while function.idle:
            worker = function.idle.pop()
            if not worker.exited and worker.generation == function.generation:
                return worker
            self._dispose(worker)
        return await self._start_worker(function, request_id)

    async def _start_worker(self, function: _Function, request_id: str) -> WorkerProcess:
        spec = function.spec
        started = time.perf_counter()
        try:
            worker = await WorkerProcess.spawn(
                spec,
                generation=function.generation,
                region=self.region,
                account_id=self.account_id,
                on_exit=self._worker_exited,
            )
        except FileNotFoundError as exc:
            raise FunctionNotFound(f"function {spec.name}: {exc}", request_id=request_id) from None
        except OSError as exc:  # out of processes or file descriptors, say
            raise FunctionCrashed(
                f"function {spec.name}: cannot start a worker: {exc}", request_id=request_id
            ) from exc
        function.workers.add(worker)
        try:
            self._check_open(request_id)
            reply = await worker.wait_ready()
        except BaseException:
            self._dispose(worker)
            raise
        # Lambda's Init Duration: starting the interpreter and importing the handler.
        init_ms = (time.perf_counter() - started) * 1000
        lines = _lines(worker.take_output())
        if isinstance(reply, tuple) and reply[0].get("type") == "ready":
            worker.init_ms = init_ms
            worker.max_rss_kb = int(reply[0].get("max_rss_kb", 0))
            self._log(function, request_id, lines)
            return worker

        # Init failed: this worker is done; the next invocation tries a fresh one.
        error: FunctionError
        if isinstance(reply, tuple):
            payload = dict(reply[0].get("error") or {})
            payload["requestId"] = request_id
            error = HandlerError(payload, request_id=request_id, logs=lines)
        elif reply is Outcome.TIMED_OUT:
            message = f"Init timed out after {INIT_TIMEOUT:.2f} seconds"
            error = FunctionTimeout(message, request_id=request_id, logs=lines)
        else:
            status = await worker.exit_status()
            error = _crashed(request_id, status, lines)
        self._dispose(worker)
        error_type = error.payload.get("errorType", "")
        self._log(
            function,
            request_id,
            lines,
            [
                f"INIT_REPORT Init Duration: {init_ms:.2f} ms\tPhase: init\tStatus: error"
                f"\tError Type: {error_type}"
            ],
            level=logging.WARNING,
        )
        raise error

    async def _run(
        self, function: _Function, worker: WorkerProcess, request_id: str, body: bytes
    ) -> Invocation:
        spec = worker.spec
        now = time.time()
        start = f"START RequestId: {request_id} Version: $LATEST"
        if function.log is not None:
            function.log.write(format_lines(now, request_id, [start]))
        logger.debug("%s %s %s", spec.name, request_id, start)
        future = worker.request(
            {"id": request_id, "deadline_ms": int((now + spec.timeout) * 1000)}, body
        )
        timer = asyncio.get_running_loop().call_later(spec.timeout, worker.expire, future)
        try:
            reply = await asyncio.shield(future)
        except asyncio.CancelledError:
            # The caller gave up; the handler has not. Finish the bookkeeping (logs,
            # the worker back to the pool, or killed at its deadline) when it ends.
            future.add_done_callback(
                lambda done: self._in_background(
                    self._finish_quietly(function, worker, request_id, done.result(), timer, now)
                )
            )
            raise
        return await self._finish(function, worker, request_id, reply, timer, now)

    async def _finish_quietly(
        self,
        function: _Function,
        worker: WorkerProcess,
        request_id: str,
        reply: Reply,
        timer: asyncio.TimerHandle,
        started: float,
    ) -> None:
        with contextlib.suppress(FunctionError):  # logged by _finish; nobody is waiting
            await self._finish(function, worker, request_id, reply, timer, started)

    async def _finish(
        self,
        function: _Function,
        worker: WorkerProcess,
        request_id: str,
        reply: Reply,
        timer: asyncio.TimerHandle,
        started: float,
    ) -> Invocation:
        timer.cancel()
        spec = worker.spec
        try:
            logs = _lines(worker.take_output())
            extra: list[str] = []
            report_status = ""
            error: FunctionError | None = None
            result: Any = None
            if isinstance(reply, tuple):
                header, data = reply
                duration_ms = float(header.get("duration_ms", 0.0))
                worker.max_rss_kb = int(header.get("max_rss_kb", worker.max_rss_kb))
                if header.get("type") == "result":
                    result = data if header.get("kind") == "bytes" else _loads(data)
                else:
                    error = _handler_error(dict(header.get("error") or {}), request_id, logs)
                    worker.retire = worker.retire or bool(header.get("retire"))
            elif reply is Outcome.TIMED_OUT:
                duration_ms = spec.timeout * 1000
                message = f"Task timed out after {spec.timeout:.2f} seconds"
                extra = [message]
                report_status = "\tStatus: timeout"
                error = FunctionTimeout(
                    message,
                    request_id=request_id,
                    logs=logs,
                    payload=error_payload(
                        f"RequestId: {request_id} Error: {message}", "Sandbox.Timedout", request_id
                    ),
                )
            else:
                duration_ms = (time.time() - started) * 1000
                error = _crashed(request_id, await worker.exit_status(), logs)
                extra = [error.message, "Runtime.ExitError"]
                report_status = "\tStatus: error\tError Type: Runtime.ExitError"

            report = (
                f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms"
                f"\tBilled Duration: {math.ceil(duration_ms)} ms"
                f"\tMemory Size: {spec.memory_mb} MB"
                f"\tMax Memory Used: {math.ceil(worker.max_rss_kb / 1024)} MB"
            )
            if worker.init_ms is not None:
                report += f"\tInit Duration: {worker.init_ms:.2f} ms"
                worker.init_ms = None
            self._log(
                function,
                request_id,
                [*logs, *extra],
                [f"END RequestId: {request_id}", report + report_status],
                level=logging.WARNING if extra else logging.INFO,
            )
        finally:
            self._release(function, worker, healthy=isinstance(reply, tuple))
        if error is not None:
            raise error
        return Invocation(request_id, result, duration_ms, logs)

    # -- workers ---------------------------------------------------------------------------

    def _release(self, function: _Function, worker: WorkerProcess, *, healthy: bool) -> None:
        if (
            healthy
            and not worker.retire
            and not worker.exited
            and not self._closed
            and worker.generation == function.generation
        ):
            function.idle.append(worker)
        else:
            self._dispose(worker, grace=RETIRE_GRACE if healthy else 0.0)
        function.slots.release()

    def _recycle(self, function: _Function) -> None:
        function.generation += 1
        for worker in function.idle:
            self._dispose(worker, grace=RETIRE_GRACE)
        function.idle.clear()

    def _dispose(self, worker: WorkerProcess, grace: float = 0.0) -> None:
        worker.retire = True
        function = self._functions.get(worker.spec.name)
        if function is not None:
            function.workers.discard(worker)
        try:
            self._in_background(worker.dispose(grace))
        except RuntimeError:  # register() called outside the event loop: finish later
            worker.kill()
            self._orphans.append(worker)

    def _dispose_orphans(self) -> None:
        while self._orphans:
            self._in_background(self._orphans.pop().dispose())

    def _worker_exited(self, worker: WorkerProcess) -> None:
        """A worker's pipe closed. If it was idle, drop it now rather than at its next
        invocation (a busy one is handled by the invocation)."""
        function = self._functions.get(worker.spec.name)
        if function is not None and worker in function.idle:
            function.idle.remove(worker)
            self._dispose(worker)

    def _in_background(self, coroutine: Coroutine[Any, Any, None]) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            coroutine.close()
            raise
        task = loop.create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def close(self) -> None:
        """Stop every worker (busy ones are killed: their invocations fail with
        :class:`FunctionCrashed`) and wait until they are gone."""
        self._closed = True
        self._dispose_orphans()
        for function in self._functions.values():
            for worker in function.idle:
                self._dispose(worker)
            function.idle.clear()
            for worker in list(function.workers):
                worker.kill()
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        for function in self._functions.values():
            if function.log is not None:
                function.log.close()

    # -- logs ------------------------------------------------------------------------------

    def _log(
        self,
        function: _Function,
        request_id: str,
        lines: list[str],
        report: Sequence[str] = (),
        level: int = logging.INFO,
    ) -> None:
        """Append the handler's ``lines`` and the runtime's ``report`` lines (``END``,
        ``REPORT``) to the function's log file in one write; send them to the server
        log too, the report lines at DEBUG."""
        if function.log is not None and (lines or report):
            function.log.write(format_lines(time.time(), request_id, [*lines, *report]))
        name = function.spec.name
        if lines and logger.isEnabledFor(level):
            for line in lines:
                logger.log(level, "%s %s %s", name, request_id, line)
        if report and logger.isEnabledFor(logging.DEBUG):
            for line in report:
                logger.debug("%s %s %s", name, request_id, line)


def _lines(output: bytes) -> list[str]:
    return output.decode("utf-8", "replace").splitlines() if output else []


def _loads(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:  # NaN and Infinity, which Python's json writes
        return json.loads(data)


def _handler_error(payload: dict[str, Any], request_id: str, logs: list[str]) -> FunctionError:
    payload["requestId"] = request_id
    if payload.get("errorType") == "Runtime.MarshalError":
        return ResultNotSerializable(
            str(payload.get("errorMessage", "")), request_id=request_id, logs=logs, payload=payload
        )
    return HandlerError(payload, request_id=request_id, logs=logs)


def _crashed(request_id: str, status: str, logs: list[str]) -> FunctionCrashed:
    message = f"RequestId: {request_id} Error: Runtime exited with error: {status}"
    return FunctionCrashed(
        message,
        request_id=request_id,
        logs=logs,
        payload=error_payload(message, "Runtime.ExitError", request_id),
    )
