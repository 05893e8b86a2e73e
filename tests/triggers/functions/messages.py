"""The custom message handler: TravelGuide's own words for every code Cognito sends."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    CustomMessageTriggerEvent,
)
from recorder import recorded


@recorded
@event_source(data_class=CustomMessageTriggerEvent)
def custom_message(event: CustomMessageTriggerEvent, context: Any) -> dict[str, Any]:
    source = event.trigger_source
    code = event.request.code_parameter
    if event.request.client_metadata.get("forget_the_code") == "yes":
        # A text that cannot deliver the code: the pool's own template is used instead.
        code = "(no code here)"
    if source == "CustomMessage_AdminCreateUser":
        text = (
            f"[{source}] Welcome aboard, {event.request.username_parameter}: "
            f"your temporary password is {code}"
        )
    else:
        text = f"[{source}] Your TravelGuide code is {code}"
    event.response.email_subject = f"TravelGuide: {source}"
    event.response.email_message = f"<p>{text}</p>"
    event.response.sms_message = text
    return event.raw_event
