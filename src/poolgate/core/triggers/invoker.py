"""The functions runtime as core sees it.

Core never starts a process: the composition root gives the context an invoker
(``poolgate.functions.invoker``) over the deployment's ``[[functions]]``. An
invocation either returns the handler's JSON result or raises one of these:

``TriggerError``
  ``TriggerRaised``        the handler raised; ``message`` is its errorMessage
  ``TriggerUnavailable``   it could not run to an answer: no such function, timed out,
                           crashed, returned something JSON cannot carry
"""

from __future__ import annotations

from typing import Any, Protocol


class TriggerError(Exception):
    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class TriggerRaised(TriggerError):
    """The handler raised (Lambda's FunctionError "Unhandled")."""


class TriggerUnavailable(TriggerError):
    """No answer: ``message`` is the reason Cognito names, e.g. "Socket timeout while
    invoking Lambda function" or "ResourceNotFoundException"."""


class FunctionInvoker(Protocol):
    def has_function(self, name: str) -> bool:
        """Whether the deployment declares a function of this name."""
        ...

    def function_names(self) -> list[str]:
        """The names of the deployment's functions, sorted."""
        ...

    async def invoke(self, name: str, event: dict[str, Any], *, timeout: float) -> Any:
        """The handler's result for ``event``, waiting at most ``timeout`` seconds."""
        ...

    async def close(self) -> None: ...
