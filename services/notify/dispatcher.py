"""The dispatch loop: one transaction per follow-up, so a crash resends at most the one
follow-up in flight (at-least-once), and several dispatchers share the due rows
(FOR UPDATE SKIP LOCKED) without sending any of them twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Engine

from services.notify import service
from services.notify.channels.base import Channel
from services.notify.channels.email import EmailChannel
from services.notify.channels.sms import SmsChannel
from services.notify.service import NotifyConfig, Outcome
from shared.db import sync_session
from shared.settings import Settings


@contextmanager
def open_channels(settings: Settings) -> Iterator[dict[str, Channel]]:
    """Email always (SMTP or the local mail folder); SMS when a provider is configured."""
    channels: dict[str, Channel] = {"email": EmailChannel(settings)}
    if settings.sms_endpoint:
        channels["sms"] = SmsChannel(settings)
    try:
        yield channels
    finally:
        for channel in channels.values():
            channel.close()


def dispatch_due(engine: Engine, channels: dict[str, Channel], config: NotifyConfig,
                 now: datetime, limit: int) -> Counter[Outcome]:
    """Deliver up to `limit` follow-ups due at `now`; counts what happened to each."""
    outcomes: Counter[Outcome] = Counter()
    for _ in range(limit):
        with sync_session(engine) as session, session.begin():
            outcome = service.deliver_next_due(session, channels, config, now)
        if outcome is None:
            break
        outcomes[outcome] += 1
    return outcomes
