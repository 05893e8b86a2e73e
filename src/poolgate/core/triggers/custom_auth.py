"""The custom authentication challenge triggers (developer guide, "Custom
authentication challenge Lambda triggers"): define auth challenge decides what comes
next from the challenges so far (``session``, a list of ChallengeResult), create auth
challenge makes a CUSTOM_CHALLENGE, verify auth challenge response judges an answer.

When the client prevents user existence errors, an unknown name goes through the same
triggers with ``userNotFound`` true and no attributes, and can never be given tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException
from poolgate.core.records import User, UserPool
from poolgate.core.triggers import invoke, lambda_config
from poolgate.core.triggers.events import user_attributes

DEFINE = "DefineAuthChallenge_Authentication"
CREATE = "CreateAuthChallenge_Authentication"
VERIFY = "VerifyAuthChallengeResponse_Authentication"
# What define auth challenge may ask for next.
NEXT_CHALLENGES = ("CUSTOM_CHALLENGE", "PASSWORD_VERIFIER")
NOT_CONFIGURED = "Custom auth lambda trigger is not configured for the user pool."


@dataclass(frozen=True)
class Decision:
    challenge_name: str | None
    issue_tokens: bool
    fail_authentication: bool


@dataclass(frozen=True)
class Challenge:
    public: dict[str, str]
    private: dict[str, str]
    metadata: str | None


def require_configured(pool: UserPool) -> None:
    """CUSTOM_AUTH needs all three functions (InitiateAuth answers as Cognito does)."""
    for trigger in (
        lambda_config.DEFINE_AUTH_CHALLENGE,
        lambda_config.CREATE_AUTH_CHALLENGE,
        lambda_config.VERIFY_AUTH_CHALLENGE_RESPONSE,
    ):
        if not invoke.configured(pool, trigger):
            raise InvalidParameterException(NOT_CONFIGURED)


def _request(
    pool: UserPool, user: User | None, client_metadata: dict[str, str] | None, **extra: Any
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "userAttributes": user_attributes(pool, user) if user is not None else {},
        **extra,
        "userNotFound": user is None,
    }
    if client_metadata:
        request["clientMetadata"] = dict(client_metadata)
    return request


async def define(
    ctx: Context,
    pool: UserPool,
    *,
    user: User | None,
    username: str,
    client_id: str,
    session: list[dict[str, Any]],
    client_metadata: dict[str, str] | None,
) -> Decision:
    trigger = lambda_config.DEFINE_AUTH_CHALLENGE
    answer = await invoke.call(
        ctx, pool, trigger, DEFINE, user_name=user.username if user else username,
        client_id=client_id,
        request=_request(pool, user, client_metadata, session=session),
        response={"challengeName": None, "issueTokens": None, "failAuthentication": None},
    )  # fmt: skip
    name = answer.get("challengeName")
    if name is not None and name not in NEXT_CHALLENGES:
        raise invoke.invalid(trigger, f"challengeName {name!r} is not one Poolgate can present")
    decision = Decision(
        challenge_name=name,
        issue_tokens=invoke.flag(answer, "issueTokens", trigger),
        fail_authentication=invoke.flag(answer, "failAuthentication", trigger),
    )
    if not (decision.issue_tokens or decision.fail_authentication or name):
        raise invoke.invalid(trigger, "no next challenge, no tokens and no failure")
    return decision


async def create(
    ctx: Context,
    pool: UserPool,
    *,
    user: User | None,
    username: str,
    client_id: str,
    challenge_name: str,
    session: list[dict[str, Any]],
    client_metadata: dict[str, str] | None,
) -> Challenge:
    trigger = lambda_config.CREATE_AUTH_CHALLENGE
    answer = await invoke.call(
        ctx, pool, trigger, CREATE, user_name=user.username if user else username,
        client_id=client_id,
        request=_request(
            pool, user, client_metadata, challengeName=challenge_name, session=session
        ),
        response={
            "publicChallengeParameters": None,
            "privateChallengeParameters": None,
            "challengeMetadata": None,
        },
    )  # fmt: skip
    metadata = answer.get("challengeMetadata")
    if metadata is not None and not isinstance(metadata, str):
        raise invoke.invalid(trigger, "challengeMetadata must be a string")
    return Challenge(
        public=invoke.string_map(
            answer.get("publicChallengeParameters"), "publicChallengeParameters", trigger
        ),
        private=invoke.string_map(
            answer.get("privateChallengeParameters"), "privateChallengeParameters", trigger
        ),
        metadata=metadata,
    )


async def verify(
    ctx: Context,
    pool: UserPool,
    *,
    user: User | None,
    username: str,
    client_id: str,
    private: dict[str, str],
    answer: str,
    client_metadata: dict[str, str] | None,
) -> bool:
    trigger = lambda_config.VERIFY_AUTH_CHALLENGE_RESPONSE
    result = await invoke.call(
        ctx, pool, trigger, VERIFY, user_name=user.username if user else username,
        client_id=client_id,
        request=_request(
            pool, user, client_metadata, privateChallengeParameters=private,
            challengeAnswer=answer,
        ),
        response={"answerCorrect": None},
    )  # fmt: skip
    return invoke.flag(result, "answerCorrect", trigger)
