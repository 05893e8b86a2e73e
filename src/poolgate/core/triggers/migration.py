"""The migrate user trigger (developer guide, "Migrate user Lambda trigger" and
"Importing users into user pools with a user migration Lambda trigger").

When a name matches no user at a sign-in with a password (``UserMigration_Authentication``:
USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, the hosted sign-in page) or at
ForgotPassword (``UserMigration_ForgotPassword``), the function looks the user up in the
old directory and returns their attributes; Cognito then creates the user:
``finalUserStatus`` CONFIRMED keeps the password the user typed, anything else leaves
the user RESET_REQUIRED. The pool's password policy is not applied to a migrated
password, as in Cognito.

A function that does not know the user raises; Cognito answers UserNotFoundException
"Exception migrating user in app client ..." (or the masked answer when the client
prevents user existence errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from poolgate.core.context import Context
from poolgate.core.errors import UserLambdaValidationException, UserNotFoundException
from poolgate.core.records import UserPool
from poolgate.core.triggers import invoke, lambda_config
from poolgate.core.triggers.events import metadata

AUTHENTICATION = "UserMigration_Authentication"
FORGOT_PASSWORD = "UserMigration_ForgotPassword"
_STATUSES = ("CONFIRMED", "RESET_REQUIRED")


@dataclass
class Migrated:
    """What the function said of the user to create."""

    attributes: dict[str, str]
    final_status: str
    suppress_message: bool = False
    delivery_mediums: list[str] = field(default_factory=list)
    force_alias_creation: bool = False
    enable_sms_mfa: bool = False


async def migrate(
    ctx: Context,
    pool: UserPool,
    source: str,
    *,
    username: str,
    password: str | None,
    client_id: str,
    validation_data: dict[str, str] | None,
    client_metadata: dict[str, str] | None,
) -> Migrated | None:
    """The user the pool's migrate user function vouches for; None without one."""
    trigger = lambda_config.USER_MIGRATION
    if not invoke.configured(pool, trigger):
        return None
    request: dict[str, Any] = {"validationData": metadata(validation_data)}
    if password is not None:
        request["password"] = password
    if client_metadata:
        request["clientMetadata"] = dict(client_metadata)
    try:
        answer = await invoke.call(
            ctx,
            pool,
            trigger,
            source,
            user_name=username,
            client_id=client_id,
            request=request,
            response={
                "userAttributes": None,
                "finalUserStatus": None,
                "messageAction": None,
                "desiredDeliveryMediums": None,
                "forceAliasCreation": None,
                "enableSMSMFA": None,
            },
        )
    except UserLambdaValidationException as exc:
        raise UserNotFoundException(
            f"Exception migrating user in app client {client_id}", detail=exc.message
        ) from None
    return _parse(answer)


def _parse(answer: dict[str, Any]) -> Migrated:
    trigger = lambda_config.USER_MIGRATION
    attributes = invoke.string_map(answer.get("userAttributes"), "userAttributes", trigger)
    if not attributes:
        raise invoke.invalid(trigger, "userAttributes is required")
    status = answer.get("finalUserStatus") or "RESET_REQUIRED"
    if status not in _STATUSES:
        raise invoke.invalid(trigger, f"finalUserStatus must be one of {', '.join(_STATUSES)}")
    action = answer.get("messageAction")
    if action not in (None, "SUPPRESS"):
        raise invoke.invalid(trigger, "messageAction must be SUPPRESS when given")
    mediums = invoke.string_list(
        answer.get("desiredDeliveryMediums"), "desiredDeliveryMediums", trigger
    )
    if any(medium not in ("EMAIL", "SMS") for medium in mediums):
        raise invoke.invalid(trigger, "desiredDeliveryMediums takes EMAIL and SMS")
    return Migrated(
        attributes={k: v for k, v in attributes.items() if k not in ("sub", "cognito:user_status")},
        final_status=status,
        suppress_message=action == "SUPPRESS",
        delivery_mediums=mediums,
        force_alias_creation=invoke.flag(answer, "forceAliasCreation", trigger),
        enable_sms_mfa=invoke.flag(answer, "enableSMSMFA", trigger),
    )
