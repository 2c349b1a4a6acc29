"""FHIR SMART Backend Services: registered backend clients (public keys, grantable scopes) and
the client assertions already used (jti replay protection)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 10:00:00.000000
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'backend_clients',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('jwks', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('scopes', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name='pk_backend_clients'),
    )
    op.create_table(
        'client_assertion_uses',
        sa.Column('client_id', sa.Uuid(), nullable=False),
        sa.Column('jti', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['backend_clients.id'],
                                name='fk_client_assertion_uses_client_id_backend_clients'),
        sa.PrimaryKeyConstraint('client_id', 'jti', name='pk_client_assertion_uses'),
    )
    op.create_index('ix_client_assertion_uses_expires_at', 'client_assertion_uses',
                    ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_client_assertion_uses_expires_at', table_name='client_assertion_uses')
    op.drop_table('client_assertion_uses')
    op.drop_table('backend_clients')
