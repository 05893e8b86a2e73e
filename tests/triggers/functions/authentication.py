"""Pre and post authentication handlers, written with Powertools' data classes."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    PostAuthenticationTriggerEvent,
    PreAuthenticationTriggerEvent,
)
from recorder import recorded


@recorded
@event_source(data_class=PreAuthenticationTriggerEvent)
def pre_authentication(event: PreAuthenticationTriggerEvent, context: Any) -> dict[str, Any]:
    """Sign-ins from a device the app reports as blocked (InitiateAuth's
    ClientMetadata, which reaches this trigger as validationData) are refused."""
    if event.request.validation_data.get("device") == "blocked":
        raise Exception("Sign-in from this device is blocked")
    return event.raw_event


@recorded
@event_source(data_class=PostAuthenticationTriggerEvent)
def post_authentication(event: PostAuthenticationTriggerEvent, context: Any) -> dict[str, Any]:
    """Mallory has proven her password, and is refused all the same."""
    if event.request.user_attributes.get("name") == "Mallory":
        raise Exception("Mallory may not travel")
    return event.raw_event
