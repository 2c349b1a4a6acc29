"""After a check-in: do the case's scores keep to the expected course of recovery
(shared/recovery.py)? When they fall behind, the case's clinician is alerted through a
RecoveryBehind event in the decision's transaction (notify sends the staff alert); the patient
hears nothing of it."""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import Connection, insert

from shared.contracts import RecoveryBehind
from shared.models import OutboxMessage
from shared.outbox import outbox_row
from shared.recovery import Assessment
from shared.recovery_history import answers, first_decision, record_from

log = logging.getLogger("triage.recovery")


def check_recovery(connection: Connection, case_id: uuid.UUID,
                   decision_id: uuid.UUID) -> Assessment:
    first = connection.execute(first_decision(case_id)).first()
    record = record_from(first, connection.execute(answers(case_id)).all())
    assessment = record.assessment()
    if assessment.behind:
        log.info("case %s behind its expected course of recovery", case_id)
        connection.execute(insert(OutboxMessage).values(outbox_row(RecoveryBehind(
            message_id=uuid.uuid4(), case_id=case_id, decision_id=decision_id))))
    return assessment
