"""Codes sent by SMS or email to sign in: SMS_MFA and EMAIL_OTP as second factors (and
SMS_OTP / EMAIL_OTP as USER_AUTH first factors). One live code per user, three
minutes, single use, stored only as an HMAC (``core.messages.codes``); sent through
the deployment's sender (outbox, SMTP, SMS webhook) with the pool's
SmsAuthenticationMessage or EmailMfaConfiguration text. A wrong code counts toward the
sign-in lockout; sending is limited per hour like every code.
"""

from __future__ import annotations

from poolgate.core.auth import lockout
from poolgate.core.context import Context
from poolgate.core.errors import (
    CodeDeliveryFailureException,
    CodeMismatchException,
    ExpiredCodeException,
    InternalErrorException,
    LimitExceededException,
    TooManyRequestsException,
)
from poolgate.core.messages import codes, delivery, templates
from poolgate.core.records import User, UserPool
from poolgate.core.triggers import custom_message

WRONG_CODE = "Invalid code or auth state for the user."
EXPIRED = "Invalid code or auth state for the user, the code has expired."


def destination(user: User, medium: str) -> delivery.Destination:
    attribute = "phone_number" if medium == templates.SMS else "email"
    return delivery.Destination(medium, attribute, user.attributes[attribute])


def _texts(pool: UserPool, medium: str) -> tuple[str, str]:
    if medium == templates.SMS:
        message = pool.settings.get("SmsAuthenticationMessage")
        return "", message or templates.DEFAULT_AUTHENTICATION_SMS_MESSAGE
    email = pool.settings.get("EmailMfaConfiguration") or {}
    return (
        email.get("Subject") or templates.DEFAULT_AUTHENTICATION_EMAIL_SUBJECT,
        email.get("Message") or templates.DEFAULT_AUTHENTICATION_EMAIL_MESSAGE,
    )


async def send(ctx: Context, pool: UserPool, user: User, medium: str) -> delivery.Destination:
    """Issue a sign-in code and send it; the code is stored before the message leaves."""
    where = destination(user, medium)
    code = codes.new_code()
    message = await delivery.code_message(
        ctx, pool, user, where, code, codes.SIGN_IN, source=custom_message.AUTHENTICATION,
        texts=_texts(pool, medium),
    )  # fmt: skip
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        if current is None:
            raise CodeMismatchException(WRONG_CODE)
        try:
            codes.note_send(ctx, current, codes.SIGN_IN)
        except LimitExceededException:
            # InitiateAuth and RespondToAuthChallenge declare TooManyRequests, not
            # LimitExceeded, for this.
            raise TooManyRequestsException(codes.ATTEMPT_LIMIT) from None
        await tx.put_user(current)
        await codes.store_code(ctx, tx, current, codes.SIGN_IN, where.address, code)
    try:
        await delivery.send(ctx, message)
    except CodeDeliveryFailureException as exc:
        # The sign-in operations declare no delivery failure; the detail goes to the log.
        raise InternalErrorException(exc.message, detail=exc.detail) from None
    return where


async def check(ctx: Context, pool: UserPool, user: User, code: str) -> None:
    """Accept the user's live sign-in code once; a wrong one is a failed sign-in."""
    lockout.check(user, ctx.clock())
    async with ctx.store.transaction() as tx:
        current = await tx.get_user_by_sub(pool.id, user.sub, for_update=True)
        if current is None:
            raise CodeMismatchException(WRONG_CODE)
        verdict = await codes.check(ctx, tx, current, codes.SIGN_IN, code)
        if verdict.ok:
            if lockout.record_success(current):
                await tx.put_user(current)
            return
        if isinstance(verdict.error, CodeMismatchException):
            lockout.record_failure(current, ctx.clock())
            await tx.put_user(current)
    if isinstance(verdict.error, CodeMismatchException):
        raise CodeMismatchException(WRONG_CODE)
    # Expired, or spent by too many wrong guesses: sign in again for a new code.
    raise ExpiredCodeException(EXPIRED)
