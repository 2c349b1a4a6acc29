"""SMS through the provider's HTTP API: POST {to, from, body} as JSON with a bearer key.

httpx rather than Apprise: Apprise reports only success or failure, and we must tell a
provider's 4xx (final: bad number, refused) from 5xx and timeouts (transient: retry).
"""

from __future__ import annotations

import httpx

from services.notify.channels.base import RejectedDelivery, TransientDeliveryError
from services.notify.messages import RenderedMessage
from shared.settings import Settings


class SmsChannel:
    name = "sms"

    def __init__(self, settings: Settings, client: httpx.Client | None = None):
        if not settings.sms_endpoint:
            raise ValueError("SMS needs CLINIC_SMS_ENDPOINT")
        self.endpoint = settings.sms_endpoint
        self.sender = settings.sms_sender
        headers = {"Authorization": f"Bearer {settings.sms_api_key}"} if settings.sms_api_key else {}
        self._client = client or httpx.Client(timeout=settings.sms_timeout_seconds, headers=headers)

    def send(self, to: str, message: RenderedMessage, idempotency_key: str) -> None:
        try:
            # The key lets a provider that supports it drop a resend after a crash.
            response = self._client.post(
                self.endpoint, json={"to": to, "from": self.sender, "body": message.body},
                headers={"Idempotency-Key": idempotency_key})
        except httpx.TransportError as exc:  # refused, reset, timed out
            raise TransientDeliveryError(type(exc).__name__) from exc
        status = response.status_code
        if status < 300:
            return
        if status >= 500 or status in (408, 429):
            raise TransientDeliveryError(f"http {status}")
        raise RejectedDelivery(f"http {status}")

    def close(self) -> None:
        self._client.close()
