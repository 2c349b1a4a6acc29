"""Task messages given up on after repeated failures, for staff to see and act on.

Payloads are the message's own (ids only); the error is a type and a fixed description, never
an exception's text, which can quote patient data.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from shared.models.base import json_column, timestamp


class DeadLetter(SQLModel, table=True):
    __tablename__ = "dead_letters"

    message_id: uuid.UUID = Field(primary_key=True)
    task_name: str = Field(max_length=64)
    payload: dict[str, Any] = json_column()
    error_type: str = Field(max_length=128)
    error_message: str = Field(max_length=200)
    attempts: int
    first_failed_at: datetime = timestamp()
    last_failed_at: datetime = timestamp(index=True)
