"""Pre token generation handlers: version 1 (id token claims and groups) and versions
2 and 3 (id and access tokens, scopes), written with Powertools' data classes."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    PreTokenGenerationTriggerEvent,
    PreTokenGenerationV2TriggerEvent,
)
from recorder import recorded


@recorded
@event_source(data_class=PreTokenGenerationTriggerEvent)
def v1(event: PreTokenGenerationTriggerEvent, context: Any) -> dict[str, Any]:
    details = event.response.claims_override_details
    details.claims_to_add_or_override = {
        "tier": "gold",
        "trigger_source": event.trigger_source,
        "name": "Overridden Name",
        # Cognito keeps these for itself: the function cannot change them.
        "sub": "not-the-sub",
        "token_use": "access",
    }
    details.claims_to_suppress = ["email"]
    groups = event.request.group_configuration.groups_to_override
    details.set_group_configuration_groups_to_override([*groups, "vip"])
    return event.raw_event


@recorded
@event_source(data_class=PreTokenGenerationV2TriggerEvent)
def v2(event: PreTokenGenerationV2TriggerEvent, context: Any) -> dict[str, Any]:
    details = event.response.claims_scope_override_details
    marks = {"tier": "gold", "trigger_source": event.trigger_source}
    details.id_token_generation.claims_to_add_or_override = marks
    details.id_token_generation.claims_to_suppress = ["email"]
    access = details.access_token_generation
    access.claims_to_add_or_override = {**marks, "trips": ["kyoto", "lisbon"]}
    access.claims_to_suppress = ["auth_time"]
    access.scopes_to_add = ["travelguide/trips.read"]
    access.scopes_to_suppress = ["email"]
    return event.raw_event
