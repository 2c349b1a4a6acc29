"""The transactional outbox: a message is written in the same transaction as the change it
announces, and the relay publishes it after commit. So a message is never lost because Redis
was away, and never sent for a transaction that rolled back."""

from __future__ import annotations

from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.contracts import Message
from shared.models import OutboxMessage
from shared.observability.tracing import outbox_headers
from shared.statements import new_row


def add_to_outbox(session: Session | AsyncSession, message: Message) -> OutboxMessage:
    row = OutboxMessage(**outbox_row(message))
    session.add(row)
    return row


def outbox_row(message: Message) -> dict:
    """The row's values, for a writer that stores it in a statement of its own
    (shared/statements.py)."""
    return new_row(OutboxMessage, message_id=message.message_id, task_name=message.task_name,
                   queue=message.queue, payload=message.model_dump(mode="json"),
                   headers=outbox_headers())
