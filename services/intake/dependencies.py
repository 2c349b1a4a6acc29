"""Request-scoped dependencies: the database session and the request id.

Who is asking is resolved in services/intake/auth/dependencies.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import event
from sqlmodel.ext.asyncio.session import AsyncSession

# A request-state key: a hook the request's session runs just before it commits (the
# Idempotency-Key claim joins the effect's transaction this way; services/intake/idempotency.py).
BEFORE_COMMIT = "before_commit"


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    # Routes own the transaction: services only flush, the route commits.
    async with request.app.state.session_factory() as session:
        if (hook := request.scope.get("state", {}).get(BEFORE_COMMIT)) is not None:
            event.listen(session.sync_session, "before_commit", hook)
        yield session


# async, though it awaits nothing: FastAPI runs a plain def dependency in a worker thread,
# a thread hand-off per request for a dictionary lookup (bench profile).
async def get_request_id(request: Request) -> str:
    return request.state.request_id


SessionDep = Annotated[AsyncSession, Depends(get_session)]
RequestIdDep = Annotated[str, Depends(get_request_id)]
