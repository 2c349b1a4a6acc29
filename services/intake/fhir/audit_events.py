"""AuditEvent <- the audit trail (`audit_events`), shaped as IHE Basic Audit Log Patterns (BALP)
shape a RESTful event: type `rest`, the interaction as subtype, the actor as the requesting
agent, the record touched and the patient as entities, the request id as the `XrequestId`
entity. A list read (the queue board, a FHIR search) is one event whose entities are every
record it showed.

Only admins read the trail (as GET /patients/{id}/audit-events), one patient at a time."""

from __future__ import annotations

from fhirclient.models.auditevent import (
    AuditEvent as FhirAuditEvent,
)
from fhirclient.models.auditevent import (
    AuditEventAgent,
    AuditEventEntity,
    AuditEventSource,
)
from fhirclient.models.coding import Coding
from fhirclient.models.fhirreference import FHIRReference
from fhirclient.models.identifier import Identifier
from sqlalchemy import literal, or_, select
from sqlmodel import col

from services.intake.auth.permissions import Permission
from services.intake.fhir import references as ref
from services.intake.fhir.canonical import CANONICAL, code_system
from services.intake.fhir.model import make
from services.intake.fhir.records import Outbound
from shared.models import AuditEvent

EVENT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
INTERACTION = "http://hl7.org/fhir/restful-interaction"
OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role"
ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
BALP_ENTITY = "https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType"
REQUEST_ID_SYSTEM = f"{CANONICAL}/sid/request-id"
# The trail's action as the FHIR action code (C, R, U, D, E) and RESTful interaction.
ACTION = {"create": ("C", "create"), "read": ("R", "read"), "update": ("U", "update"),
          "delete": ("D", "delete")}
# Our records as the FHIR resources this server serves them as.
FHIR_TYPE = {"Case": "EpisodeOfCare", "TriageDecision": "ClinicalImpression",
             "QueueEntry": "Task", "FollowUp": "CommunicationRequest",
             "Delivery": "Communication", "IntakeResponse": "QuestionnaireResponse"}
SERVED = {"Patient", "QuestionnaireResponse", "EpisodeOfCare", "Observation",
          "ClinicalImpression", "RiskAssessment", "ServiceRequest", "Task",
          "CommunicationRequest", "Communication"}
OUTCOME = {"success": "0", "failure": "4"}


def query():
    return select(
        col(AuditEvent.id).label("id"), col(AuditEvent.patient_id).label("patient_id"),
        col(AuditEvent.occurred_at).label("last_updated"),
        literal("recorded").label("fhir_status"),
        col(AuditEvent.actor_id).label("actor_id"), col(AuditEvent.actor_role).label("actor_role"),
        col(AuditEvent.action).label("action"),
        col(AuditEvent.resource_type).label("resource_type"),
        col(AuditEvent.resource_id).label("resource_id"),
        col(AuditEvent.request_id).label("request_id"), col(AuditEvent.outcome).label("outcome"),
        col(AuditEvent.entities).label("entities"))


def about_patient(rows, patient_ids: list):
    """The patient's events: those about them, and list reads that showed their records."""
    return or_(rows.c.patient_id.in_(patient_ids),
               *(rows.c.entities.contains([{"patient_id": str(p)}]) for p in patient_ids
                 if p is not None))


def resource(row) -> FhirAuditEvent:
    code, interaction = ACTION.get(row.action, ("E", None))
    entities = [_entity(row.resource_type, row.resource_id)] if not row.entities else \
        [_entity(e["type"], e["id"]) for e in row.entities]
    patients = sorted(({str(row.patient_id)} if row.patient_id else set())
                      | {e["patient_id"] for e in row.entities or []})
    entities += [make(AuditEventEntity, what=ref.patient(p), type=_coding(
        ENTITY_TYPE, "1", "Person"), role=_coding(OBJECT_ROLE, "1", "Patient"))
        for p in patients]
    if row.request_id:
        entities.append(make(AuditEventEntity, what=make(FHIRReference, identifier=make(
            Identifier, system=REQUEST_ID_SYSTEM, value=row.request_id)),
            type=_coding(BALP_ENTITY, "XrequestId", "X-Request-Id")))
    return make(
        FhirAuditEvent, id=str(row.id), meta=ref.meta(row.last_updated),
        type=_coding(EVENT_TYPE, "rest", "Restful Operation"),
        subtype=[_coding(INTERACTION, interaction, interaction)] if interaction else
        [make(Coding, system=code_system("audit-action"), code=row.action)],
        action=code, recorded=ref.instant(row.last_updated),
        outcome=OUTCOME.get(row.outcome, "4"),
        agent=[make(AuditEventAgent, who=ref.actor(row.actor_id), requestor=True,
                    type=ref.concept("actor-role", row.actor_role))],
        source=make(AuditEventSource, observer=make(
            FHIRReference, display="Ankle triage intake")),
        entity=entities)


def _coding(system: str, code: str, display: str) -> Coding:
    return make(Coding, system=system, code=code, display=display)


def _entity(resource_type: str, resource_id: str) -> AuditEventEntity:
    fhir_type = FHIR_TYPE.get(resource_type, resource_type)
    what = ref.reference(fhir_type, resource_id) if fhir_type in SERVED else make(
        FHIRReference, identifier=make(Identifier, system=code_system(
            f"record/{resource_type}"), value=resource_id), display=resource_type)
    return make(AuditEventEntity, what=what, type=_coding(ENTITY_TYPE, "2", "System Object"))


AUDIT_EVENTS = Outbound("AuditEvent", Permission.READ_AUDIT, query, resource,
                        numeric_ids=True, patient_condition=about_patient)
