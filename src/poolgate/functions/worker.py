"""The worker process: one function's handler, one invocation at a time.

Started by :mod:`poolgate.functions.process` as
``python -u worker.py REQUEST_FD RESPONSE_FD ADDRESS_SPACE_BYTES FUNCTION_ARN`` with
cwd = the code directory and Lambda's environment variables. It runs as a script (by
path, not ``-m``) and imports nothing from Poolgate: the handler's process holds only
the standard library and the handler's own modules, and a module of the handler's
named like one of ours cannot collide with it.

How it mirrors AWS's Python runtime (awslambdaric ``bootstrap.py``):

- the handler module is imported once, at start (Lambda's init phase); module-level
  state persists across the invocations this process serves;
- import failures are reported with Lambda's error types
  (``Runtime.ImportModuleError``, ``Runtime.HandlerNotFound``,
  ``Runtime.MalformedHandlerName``, ``Runtime.UserCodeSyntaxError``);
- an exception in the handler is answered with ``errorMessage``, ``errorType``,
  ``requestId`` and ``stackTrace`` (the runtime's own frames cut off) and written to
  the log as ``[ERROR] Type: message`` followed by the traceback;
- the root logger writes ``[LEVEL]\\t<UTC timestamp>\\t<request id>\\t<message>`` to
  stdout, at the level named by ``AWS_LAMBDA_LOG_LEVEL`` (``TRACE`` means ``DEBUG``);
- stdout and stderr are unbuffered (``-u``), like the runtime's ``Unbuffered``
  wrapper, so what a handler printed before it crashed or hung is not lost.

The protocol runs on two dedicated pipes, never on stdout: a frame is two big-endian
u32 lengths (header, body), a JSON header and a body. Requests: header ``{"id",
"deadline_ms"}``, body the event as JSON. Replies: ``{"type": "ready"}`` or
``{"type": "init_error", "error": {...}}`` once at start, then one ``result`` or
``error`` per request. The parent gave fds 1 and 2 a capture file of its own: what the
handler prints lands there and the parent reads it after each invocation.
"""

from __future__ import annotations

import decimal
import faulthandler
import importlib
import json
import logging
import os
import resource
import struct
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

FRAME_HEADER = struct.Struct("!II")  # header length, body length (same in process.py)
INIT_ERROR_TYPES = {
    "import": "Runtime.ImportModuleError",
    "handler": "Runtime.HandlerNotFound",
    "malformed": "Runtime.MalformedHandlerName",
    "syntax": "Runtime.UserCodeSyntaxError",
    "builtin": "Runtime.BuiltInModuleConflict",
}

Handler = Callable[[Any, Any], Any]

_request_id = ""  # read by the logging filter, like awslambdaric's _GLOBAL_AWS_REQUEST_ID


class FaultError(Exception):
    """A failure of the runtime's own (import, marshalling), with Lambda's error type."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


# -- the context object ------------------------------------------------------------------
# https://docs.aws.amazon.com/lambda/latest/dg/python-context.html


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, data: dict[str, Any]) -> None:
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")


class Client:
    __slots__ = (
        "app_package_name",
        "app_title",
        "app_version_code",
        "app_version_name",
        "installation_id",
    )

    def __init__(self, data: dict[str, Any]) -> None:
        for name in self.__slots__:
            setattr(self, name, data.get(name))


class ClientContext:
    __slots__ = ("client", "custom", "env")

    def __init__(self, data: dict[str, Any]) -> None:
        client = data.get("client")
        self.client = Client(client) if isinstance(client, dict) else None
        self.custom = data.get("custom")
        self.env = data.get("env")


class LambdaContext:
    """Lambda's ``context``. As in AWS's runtime, the function's settings come from
    the environment, so ``memory_limit_in_mb`` is a string (``"128"``)."""

    def __init__(
        self,
        request_id: str,
        deadline_ms: int,
        invoked_function_arn: str,
        identity: dict[str, Any] | None = None,
        client_context: dict[str, Any] | None = None,
    ) -> None:
        environ = os.environ
        self.aws_request_id = request_id
        self.log_group_name = environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = None
        self.identity = CognitoIdentity(identity or {})
        self.client_context = ClientContext(client_context) if client_context else None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, msg: object) -> None:
        sys.stdout.write(str(msg))

    def __repr__(self) -> str:
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},"
            f"function_name={self.function_name},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},"
            f"memory_limit_in_mb={self.memory_limit_in_mb}])"
        )


# -- logging -------------------------------------------------------------------------------


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = _request_id
        return True


class _StdoutHandler(logging.Handler):
    """Writes to whatever ``sys.stdout`` is at the time, as Lambda's log sink does."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record))
        except Exception:
            self.handleError(record)


def setup_logging() -> None:
    logging.Formatter.converter = time.gmtime  # awslambdaric sets it for every formatter
    handler = _StdoutHandler()
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S",
        )
    )
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    level = {"": "INFO", "TRACE": "DEBUG"}.get(level, level)
    root.setLevel(level if level in logging.getLevelNamesMapping() else "INFO")


def log_error(payload: dict[str, Any]) -> None:
    """What Lambda writes to the log for an unhandled error (lines, not ``\\r``)."""
    lines = [f"[ERROR] {payload['errorType']}: {payload['errorMessage']}"]
    if payload["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        for entry in payload["stackTrace"]:
            lines.extend(entry.splitlines())
    sys.stdout.write("\n".join(lines) + "\n")


# -- the handler ---------------------------------------------------------------------------


def load_handler(handler: str) -> Handler:
    """awslambdaric's ``_get_handler``, with its messages."""
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as exc:
        raise FaultError(INIT_ERROR_TYPES["malformed"], f"Bad handler '{handler}': {exc}") from None
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise FaultError(
            INIT_ERROR_TYPES["builtin"],
            f"Cannot use built-in module {module_name} as a handler module",
        )
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise FaultError(
            INIT_ERROR_TYPES["import"], f"Unable to import module '{module_name}': {exc}"
        ) from None
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n    {exc.text}']
        raise FaultError(
            INIT_ERROR_TYPES["syntax"], f"Syntax error in module '{module_name}': {exc}", trace
        ) from None
    try:
        function = getattr(module, function_name)
    except AttributeError:
        raise FaultError(
            INIT_ERROR_TYPES["handler"],
            f"Handler '{function_name}' missing on module '{module_name}'",
        ) from None
    if not callable(function):
        raise FaultError(
            INIT_ERROR_TYPES["handler"],
            f"Handler '{function_name}' on module '{module_name}' is not callable",
        )
    return function  # type: ignore[no-any-return]


def error_payload(exc: BaseException, request_id: str) -> dict[str, Any]:
    if isinstance(exc, FaultError):
        return {
            "errorMessage": exc.message,
            "errorType": exc.error_type,
            "requestId": request_id,
            "stackTrace": exc.trace,
        }
    frames: list[traceback.FrameSummary] = list(traceback.extract_tb(exc.__traceback__))
    # Cut the runtime's own frames, as awslambdaric cuts bootstrap.py's.
    for i, frame in enumerate(frames):
        if frame.filename != __file__:
            frames = frames[i:]
            break
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


def _json_default(value: object) -> object:
    # Lambda's marshaller writes Decimals (DynamoDB's numbers) as JSON numbers.
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def marshal(result: object) -> tuple[str, bytes]:
    if isinstance(result, bytes | bytearray):
        return "bytes", bytes(result)
    try:
        return "json", json.dumps(result, default=_json_default).encode()
    except (TypeError, ValueError, RecursionError) as exc:
        raise FaultError("Runtime.MarshalError", f"Unable to marshal response: {exc}") from None


# -- the protocol --------------------------------------------------------------------------


def read_exact(fd: int, size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int) -> tuple[dict[str, Any], bytes] | None:
    head = read_exact(fd, FRAME_HEADER.size)
    if head is None:
        return None
    header_size, body_size = FRAME_HEADER.unpack(head)
    data = read_exact(fd, header_size + body_size)
    if data is None:
        return None
    return json.loads(data[:header_size]), data[header_size:]


def write_frame(fd: int, header: dict[str, Any], body: bytes = b"") -> None:
    encoded = json.dumps(header).encode()
    view = memoryview(FRAME_HEADER.pack(len(encoded), len(body)) + encoded + body)
    while view:
        view = view[os.write(fd, view) :]


def flush_output() -> None:
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except Exception:  # a handler may have replaced or closed them
            pass


def max_rss_kb() -> int:
    """Peak resident memory. ``VmHWM`` rather than ``ru_maxrss``, which would still
    count the server process this one was forked from."""
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def invoke(
    handler: Handler, header: dict[str, Any], body: bytes, arn: str
) -> tuple[dict[str, Any], bytes]:
    global _request_id
    request_id = str(header["id"])
    _request_id = request_id
    started = time.perf_counter()
    reply: dict[str, Any]
    data = b""
    try:
        event = json.loads(body)
        context = LambdaContext(
            request_id,
            int(header["deadline_ms"]),
            arn,
            header.get("identity"),
            header.get("client_context"),
        )
        result = handler(event, context)
        duration_ms = (time.perf_counter() - started) * 1000
        kind, data = marshal(result)
        reply = {"type": "result", "kind": kind, "duration_ms": duration_ms}
    except Exception as exc:
        duration_ms = (time.perf_counter() - started) * 1000
        payload = error_payload(exc, request_id)
        log_error(payload)
        # A MemoryError may have left module state half-built: the parent retires
        # this process once the answer is out.
        reply = {
            "type": "error",
            "error": payload,
            "duration_ms": duration_ms,
            "retire": isinstance(exc, MemoryError),
        }
    flush_output()
    reply["max_rss_kb"] = max_rss_kb()
    return reply, data


def main(argv: list[str]) -> int:
    request_fd, response_fd, address_space = int(argv[1]), int(argv[2]), int(argv[3])
    arn = argv[4]
    # Handlers' child processes must not hold the protocol pipes open.
    os.set_inheritable(request_fd, False)
    os.set_inheritable(response_fd, False)
    # As in Lambda: the code directory is the first entry of sys.path (instead of this
    # script's directory) and the working directory.
    sys.path[0] = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    faulthandler.enable()  # a segfault leaves a traceback in the function's log
    setup_logging()
    if address_space > 0:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = address_space if hard == resource.RLIM_INFINITY else min(address_space, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    started = time.perf_counter()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Exception as exc:
        payload = error_payload(exc, "")
        log_error(payload)
        flush_output()
        write_frame(response_fd, {"type": "init_error", "error": payload})
        return 0
    init_ms = (time.perf_counter() - started) * 1000
    flush_output()
    write_frame(response_fd, {"type": "ready", "init_ms": init_ms, "max_rss_kb": max_rss_kb()})

    while True:
        frame = read_frame(request_fd)
        if frame is None:  # the runtime closed the pipe: retired, or the server stopped
            return 0
        reply, data = invoke(handler, *frame, arn)
        try:
            write_frame(response_fd, reply, data)
        except BrokenPipeError:
            return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
