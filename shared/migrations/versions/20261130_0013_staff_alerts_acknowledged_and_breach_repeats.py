"""staff alerts: acknowledged by a clinician; a breach may repeat (at an interval) for one wait

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 07:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_BREACH = sa.text("kind <> 'breach'")


def upgrade() -> None:
    op.add_column('staff_alerts', sa.Column('acknowledged_at', sa.DateTime(timezone=True),
                                            nullable=True))
    op.add_column('staff_alerts', sa.Column('acknowledged_by', sa.Uuid(), nullable=True))
    op.create_foreign_key(op.f('fk_staff_alerts_acknowledged_by_users'), 'staff_alerts', 'users',
                          ['acknowledged_by'], ['id'])
    # A breach alert repeats for the same wait (same decision), so the once-per-decision rule
    # now holds for event alerts (emergency, escalation) only.
    op.drop_constraint('uq_staff_alerts_once', 'staff_alerts', type_='unique')
    op.create_index('uq_staff_alerts_once', 'staff_alerts', ['kind', 'decision_id', 'recipient_id'],
                    unique=True, postgresql_where=NOT_BREACH)
    op.create_index('ix_staff_alerts_case_kind', 'staff_alerts', ['case_id', 'kind', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_staff_alerts_case_kind', table_name='staff_alerts')
    op.drop_index('uq_staff_alerts_once', table_name='staff_alerts', postgresql_where=NOT_BREACH)
    op.execute("DELETE FROM staff_alerts a USING staff_alerts b WHERE a.kind = b.kind "
               "AND a.decision_id = b.decision_id AND a.recipient_id = b.recipient_id "
               "AND a.created_at > b.created_at")  # repeats, which the old rule cannot hold
    op.create_unique_constraint('uq_staff_alerts_once', 'staff_alerts',
                                ['kind', 'decision_id', 'recipient_id'])
    op.drop_constraint(op.f('fk_staff_alerts_acknowledged_by_users'), 'staff_alerts',
                       type_='foreignkey')
    op.drop_column('staff_alerts', 'acknowledged_by')
    op.drop_column('staff_alerts', 'acknowledged_at')
