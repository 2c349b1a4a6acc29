"""Task <- a queue entry: the case waiting on a queue. Status as stored (the column holds FHIR
Task statuses), business status (waiting, claimed, or how it was completed), the clinician who
claimed it as owner, priority from the urgency, and the waiting target as
`restriction.period.end`. `_include=Task:patient` adds the patients, saving a round trip."""

from __future__ import annotations

from fhirclient.models.period import Period
from fhirclient.models.task import Task, TaskRestriction
from sqlalchemy import select
from sqlmodel import col

from services.intake.auth.permissions import Permission
from services.intake.fhir import references as ref
from services.intake.fhir.decisions import PRIORITY, REFERRAL
from services.intake.fhir.model import make
from services.intake.fhir.records import Outbound
from shared.models import Case, QueueEntry

PATIENT_INCLUDE = "Task:patient"
STATUSES = ("requested", "accepted", "in-progress", "completed", "cancelled")
QUEUE = {**REFERRAL, "home_care": "Home care"}


def query():
    return select(
        col(QueueEntry.id).label("id"), col(Case.patient_id).label("patient_id"),
        col(QueueEntry.updated_at).label("last_updated"),
        col(QueueEntry.status).label("fhir_status"), col(QueueEntry.case_id).label("case_id"),
        col(QueueEntry.decision_id).label("decision_id"), col(QueueEntry.queue).label("queue"),
        col(QueueEntry.imaging_modality).label("imaging_modality"),
        col(QueueEntry.urgency).label("urgency"),
        col(QueueEntry.business_status).label("business_status"),
        col(QueueEntry.owner_id).label("owner_id"),
        col(QueueEntry.entered_at).label("entered_at"), col(QueueEntry.due_at).label("due_at"),
    ).join(Case, col(Case.id) == col(QueueEntry.case_id))


def resource(row) -> Task:
    return _task(row, row.queue != "home_care")


def _task(row, referral: bool) -> Task:
    queue = QUEUE.get(row.queue, row.queue)
    return make(
        Task, id=str(row.id), meta=ref.meta(row.last_updated), status=row.fhir_status,
        businessStatus=ref.concept("queue-business-status", row.business_status,
                                   row.business_status.replace("_", " ")),
        intent="order", priority=PRIORITY.get(row.urgency),
        code=ref.concept("queue", row.queue, queue),
        description=f"Wait on the {queue.lower()} queue",
        focus=ref.reference("ServiceRequest" if referral else "EpisodeOfCare",
                            row.decision_id if referral else row.case_id),
        basedOn=[ref.reference("ServiceRequest", row.decision_id)] if referral else None,
        reasonReference=ref.reference("ClinicalImpression", row.decision_id),
        owner=ref.actor(row.owner_id), authoredOn=ref.date_time(row.entered_at),
        lastModified=ref.date_time(row.last_updated),
        restriction=make(TaskRestriction, period=make(Period, end=ref.date_time(row.due_at))),
        for_fhir=ref.patient(row.patient_id))  # `for` is a Python keyword


TASKS = Outbound("Task", Permission.READ_DECISIONS, query, resource, statuses=STATUSES,
                 includes=(PATIENT_INCLUDE,))
