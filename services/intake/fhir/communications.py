"""CommunicationRequest <- a follow-up owed to a patient (a check-in or reminder of the
decision's plan), Communication <- each attempt to deliver one (email or SMS).

A follow-up is `active` while scheduled, `completed` once sent, `revoked` when cancelled or
when delivery gave up (statusReason says which). A delivery is `completed` when sent,
`stopped` after a transient failure (the follow-up may be tried again) and `not-done` when the
provider refused it. The message text is not stored, so a Communication has no payload; its
reason code (never patient data) is the statusReason."""

from __future__ import annotations

from fhirclient.models.communication import Communication
from fhirclient.models.communicationrequest import (
    CommunicationRequest,
    CommunicationRequestPayload,
)
from sqlalchemy import case, func, select
from sqlmodel import col

from services.intake.auth.permissions import Permission
from services.intake.fhir import references as ref
from services.intake.fhir.model import make
from services.intake.fhir.records import Outbound
from shared.models import Case, Delivery, DeliveryStatus, FollowUp, FollowUpStatus

REQUEST_STATUS = {FollowUpStatus.SCHEDULED.value: "active", FollowUpStatus.SENT.value: "completed",
                  FollowUpStatus.FAILED.value: "revoked",
                  FollowUpStatus.CANCELLED.value: "revoked"}
DELIVERY_STATUS = {DeliveryStatus.SENT.value: "completed",
                   DeliveryStatus.FAILED.value: "stopped",
                   DeliveryStatus.REJECTED.value: "not-done"}


def requests_query():
    return select(
        col(FollowUp.id).label("id"), col(Case.patient_id).label("patient_id"),
        # Changes with each delivery attempt (sent, failed, given up); a cancellation keeps
        # no time of its own, so it does not move it.
        func.greatest(col(FollowUp.created_at), col(FollowUp.sent_at), select(
            func.max(col(Delivery.attempted_at))).where(
            col(Delivery.follow_up_id) == col(FollowUp.id)).scalar_subquery()
        ).label("last_updated"),
        case(REQUEST_STATUS, value=col(FollowUp.status), else_="unknown").label("fhir_status"),
        col(FollowUp.status).label("stored_status"), col(FollowUp.case_id).label("case_id"),
        col(FollowUp.decision_id).label("decision_id"), col(FollowUp.kind).label("kind"),
        col(FollowUp.purpose).label("purpose"), col(FollowUp.due_at).label("due_at"),
        col(FollowUp.attempts).label("attempts"), col(FollowUp.created_at).label("created_at"),
    ).join(Case, col(Case.id) == col(FollowUp.case_id))


def request(row) -> CommunicationRequest:
    reason = {"failed": f"delivery gave up after {row.attempts} attempts",
              "cancelled": "cancelled"}.get(row.stored_status)
    patient = ref.patient(row.patient_id)
    return make(
        CommunicationRequest, id=str(row.id), meta=ref.meta(row.last_updated),
        status=row.fhir_status,
        statusReason=ref.concept("follow-up-status", row.stored_status, reason) if reason
        else None,
        category=[ref.concept("follow-up-kind", row.kind, row.kind.replace("_", " "))],
        subject=patient, recipient=[patient] if row.kind != "staff_alert" else None,
        about=[ref.reference("ClinicalImpression", row.decision_id),
               ref.reference("EpisodeOfCare", row.case_id)],
        payload=[make(CommunicationRequestPayload, contentString=row.purpose)],
        occurrenceDateTime=ref.date_time(row.due_at), authoredOn=ref.date_time(row.created_at))


def deliveries_query():
    return select(
        col(Delivery.id).label("id"), col(Case.patient_id).label("patient_id"),
        col(Delivery.attempted_at).label("last_updated"),
        case(DELIVERY_STATUS, value=col(Delivery.status), else_="unknown").label("fhir_status"),
        col(Delivery.follow_up_id).label("follow_up_id"), col(Delivery.channel).label("channel"),
        col(Delivery.attempt).label("attempt"), col(Delivery.error).label("error"),
        col(FollowUp.case_id).label("case_id"), col(FollowUp.kind).label("kind"),
    ).join(FollowUp, col(FollowUp.id) == col(Delivery.follow_up_id)) \
        .join(Case, col(Case.id) == col(FollowUp.case_id))


def delivery(row) -> Communication:
    sent = row.fhir_status == "completed"
    patient = ref.patient(row.patient_id)
    return make(
        Communication, id=str(row.id), meta=ref.meta(row.last_updated), status=row.fhir_status,
        statusReason=ref.concept("delivery-error", row.error) if row.error else None,
        basedOn=[ref.reference("CommunicationRequest", row.follow_up_id)],
        category=[ref.concept("follow-up-kind", row.kind, row.kind.replace("_", " "))],
        medium=[ref.concept("channel", row.channel, row.channel)],
        subject=patient, recipient=[patient] if row.kind != "staff_alert" else None,
        about=[ref.reference("EpisodeOfCare", row.case_id)],
        sent=ref.date_time(row.last_updated) if sent else None)


REQUESTS = Outbound("CommunicationRequest", Permission.READ_DECISIONS, requests_query, request,
                    statuses=("active", "completed", "revoked"))
DELIVERIES = Outbound("Communication", Permission.READ_DECISIONS, deliveries_query, delivery,
                      statuses=("completed", "stopped", "not-done"))
