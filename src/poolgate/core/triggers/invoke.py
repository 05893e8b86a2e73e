"""One trigger invocation, as Cognito makes it (developer guide, "Customizing user pool
workflows with Lambda triggers"):

- the event carries the common members (``version``, ``triggerSource``, ``region``,
  ``userPoolId``, ``userName``, ``callerContext`` with ``awsSdkVersion`` and
  ``clientId``), the trigger's ``request`` and a ``response`` whose members are
  present and null until the function fills them;
- Cognito invokes synchronously and waits 5 seconds at most;
- the function returns the whole event; Cognito reads its ``response``.

Failures answer as Cognito does: the handler raised -> ``UserLambdaValidationException``
"PreSignUp failed with error <message>."; no answer (missing function, timeout, crash)
-> ``UnexpectedLambdaException`` "PreSignUp invocation failed due to error <reason>.";
a result that is not the event with a response object -> ``InvalidLambdaResponseException``
"Unrecognizable lambda output".
"""

from __future__ import annotations

import logging
from typing import Any

from poolgate.core.context import Context
from poolgate.core.errors import (
    InvalidLambdaResponseException,
    UnexpectedLambdaException,
    UserLambdaValidationException,
)
from poolgate.core.records import UserPool
from poolgate.core.triggers import lambda_config
from poolgate.core.triggers.invoker import TriggerRaised, TriggerUnavailable

log = logging.getLogger("poolgate.triggers")

# "When Amazon Cognito calls your Lambda function, it must respond within 5 seconds."
TIMEOUT = 5.0
UNRECOGNIZABLE = "Unrecognizable lambda output"
# What callerContext.awsSdkVersion says when Cognito cannot tell the caller's SDK.
UNKNOWN_SDK = "aws-sdk-unknown-unknown"
# callerContext.clientId of operations no app client makes (AdminCreateUser).
NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"


def configured(pool: UserPool, trigger: str) -> bool:
    return lambda_config.arn_for(pool, trigger) is not None


async def call(
    ctx: Context,
    pool: UserPool,
    trigger: str,
    source: str,
    *,
    user_name: str | None,
    client_id: str | None,
    request: dict[str, Any],
    response: dict[str, Any],
    version: str = "1",
) -> dict[str, Any]:
    """Invoke the pool's ``trigger`` and return the ``response`` object it sent back.
    The caller has checked ``configured``."""
    arn = lambda_config.arn_for(pool, trigger)
    assert arn is not None
    event = {
        "version": version,
        "triggerSource": source,
        "region": ctx.region,
        "userPoolId": pool.id,
        "userName": user_name,
        "callerContext": {
            "awsSdkVersion": UNKNOWN_SDK,
            "clientId": client_id or "CLIENT_ID_NOT_APPLICABLE",
        },
        "request": request,
        "response": response,
    }
    name = lambda_config.function_name(ctx, arn)
    try:
        if name is None or ctx.functions is None or not ctx.functions.has_function(name):
            raise TriggerUnavailable("ResourceNotFoundException", detail=f"{arn} is not declared")
        result = await ctx.functions.invoke(name, event, timeout=TIMEOUT)
    except TriggerRaised as exc:
        log.info("%s (%s) raised: %s", trigger, source, exc.message)
        raise UserLambdaValidationException(
            f"{trigger} failed with error {exc.message}.", detail=exc.detail
        ) from None
    except TriggerUnavailable as exc:
        log.warning("%s (%s) did not answer: %s %s", trigger, source, exc.message, exc.detail)
        raise UnexpectedLambdaException(
            f"{trigger} invocation failed due to error {exc.message}.", detail=exc.detail
        ) from None
    answer = result.get("response") if isinstance(result, dict) else None
    if not isinstance(answer, dict):
        raise InvalidLambdaResponseException(
            UNRECOGNIZABLE, detail=f"{trigger} returned {type(result).__name__}"
        )
    return answer


def invalid(trigger: str, why: str) -> InvalidLambdaResponseException:
    """A response whose members have the wrong types or values."""
    return InvalidLambdaResponseException(UNRECOGNIZABLE, detail=f"{trigger}: {why}")


def flag(answer: dict[str, Any], name: str, trigger: str) -> bool:
    """A boolean response member (absent or null means false)."""
    value = answer.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise invalid(trigger, f"{name} must be a boolean")
    return value


def string_map(value: Any, name: str, trigger: str) -> dict[str, str]:
    """A map of strings in a response (absent or null means empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise invalid(trigger, f"{name} must be a map of strings")
    return value


def string_list(value: Any, name: str, trigger: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(trigger, f"{name} must be a list of strings")
    return value
