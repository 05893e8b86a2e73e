"""The deployment's sender, from its settings."""

from __future__ import annotations

from poolgate.config import Settings
from poolgate.core.messages import templates
from poolgate.core.messages.senders import OutboxSender, RoutingSender, Sender
from poolgate.mail.sms_webhook import SmsWebhookSender
from poolgate.mail.smtp import SmtpSender
from poolgate.store.base import Store


def settings_sender(settings: Settings, store: Store) -> Sender:
    """The deployment's sender: SMTP for email when ``smtp_host`` is set, else the
    outbox; SMS to the webhook when ``sms_webhook_url`` is set, else the outbox."""
    outbox = OutboxSender(store)
    sms: Sender = outbox
    if settings.sms_webhook_url:
        sms = SmsWebhookSender(settings.sms_webhook_url, token=settings.sms_webhook_token or None)
    if not settings.smtp_host:
        return RoutingSender(email=outbox, sms=sms)
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
    return RoutingSender(email=smtp, sms=sms)


def outbox_channels(settings: Settings) -> frozenset[str]:
    """The channels (EMAIL, SMS) whose messages ``settings_sender`` keeps in the outbox."""
    channels = set()
    if not settings.smtp_host:
        channels.add(templates.EMAIL)
    if not settings.sms_webhook_url:
        channels.add(templates.SMS)
    return frozenset(channels)
