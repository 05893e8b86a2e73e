"""The audit trail of administrators' calls: every signed operation is logged with the
admin key that made it (``core.audit``); those that change something are also stored,
under the pool they name, with the username in the details. The administrator's
sign-in flows are recorded as sign-ins already (``core.auth.attempts``)."""

from __future__ import annotations

from typing import Any

from poolgate.core.audit import events
from poolgate.core.context import Context
from poolgate.core.errors import CognitoError

# Operations that only read: logged, not stored.
_READS = ("Describe", "List", "Get", "AdminGet", "AdminList")
_SIGN_INS = ("AdminInitiateAuth", "AdminRespondToAuthChallenge")


async def record(
    ctx: Context,
    operation: str,
    params: Any,
    error: CognitoError | None,
    result: dict[str, Any] | None = None,
) -> None:
    """``result``: the operation's answer, which names the pool CreateUserPool made."""
    if operation in _SIGN_INS:
        return
    given = params if isinstance(params, dict) else {}
    details: dict[str, Any] = {}
    for name in ("Username", "GroupName", "ProviderName", "Identifier"):
        value = given.get(name)
        if isinstance(value, str):
            details[name[0].lower() + name[1:]] = value[:128]
    if error is not None:
        details["error"], details["reason"] = error.code, error.message
    pool_id = given.get("UserPoolId")
    if pool_id is None and result is not None:
        pool_id = (result.get("UserPool") or {}).get("Id")
    client_id = given.get("ClientId")
    await events.record(
        ctx,
        operation,
        pool_id=pool_id if isinstance(pool_id, str) else None,
        sub=None,
        client_id=client_id if isinstance(client_id, str) else None,
        outcome=events.FAIL if error is not None else events.PASS,
        details=details,
        store=not operation.startswith(_READS),
    )
