"""outbox message headers (the trace context a message carries)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 10:00:00.000000

Each outbox row keeps the W3C trace context of the transaction that wrote it, so the relay can
hand it on in the Celery message's headers (shared/observability/tracing.py). A constant
default: PostgreSQL adds the column without rewriting the table, and writers that do not name
it (older releases during a rolling update) store an empty object.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0017'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('outbox_messages', sa.Column(
        'headers', postgresql.JSONB(astext_type=sa.Text()), nullable=False,
        server_default=sa.text("'{}'::jsonb")))


def downgrade() -> None:
    op.drop_column('outbox_messages', 'headers')
