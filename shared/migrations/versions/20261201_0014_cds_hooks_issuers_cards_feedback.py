"""CDS Hooks: the EHRs allowed to call (issuers and their keys), the cards returned, and the
clinicians' feedback on them

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 09:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'cds_issuers',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('iss', sa.String(length=255), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('jwks', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('jku_allowlist', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cds_issuers')),
        sa.UniqueConstraint('iss', name=op.f('uq_cds_issuers_iss')),
    )
    op.create_table(
        'cds_cards',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('service_id', sa.String(length=64), nullable=False),
        sa.Column('hook', sa.String(length=64), nullable=False),
        sa.Column('hook_instance', sa.String(length=64), nullable=False),
        sa.Column('issuer', sa.String(length=255), nullable=False),
        sa.Column('patient_id', sa.Uuid(), nullable=True),
        sa.Column('case_id', sa.Uuid(), nullable=True),
        sa.Column('decision_id', sa.Uuid(), nullable=True),
        sa.Column('indicator', sa.String(length=16), nullable=False),
        sa.Column('advice', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('suggestion_ids', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_cds_cards_case_id_cases')),
        sa.ForeignKeyConstraint(['decision_id'], ['triage_decisions.id'],
                                name=op.f('fk_cds_cards_decision_id_triage_decisions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cds_cards')),
    )
    op.create_index(op.f('ix_cds_cards_case_id'), 'cds_cards', ['case_id'])
    op.create_index(op.f('ix_cds_cards_patient_id'), 'cds_cards', ['patient_id'])
    op.create_table(
        'cds_feedback',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('card_id', sa.Uuid(), nullable=False),
        sa.Column('service_id', sa.String(length=64), nullable=False),
        sa.Column('case_id', sa.Uuid(), nullable=True),
        sa.Column('decision_id', sa.Uuid(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('accepted_suggestions', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('override_reason_system', sa.String(length=255), nullable=True),
        sa.Column('override_reason_code', sa.String(length=64), nullable=True),
        sa.Column('override_reason_display', sa.String(length=255), nullable=True),
        sa.Column('user_comment', sa.String(length=2000), nullable=True),
        sa.Column('issuer', sa.String(length=255), nullable=False),
        sa.Column('user_id', sa.String(length=255), nullable=True),
        sa.Column('outcome_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['card_id'], ['cds_cards.id'],
                                name=op.f('fk_cds_feedback_card_id_cds_cards')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_cds_feedback_case_id_cases')),
        sa.ForeignKeyConstraint(['decision_id'], ['triage_decisions.id'],
                                name=op.f('fk_cds_feedback_decision_id_triage_decisions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cds_feedback')),
        sa.UniqueConstraint('card_id', 'outcome', name='uq_cds_feedback_card_outcome'),
    )
    op.create_index(op.f('ix_cds_feedback_card_id'), 'cds_feedback', ['card_id'])
    op.create_index(op.f('ix_cds_feedback_case_id'), 'cds_feedback', ['case_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_cds_feedback_case_id'), table_name='cds_feedback')
    op.drop_index(op.f('ix_cds_feedback_card_id'), table_name='cds_feedback')
    op.drop_table('cds_feedback')
    op.drop_index(op.f('ix_cds_cards_patient_id'), table_name='cds_cards')
    op.drop_index(op.f('ix_cds_cards_case_id'), table_name='cds_cards')
    op.drop_table('cds_cards')
    op.drop_table('cds_issuers')
