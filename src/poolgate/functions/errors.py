"""Why an invocation failed.

::

    FunctionError                  every failure; .payload in Lambda's error shape, .logs
    ├── HandlerError               the handler (or importing its module) raised
    ├── FunctionTimeout            ran past spec.timeout; the worker was killed
    ├── FunctionCrashed            the worker process died (exit, signal, runtime closed)
    ├── FunctionNotFound           no function of that name (or its code_dir is missing)
    └── ResultNotSerializable      the handler returned something JSON cannot carry

``payload`` always has Lambda's four keys (``errorMessage``, ``errorType``,
``requestId``, ``stackTrace``) so a caller can answer every failure the same way; the
error types are the ones Lambda reports (``Runtime.ImportModuleError``,
``Sandbox.Timedout``, ``Runtime.ExitError``, ``Runtime.MarshalError``...).
"""

from __future__ import annotations

from typing import Any


def error_payload(
    message: str, error_type: str, request_id: str, stack_trace: list[str] | None = None
) -> dict[str, Any]:
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": list(stack_trace or []),
    }


class FunctionError(Exception):
    """Base of every invocation failure."""

    error_type = "Runtime.Unknown"

    def __init__(
        self,
        message: str,
        *,
        request_id: str = "",
        logs: list[str] | None = None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id
        # Lines the handler printed or logged before it failed.
        self.logs: list[str] = list(logs or [])
        self.payload: dict[str, Any] = (
            payload if payload is not None else error_payload(message, self.error_type, request_id)
        )


class HandlerError(FunctionError):
    """The handler raised: ``payload`` is what Lambda answers for an unhandled error,
    e.g. ``{"errorMessage": "boom", "errorType": "ValueError", "requestId": "...",
    "stackTrace": ['  File "/var/task/app.py", line 3, in lambda_handler\\n ...']}``."""

    def __init__(
        self, payload: dict[str, Any], *, request_id: str = "", logs: list[str] | None = None
    ) -> None:
        message = str(payload.get("errorMessage", ""))
        error_type = str(payload.get("errorType", ""))
        super().__init__(
            f"{error_type}: {message}" if error_type else message,
            request_id=request_id,
            logs=logs,
            payload=payload,
        )


class FunctionTimeout(FunctionError):
    """Lambda: ``Task timed out after 3.00 seconds``."""

    error_type = "Sandbox.Timedout"


class FunctionCrashed(FunctionError):
    """Lambda: ``Runtime exited with error: exit status 1`` / ``signal: killed``."""

    error_type = "Runtime.ExitError"


class FunctionNotFound(FunctionError):
    error_type = "ResourceNotFoundException"


class ResultNotSerializable(FunctionError):
    """Lambda: ``Unable to marshal response: Object of type X is not JSON serializable``."""

    error_type = "Runtime.MarshalError"
