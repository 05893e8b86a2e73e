"""A passwordless sign-in with a one-time code (the custom authentication flow):
define, create and verify auth challenge, written with Powertools' data classes.

The code goes where the user can read it: a file named after the user in
``$CODES_DIR`` (a real function would email or text it).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event import (
    CreateAuthChallengeTriggerEvent,
    DefineAuthChallengeTriggerEvent,
    VerifyAuthChallengeResponseTriggerEvent,
)
from recorder import recorded

MAX_ATTEMPTS = 3


@recorded
@event_source(data_class=DefineAuthChallengeTriggerEvent)
def define(event: DefineAuthChallengeTriggerEvent, context: Any) -> dict[str, Any]:
    session = event.request.session
    custom = [result for result in session if result.challenge_name == "CUSTOM_CHALLENGE"]
    if session and session[-1].challenge_name == "SRP_A":
        event.response.challenge_name = "PASSWORD_VERIFIER"
    elif session and not session[-1].challenge_result:
        if session[-1].challenge_name == "PASSWORD_VERIFIER" or len(custom) >= MAX_ATTEMPTS:
            event.response.fail_authentication = True
        else:
            event.response.challenge_name = "CUSTOM_CHALLENGE"
    elif custom and custom[-1].challenge_result:
        event.response.issue_tokens = True
    else:
        event.response.challenge_name = "CUSTOM_CHALLENGE"
    return event.raw_event


@recorded
@event_source(data_class=CreateAuthChallengeTriggerEvent)
def create(event: CreateAuthChallengeTriggerEvent, context: Any) -> dict[str, Any]:
    code = f"{secrets.randbelow(1_000_000):06d}"
    Path(os.environ["CODES_DIR"], f"{event.user_name}.code").write_text(code)
    attempt = 1 + sum(1 for r in event.request.session if r.challenge_name == "CUSTOM_CHALLENGE")
    event.response.public_challenge_parameters = {"hint": "Your code is in your trip notebook"}
    event.response.private_challenge_parameters = {"answer": code}
    event.response.challenge_metadata = f"CODE-{attempt}"
    return event.raw_event


@recorded
@event_source(data_class=VerifyAuthChallengeResponseTriggerEvent)
def verify(event: VerifyAuthChallengeResponseTriggerEvent, context: Any) -> dict[str, Any]:
    expected = event.request.private_challenge_parameters.get("answer")
    event.response.answer_correct = event.request.challenge_answer == expected
    return event.raw_event
