"""A channel whose every send is a span ("deliver email"), inside the trace of the task that
sends it: the notify task of a routed emergency case, or a dispatch. The span names the
channel and, on failure, the reason code; never the address or the message."""

from __future__ import annotations

from opentelemetry.trace import Status, StatusCode

from services.notify.channels.base import Channel, DeliveryError
from services.notify.messages import RenderedMessage
from shared.observability import tracing


class TracedChannel:
    def __init__(self, inner: Channel):
        self.inner = inner
        self.name = inner.name

    def send(self, to: str, message: RenderedMessage, idempotency_key: str) -> None:
        with tracing.span(f"deliver {self.name}", **{"clinic.channel": self.name}) as span:
            try:
                self.inner.send(to, message, idempotency_key)
            except DeliveryError as exc:
                span.set_attribute("clinic.delivery.error", exc.reason)
                span.set_attribute("clinic.delivery.transient", exc.transient)
                span.set_status(Status(StatusCode.ERROR, "delivery failed"))
                raise

    def close(self) -> None:
        self.inner.close()
