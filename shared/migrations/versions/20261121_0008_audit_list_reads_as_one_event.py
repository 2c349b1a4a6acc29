"""audit list reads as one event

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 12:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable with no default: PostgreSQL adds the column without rewriting the table.
    op.add_column('audit_events', sa.Column('entities', postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.execute("ALTER TABLE audit_events ADD CONSTRAINT ck_audit_events_entities_is_a_list "
               "CHECK (jsonb_typeof(entities) = 'array') NOT VALID")
    # Every audited write inserts here: checking the old rows and building the index each read
    # the whole table, so they run after the commit, under locks that let inserts go on.
    with op.get_context().autocommit_block():
        op.execute("ALTER TABLE audit_events VALIDATE CONSTRAINT ck_audit_events_entities_is_a_list")
        op.create_index('ix_audit_events_entities', 'audit_events', ['entities'], unique=False, postgresql_using='gin', postgresql_ops={'entities': 'jsonb_path_ops'}, postgresql_where=sa.text('entities IS NOT NULL'), postgresql_concurrently=True)


# Before the column goes, each list read is written out as one event per record it showed (the
# shape before this revision), so going back loses nothing from the append-only trail.
EXPAND_LIST_READS = """
INSERT INTO audit_events (occurred_at, actor_id, actor_role, action, resource_type, resource_id,
                          patient_id, request_id, outcome)
SELECT e.occurred_at, e.actor_id, e.actor_role, e.action, entity ->> 'type', entity ->> 'id',
       (entity ->> 'patient_id')::uuid, e.request_id, e.outcome
FROM audit_events e CROSS JOIN jsonb_array_elements(e.entities) AS entity
WHERE e.entities IS NOT NULL
ORDER BY e.id
"""


def downgrade() -> None:
    op.execute(EXPAND_LIST_READS)
    op.drop_index('ix_audit_events_entities', table_name='audit_events', postgresql_using='gin', postgresql_ops={'entities': 'jsonb_path_ops'}, postgresql_where=sa.text('entities IS NOT NULL'))
    op.drop_constraint(op.f('ck_audit_events_entities_is_a_list'), 'audit_events', type_='check')
    op.drop_column('audit_events', 'entities')
