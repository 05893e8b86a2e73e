"""A user's event history: AdminListUserAuthEvents, and feedback on an event with
UpdateAuthEventFeedback (the user, holding the event's feedback token) and
AdminUpdateAuthEventFeedback (API reference of each operation).

Cognito keeps this history only for pools with threat protection (the Plus tier) and
answers ``UserPoolAddOnNotEnabledException`` otherwise; Poolgate records every pool's
events and lists them whatever the pool's ``UserPoolAddOns``. It assesses no risk, so
every event's ``EventRisk`` says ``NoRisk`` (the pool took no action on it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from poolgate.core.audit.events import COGNITO_TYPES
from poolgate.core.context import Context
from poolgate.core.errors import (
    InvalidParameterException,
    NotAuthorizedException,
    ResourceNotFoundException,
    UserNotFoundException,
)
from poolgate.core.pagination import decode_token, encode_token
from poolgate.core.pools.pools import require_pool
from poolgate.core.records import AuthEvent, User, UserPool
from poolgate.core.users import lookup

DEFAULT_RESULTS = 60
# How long events are kept (``purge``, run periodically by the server).
RETENTION = 90 * 86400.0


async def _user(ctx: Context, pool: UserPool, username: str) -> User:
    user = await lookup.find_user(ctx, pool, username)
    if user is None:
        # "this value must be the sub of a local user" when it is not an alias.
        user = await ctx.store.get_user_by_sub(pool.id, username)
    if user is None:
        raise UserNotFoundException("User does not exist.")
    return user


async def list_user_auth_events(
    ctx: Context, pool_id: str, username: str, max_results: int | None, next_token: str | None
) -> tuple[list[AuthEvent], str | None]:
    """The user's sign-in, sign-up, password and code events, newest first; 60 per page
    when ``max_results`` is 0 or absent."""
    pool = await require_pool(ctx, pool_id)
    user = await _user(ctx, pool, username)
    limit = max_results or DEFAULT_RESULTS
    before = _before(decode_token(next_token))
    found = await ctx.store.list_auth_events(
        pool.id, user.sub, event_types=COGNITO_TYPES, limit=limit + 1, before=before
    )
    page = found[:limit]
    token = None
    if len(found) > limit:
        last = page[-1]
        token = encode_token(f"{last.created!r}|{last.event_id}")
    return page, token


def _before(key: str | None) -> tuple[float, str] | None:
    if key is None:
        return None
    created, _, event_id = key.partition("|")
    try:
        return float(created), event_id
    except ValueError:
        raise InvalidParameterException("The pagination token is invalid.") from None


def feedback_token(ctx: Context, event: AuthEvent) -> str:
    """The token a user presents to give feedback on ``event`` (Cognito puts it in its
    threat-protection notification messages): an HMAC of the event under a key derived
    from the master key, so it cannot be guessed and needs no storage."""
    message = f"{event.pool_id}\x00{event.sub}\x00{event.event_id}".encode()
    digest = hmac.new(ctx.sealer.mac_key("auth-event-feedback"), message, hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode()


async def _event_of(ctx: Context, pool: UserPool, user: User, event_id: str) -> AuthEvent:
    event = await ctx.store.get_auth_event(pool.id, event_id)
    if event is None or event.sub != user.sub:
        raise ResourceNotFoundException(f"Auth event {event_id} does not exist.")
    return event


async def _give_feedback(
    ctx: Context, pool: UserPool, event: AuthEvent, value: str, provider: str
) -> None:
    feedback: dict[str, Any] = {
        "FeedbackValue": value,
        "Provider": provider,
        "FeedbackDate": ctx.clock(),
    }
    await ctx.store.set_auth_event_feedback(pool.id, event.event_id, feedback)


async def admin_update_feedback(
    ctx: Context, pool_id: str, username: str, event_id: str, value: str
) -> None:
    pool = await require_pool(ctx, pool_id)
    user = await _user(ctx, pool, username)
    event = await _event_of(ctx, pool, user, event_id)
    await _give_feedback(ctx, pool, event, value, "Admin")


async def update_feedback(
    ctx: Context, pool_id: str, username: str, event_id: str, token: str, value: str
) -> None:
    """UpdateAuthEventFeedback: the caller proves it holds the event's feedback token;
    a wrong token is refused like an unknown event would be."""
    pool = await require_pool(ctx, pool_id)
    user = await _user(ctx, pool, username)
    event = await _event_of(ctx, pool, user, event_id)
    if not hmac.compare_digest(feedback_token(ctx, event).encode(), token.encode()):
        raise NotAuthorizedException("The feedback token is not valid for this event.")
    await _give_feedback(ctx, pool, event, value, "User")


async def purge(ctx: Context) -> int:
    """Drop events older than ``RETENTION`` (90 days)."""
    return await ctx.store.purge_auth_events(ctx.clock() - RETENTION)
