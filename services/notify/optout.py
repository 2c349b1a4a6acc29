"""A patient refuses a channel: by replying STOP to an SMS, or through a signed link.

Once refused, a channel is never used again for that patient (the dispatcher reads
channel_opt_outs before every attempt). Flushes only: the caller owns the transaction.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlmodel import Session

from services.notify import repository
from services.notify.contact import CHANNELS, normalise_phone
from shared.patient_links import InvalidLink, read_link

log = logging.getLogger("notify.optout")

# The carriers' standard stop words, and the Spanish ones our Spanish-speaking patients use.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "BAJA",
                        "PARAR"})
OPT_OUT_PURPOSE = "opt_out"
# Long-lived: a patient finding an old email must still be able to stop the next ones.
OPT_OUT_LINK_LIFETIME = timedelta(days=365)


def handle_inbound_sms(session: Session, from_number: str, body: str, now: datetime) -> int:
    """An SMS reply: a stop word opts every patient with that number out of SMS.
    Returns how many patients were opted out (0 for any other reply)."""
    if body.strip().strip(".!").upper() not in STOP_WORDS:
        return 0
    patient_ids = repository.patients_with_phone(session, normalise_phone(from_number))
    for patient_id in patient_ids:
        repository.add_opt_out(session, patient_id, "sms", via="sms_reply", at=now)
        log.info("patient %s opted out of sms by reply", patient_id)
    return len(patient_ids)


def opt_out_by_link(session: Session, secret_key: str, token: str, channel: str,
                    now: datetime) -> uuid.UUID:
    """The patient followed a signed opt-out link. Raises InvalidLink (or ExpiredLink) for a
    forged, altered, expired or wrong-purpose token; returns the patient's id."""
    link = read_link(secret_key, token, max_age=OPT_OUT_LINK_LIFETIME, now=now)
    if link.purpose != OPT_OUT_PURPOSE or channel not in CHANNELS:
        raise InvalidLink("this link is not valid")
    repository.add_opt_out(session, link.patient_id, channel, via="link", at=now)
    log.info("patient %s opted out of %s by link", link.patient_id, channel)
    return link.patient_id
