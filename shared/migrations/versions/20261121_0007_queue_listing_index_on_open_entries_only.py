"""queue listing index on open entries only

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 10:58:33.728204
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index(op.f('ix_queue_entries_listing'), table_name='queue_entries')
    op.create_index('ix_queue_entries_listing', 'queue_entries', ['queue', sa.literal_column('urgency_rank DESC'), 'entered_at'], unique=False, postgresql_where=sa.text("status IN ('requested', 'accepted', 'in-progress')"))


def downgrade() -> None:
    op.drop_index('ix_queue_entries_listing', table_name='queue_entries', postgresql_where=sa.text("status IN ('requested', 'accepted', 'in-progress')"))
    op.create_index(op.f('ix_queue_entries_listing'), 'queue_entries', ['queue', 'status', sa.literal_column('urgency_rank DESC'), 'entered_at'], unique=False)
