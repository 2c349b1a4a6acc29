"""casework: claims, route history, notes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 09:50:07.198085
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('case_notes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_notes_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notes'))
    )
    op.create_index(op.f('ix_case_notes_case_id'), 'case_notes', ['case_id'], unique=False)
    op.add_column('queue_entries', sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('queue_entries', sa.Column('previous_queue', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    op.add_column('queue_entries', sa.Column('previous_urgency', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))
    # Decisions made before this migration were all asked for by a submitted form.
    op.add_column('triage_decisions', sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False, server_default='intake_submitted'))
    op.alter_column('triage_decisions', 'trigger', server_default=None)
    op.add_column('triage_decisions', sa.Column('author_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column('triage_decisions', 'author_id')
    op.drop_column('triage_decisions', 'trigger')
    op.drop_column('queue_entries', 'previous_urgency')
    op.drop_column('queue_entries', 'previous_queue')
    op.drop_column('queue_entries', 'claimed_at')
    op.drop_index(op.f('ix_case_notes_case_id'), table_name='case_notes')
    op.drop_table('case_notes')
