"""The user migration handler: TravelGuide's old user directory, kept in a dict."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    UserMigrationTriggerEvent,
)
from recorder import recorded

OLD_DIRECTORY = {
    "olive@legacy.example": {"password": "Legacy!Pass1", "name": "Olive Oldtimer"},
    "rhea@legacy.example": {"password": "Legacy!Pass2", "name": "Rhea Reset", "reset": True},
    "fern@legacy.example": {"password": "Legacy!Pass3", "name": "Fern Forgetful"},
}


@recorded
@event_source(data_class=UserMigrationTriggerEvent)
def migrate(event: UserMigrationTriggerEvent, context: Any) -> dict[str, Any]:
    old = OLD_DIRECTORY.get(event.user_name)
    if old is None:
        raise Exception("Unknown user in the old directory")
    signing_in = event.trigger_source == "UserMigration_Authentication"
    if signing_in and event.request.password != old["password"]:
        raise Exception("Bad password")
    event.response.user_attributes = {
        "email": event.user_name,
        "email_verified": "true",
        "name": old["name"],
    }
    if signing_in and not old.get("reset"):
        event.response.final_user_status = "CONFIRMED"
    else:
        event.response.final_user_status = "RESET_REQUIRED"
    event.response.message_action = "SUPPRESS"
    return event.raw_event
