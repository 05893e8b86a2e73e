"""Email through an SMTP server (smtplib, in a worker thread)."""

from __future__ import annotations

import asyncio
import smtplib
import ssl as ssl_module
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from poolgate.core.errors import CodeDeliveryFailureException
from poolgate.core.messages.templates import DELIVERY_FAILED, EMAIL
from poolgate.core.records import Message


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
