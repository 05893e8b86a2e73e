"""The custom message trigger (developer guide, "Custom message Lambda trigger"): the
function writes the text of a code or invitation message; Cognito puts the code where
the function wrote ``codeParameter`` ("{####}") and, for an invitation, the user name
where it wrote ``usernameParameter`` ("{username}").

A returned text that leaves out a placeholder it must carry cannot deliver the code, so
the pool's own template is used for that message instead (docs/decisions.md). Poolgate
sends every email itself, so ``emailMessage`` and ``emailSubject`` are honoured whatever
the pool's EmailSendingAccount says.
"""

from __future__ import annotations

from dataclasses import dataclass

from poolgate.core.context import Context
from poolgate.core.records import User, UserPool
from poolgate.core.triggers import invoke, lambda_config
from poolgate.core.triggers.events import user_attributes

SIGN_UP = "CustomMessage_SignUp"
ADMIN_CREATE_USER = "CustomMessage_AdminCreateUser"
RESEND_CODE = "CustomMessage_ResendCode"
FORGOT_PASSWORD = "CustomMessage_ForgotPassword"
UPDATE_USER_ATTRIBUTE = "CustomMessage_UpdateUserAttribute"
VERIFY_USER_ATTRIBUTE = "CustomMessage_VerifyUserAttribute"
AUTHENTICATION = "CustomMessage_Authentication"

CODE_PARAMETER = "{####}"
USERNAME_PARAMETER = "{username}"
_MAX_EMAIL = 20_000
_MAX_SMS = 1_600


@dataclass(frozen=True)
class Texts:
    """A message's subject and body templates, placeholders unfilled."""

    subject: str
    body: str


async def texts(
    ctx: Context,
    pool: UserPool,
    source: str,
    user: User,
    *,
    medium: str,
    default: Texts,
    client_id: str | None,
    client_metadata: dict[str, str] | None,
) -> Texts:
    """The texts of one message: the function's, when the pool has a custom message
    trigger and its answer can carry the code, else ``default``."""
    trigger = lambda_config.CUSTOM_MESSAGE
    if not invoke.configured(pool, trigger):
        return default
    invitation = source == ADMIN_CREATE_USER
    request: dict[str, object] = {
        "userAttributes": user_attributes(pool, user),
        "codeParameter": CODE_PARAMETER,
        "linkParameter": "{##Click Here##}",
        "usernameParameter": USERNAME_PARAMETER if invitation else None,
    }
    if client_metadata:
        request["clientMetadata"] = dict(client_metadata)
    answer = await invoke.call(
        ctx,
        pool,
        trigger,
        source,
        user_name=user.username,
        client_id=client_id,
        request=request,
        response={"smsMessage": None, "emailMessage": None, "emailSubject": None},
    )
    sms = _text(answer, "smsMessage", _MAX_SMS)
    email = _text(answer, "emailMessage", _MAX_EMAIL)
    subject = _text(answer, "emailSubject", 140)
    body = sms if medium == "SMS" else email
    needed = [CODE_PARAMETER, *([USERNAME_PARAMETER] if invitation else [])]
    if body is None or any(placeholder not in body for placeholder in needed):
        body = default.body
    return Texts(subject=subject or default.subject, body=body)


def _text(answer: dict[str, object], name: str, limit: int) -> str | None:
    value = answer.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise invoke.invalid(
            lambda_config.CUSTOM_MESSAGE, f"{name} must be a string of at most {limit}"
        )
    return value
