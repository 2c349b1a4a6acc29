"""Request-scoped dependencies: the database session and the request id.

Who is asking is resolved in services/intake/auth/dependencies.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    # Routes own the transaction: services only flush, the route commits.
    async with request.app.state.session_factory() as session:
        yield session


def get_request_id(request: Request) -> str:
    return request.state.request_id


SessionDep = Annotated[AsyncSession, Depends(get_session)]
RequestIdDep = Annotated[str, Depends(get_request_id)]
