"""Where a user's codes go and what the message says, from the pool's settings
(AutoVerifiedAttributes, VerificationMessageTemplate, AdminCreateUserConfig).

Messages are sent after the transaction that created the code commits: a sender may
write to the same database (the outbox) or talk to an SMTP server, and neither should
happen for a change that is then rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from poolgate.core.context import Context
from poolgate.core.errors import InvalidParameterException
from poolgate.core.messages import codes, templates
from poolgate.core.records import Message, User, UserPool
from poolgate.core.triggers import custom_message

# A temporary password's validity when the user record says none (Cognito's default
# TemporaryPasswordValidityDays).
INVITATION_VALIDITY = 7 * 86400.0


@dataclass(frozen=True)
class Destination:
    medium: str  # EMAIL or SMS
    attribute: str  # email or phone_number
    address: str

    @property
    def masked(self) -> str:
        """The address as Cognito shows it (``CodeDeliveryDetailsType.Destination``)."""
        if self.medium == templates.EMAIL:
            return templates.mask_email(self.address)
        return templates.mask_phone(self.address)


def _of(user: User, attribute: str) -> Destination | None:
    address = user.attributes.get(attribute)
    if not address:
        return None
    medium = templates.EMAIL if attribute == "email" else templates.SMS
    return Destination(medium, attribute, address)


def sign_up_destination(pool: UserPool, user: User) -> Destination | None:
    """Cognito verifies the phone number when both are auto-verified."""
    auto = pool.settings.get("AutoVerifiedAttributes") or []
    for attribute in ("phone_number", "email"):
        if attribute in auto:
            destination = _of(user, attribute)
            if destination is not None:
                return destination
    return None


def attribute_destination(user: User, attribute: str) -> Destination:
    destination = _of(user, attribute)
    if destination is None:
        raise InvalidParameterException(f"User has no attribute {attribute}.")
    return destination


def invitation_destinations(user: User, mediums: list[str] | None) -> list[Destination]:
    wanted = mediums or [templates.SMS]
    found = []
    for medium in wanted:
        attribute = "email" if medium == templates.EMAIL else "phone_number"
        destination = _of(user, attribute)
        if destination is None:
            raise InvalidParameterException(
                f"User has no attribute matching desired delivery mediums: {medium}"
            )
        found.append(destination)
    return found


def _verification_texts(pool: UserPool, medium: str) -> tuple[str, str]:
    template: dict[str, Any] = pool.settings.get("VerificationMessageTemplate") or {}
    if medium == templates.SMS:
        return "", template.get("SmsMessage") or templates.DEFAULT_VERIFICATION_SMS_MESSAGE
    return (
        template.get("EmailSubject") or templates.DEFAULT_VERIFICATION_EMAIL_SUBJECT,
        template.get("EmailMessage") or templates.DEFAULT_VERIFICATION_EMAIL_MESSAGE,
    )


def _invitation_texts(pool: UserPool, medium: str) -> tuple[str, str]:
    config = pool.settings.get("AdminCreateUserConfig") or {}
    template: dict[str, Any] = config.get("InviteMessageTemplate") or {}
    if medium == templates.SMS:
        return "", template.get("SMSMessage") or templates.DEFAULT_INVITATION_SMS_MESSAGE
    return (
        template.get("EmailSubject") or templates.DEFAULT_INVITATION_EMAIL_SUBJECT,
        template.get("EmailMessage") or templates.DEFAULT_INVITATION_EMAIL_MESSAGE,
    )


async def send(ctx: Context, message: Message) -> None:
    if ctx.sender is not None:
        await ctx.sender.send(message)
    else:
        await ctx.store.add_message(message)


async def code_message(
    ctx: Context,
    pool: UserPool,
    user: User,
    destination: Destination,
    code: str,
    purpose: str,
    *,
    source: str,
    client_id: str | None = None,
    client_metadata: dict[str, str] | None = None,
    display_username: str | None = None,
    texts: tuple[str, str] | None = None,
) -> Message:
    """A code message (sign-up, forgot password, attribute verification, a sign-in
    code) in the pool's template (``texts``: subject and body, when not the
    verification message's), or in the text its custom message trigger writes for
    ``source``."""
    subject, body = texts or _verification_texts(pool, destination.medium)
    written = await custom_message.texts(
        ctx, pool, source, user, medium=destination.medium,
        default=custom_message.Texts(subject, body), client_id=client_id,
        client_metadata=client_metadata,
    )  # fmt: skip
    username = display_username or user.username
    return Message(
        channel=destination.medium,
        recipient=destination.address,
        subject=templates.render(written.subject, code=code, username=username),
        body=templates.render(written.body, code=code, username=username),
        created=ctx.clock(),
        pool_id=pool.id,
        username=user.username,
        purpose=purpose,
        # The outbox keeps the code in clear only while it is valid.
        expires=ctx.clock() + codes.LIFETIME.get(purpose, codes.DEFAULT_LIFETIME),
        secret=code,
    )


async def invitation_message(
    ctx: Context,
    pool: UserPool,
    user: User,
    destination: Destination,
    temporary_password: str,
    display_username: str,
    *,
    client_metadata: dict[str, str] | None = None,
) -> Message:
    """AdminCreateUser's invitation, in the pool's template or the custom message
    trigger's ``CustomMessage_AdminCreateUser`` text."""
    subject, body = _invitation_texts(pool, destination.medium)
    texts = await custom_message.texts(
        ctx, pool, custom_message.ADMIN_CREATE_USER, user, medium=destination.medium,
        default=custom_message.Texts(subject, body), client_id=None,
        client_metadata=client_metadata,
    )  # fmt: skip
    return Message(
        channel=destination.medium,
        recipient=destination.address,
        subject=templates.render(texts.subject, code=temporary_password, username=display_username),
        body=templates.render(texts.body, code=temporary_password, username=display_username),
        created=ctx.clock(),
        pool_id=pool.id,
        username=user.username,
        purpose="invitation",
        expires=user.state.get("temporary_password_expires") or ctx.clock() + INVITATION_VALIDITY,
        secret=temporary_password,
    )
