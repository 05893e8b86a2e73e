"""A user's event history on the wire: AdminListUserAuthEvents, UpdateAuthEventFeedback
and AdminUpdateAuthEventFeedback (``core.audit.history``)."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.core.audit import history
from poolgate.core.context import Context
from poolgate.core.records import AuthEvent

_CHALLENGE_RESULT = {"Pass": "Success", "Fail": "Failure"}


def auth_event_type(event: AuthEvent) -> dict[str, Any]:
    """``AuthEventType``."""
    body: dict[str, Any] = {
        "EventId": event.event_id,
        "EventType": event.event_type,
        "CreationDate": event.created,
        "EventResponse": event.outcome,
        # Poolgate assesses no risk and so took no action on any event.
        "EventRisk": {"RiskDecision": "NoRisk"},
    }
    if event.event_type == "SignIn" and event.outcome in _CHALLENGE_RESULT:
        body["ChallengeResponses"] = [
            {"ChallengeName": "Password", "ChallengeResponse": _CHALLENGE_RESULT[event.outcome]}
        ]
    context: dict[str, str] = {}
    if event.source_ip:
        context["IpAddress"] = event.source_ip
    if event.user_agent:
        context["DeviceName"] = event.user_agent
    if context:
        body["EventContextData"] = context
    if event.feedback:
        body["EventFeedback"] = event.feedback
    return body


@operation("AdminListUserAuthEvents")
async def admin_list_user_auth_events(ctx: Context, params: Params) -> dict[str, Any]:
    found, token = await history.list_user_auth_events(
        ctx,
        params["UserPoolId"],
        params["Username"],
        params.get("MaxResults"),
        params.get("NextToken"),
    )
    body: dict[str, Any] = {"AuthEvents": [auth_event_type(event) for event in found]}
    if token:
        body["NextToken"] = token
    return body


@operation("AdminUpdateAuthEventFeedback")
async def admin_update_auth_event_feedback(ctx: Context, params: Params) -> dict[str, Any]:
    await history.admin_update_feedback(
        ctx, params["UserPoolId"], params["Username"], params["EventId"], params["FeedbackValue"]
    )
    return {}


@operation("UpdateAuthEventFeedback")
async def update_auth_event_feedback(ctx: Context, params: Params) -> dict[str, Any]:
    await history.update_feedback(
        ctx,
        params["UserPoolId"],
        params["Username"],
        params["EventId"],
        params["FeedbackToken"],
        params["FeedbackValue"],
    )
    return {}
