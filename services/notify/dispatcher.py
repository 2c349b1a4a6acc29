"""The dispatch loop. Each due follow-up is claimed (FOR UPDATE SKIP LOCKED), sent and recorded
in a transaction of its own: several dispatchers share the due rows without sending any of them
twice, and a send is on record as soon as it is done.

A dispatcher that dies, or loses its database, between a send and its commit sends that one
follow-up again (at-least-once; the email's Message-ID lets a receiving system drop the copy):
at most one duplicate per crash. Claims used to be 20 to a transaction, and a crash sent all 20
again. The price is a commit per reminder (bench/reminders.py: about a third of the rate on a
loaded two-core machine); recording each send on its own is what bounds the duplicates, and
recording sends on a second connection while holding a batch claim saved little (measured).
A failed delivery is recorded like a sent one; an unexpected error leaves the follow-up in
flight as it was (due again at once) and ends the dispatch."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Engine

from services.notify import service
from services.notify.channels.base import Channel
from services.notify.channels.email import EmailChannel
from services.notify.channels.sms import SmsChannel
from services.notify.channels.traced import TracedChannel
from services.notify.service import NotifyConfig, Outcome
from shared.db import sync_session
from shared.settings import Settings

# One follow-up to a transaction: what a crash can send twice.
CLAIM_BATCH = 1
# A dispatch stops claiming after this long and leaves the rest to the next one (every 5 s):
# the task must end inside its time limit (shared/messaging.py), which keeps notify's
# visibility timeout, and so the wait for a staff alert a killed worker held, short.
CLAIMING_FOR_SECONDS = 10.0


@contextmanager
def open_channels(settings: Settings) -> Iterator[dict[str, Channel]]:
    """Email always (SMTP or the local mail folder); SMS when a provider is configured."""
    channels: dict[str, Channel] = {"email": EmailChannel(settings)}
    if settings.sms_endpoint:
        channels["sms"] = SmsChannel(settings)
    try:
        yield {name: TracedChannel(channel) for name, channel in channels.items()}
    finally:
        for channel in channels.values():
            channel.close()


def dispatch_due(engine: Engine, channels: dict[str, Channel], config: NotifyConfig,
                 now: datetime, limit: int,
                 claiming_for_s: float = CLAIMING_FOR_SECONDS) -> Counter[Outcome]:
    """Deliver up to `limit` follow-ups due at `now`, claiming new ones for at most
    `claiming_for_s` seconds; counts what happened to each."""
    outcomes: Counter[Outcome] = Counter()
    claiming_until = time.monotonic() + claiming_for_s
    while (wanted := min(CLAIM_BATCH, limit - outcomes.total())) > 0 and (
            time.monotonic() < claiming_until):
        with sync_session(engine) as session, session.begin():
            batch = service.deliver_due(session, channels, config, now, wanted)
        outcomes += batch.outcomes
        if batch.error is not None:
            raise batch.error
        if batch.claimed < wanted:
            break  # nothing more is due (or the rest is locked by another dispatcher)
    return outcomes
