"""EpisodeOfCare <- a case: one episode of ankle or lower-leg pain, from the form that opened
it to the clinician's completion."""

from __future__ import annotations

from fhirclient.models.episodeofcare import EpisodeOfCare
from fhirclient.models.period import Period
from sqlalchemy import case, select
from sqlmodel import col

from services.intake.auth.permissions import Permission
from services.intake.fhir import references as ref
from services.intake.fhir.model import make
from services.intake.fhir.records import Outbound
from shared.models import Case, CaseStatus

STATUS = {CaseStatus.AWAITING_TRIAGE.value: "planned", CaseStatus.ROUTED.value: "active",
          CaseStatus.CLOSED.value: "finished"}


def query():
    return select(
        col(Case.id).label("id"), col(Case.patient_id).label("patient_id"),
        col(Case.updated_at).label("last_updated"),
        case(STATUS, value=col(Case.status), else_="active").label("fhir_status"),
        col(Case.created_at).label("created_at"))


def resource(row) -> EpisodeOfCare:
    finished = row.fhir_status == "finished"
    return make(
        EpisodeOfCare, id=str(row.id), meta=ref.meta(row.last_updated),
        status=row.fhir_status, patient=ref.patient(row.patient_id),
        type=[ref.concept("episode-type", "ankle-lower-leg-pain",
                          "Ankle or lower-leg pain")],
        period=make(Period, start=ref.date_time(row.created_at),
                    end=ref.date_time(row.last_updated) if finished else None))


EPISODES = Outbound(
    "EpisodeOfCare", Permission.READ_CASE, query,
    resource, statuses=tuple(sorted(set(STATUS.values()))))
