"""Templates, destination masks and the senders (outbox, a real SMTP server)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from poolgate.config import load_settings
from poolgate.core.errors import CodeDeliveryFailureException
from poolgate.core.messages import templates
from poolgate.core.messages.senders import OutboxSender, RoutingSender
from poolgate.core.messages.templates import mask_email, mask_phone, render
from poolgate.core.records import Message
from poolgate.mail.senders import settings_sender
from poolgate.mail.smtp import SmtpSender
from poolgate.store.sql import SqlStore

PASSWORD = "s3cret-smtp-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def email(recipient: str = "jane@example.com", body: str = "Your code is 123456. ") -> Message:
    return Message(
        channel="EMAIL",
        recipient=recipient,
        subject="Your verification code",
        body=body,
        created=1_800_000_000.0,
        pool_id="us-east-1_AbCdEf123",
        username="jane",
        purpose="SignUp",
    )


def sms(recipient: str = "+15555551234") -> Message:
    return Message(
        channel="SMS", recipient=recipient, subject="", body="Code 42", created=1_800_000_000.0
    )


# Templates


def test_render_fills_both_placeholders() -> None:
    template = templates.DEFAULT_INVITATION_EMAIL_MESSAGE
    assert render(template, code="Tmp#1234", username="jane") == (
        "Your username is jane and temporary password is Tmp#1234. "
    )
    assert render(templates.DEFAULT_VERIFICATION_EMAIL_MESSAGE, code="123456") == (
        "Your verification code is 123456. "
    )


def test_render_is_one_pass_and_leaves_missing_values() -> None:
    # A username that looks like a placeholder is not filled in turn.
    assert render("{username}: {####}", code="1", username="{####}") == "{####}: 1"
    assert render("{username} {####}", code="9") == "{username} 9"
    assert render("no placeholders", code="1", username="u") == "no placeholders"
    assert render("{####}{####}", code="12") == "1212"


def test_cognito_defaults() -> None:
    assert templates.DEFAULT_VERIFICATION_EMAIL_SUBJECT == "Your verification code"
    assert templates.DEFAULT_INVITATION_EMAIL_SUBJECT == "Your temporary password"
    assert templates.DEFAULT_FORGOT_PASSWORD_EMAIL_MESSAGE == "Your verification code is {####}. "
    assert templates.DEFAULT_VERIFICATION_SMS_MESSAGE == "Your verification code is {####}. "


# Masks


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("jane@example.com", "j***@e***"),
        ("a@b.co", "a***@b***"),
        ('"odd@local"@example.org', '"***@e***'),
        ("no-at-sign", "n***"),
    ],
)
def test_mask_email(address: str, masked: str) -> None:
    assert mask_email(address) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+15555551234", "+*******1234"),
        ("+447700900123", "+********0123"),
        ("5551234567", "******4567"),
        ("+123", "+***"),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


# Outbox


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlStore]:
    opened = await SqlStore.open(f"sqlite:///{tmp_path / 'outbox.db'}")
    yield opened
    await opened.close()


async def test_outbox_sender_stores_the_message(store: SqlStore) -> None:
    await OutboxSender(store).send(email())
    [stored] = await store.list_messages(recipient="jane@example.com")
    assert stored.id is not None
    assert (stored.channel, stored.subject, stored.body) == (
        "EMAIL",
        "Your verification code",
        "Your code is 123456. ",
    )
    assert (stored.pool_id, stored.username, stored.purpose) == (
        "us-east-1_AbCdEf123",
        "jane",
        "SignUp",
    )


class Recorder:
    def __init__(self) -> None:
        self.sent: list[Message] = []

    async def send(self, message: Message) -> None:
        self.sent.append(message)


async def test_routing_sender_splits_by_channel() -> None:
    by_email, by_sms = Recorder(), Recorder()
    router = RoutingSender(email=by_email, sms=by_sms)
    await router.send(email())
    await router.send(sms())
    assert [m.channel for m in by_email.sent] == ["EMAIL"]
    assert [m.channel for m in by_sms.sent] == ["SMS"]
    with pytest.raises(ValueError):
        await router.send(Message(channel="FAX", recipient="x", subject="", body="", created=0))


async def test_settings_without_smtp_send_everything_to_the_outbox(store: SqlStore) -> None:
    sender = settings_sender(load_settings(None, {}), store)
    await sender.send(email())
    await sender.send(sms())
    assert [m.channel for m in await store.list_messages()] == ["SMS", "EMAIL"]


def test_settings_with_smtp_route_email_to_smtp(store: SqlStore) -> None:
    settings = load_settings(
        None,
        {
            "POOLGATE_SMTP_HOST": "mail.example.com",
            "POOLGATE_SMTP_PORT": "587",
            "POOLGATE_SMTP_STARTTLS": "yes",
            "POOLGATE_SMTP_USERNAME": "poolgate",
            "POOLGATE_SMTP_PASSWORD": PASSWORD,
        },
    )
    assert PASSWORD not in repr(settings)
    sender = settings_sender(settings, store)
    assert isinstance(sender, RoutingSender)
    assert isinstance(sender.email, SmtpSender)
    assert isinstance(sender.sms, OutboxSender)
    assert (sender.email.host, sender.email.port) == ("mail.example.com", 587)
    assert sender.email.starttls and not sender.email.ssl
    assert PASSWORD not in repr(sender.email)


# SMTP, against a real server


class Inbox:
    def __init__(self) -> None:
        self.received: list[tuple[Envelope, EmailMessage]] = []

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        parsed = message_from_bytes(content, policy=default_policy)
        assert isinstance(parsed, EmailMessage)
        self.received.append((envelope, parsed))
        return "250 Message accepted for delivery"


def authenticate(
    server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"poolgate",
        PASSWORD.encode(),
    )
    # handled=False: aiosmtpd then answers the refusal (535) itself.
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        # Plain-text AUTH is fine on loopback in a test; production uses TLS.
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


async def test_smtp_sender_delivers_the_email(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    sender = SmtpSender("127.0.0.1", port, "no-reply@poolgate.local")
    await sender.send(email(body="Your verification code is 654321. "))
    [(envelope, received)] = inbox.received
    assert envelope.mail_from == "no-reply@poolgate.local"
    assert envelope.rcpt_tos == ["jane@example.com"]
    assert received["To"] == "jane@example.com"
    assert received["From"] == "no-reply@poolgate.local"
    assert received["Subject"] == "Your verification code"
    assert received["Message-ID"]
    body = received.get_body(preferencelist=("plain",))
    assert body is not None
    assert body.get_content().strip() == "Your verification code is 654321."


async def test_smtp_sender_logs_in(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    sender = SmtpSender(
        "127.0.0.1", port, "no-reply@poolgate.local", username="poolgate", password=PASSWORD
    )
    await sender.send(email())
    assert len(inbox.received) == 1


async def test_smtp_wrong_password_fails_without_revealing_it(
    smtp_server: tuple[Inbox, int],
) -> None:
    inbox, port = smtp_server
    wrong = "not-the-right-password"
    sender = SmtpSender(
        "127.0.0.1", port, "no-reply@poolgate.local", username="poolgate", password=wrong
    )
    with pytest.raises(CodeDeliveryFailureException) as caught:
        await sender.send(email())
    assert caught.value.message == "Unable to deliver the message."
    assert wrong not in str(caught.value)
    assert "535" in (caught.value.detail or "")
    assert wrong not in (caught.value.detail or "")
    assert inbox.received == []


async def test_smtp_unreachable_host_is_a_delivery_failure() -> None:
    sender = SmtpSender(
        "127.0.0.1",
        free_port(),  # nothing listens there
        "no-reply@poolgate.local",
        username="poolgate",
        password=PASSWORD,
        timeout=2,
    )
    with pytest.raises(CodeDeliveryFailureException) as caught:
        await sender.send(email())
    error = caught.value
    assert error.message == "Unable to deliver the message."
    assert error.detail and "127.0.0.1" in error.detail
    for text in (str(error), error.message, error.detail, repr(error)):
        assert PASSWORD not in text


async def test_smtp_refuses_header_injection(smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    sender = SmtpSender("127.0.0.1", port, "no-reply@poolgate.local")
    with pytest.raises(CodeDeliveryFailureException):
        await sender.send(email(recipient="jane@example.com\r\nBcc: all@example.com"))
    assert inbox.received == []


async def test_smtp_sender_refuses_sms() -> None:
    with pytest.raises(ValueError):
        await SmtpSender("127.0.0.1", 25, "no-reply@poolgate.local").send(sms())
