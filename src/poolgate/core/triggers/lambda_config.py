"""A pool's LambdaConfig: which function each trigger runs, checked when the pool is
created or updated (API reference, ``LambdaConfigType``).

A trigger's value is a Lambda ARN, ``arn:aws:lambda:{region}:{account}:function:{name}``
(the form the functions runtime gives its functions); it names the ``[[functions]]``
entry of that name in the server's configuration file. An ARN of another region or
account, or of a function the deployment does not declare, is refused: a trigger that
cannot run must not be stored and skipped.

Custom sender triggers hand the code to the function encrypted with an AWS KMS key
that the function decrypts with the AWS Encryption SDK; that cannot be done without
AWS, so ``CustomEmailSender``, ``CustomSMSSender`` and ``KMSKeyID`` are refused with
a clear error, as is ``InboundFederation`` (not implemented).
"""

from __future__ import annotations

import re
from typing import Any

from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException
from poolgate.core.records import UserPool

PRE_SIGN_UP = "PreSignUp"
CUSTOM_MESSAGE = "CustomMessage"
POST_CONFIRMATION = "PostConfirmation"
PRE_AUTHENTICATION = "PreAuthentication"
POST_AUTHENTICATION = "PostAuthentication"
DEFINE_AUTH_CHALLENGE = "DefineAuthChallenge"
CREATE_AUTH_CHALLENGE = "CreateAuthChallenge"
VERIFY_AUTH_CHALLENGE_RESPONSE = "VerifyAuthChallengeResponse"
PRE_TOKEN_GENERATION = "PreTokenGeneration"
USER_MIGRATION = "UserMigration"

HONOURED = (
    PRE_SIGN_UP,
    CUSTOM_MESSAGE,
    POST_CONFIRMATION,
    PRE_AUTHENTICATION,
    POST_AUTHENTICATION,
    DEFINE_AUTH_CHALLENGE,
    CREATE_AUTH_CHALLENGE,
    VERIFY_AUTH_CHALLENGE_RESPONSE,
    PRE_TOKEN_GENERATION,
    USER_MIGRATION,
)
_REFUSED = {
    "CustomEmailSender": (
        "CustomEmailSender is not supported by Poolgate: Cognito hands the code to the "
        "function encrypted with an AWS KMS key, which cannot be honoured without AWS. "
        "Use a CustomMessage trigger, or SMTP for delivery."
    ),
    "CustomSMSSender": (
        "CustomSMSSender is not supported by Poolgate: Cognito hands the code to the "
        "function encrypted with an AWS KMS key, which cannot be honoured without AWS. "
        "Use a CustomMessage trigger, or the SMS webhook for delivery."
    ),
    "KMSKeyID": (
        "KMSKeyID is not supported by Poolgate: it only serves custom sender triggers, "
        "which need AWS KMS."
    ),
    "InboundFederation": "The InboundFederation trigger is not supported by Poolgate yet.",
}
_ARN = re.compile(
    r"^arn:aws:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:"
    r"(?P<name>[A-Za-z0-9_-]{1,64})(?::\$LATEST)?$"
)
TOKEN_GENERATION_VERSIONS = ("V1_0", "V2_0", "V3_0")


def function_arn(region: str, account_id: str, name: str) -> str:
    """The ARN the functions runtime gives the function ``name``."""
    return f"arn:aws:lambda:{region}:{account_id}:function:{name}"


def function_name(ctx: Context, arn: str) -> str | None:
    """The deployment's function an ARN names, or None when it names no function of
    this region and account."""
    match = _ARN.match(arn)
    if match is None or match["region"] != ctx.region or match["account"] != ctx.account_id:
        return None
    return match["name"]


def normalize(ctx: Context, config: dict[str, Any]) -> dict[str, Any]:
    """LambdaConfig as stored and described: every ARN checked against the declared
    functions, and PreTokenGeneration and PreTokenGenerationConfig kept in step (the
    legacy member means version V1_0)."""
    config = dict(config)
    for member, reason in _REFUSED.items():
        if config.get(member):
            raise InvalidParameterException(reason)
        config.pop(member, None)
    legacy = config.get(PRE_TOKEN_GENERATION)
    versioned = config.get("PreTokenGenerationConfig")
    if versioned:
        arn = versioned.get("LambdaArn")
        if legacy and legacy != arn:
            raise InvalidParameterException(
                "PreTokenGeneration and PreTokenGenerationConfig.LambdaArn must be the same."
            )
        config[PRE_TOKEN_GENERATION] = arn
    elif legacy:
        config["PreTokenGenerationConfig"] = {"LambdaVersion": "V1_0", "LambdaArn": legacy}
    for member in HONOURED:
        arn = config.get(member)
        if arn is None:
            continue
        name = function_name(ctx, arn)
        if name is None:
            raise InvalidParameterException(
                f"{member}: {arn} is not a Lambda function ARN of this deployment "
                f"(arn:aws:lambda:{ctx.region}:{ctx.account_id}:function:NAME)."
            )
        if ctx.functions is None or not ctx.functions.has_function(name):
            raise InvalidParameterException(
                f"{member}: the function {name} is not declared: add a [[functions]] "
                "entry of that name to the server's configuration file."
            )
    unknown = sorted(set(config) - set(HONOURED) - {"PreTokenGenerationConfig"})
    if unknown:
        raise InvalidParameterException(f"Unsupported LambdaConfig members: {', '.join(unknown)}")
    return {k: v for k, v in config.items() if v}


def arn_for(pool: UserPool, trigger: str) -> str | None:
    config = pool.settings.get("LambdaConfig") or {}
    arn = config.get(trigger)
    return arn if isinstance(arn, str) and arn else None


def token_generation_version(pool: UserPool) -> str:
    config = (pool.settings.get("LambdaConfig") or {}).get("PreTokenGenerationConfig") or {}
    version = config.get("LambdaVersion") or "V1_0"
    return version if version in TOKEN_GENERATION_VERSIONS else "V1_0"
