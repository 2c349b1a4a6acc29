"""Every table, imported in one place so SQLModel.metadata is complete for Alembic."""

from shared.models.audit import AuditEvent
from shared.models.backend_client import BackendClient, ClientAssertionUse
from shared.models.base import SQLModel
from shared.models.case import Case, CaseNote, CaseStatus, IntakeResponse, Observation
from shared.models.cds_hooks import CdsCard, CdsFeedback, CdsIssuer
from shared.models.dead_letter import DeadLetter
from shared.models.followup import Delivery, DeliveryStatus, FollowUp, FollowUpStatus
from shared.models.idempotency import IdempotencyKey
from shared.models.optout import ChannelOptOut
from shared.models.outbox import OutboxMessage
from shared.models.patient import Patient
from shared.models.questionnaire_response import QuestionnaireResponseDraft, ResponseIdentifier
from shared.models.replay import REPLAY_STATUSES, ReplayRequest
from shared.models.staff_alert import StaffAlert
from shared.models.triage import OPEN_QUEUE_STATUSES, QueueEntry, TriageDecision
from shared.models.user import STAFF_ROLES, AuthSession, Role, User

metadata = SQLModel.metadata

__all__ = [
    "OPEN_QUEUE_STATUSES",
    "REPLAY_STATUSES",
    "STAFF_ROLES",
    "AuditEvent",
    "AuthSession",
    "BackendClient",
    "Case",
    "CaseNote",
    "CaseStatus",
    "CdsCard",
    "CdsFeedback",
    "CdsIssuer",
    "ChannelOptOut",
    "ClientAssertionUse",
    "DeadLetter",
    "Delivery",
    "DeliveryStatus",
    "FollowUp",
    "FollowUpStatus",
    "IdempotencyKey",
    "IntakeResponse",
    "Observation",
    "OutboxMessage",
    "Patient",
    "QuestionnaireResponseDraft",
    "QueueEntry",
    "ReplayRequest",
    "ResponseIdentifier",
    "Role",
    "SQLModel",
    "StaffAlert",
    "TriageDecision",
    "User",
    "metadata",
]
