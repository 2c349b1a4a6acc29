"""A patient's refusal of a channel (FHIR Consent, provision deny, for one communication medium).

Once a row exists the channel is never used again for that patient.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.models.base import foreign_key, timestamp, uuid_pk


class ChannelOptOut(SQLModel, table=True):
    __tablename__ = "channel_opt_outs"
    __table_args__ = (
        # Opting out twice (a second STOP, a link clicked again) changes nothing.
        sa.UniqueConstraint("patient_id", "channel", name="uq_channel_opt_outs_patient_channel"),
    )

    id: uuid.UUID = uuid_pk()
    patient_id: uuid.UUID = foreign_key("patients.id", index=False)
    channel: str = Field(max_length=16)  # email | sms
    via: str = Field(max_length=16)  # sms_reply | link | staff
    at: datetime = timestamp()
