"""staff alerts and on-duty clinicians

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 09:58:55.236003
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('staff_alerts',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('decision_id', sa.Uuid(), nullable=False),
    sa.Column('recipient_id', sa.Uuid(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_staff_alerts_case_id_cases')),
    sa.ForeignKeyConstraint(['decision_id'], ['triage_decisions.id'], name=op.f('fk_staff_alerts_decision_id_triage_decisions')),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_staff_alerts_recipient_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_alerts')),
    sa.UniqueConstraint('kind', 'decision_id', 'recipient_id', name='uq_staff_alerts_once')
    )
    op.create_index(op.f('ix_staff_alerts_case_id'), 'staff_alerts', ['case_id'], unique=False)
    op.create_index('ix_staff_alerts_pending', 'staff_alerts', ['created_at'], unique=False, postgresql_where=sa.text("status = 'pending'"))
    op.create_index(op.f('ix_staff_alerts_recipient_id'), 'staff_alerts', ['recipient_id'], unique=False)
    op.create_index('ix_queue_entries_open_due', 'queue_entries', ['due_at'], unique=False, postgresql_where=sa.text("status IN ('requested', 'accepted', 'in-progress')"))
    # Existing accounts start off duty; admins put clinicians on duty.
    op.add_column('users', sa.Column('on_duty', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.alter_column('users', 'on_duty', server_default=None)


def downgrade() -> None:
    op.drop_column('users', 'on_duty')
    op.drop_index('ix_queue_entries_open_due', table_name='queue_entries', postgresql_where=sa.text("status IN ('requested', 'accepted', 'in-progress')"))
    op.drop_index(op.f('ix_staff_alerts_recipient_id'), table_name='staff_alerts')
    op.drop_index('ix_staff_alerts_pending', table_name='staff_alerts', postgresql_where=sa.text("status = 'pending'"))
    op.drop_index(op.f('ix_staff_alerts_case_id'), table_name='staff_alerts')
    op.drop_table('staff_alerts')
