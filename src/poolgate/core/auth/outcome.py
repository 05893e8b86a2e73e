"""What a sign-in step answers: tokens, or the next challenge with its session
(InitiateAuth's and RespondToAuthChallenge's outcome, before any wire shape)."""

from __future__ import annotations

from dataclasses import dataclass

from poolgate.core.auth.tokens import Tokens
from poolgate.core.errors import InvalidParameterException

INCORRECT = "Incorrect username or password."
PASSWORD_VERIFIER = "PASSWORD_VERIFIER"
NEW_PASSWORD_REQUIRED = "NEW_PASSWORD_REQUIRED"


@dataclass
class AuthOutcome:
    tokens: Tokens | None = None
    challenge_name: str | None = None
    challenge_parameters: dict[str, str] | None = None
    session: str | None = None
    # NewDeviceMetadata (DeviceKey, DeviceGroupKey) for a device new to the pool.
    new_device: dict[str, str] | None = None
    # USER_AUTH's SELECT_CHALLENGE: the first factors this user may choose from.
    available_challenges: list[str] | None = None


def param(params: dict[str, str], name: str) -> str:
    """A parameter the step cannot go on without, with Cognito's message when it is missing."""
    value = params.get(name)
    if not value:
        raise InvalidParameterException(f"Missing required parameter {name}")
    return value
