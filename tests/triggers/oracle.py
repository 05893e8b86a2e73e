"""Powertools for AWS Lambda as the independent judge of the events Poolgate sends.

Every recorded event is checked twice:

- by the parser's pydantic model of its trigger (``aws_lambda_powertools.utilities.
  parser.models``), and
- by reading every property of the data class a handler would wrap it in
  (``aws_lambda_powertools.utilities.data_classes.cognito_user_pool_event``),
  recursively, so a member the class expects and the event lacks fails (KeyError).

Where Powertools' models are narrower than AWS's documentation (the developer guide's
pages on each trigger), the documentation wins: the event is checked with just that
member adjusted, the adjustment is listed in ``KNOWN_DISAGREEMENTS`` (and in
docs/decisions.md), and an adjustment not listed there fails the check.
"""

from __future__ import annotations

import copy
from typing import Any

from aws_lambda_powertools.utilities.data_classes import cognito_user_pool_event as dc
from aws_lambda_powertools.utilities.data_classes.common import DictWrapper
from aws_lambda_powertools.utilities.parser import models as pm
from pydantic import BaseModel

# Trigger source prefix -> (parser model, the one source its Literal admits, or None).
PARSERS: dict[str, tuple[type[BaseModel], str | None]] = {
    "PreSignUp_": (pm.CognitoPreSignupTriggerModel, "PreSignUp_SignUp"),
    "PostConfirmation_": (pm.CognitoPostConfirmationTriggerModel, "PostConfirmation_ConfirmSignUp"),
    "PreAuthentication_": (pm.CognitoPreAuthenticationTriggerModel, None),
    "PostAuthentication_": (pm.CognitoPostAuthenticationTriggerModel, None),
    "CustomMessage_": (pm.CognitoCustomMessageTriggerModel, None),
    "UserMigration_": (pm.CognitoMigrateUserTriggerModel, None),
    "DefineAuthChallenge_": (pm.CognitoDefineAuthChallengeTriggerModel, None),
    "CreateAuthChallenge_": (pm.CognitoCreateAuthChallengeTriggerModel, None),
    "VerifyAuthChallengeResponse_": (pm.CognitoVerifyAuthChallengeTriggerModel, None),
}
DATA_CLASSES: dict[str, type[dc.BaseTriggerEvent]] = {
    "PreSignUp_": dc.PreSignUpTriggerEvent,
    "PostConfirmation_": dc.PostConfirmationTriggerEvent,
    "PreAuthentication_": dc.PreAuthenticationTriggerEvent,
    "PostAuthentication_": dc.PostAuthenticationTriggerEvent,
    "CustomMessage_": dc.CustomMessageTriggerEvent,
    "UserMigration_": dc.UserMigrationTriggerEvent,
    "DefineAuthChallenge_": dc.DefineAuthChallengeTriggerEvent,
    "CreateAuthChallenge_": dc.CreateAuthChallengeTriggerEvent,
    "VerifyAuthChallengeResponse_": dc.VerifyAuthChallengeResponseTriggerEvent,
}

# What Powertools 3.x gets narrower than AWS's documentation (docs/decisions.md).
KNOWN_DISAGREEMENTS = {
    # The parser models' triggerSource Literal admits one source of the trigger; the
    # developer guide documents PreSignUp_AdminCreateUser, PreSignUp_ExternalProvider
    # and PostConfirmation_ConfirmForgotPassword too.
    "triggerSource literal",
    # CognitoChallengeResultModel's challengeName leaves out CUSTOM_CHALLENGE, the very
    # challenge of the custom flow ("ChallengeResult ... CUSTOM_CHALLENGE").
    "session CUSTOM_CHALLENGE",
    # CognitoPreTokenGenerationRequestModelV2AndV3 types request.scopes as a dict; the
    # guide documents "scopes": a list of strings (the access token's scopes).
    "scopes list",
    # CognitoMigrateUserRequestModel (and the data class's ``password``) require
    # request.password; UserMigration_ForgotPassword carries no password.
    "migration password",
    # CognitoVerifyAuthChallengeResponseModel requires a boolean answerCorrect in the
    # event Cognito sends; Cognito sends the response members null, for the function
    # to fill. The function's returned response is checked instead.
    "answerCorrect null",
}

COMMON = ("version", "triggerSource", "region", "userPoolId", "userName", "callerContext")


def source_prefix(source: str) -> str:
    return source.split("_", 1)[0] + "_"


def check_event(event: dict[str, Any], returned: dict[str, Any] | None = None) -> set[str]:
    """Judge one event (``returned``: what its function returned, when it did); returns
    the known disagreements the check needed."""
    for member in (*COMMON, "request", "response"):
        assert member in event, f"{member} missing from {event}"
    assert set(event["callerContext"]) == {"awsSdkVersion", "clientId"}
    assert isinstance(event["request"], dict) and isinstance(event["response"], dict)
    source = event["triggerSource"]
    needed: set[str] = set()
    if source.startswith("TokenGeneration_"):
        needed |= _check_token_generation(event)
    else:
        prefix = source_prefix(source)
        model, literal = PARSERS[prefix]
        adjusted = copy.deepcopy(event)
        if literal is not None and source != literal:
            adjusted["triggerSource"] = literal
            needed.add("triggerSource literal")
        session = adjusted["request"].get("session")
        if session and any(r["challengeName"] == "CUSTOM_CHALLENGE" for r in session):
            for result in session:
                assert set(result) == {"challengeName", "challengeResult", "challengeMetadata"}
                assert isinstance(result["challengeResult"], bool)
            adjusted["request"]["session"] = [
                r for r in session if r["challengeName"] != "CUSTOM_CHALLENGE"
            ]
            needed.add("session CUSTOM_CHALLENGE")
        if source == "UserMigration_ForgotPassword":
            assert "password" not in event["request"]
            adjusted["request"]["password"] = ""
            needed.add("migration password")
        if prefix == "VerifyAuthChallengeResponse_":
            assert event["response"] == {"answerCorrect": None}
            assert returned is not None, "the verify function's answer is needed"
            adjusted["response"] = returned["response"]
            needed.add("answerCorrect null")
        model.model_validate(adjusted)
        skip = frozenset({"password"} if source == "UserMigration_ForgotPassword" else ())
        read_everything(DATA_CLASSES[prefix](copy.deepcopy(event)), skip)
    assert needed <= KNOWN_DISAGREEMENTS, needed - KNOWN_DISAGREEMENTS
    return needed


def _check_token_generation(event: dict[str, Any]) -> set[str]:
    version = event["version"]
    if version == "1":
        pm.CognitoPreTokenGenerationTriggerModelV1.model_validate(event)
        assert "scopes" not in event["request"]
        assert set(event["response"]) == {"claimsOverrideDetails"}
        read_everything(dc.PreTokenGenerationTriggerEvent(copy.deepcopy(event)))
        return set()
    assert version in ("2", "3"), version
    scopes = event["request"]["scopes"]
    assert isinstance(scopes, list) and all(isinstance(s, str) for s in scopes)
    adjusted = copy.deepcopy(event)
    adjusted["request"].pop("scopes")
    pm.CognitoPreTokenGenerationTriggerModelV2AndV3.model_validate(adjusted)
    assert set(event["response"]) == {"claimsAndScopeOverrideDetails"}
    read_everything(dc.PreTokenGenerationV2TriggerEvent(copy.deepcopy(event)))
    return {"scopes list"}


def read_everything(wrapper: DictWrapper, skip: frozenset[str] = frozenset()) -> None:
    """Every property of ``wrapper`` read, and of every wrapper it returns (but those
    named in ``skip``)."""
    properties = [p for p in dir(type(wrapper)) if isinstance(getattr(type(wrapper), p), property)]
    assert properties, type(wrapper)
    for name in properties:
        if name in skip:
            continue
        value = getattr(wrapper, name)
        if isinstance(value, DictWrapper):
            read_everything(value, skip)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, DictWrapper):
                    read_everything(item, skip)


def check_records(records: list[dict[str, Any]]) -> set[str]:
    """Judge every recorded event; the disagreements they needed."""
    assert records, "no trigger ran"
    needed: set[str] = set()
    for record in records:
        needed |= check_event(record["event"], record.get("returned"))
    return needed
