"""SMS through an HTTP webhook: Poolgate POSTs each text message as JSON to a URL the
deployment names (``sms_webhook_url``), and whatever sits there (a gateway to an SMS
provider, an SMTP-to-SMS bridge, a chat bot in development) delivers it.

Body: ``{"to": "+15555550100", "message": "...", "pool_id": "...", "username": "...",
"purpose": "sign_in"}``. With ``sms_webhook_token`` set, the request carries
``Authorization: Bearer <token>``. A 2xx answer is delivery; anything else, or no
answer within the timeout, fails the operation with "Unable to deliver the message."
"""

from __future__ import annotations

from poolgate.core.errors import CodeDeliveryFailureException
from poolgate.core.messages.templates import DELIVERY_FAILED, SMS
from poolgate.core.records import Message


class SmsWebhookSender:
    def __init__(self, url: str, *, token: str | None = None, timeout: float = 10.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"sms_webhook_url must be an http(s) URL, got {url!r}")
        self.url = url
        self._token = token
        self.timeout = timeout

    def __repr__(self) -> str:
        # Never the token: senders end up in logs and tracebacks.
        return f"SmsWebhookSender(url={self.url!r})"

    async def send(self, message: Message) -> None:
        if message.channel != SMS:
            raise ValueError(f"SmsWebhookSender sends SMS messages, not {message.channel}")
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        body = {
            "to": message.recipient,
            "message": message.body,
            "pool_id": message.pool_id,
            "username": message.username,
            "purpose": message.purpose,
        }
        # Imported here: httpx (and the CLI helpers it loads) cost a start ~40 ms, and
        # most deployments send no SMS.
        import httpx

        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(self.url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise CodeDeliveryFailureException(
                DELIVERY_FAILED, detail=f"SMS webhook {self.url}: {exc!r}"
            ) from None
        if not response.is_success:
            raise CodeDeliveryFailureException(
                DELIVERY_FAILED, detail=f"SMS webhook {self.url} answered {response.status_code}"
            )
