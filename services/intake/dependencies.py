"""Request-scoped dependencies: the database session and who is asking."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.audit import Actor


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    # Routes own the transaction: services only flush, the route commits.
    async with request.app.state.session_factory() as session:
        yield session


def get_request_id(request: Request) -> str:
    return request.state.request_id


def get_actor(_request: Request) -> Actor:
    # Until sign-in exists (issue 4) every caller is recorded as unauthenticated.
    return Actor(id="unauthenticated", role="anonymous")


SessionDep = Annotated[AsyncSession, Depends(get_session)]
RequestIdDep = Annotated[str, Depends(get_request_id)]
ActorDep = Annotated[Actor, Depends(get_actor)]
