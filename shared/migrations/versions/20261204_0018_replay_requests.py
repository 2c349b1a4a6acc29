"""replay requests (the governance page's what-if replays of a rule set, issue 20)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 10:00:00.000000

A clinical lead or an admin asks on the page; the triage worker runs the replay and stores its
report here (JSON: counts per queue and urgency, the moved cases, both rule sets).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'replay_requests',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('against', sa.String(length=64), nullable=False),
        sa.Column('requested_by', sa.String(length=64), nullable=False),
        sa.Column('requested_by_role', sa.String(length=16), nullable=False),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('report', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column('problem', sa.String(length=500), nullable=True),
        sa.CheckConstraint("status IN ('requested', 'running', 'done', 'failed')",
                           name=op.f('ck_replay_requests_status')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_replay_requests')),
    )
    op.create_index(op.f('ix_replay_requests_requested_at'), 'replay_requests',
                    ['requested_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_replay_requests_requested_at'), table_name='replay_requests')
    op.drop_table('replay_requests')
