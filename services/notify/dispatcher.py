"""The dispatch loop. Due follow-ups are claimed in batches (FOR UPDATE SKIP LOCKED), one
transaction per batch: several dispatchers share the due rows without sending any of them
twice, and the claim, its look-ups and the commit are paid once per batch, not per follow-up.

The price is the window a crash leaves: a send is recorded when its batch commits, so a
dispatcher that dies, or loses its database, in the middle of a batch sends again the
follow-ups of that batch it had already sent (at most CLAIM_BATCH of them; at-least-once, and
each email's Message-ID lets a receiving system drop the copy). A failed delivery is recorded
with the batch like a sent one; an unexpected error ends the batch where it happened, after
the follow-ups before it are committed."""

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

# Bounds what a crash sends twice. The per-batch costs are already small beside the sends at
# this size; a larger batch would widen the window for little.
CLAIM_BATCH = 20


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
    while (wanted := min(CLAIM_BATCH, limit - outcomes.total())) > 0:
        with sync_session(engine) as session, session.begin():
            batch = service.deliver_due(session, channels, config, now, wanted)
        outcomes += batch.outcomes
        if batch.error is not None:
            raise batch.error
        if batch.claimed < wanted:
            break  # nothing more is due (or the rest is locked by another dispatcher)
    return outcomes
