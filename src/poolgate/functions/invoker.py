"""The functions runtime as core's ``FunctionInvoker``: how the pools' Lambda triggers
reach the handlers declared in ``[[functions]]``.

Lambda reports a handler that raised, ran past its own timeout, crashed or returned
what JSON cannot carry as a *function error* with an ``errorMessage``; Cognito answers
those with UserLambdaValidationException and that message. When Cognito gets no answer
at all (no such function, or none within its 5 seconds), it answers
UnexpectedLambdaException; the invocation itself runs on to its end, as Lambda's does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from poolgate.core.triggers.invoker import TriggerRaised, TriggerUnavailable
from poolgate.functions.errors import FunctionError, FunctionNotFound
from poolgate.functions.runtime import FunctionRuntime

SOCKET_TIMEOUT = "Socket timeout while invoking Lambda function"


class RuntimeInvoker:
    def __init__(self, runtime: FunctionRuntime) -> None:
        self.runtime = runtime

    def has_function(self, name: str) -> bool:
        return any(spec.name == name for spec in self.runtime.specs())

    def function_names(self) -> list[str]:
        return sorted(spec.name for spec in self.runtime.specs())

    async def invoke(self, name: str, event: dict[str, Any], *, timeout: float) -> Any:
        try:
            invocation = await asyncio.wait_for(self.runtime.invoke(name, event), timeout)
        except TimeoutError:
            raise TriggerUnavailable(
                SOCKET_TIMEOUT, detail=f"{name}: no answer in {timeout}s"
            ) from None
        except FunctionNotFound as exc:
            raise TriggerUnavailable("ResourceNotFoundException", detail=exc.message) from None
        except FunctionError as exc:
            message = str(exc.payload.get("errorMessage") or exc.message)
            raise TriggerRaised(message, detail=f"{name}: {exc.payload.get('errorType')}") from None
        return invocation.result

    async def close(self) -> None:
        await self.runtime.close()
