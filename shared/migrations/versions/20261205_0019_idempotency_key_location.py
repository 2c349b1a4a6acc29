"""idempotency keys name what their request created

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 10:00:00.000000

Written with the key, in the transaction of the effect: a retry whose first answer was never
stored (the API died between its commit and storing the answer) is sent to what was created
(303 See Other) instead of being told the request is still in flight.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('idempotency_keys', sa.Column('location', sa.String(length=300), nullable=True))


def downgrade() -> None:
    op.drop_column('idempotency_keys', 'location')
