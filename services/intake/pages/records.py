"""Reads the pages need beyond the case views."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.clinical_record import QUESTIONNAIRE_ID
from shared.models import IntakeResponse


async def previsit_history(session: AsyncSession, case_id: uuid.UUID) -> dict:
    """The latest pre-visit form of the case; check-in answers live in the same table under
    another questionnaire and are not history."""
    query = (select(IntakeResponse.answers)
             .where(IntakeResponse.case_id == case_id,
                    IntakeResponse.questionnaire == QUESTIONNAIRE_ID)
             .order_by(col(IntakeResponse.authored_at).desc()).limit(1))
    return (await session.exec(query)).first() or {}
