"""The Lambda runtime: Python handlers written for AWS Lambda, run unchanged in worker
processes, for the API gateway and the user-pool triggers.

``FunctionRuntime`` (``runtime.py``) keeps a pool of workers per ``FunctionSpec``
(``spec.py``); ``process.py`` starts one worker and talks to it; ``worker.py`` is the
worker itself (Lambda's runtime loop and ``context``); ``errors.py`` the failures;
``logfile.py`` the per-function log files ``poolgate logs`` reads; ``codewatch.py``
notices code changes.
"""

from poolgate.functions.errors import (
    FunctionCrashed,
    FunctionError,
    FunctionNotFound,
    FunctionTimeout,
    HandlerError,
    ResultNotSerializable,
)
from poolgate.functions.runtime import FunctionRuntime, Invocation
from poolgate.functions.spec import FunctionSpec

__all__ = [
    "FunctionCrashed",
    "FunctionError",
    "FunctionNotFound",
    "FunctionRuntime",
    "FunctionSpec",
    "FunctionTimeout",
    "HandlerError",
    "Invocation",
    "ResultNotSerializable",
]
