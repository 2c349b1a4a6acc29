"""questionnaire response drafts (saved on the server, resumable) and client identifiers of
responses (conditional create)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 06:30:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'response_drafts',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('patient_id', sa.Uuid(), nullable=False),
        sa.Column('questionnaire', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('questionnaire_version', sqlmodel.sql.sqltypes.AutoString(length=16),
                  nullable=False),
        sa.Column('items', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('author_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['patient_id'], ['patients.id'],
                                name='fk_response_drafts_patient_id_patients'),
        sa.PrimaryKeyConstraint('id', name='pk_response_drafts'),
    )
    op.create_index('ix_response_drafts_patient_id',
                    'response_drafts', ['patient_id'])
    op.create_index('ix_response_drafts_updated_at',
                    'response_drafts', ['updated_at'])
    op.create_table(
        'response_identifiers',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('intake_response_id', sa.Uuid(), nullable=False),
        sa.Column('system', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ['intake_response_id'], ['intake_responses.id'],
            name='fk_response_identifiers_intake_response_id_intake_responses'),
        sa.PrimaryKeyConstraint('id', name='pk_response_identifiers'),
        sa.UniqueConstraint('system', 'value',
                            name='uq_response_identifiers_system_value'),
    )
    op.create_index('ix_response_identifiers_intake_response_id',
                    'response_identifiers', ['intake_response_id'])


def downgrade() -> None:
    op.drop_index('ix_response_identifiers_intake_response_id',
                  table_name='response_identifiers')
    op.drop_table('response_identifiers')
    op.drop_index('ix_response_drafts_updated_at',
                  table_name='response_drafts')
    op.drop_index('ix_response_drafts_patient_id',
                  table_name='response_drafts')
    op.drop_table('response_drafts')
