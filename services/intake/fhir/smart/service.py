"""Backend clients and their used assertions in the database. Only the boundary commits."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.models import BackendClient, ClientAssertionUse


async def active_client(session: AsyncSession, client_id: uuid.UUID) -> BackendClient | None:
    client = await session.get(BackendClient, client_id)
    return client if client is not None and client.is_active else None


async def use_assertion(session: AsyncSession, client_id: uuid.UUID, jti: str,
                        expires_at: datetime, forget_before: datetime) -> bool:
    """Records the assertion's jti; False when it was used before (a replay). The primary key
    (client_id, jti) decides, whatever races. Used assertions that expired before
    `forget_before` (their expiry and the clock leeway passed) are dropped: such an assertion
    is refused on its exp anyway."""
    await session.exec(delete(ClientAssertionUse).where(
        col(ClientAssertionUse.client_id) == client_id,
        col(ClientAssertionUse.expires_at) < forget_before))
    inserted = await session.exec(
        insert(ClientAssertionUse).values(client_id=client_id, jti=jti, expires_at=expires_at)
        .on_conflict_do_nothing().returning(col(ClientAssertionUse.jti)))
    return inserted.first() is not None
