"""Pre sign-up and post confirmation handlers, written as for AWS Lambda with
Powertools' data classes."""

from __future__ import annotations

import time
from typing import Any

import boto3
from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    PostConfirmationTriggerEvent,
    PreSignUpTriggerEvent,
)
from recorder import recorded


@recorded
@event_source(data_class=PreSignUpTriggerEvent)
def auto_confirm(event: PreSignUpTriggerEvent, context: Any) -> dict[str, Any]:
    """Everyone is welcome: confirmed at once, their email verified."""
    event.response.auto_confirm_user = True
    if "email" in event.request.user_attributes:
        event.response.auto_verify_email = True
    return event.raw_event


@recorded
@event_source(data_class=PreSignUpTriggerEvent)
def guest_list(event: PreSignUpTriggerEvent, context: Any) -> dict[str, Any]:
    """Only travellers with the invitation code may sign up."""
    if event.request.validation_data.get("invitation") != "TRAVEL2026":
        raise Exception("not on the guest list")
    return event.raw_event


@recorded
def sleeper(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Longer than Cognito waits (its function timeout is longer still)."""
    time.sleep(10)
    return event


@recorded
@event_source(data_class=PostConfirmationTriggerEvent)
def add_to_travellers(event: PostConfirmationTriggerEvent, context: Any) -> dict[str, Any]:
    """Every confirmed user joins the travellers group, through the pool's own API
    (the function has admin_credentials: boto3 finds the key and the endpoint in its
    environment, as a Lambda finds its role's)."""
    cognito = boto3.client("cognito-idp")
    cognito.admin_add_user_to_group(
        UserPoolId=event.user_pool_id, Username=event.user_name, GroupName="travellers"
    )
    return event.raw_event
