"""notify delivery: retries with backoff, quiet hours, channel opt-outs

- follow_ups.next_attempt_at: when a dispatcher may next try (quiet hours, backoff); the
  dispatcher's partial index moves from due_at to it.
- follow_ups.attempts, deliveries.attempt: the retry count, per follow-up and per attempt.
- deliveries: at most one "sent" row per follow-up and channel.
- channel_opt_outs: a patient's refusal of a channel, once per patient and channel.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 09:38:21.452642
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('channel_opt_outs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_channel_opt_outs_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_opt_outs')),
    sa.UniqueConstraint('patient_id', 'channel', name='uq_channel_opt_outs_patient_channel')
    )
    op.add_column('deliveries', sa.Column('attempt', sa.Integer(), server_default='1', nullable=False))
    op.create_index('uq_deliveries_sent_once', 'deliveries', ['follow_up_id', 'channel'], unique=True, postgresql_where=sa.text("status = 'sent'"))
    # Existing reminders keep their due time as their first attempt time.
    op.add_column('follow_ups', sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE follow_ups SET next_attempt_at = due_at")
    op.alter_column('follow_ups', 'next_attempt_at', nullable=False)
    op.add_column('follow_ups', sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
    op.drop_index(op.f('ix_follow_ups_due'), table_name='follow_ups', postgresql_where="((status)::text = 'scheduled'::text)")
    op.create_index('ix_follow_ups_next_attempt', 'follow_ups', ['next_attempt_at'], unique=False, postgresql_where=sa.text("status = 'scheduled'"))


def downgrade() -> None:
    op.drop_index('ix_follow_ups_next_attempt', table_name='follow_ups', postgresql_where=sa.text("status = 'scheduled'"))
    op.create_index(op.f('ix_follow_ups_due'), 'follow_ups', ['due_at'], unique=False, postgresql_where=sa.text("status = 'scheduled'"))
    op.drop_column('follow_ups', 'attempts')
    op.drop_column('follow_ups', 'next_attempt_at')
    op.drop_index('uq_deliveries_sent_once', table_name='deliveries', postgresql_where=sa.text("status = 'sent'"))
    op.drop_column('deliveries', 'attempt')
    op.drop_table('channel_opt_outs')
