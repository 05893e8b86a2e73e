"""Messages to users (codes, invitations): Cognito's default templates, the
placeholders they fill, and how a delivery address is masked."""

from __future__ import annotations

import re

EMAIL = "EMAIL"
SMS = "SMS"

# Cognito's defaults when a pool sets no template of its own.
DEFAULT_VERIFICATION_EMAIL_SUBJECT = "Your verification code"
DEFAULT_VERIFICATION_EMAIL_MESSAGE = "Your verification code is {####}. "
DEFAULT_VERIFICATION_SMS_MESSAGE = "Your verification code is {####}. "
DEFAULT_INVITATION_EMAIL_SUBJECT = "Your temporary password"
DEFAULT_INVITATION_EMAIL_MESSAGE = "Your username is {username} and temporary password is {####}. "
DEFAULT_INVITATION_SMS_MESSAGE = "Your username is {username} and temporary password is {####}. "
# Sign-in codes (SMS_MFA, EMAIL_OTP): SmsAuthenticationMessage and EmailMfaConfiguration
# replace these.
DEFAULT_AUTHENTICATION_SMS_MESSAGE = "Your authentication code is {####}. "
DEFAULT_AUTHENTICATION_EMAIL_SUBJECT = "Your sign-in code"
DEFAULT_AUTHENTICATION_EMAIL_MESSAGE = "Your sign-in code is {####}. "
DEFAULT_FORGOT_PASSWORD_EMAIL_SUBJECT = DEFAULT_VERIFICATION_EMAIL_SUBJECT
DEFAULT_FORGOT_PASSWORD_EMAIL_MESSAGE = DEFAULT_VERIFICATION_EMAIL_MESSAGE
DEFAULT_FORGOT_PASSWORD_SMS_MESSAGE = DEFAULT_VERIFICATION_SMS_MESSAGE

_PLACEHOLDER = re.compile(r"\{####\}|\{username\}")

DELIVERY_FAILED = "Unable to deliver the message."


def render(template: str, *, code: str | None = None, username: str | None = None) -> str:
    """Fill Cognito's ``{####}`` (code or temporary password) and ``{username}``.

    One pass over the template, so a username that happens to contain ``{####}`` is
    not itself substituted. A placeholder without a value is left as written.
    """

    def fill(match: re.Match[str]) -> str:
        value = code if match.group(0) == "{####}" else username
        return match.group(0) if value is None else value

    return _PLACEHOLDER.sub(fill, template)


def mask_email(email: str) -> str:
    """CodeDeliveryDetails.Destination for an email: ``jane@example.com`` -> ``j***@e***``."""
    local, at, domain = email.rpartition("@")
    if not at:
        return f"{email[:1]}***"
    return f"{local[:1]}***@{domain[:1]}***"


def mask_phone(phone: str) -> str:
    """CodeDeliveryDetails.Destination for a phone: ``+15555551234`` -> ``+*******1234``."""
    plus = "+" if phone.startswith("+") else ""
    digits = phone[len(plus) :]
    if len(digits) <= 4:
        # Too short to keep four characters and still hide anything.
        return plus + "*" * len(digits)
    return plus + "*" * (len(digits) - 4) + digits[-4:]
