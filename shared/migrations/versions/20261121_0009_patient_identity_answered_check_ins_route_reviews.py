"""patient identity, check-ins answered once, engine decisions awaiting a clinician

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 13:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENERATED_RECORD_NUMBER = "'MRN' || lpad(nextval('patient_record_numbers')::text, 7, '0')"


def upgrade() -> None:
    # Sex and record number: the second and third identifiers every staff page shows beside the
    # name and date of birth. Existing patients get "unknown" and a generated record number
    # (the volatile default is evaluated for each existing row).
    op.add_column('patients', sa.Column('sex', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='unknown', nullable=False))
    op.create_check_constraint(op.f('ck_patients_sex_is_administrative_gender'), 'patients',
                               "sex IN ('female', 'male', 'other', 'unknown')")
    op.execute("CREATE SEQUENCE patient_record_numbers")
    op.add_column('patients', sa.Column('record_number', sqlmodel.sql.sqltypes.AutoString(length=32), server_default=sa.text(GENERATED_RECORD_NUMBER), nullable=False))
    # Owned by the column: dropped with it, and restarted by TRUNCATE ... RESTART IDENTITY.
    op.execute("ALTER SEQUENCE patient_record_numbers OWNED BY patients.record_number")
    op.create_unique_constraint(op.f('uq_patients_record_number'), 'patients', ['record_number'])

    # A check-in answer names its follow-up, once: the unique key is what refuses a second.
    op.add_column('intake_responses', sa.Column('follow_up_id', sa.Uuid(), nullable=True))
    op.create_unique_constraint(op.f('uq_intake_responses_follow_up_id'), 'intake_responses', ['follow_up_id'])
    op.create_foreign_key(op.f('fk_intake_responses_follow_up_id_follow_ups'), 'intake_responses', 'follow_ups', ['follow_up_id'], ['id'])

    op.add_column('queue_entries', sa.Column('review_decision_id', sa.Uuid(), nullable=True))
    op.create_foreign_key(op.f('fk_queue_entries_review_decision_id_triage_decisions'), 'queue_entries', 'triage_decisions', ['review_decision_id'], ['id'])


def downgrade() -> None:
    op.drop_constraint(op.f('fk_queue_entries_review_decision_id_triage_decisions'), 'queue_entries', type_='foreignkey')
    op.drop_column('queue_entries', 'review_decision_id')
    op.drop_constraint(op.f('fk_intake_responses_follow_up_id_follow_ups'), 'intake_responses', type_='foreignkey')
    op.drop_constraint(op.f('uq_intake_responses_follow_up_id'), 'intake_responses', type_='unique')
    op.drop_column('intake_responses', 'follow_up_id')
    op.drop_constraint(op.f('uq_patients_record_number'), 'patients', type_='unique')
    op.drop_column('patients', 'record_number')  # drops the sequence it owns
    op.drop_constraint(op.f('ck_patients_sex_is_administrative_gender'), 'patients', type_='check')
    op.drop_column('patients', 'sex')
