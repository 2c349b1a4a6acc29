"""A patient refusing a channel: the rules and statements both the intake service (which
receives the STOP reply or the opt-out link) and notify (which must never use that channel
again) share. Once refused, a channel is never used again for that patient."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.sql.dml import Insert

from shared.models import ChannelOptOut, Patient

CHANNELS = ("email", "sms")
# The carriers' standard stop words, and the Spanish ones our Spanish-speaking patients use.
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "BAJA",
                        "PARAR"})
OPT_OUT_PURPOSE = "opt_out"
# Long-lived: a patient finding an old email must still be able to stop the next ones.
OPT_OUT_LINK_LIFETIME = timedelta(days=365)


def is_stop_reply(body: str) -> bool:
    return body.strip().strip(".!").upper() in STOP_WORDS


def add_opt_out(patient_id: uuid.UUID, channel: str, via: str, at: datetime) -> Insert:
    return insert(ChannelOptOut).values(
        id=uuid.uuid4(), patient_id=patient_id, channel=channel, via=via, at=at,
    ).on_conflict_do_nothing(constraint="uq_channel_opt_outs_patient_channel")


def patients_with_phone(phone: str) -> Select | None:
    """Patients whose stored number is this one, however either was punctuated."""
    digits = re.sub(r"\D", "", phone)
    if not digits:
        return None
    stored = func.regexp_replace(Patient.phone, r"\D", "", "g")
    return select(Patient.id).where(stored == digits)
