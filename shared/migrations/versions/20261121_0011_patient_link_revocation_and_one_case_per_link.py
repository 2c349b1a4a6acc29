"""patient link revocation (a generation per patient), one open pre-visit case per link

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-21 16:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Links issued before this migration carry no generation and read as 0: they keep working
    # until staff revoke them.
    op.add_column('patients', sa.Column('link_generation', sa.Integer(), server_default='0', nullable=False))
    op.add_column('cases', sa.Column('opened_by_link', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.create_index('uq_cases_open_per_link', 'cases', ['opened_by_link'], unique=True,
                    postgresql_where=sa.text("status <> 'closed'"))


def downgrade() -> None:
    op.drop_index('uq_cases_open_per_link', table_name='cases',
                  postgresql_where=sa.text("status <> 'closed'"))
    op.drop_column('cases', 'opened_by_link')
    op.drop_column('patients', 'link_generation')
