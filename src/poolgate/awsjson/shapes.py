"""Core's results in the AWS JSON wire shapes that several operations share
(``AuthenticationResultType``, ``CodeDeliveryDetailsType``, ``UserPoolType``)."""

from __future__ import annotations

from typing import Any

from poolgate.core.auth.outcome import AuthOutcome
from poolgate.core.auth.tokens import Tokens
from poolgate.core.messages.delivery import Destination
from poolgate.core.mfa.pool_config import SET_ONLY_BY_MFA_CONFIG
from poolgate.core.records import UserPool


def authentication_result(
    tokens: Tokens, new_device: dict[str, str] | None = None
) -> dict[str, Any]:
    """``AuthenticationResultType``."""
    result: dict[str, Any] = {
        "AccessToken": tokens.access_token,
        "ExpiresIn": tokens.expires_in,
        "TokenType": "Bearer",
    }
    if tokens.id_token is not None:
        result["IdToken"] = tokens.id_token
    if tokens.refresh_token is not None:
        result["RefreshToken"] = tokens.refresh_token
    if new_device is not None:
        result["NewDeviceMetadata"] = new_device
    return result


def auth_response(outcome: AuthOutcome) -> dict[str, Any]:
    """InitiateAuth's and RespondToAuthChallenge's response members."""
    body: dict[str, Any] = {}
    if outcome.challenge_name is not None:
        body["ChallengeName"] = outcome.challenge_name
        body["ChallengeParameters"] = outcome.challenge_parameters or {}
        if outcome.session is not None:
            body["Session"] = outcome.session
        if outcome.available_challenges is not None:
            body["AvailableChallenges"] = outcome.available_challenges
    if outcome.tokens is not None:
        body["ChallengeParameters"] = {}
        body["AuthenticationResult"] = authentication_result(outcome.tokens, outcome.new_device)
    return body


def attribute_map(values: list[dict[str, str]] | None) -> dict[str, str] | None:
    """``AttributeListType`` (ValidationData) as the map the triggers' events carry."""
    if not values:
        return None
    return {item["Name"]: item.get("Value") or "" for item in values}


def code_delivery_details(destination: Destination) -> dict[str, str]:
    """``CodeDeliveryDetailsType``: the address masked as Cognito shows it."""
    return {
        "Destination": destination.masked,
        "DeliveryMedium": destination.medium,
        "AttributeName": destination.attribute,
    }


def pool_description(pool: UserPool, domain: str | None, users: int = 0) -> dict[str, Any]:
    """``UserPoolType`` as DescribeUserPool returns it."""
    body: dict[str, Any] = {
        "Id": pool.id,
        "Name": pool.name,
        "Arn": pool.arn,
        "CreationDate": pool.created,
        "LastModifiedDate": pool.modified,
        **{k: v for k, v in pool.settings.items() if k not in SET_ONLY_BY_MFA_CONFIG},
        "EstimatedNumberOfUsers": users,
    }
    if pool.tags:
        body["UserPoolTags"] = pool.tags
    if domain:
        body["Domain"] = domain
    return body
