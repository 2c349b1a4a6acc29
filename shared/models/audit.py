"""Who did what to which patient record, when, from which request (FHIR AuditEvent)."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared.clock import utcnow


class AuditEvent(SQLModel, table=True):
    """Partitioned by month of occurred_at (migration 0016, shared/audit_partitions.py): the key
    includes occurred_at because PostgreSQL's unique constraints must include the partition key."""

    __tablename__ = "audit_events"
    __table_args__ = (
        # NULL or a list: the trail expands the list, and a JSON null would break that.
        sa.CheckConstraint("jsonb_typeof(entities) = 'array'", name="entities_is_a_list"),
        # A patient's trail finds the list reads that showed their records by containment
        # (entities @> '[{"patient_id": ...}]'); only list reads have entities.
        sa.Index("ix_audit_events_entities", "entities", postgresql_using="gin",
                 postgresql_ops={"entities": "jsonb_path_ops"},
                 postgresql_where=sa.text("entities IS NOT NULL")),
        {"postgresql_partition_by": "RANGE (occurred_at)"},
    )

    id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, sa.Identity(), primary_key=True)
    )
    occurred_at: datetime = Field(default_factory=utcnow, sa_column=sa.Column(
        sa.DateTime(timezone=True), primary_key=True, nullable=False))
    actor_id: str = Field(max_length=64)
    actor_role: str = Field(max_length=16)
    action: str = Field(max_length=32)  # read | create | update | ...
    resource_type: str = Field(max_length=32)
    resource_id: str = Field(max_length=64)
    patient_id: uuid.UUID | None = Field(default=None, index=True)
    request_id: str | None = Field(default=None, max_length=64)
    outcome: str = Field(default="success", max_length=16)
    # A read of a list (the queue board, a queue page) is one event: resource_type "List",
    # resource_id the list, and here each record it showed, as
    # {"type": ..., "id": ..., "patient_id": ...} (FHIR AuditEvent.entity). One row per record
    # shown was 250 rows per board refresh, most of the board's server time.
    # none_as_null: other events store SQL NULL, not a JSON null, so the index leaves them out.
    entities: list[dict[str, str]] | None = Field(
        default=None, sa_column=sa.Column(JSONB(none_as_null=True), nullable=True))
