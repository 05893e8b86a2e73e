"""Messages to users (codes, invitations): Cognito's templates and the senders.

Core decides *what* to send; a ``Sender`` decides *how*. The embedded default keeps
every message in the outbox (read on the developer mailbox and by tests); production
sends email through SMTP. SMS has no real transport yet, so it always goes to the
outbox.
"""

from __future__ import annotations

import asyncio
import re
import smtplib
import ssl as ssl_module
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, Protocol

from poolgate.core.errors import CodeDeliveryFailureException
from poolgate.store.base import Store
from poolgate.store.records import Message

if TYPE_CHECKING:
    from poolgate.config import Settings

EMAIL = "EMAIL"
SMS = "SMS"

# Cognito's defaults when a pool sets no template of its own.
DEFAULT_VERIFICATION_EMAIL_SUBJECT = "Your verification code"
DEFAULT_VERIFICATION_EMAIL_MESSAGE = "Your verification code is {####}. "
DEFAULT_VERIFICATION_SMS_MESSAGE = "Your verification code is {####}. "
DEFAULT_INVITATION_EMAIL_SUBJECT = "Your temporary password"
DEFAULT_INVITATION_EMAIL_MESSAGE = "Your username is {username} and temporary password is {####}. "
DEFAULT_INVITATION_SMS_MESSAGE = "Your username is {username} and temporary password is {####}. "
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


class Sender(Protocol):
    async def send(self, message: Message) -> None: ...


class OutboxSender:
    """Keeps messages in the store's outbox: the developer mailbox and tests read them."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def send(self, message: Message) -> None:
        await self.store.add_message(message)


class SmtpSender:
    """Sends EMAIL messages through an SMTP server (smtplib, in a worker thread)."""

    def __init__(
        self,
        host: str,
        port: int,
        sender_address: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        ssl: bool = False,
        timeout: float = 10,
    ) -> None:
        if starttls and ssl:
            raise ValueError("SMTP: choose STARTTLS or implicit TLS (ssl), not both")
        self.host = host
        self.port = port
        self.sender_address = sender_address
        self.username = username
        self._password = password
        self.starttls = starttls
        self.ssl = ssl
        self.timeout = timeout

    def __repr__(self) -> str:
        # Never the password: senders end up in logs and tracebacks.
        return (
            f"SmtpSender(host={self.host!r}, port={self.port}, "
            f"sender_address={self.sender_address!r}, username={self.username!r}, "
            f"starttls={self.starttls}, ssl={self.ssl})"
        )

    async def send(self, message: Message) -> None:
        if message.channel != EMAIL:
            # Routing sends SMS elsewhere; reaching here is a wiring bug, not a
            # delivery failure to report to the client.
            raise ValueError(f"SmtpSender sends EMAIL messages, not {message.channel}")
        try:
            email = self._email(message)
            await asyncio.to_thread(self._deliver, email)
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            raise CodeDeliveryFailureException(
                DELIVERY_FAILED, detail=self._redact(f"SMTP {self.host}:{self.port}: {exc!r}")
            ) from None

    def _email(self, message: Message) -> EmailMessage:
        email = EmailMessage()
        # Header values with line breaks raise ValueError here (no header injection).
        email["From"] = self.sender_address
        email["To"] = message.recipient
        email["Subject"] = message.subject
        email["Date"] = formatdate(message.created, localtime=False, usegmt=True)
        email["Message-ID"] = make_msgid(domain=self.sender_address.rpartition("@")[2] or None)
        email.set_content(message.body)
        return email

    def _deliver(self, email: EmailMessage) -> None:
        context = ssl_module.create_default_context()
        smtp: smtplib.SMTP
        if self.ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.starttls:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self._password or "")
            smtp.send_message(email)

    def _redact(self, text: str) -> str:
        # Servers sometimes echo what they were sent; the detail goes to the log.
        if self._password:
            text = text.replace(self._password, "[redacted]")
        return text


class RoutingSender:
    """EMAIL messages to one sender, SMS messages to another."""

    def __init__(self, email: Sender, sms: Sender) -> None:
        self.email = email
        self.sms = sms

    async def send(self, message: Message) -> None:
        if message.channel == EMAIL:
            await self.email.send(message)
        elif message.channel == SMS:
            await self.sms.send(message)
        else:
            raise ValueError(f"unknown message channel {message.channel!r}")


def settings_sender(settings: Settings, store: Store) -> Sender:
    """The deployment's sender: SMTP for email when ``smtp_host`` is set, else the
    outbox; SMS always the outbox (no SMS transport yet)."""
    outbox = OutboxSender(store)
    if not settings.smtp_host:
        return RoutingSender(email=outbox, sms=outbox)
    smtp = SmtpSender(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_from,
        username=settings.smtp_username or None,
        password=settings.smtp_password or None,
        starttls=settings.smtp_starttls,
        # Port 465 is SMTP submission over implicit TLS (RFC 8314); every other port
        # starts in clear text and upgrades only when smtp_starttls says so.
        ssl=settings.smtp_port == 465 and not settings.smtp_starttls,
    )
    return RoutingSender(email=smtp, sms=outbox)
