"""Dead letters for staff: task messages the workers gave up on (shared/dead_letters.py).

Who may read them: Permission.READ_DEAD_LETTERS (a dead triage request is a case nobody routed).
Rows hold ids, error types and fixed descriptions only, never patient data.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlmodel import col, select

from services.intake.auth.dependencies import requires
from services.intake.auth.permissions import Permission
from services.intake.dependencies import SessionDep
from shared.models import DeadLetter

router = APIRouter(prefix="/dead-letters", tags=["operations"])


class DeadLetterPublic(BaseModel):
    message_id: uuid.UUID
    task_name: str
    payload: dict[str, Any]
    error_type: str
    error_message: str
    attempts: int
    first_failed_at: datetime
    last_failed_at: datetime


class DeadLetterList(BaseModel):
    items: list[DeadLetterPublic]


@router.get("", response_model=DeadLetterList)
async def list_dead_letters(session: SessionDep,
                            _reader: requires(Permission.READ_DEAD_LETTERS),
                            limit: int = Query(100, ge=1, le=500)) -> DeadLetterList:
    """The most recent dead letters first."""
    query = select(DeadLetter).order_by(col(DeadLetter.last_failed_at).desc()).limit(limit)
    rows = (await session.exec(query)).all()
    return DeadLetterList(items=[DeadLetterPublic.model_validate(r, from_attributes=True)
                                 for r in rows])
