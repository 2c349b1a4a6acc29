"""ClinicalImpression, RiskAssessment and ServiceRequest <- a triage decision (the engine's or a
clinician's), all three with the decision's id.

- ClinicalImpression: the assessment: likely conditions as `finding` (with what supports and
  what argues against each as `basis`), the fired rules as `protocol` (one URI per rule of the
  rule-set version), the rule-set version and hash as an extension, the route as `summary`.
- RiskAssessment: the urgency as the qualitative risk of the prediction, the rule set as
  `method` (its version in the coding), the care advice as `mitigation`.
- ServiceRequest: the referral the route implies (imaging with its modality, physiotherapy,
  surgical review); home care implies none. `active` while the case waits on this decision's
  route, `completed` when that wait is done, `draft` while a clinician has to decide on it (an
  engine suggestion held for review), `revoked` once another decision replaced it.
"""

from __future__ import annotations

from fhirclient.models.clinicalimpression import (
    ClinicalImpression,
    ClinicalImpressionFinding,
)
from fhirclient.models.codeableconcept import CodeableConcept
from fhirclient.models.coding import Coding
from fhirclient.models.riskassessment import RiskAssessment, RiskAssessmentPrediction
from fhirclient.models.servicerequest import ServiceRequest
from sqlalchemy import case, func, literal, select
from sqlmodel import col

from services.intake.auth.permissions import Permission
from services.intake.fhir import references as ref
from services.intake.fhir.canonical import EPISODE_OF_CARE
from services.intake.fhir.model import extension, make
from services.intake.fhir.records import Outbound
from shared.models import OPEN_QUEUE_STATUSES, Case, QueueEntry, TriageDecision

SNOMED = "http://snomed.info/sct"
# The FHIR R4 servicerequest-category value set's SNOMED CT concepts.
CATEGORY = {"imaging": (SNOMED, "363679005", "Imaging"),
            "surgical": (SNOMED, "387713003", "Surgical procedure")}
REFERRAL = {"imaging": "Imaging", "physio": "Physiotherapy", "surgical": "Surgical review"}
MODALITY = {"xray": "X-ray", "mri": "MRI"}
URGENCY = {"emergency": "Emergency: seek care now", "urgent": "Urgent: within a day",
           "soon": "Soon: within days", "routine": "Routine"}
# FHIR request-priority for each urgency.
PRIORITY = {"emergency": "stat", "urgent": "asap", "soon": "urgent", "routine": "routine"}


def _decisions():
    return select(
        col(TriageDecision.id).label("id"), col(Case.patient_id).label("patient_id"),
        col(TriageDecision.case_id).label("case_id"), col(TriageDecision.source).label("source"),
        col(TriageDecision.trigger).label("trigger"),
        col(TriageDecision.author_id).label("author_id"),
        col(TriageDecision.queue).label("queue"),
        col(TriageDecision.imaging_modality).label("imaging_modality"),
        col(TriageDecision.urgency).label("urgency"),
        col(TriageDecision.needs_clinician_review).label("needs_clinician_review"),
        col(TriageDecision.ruleset_version).label("ruleset_version"),
        col(TriageDecision.ruleset_hash).label("ruleset_hash"),
        col(TriageDecision.outcome).label("outcome"),
        col(TriageDecision.decided_at).label("decided_at"),
    ).join(Case, col(Case.id) == col(TriageDecision.case_id))


def impressions_query():
    return _decisions().add_columns(col(TriageDecision.decided_at).label("last_updated"),
                                    literal("completed").label("fhir_status"))


def risks_query():
    return _decisions().add_columns(col(TriageDecision.decided_at).label("last_updated"),
                                    literal("final").label("fhir_status"))


def referrals_query():
    entry = QueueEntry
    placed = col(entry.decision_id) == col(TriageDecision.id)
    status = case(
        (placed & col(entry.status).in_(OPEN_QUEUE_STATUSES), "active"),
        (placed & (col(entry.status) == "completed"), "completed"),
        (col(entry.review_decision_id) == col(TriageDecision.id), "draft"),
        (placed, "revoked"),  # cancelled with its queue entry
        (col(entry.id).is_(None), "active"),  # decided, not yet placed
        else_="revoked")
    return (_decisions()
            .add_columns(func.greatest(col(TriageDecision.decided_at),
                                       func.coalesce(col(entry.updated_at),
                                                     col(TriageDecision.decided_at)))
                         .label("last_updated"), status.label("fhir_status"))
            .outerjoin(entry, col(entry.case_id) == col(TriageDecision.case_id))
            .where(col(TriageDecision.queue) != "home_care"))


def _route(row) -> str:
    route = REFERRAL.get(row.queue, "Home care")
    if row.imaging_modality:
        route += f" ({MODALITY.get(row.imaging_modality, row.imaging_modality)})"
    return f"{route}, {URGENCY.get(row.urgency, row.urgency).lower()}"


def impression(row) -> ClinicalImpression:
    outcome = row.outcome or {}
    findings = [make(ClinicalImpressionFinding,
                     itemCodeableConcept=make(CodeableConcept, text=c["condition"]),
                     basis=_basis(c)) for c in outcome.get("conditions", [])]
    return make(
        ClinicalImpression, id=str(row.id), meta=ref.meta(row.last_updated),
        status="completed", subject=ref.patient(row.patient_id),
        code=ref.concept("assessment", "triage", "Ankle and lower-leg pain triage"),
        description=("The clinician's decision" if row.source == "clinician" else
                     "The triage engine's decision") + f" ({row.trigger.replace('_', ' ')})",
        effectiveDateTime=ref.date_time(row.decided_at), date=ref.date_time(row.decided_at),
        assessor=ref.actor(row.author_id) if row.source == "clinician" else None,
        summary=_route(row) + (". Needs a clinician's review" if row.needs_clinician_review
                               else ""),
        protocol=[ref.rule_uri(row.ruleset_version, r["rule_id"])
                  for r in outcome.get("rules_fired", [])],
        finding=findings,
        extension=[ref.ruleset(row.ruleset_version, row.ruleset_hash),
                   _episode(row.case_id)])


def _basis(condition: dict) -> str | None:
    parts = []
    if condition.get("supporting"):
        parts.append("supporting: " + "; ".join(condition["supporting"]))
    if condition.get("against"):
        parts.append("against: " + "; ".join(condition["against"]))
    return ". ".join(parts) or None


def _episode(case_id):
    return extension(EPISODE_OF_CARE, valueReference=ref.reference("EpisodeOfCare", case_id))


def risk(row) -> RiskAssessment:
    outcome = row.outcome or {}
    advice = outcome.get("care_advice", [])
    return make(
        RiskAssessment, id=str(row.id), meta=ref.meta(row.last_updated), status="final",
        subject=ref.patient(row.patient_id), occurrenceDateTime=ref.date_time(row.decided_at),
        parent=ref.reference("ClinicalImpression", row.id),
        basis=[ref.reference("EpisodeOfCare", row.case_id)],
        performer=ref.actor(row.author_id) if row.source == "clinician" else None,
        method=make(CodeableConcept, coding=[make(
            Coding, system=ref.RULESET_SYSTEM, code="ankle-triage",
            version=row.ruleset_version, display="Ankle triage rule set")]),
        prediction=[make(RiskAssessmentPrediction,
                         outcome=make(CodeableConcept, text=_route(row)),
                         qualitativeRisk=ref.concept("urgency", row.urgency,
                                                     URGENCY.get(row.urgency)),
                         rationale=outcome.get("urgency_reason") or None)],
        mitigation=" ".join(advice) or None,
        extension=[ref.ruleset(row.ruleset_version, row.ruleset_hash)])


def referral(row) -> ServiceRequest:
    category = CATEGORY.get(row.queue)
    return make(
        ServiceRequest, id=str(row.id), meta=ref.meta(row.last_updated),
        status=row.fhir_status,
        intent="proposal" if row.fhir_status == "draft" else "order",
        category=[ref.coded(*category)] if category else
        [ref.concept("referral", row.queue, REFERRAL[row.queue])],
        code=ref.concept("referral", row.queue + (f"-{row.imaging_modality}"
                                                   if row.imaging_modality else ""),
                         _route(row).split(",")[0]),
        priority=PRIORITY.get(row.urgency), subject=ref.patient(row.patient_id),
        authoredOn=ref.date_time(row.decided_at),
        requester=ref.actor(row.author_id) if row.source == "clinician" else None,
        supportingInfo=[ref.reference("ClinicalImpression", row.id)],
        extension=[_episode(row.case_id)])


IMPRESSIONS = Outbound("ClinicalImpression", Permission.READ_DECISIONS, impressions_query,
                       impression, statuses=("completed",))
RISKS = Outbound("RiskAssessment", Permission.READ_DECISIONS, risks_query, risk,
                 statuses=("final",))
REFERRALS = Outbound("ServiceRequest", Permission.READ_DECISIONS, referrals_query, referral,
                     statuses=("draft", "active", "completed", "revoked"))
