"""Feedback: what the clinician did with a card in the EHR. Flushes only; the route commits.

Each accepted or overridden card is stored beside the engine decision the card stood beside
(cds_feedback.decision_id, with the case), so the case page and the clinical lead see which
advice was overridden and why, and written to the audit trail. A repeated feedback (same card,
same outcome) is recorded once.
"""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.cds_hooks.auth import Caller
from services.intake.cds_hooks.schemas import Feedback, Outcome
from services.intake.cds_hooks.service import BadRequest, ehr_actor
from shared.audit import record_audit
from shared.clock import utcnow
from shared.models import CdsCard, CdsFeedback


async def record_feedback(session: AsyncSession, service_id: str, feedback: Feedback,
                          caller: Caller, user_id: str | None, request_id: str) -> int:
    """The number of feedback items newly recorded."""
    recorded = 0
    for index, item in enumerate(feedback.feedback):
        card = await _card(session, service_id, caller, item.card, index)
        accepted = [s.id for s in item.acceptedSuggestions or []]
        if set(accepted) - set(card.suggestion_ids):
            raise BadRequest(f"feedback[{index}].acceptedSuggestions names a suggestion the "
                             "card did not make")
        reason = item.overrideReason.reason if item.overrideReason else None
        comment = item.overrideReason.userComment if item.overrideReason else None
        done = await session.exec(insert(CdsFeedback).values(
            id=uuid.uuid4(), card_id=card.id, service_id=service_id, case_id=card.case_id,
            decision_id=card.decision_id, outcome=item.outcome.value,
            accepted_suggestions=accepted,
            override_reason_system=reason.system[:255] if reason else None,
            override_reason_code=reason.code[:64] if reason else None,
            override_reason_display=(reason.display or "")[:255] or None if reason else None,
            user_comment=comment, issuer=caller.issuer, user_id=user_id,
            outcome_at=item.outcomeTimestamp, received_at=utcnow(),
        ).on_conflict_do_nothing(index_elements=["card_id", "outcome"]))
        if done.rowcount:
            recorded += 1
            action = "accept" if item.outcome == Outcome.ACCEPTED else "override"
            record_audit(session, ehr_actor(caller), action, "CdsCard", card.id,
                         patient_id=card.patient_id, request_id=request_id)
    await session.flush()
    return recorded


async def _card(session: AsyncSession, service_id: str, caller: Caller, card_id: str,
                index: int) -> CdsCard:
    try:
        wanted = uuid.UUID(card_id)
    except ValueError:
        wanted = None
    card = await session.get(CdsCard, wanted) if wanted else None
    # Another EHR's card, or another service's, answers like one never returned.
    if card is None or card.service_id != service_id or card.issuer != caller.issuer:
        raise BadRequest(f"feedback[{index}].card is not a card this service returned")
    return card

