"""What every channel promises: send one message or raise a DeliveryError saying whether
trying again later could help. Reasons are short codes, never patient data."""

from __future__ import annotations

from typing import Protocol

from services.notify.messages import RenderedMessage


class DeliveryError(Exception):
    transient = False

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason[:500]


class TransientDeliveryError(DeliveryError):
    """Unreachable, timed out, or the server said "later" (5xx, 429, SMTP 4xx): retry."""

    transient = True


class RejectedDelivery(DeliveryError):
    """The server refused this message for good (HTTP 4xx, SMTP 5xx): do not retry."""


class Channel(Protocol):
    name: str

    def send(self, to: str, message: RenderedMessage, idempotency_key: str) -> None: ...

    def close(self) -> None: ...
