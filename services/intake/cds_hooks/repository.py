"""Reads of what the CDS Hooks service stored, for other features (the case page)."""

from __future__ import annotations

import uuid

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.models import CdsFeedback


async def feedback_on_case(session: AsyncSession, case_id: uuid.UUID) -> list[CdsFeedback]:
    """What clinicians did in their EHR with the cards about this case, newest first."""
    return list((await session.exec(
        select(CdsFeedback).where(CdsFeedback.case_id == case_id)
        .order_by(col(CdsFeedback.outcome_at).desc()))).all())
