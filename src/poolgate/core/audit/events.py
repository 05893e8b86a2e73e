"""Recording an event of the audit trail: stored per user (AdminListUserAuthEvents
answers from it) and written as one log line whose fields a JSON log keeps apart
(``--log-format json``).

``record`` is the one entry point, for core's flows and for other adapters alike (an
admin console records its administrators' actions with ``actor`` in the request info).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from poolgate.core.audit import request_info
from poolgate.core.audit.request_info import RequestInfo
from poolgate.core.context import Context
from poolgate.core.errors import CognitoError
from poolgate.core.records import AuthEvent, RefreshToken, User

log = logging.getLogger("poolgate.audit")

# Cognito's EventType values: the events AdminListUserAuthEvents lists.
SIGN_IN = "SignIn"
SIGN_UP = "SignUp"
FORGOT_PASSWORD = "ForgotPassword"
PASSWORD_CHANGE = "PasswordChange"
RESEND_CODE = "ResendCode"
COGNITO_TYPES = (SIGN_IN, SIGN_UP, FORGOT_PASSWORD, PASSWORD_CHANGE, RESEND_CODE)
# Poolgate's own, in the log and the store but not in AdminListUserAuthEvents.
CONFIRM_SIGN_UP = "ConfirmSignUp"
OAUTH_ERROR = "OAuthError"
# An administrator's action is recorded under the operation's name (AdminDisableUser...).

# Cognito's EventResponseType.
PASS = "Pass"
FAIL = "Fail"
IN_PROGRESS = "InProgress"

# Detail keys that could carry a secret never reach the log or the store, whoever
# passes them.
_SECRET_WORDS = ("password", "secret", "token", "code", "session", "srp", "claim")


def _safe(details: dict[str, Any] | None) -> dict[str, Any]:
    if not details:
        return {}
    return {
        key: value
        for key, value in details.items()
        if key in ("error", "error_code") or not any(w in key.lower() for w in _SECRET_WORDS)
    }


async def record(
    ctx: Context,
    event_type: str,
    *,
    pool_id: str | None,
    sub: str | None,
    client_id: str | None,
    outcome: str,
    details: dict[str, Any] | None = None,
    source: RequestInfo | None = None,
    store: bool = True,
    refresh_tokens: Sequence[RefreshToken] = (),
) -> AuthEvent:
    """Record one event; ``source`` defaults to the current request's information.
    ``store=False`` only logs it (events that name no pool). ``refresh_tokens``: the
    ones the sign-in minted, stored in the same write as the event."""
    info = source or request_info.current()
    event = AuthEvent(
        event_id=str(uuid.uuid4()),
        event_type=event_type,
        outcome=outcome,
        created=ctx.clock(),
        pool_id=pool_id,
        sub=sub,
        client_id=client_id,
        source_ip=info.source_ip,
        request_id=info.request_id,
        user_agent=info.user_agent[:512] if info.user_agent else None,
        actor=info.actor,
        details=_safe(details),
    )
    log_event(event)
    if store and pool_id is not None:
        if refresh_tokens:
            await ctx.store.add_sign_in(list(refresh_tokens), event)
        else:
            await ctx.store.add_auth_event(event)
    else:
        for token in refresh_tokens:
            await ctx.store.add_refresh_token(token)
    return event


def log_event(event: AuthEvent) -> None:
    fields = {
        "event": event.event_type,
        "event_id": event.event_id,
        "outcome": event.outcome,
        "pool_id": event.pool_id,
        "sub": event.sub,
        "client_id": event.client_id,
        "source_ip": event.source_ip,
        "request_id": event.request_id,
        "user_agent": event.user_agent,
        "actor": event.actor,
        **{f"detail_{k}": v for k, v in event.details.items()},
    }
    shown = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None and k != "event")
    log.info("%s %s", event.event_type, shown, extra={"audit": fields})


@dataclass
class Subject:
    """Whom the operation being recorded concerns, as the code that finds the user
    says (``identify``)."""

    pool_id: str | None = None
    sub: str | None = None


_subject: ContextVar[Subject | None] = ContextVar("poolgate_audit_subject", default=None)


@contextlib.contextmanager
def watching() -> Iterator[Subject]:
    """Collect, for the block, whom the operation concerns."""
    subject = Subject()
    token = _subject.set(subject)
    try:
        yield subject
    finally:
        _subject.reset(token)


def identify(user: User | None) -> None:
    """The operation being recorded concerns ``user`` (no-op outside one)."""
    subject = _subject.get()
    if subject is not None and user is not None:
        subject.pool_id, subject.sub = user.pool_id, user.sub


P = ParamSpec("P")
R = TypeVar("R")


def audited(
    event_type: str, *, success: str = PASS, username_at: int | None = 2
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Record ``event_type`` for every call of a core operation ``f(ctx, client_id,
    username, ...)``: ``success`` when it returns, Fail with the error when it raises a
    Cognito error. The user is the one the operation ``identify``s; the pool is theirs,
    else the app client's. ``username_at`` None: the operation has no client id and
    username arguments (ChangePassword takes a token)."""

    def wrap(operation: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(operation)
        async def run(*args: P.args, **kwargs: P.kwargs) -> R:
            ctx = args[0]
            assert isinstance(ctx, Context)
            client_id = str(args[1]) if username_at is not None else None
            username = str(args[username_at]) if username_at is not None else None
            with watching() as subject:
                try:
                    result = await operation(*args, **kwargs)
                except CognitoError as error:
                    await _record_call(ctx, event_type, subject, client_id, username, error)
                    raise
            await _record_call(ctx, event_type, subject, client_id, username, None, success)
            return result

        return run

    return wrap


async def _record_call(
    ctx: Context,
    event_type: str,
    subject: Subject,
    client_id: str | None,
    username: str | None,
    error: CognitoError | None,
    success: str = PASS,
) -> None:
    pool_id = subject.pool_id
    if pool_id is None and client_id:
        client = await ctx.store.get_client(client_id)
        pool_id = client.pool_id if client else None
    details: dict[str, Any] = {}
    if subject.sub is None and username:
        details["username"] = username[:128]
    if error is not None:
        details["error"], details["reason"] = error.code, error.message
    await record(
        ctx,
        event_type,
        pool_id=pool_id,
        sub=subject.sub,
        client_id=client_id,
        outcome=FAIL if error is not None else success,
        details=details,
    )
