"""Request-scoped dependencies: the database session, the driver connection for the hottest
write, and the request id.

Who is asking is resolved in services/intake/auth/dependencies.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any, Protocol

import asyncpg
from fastapi import Depends, Request
from sqlalchemy import event
from sqlmodel.ext.asyncio.session import AsyncSession

# A request-state key: work that must join the transaction of the request's effect, just
# before it commits (the Idempotency-Key claim does; services/intake/idempotency.py).
BEFORE_COMMIT = "before_commit"


class BeforeCommit(Protocol):
    def write_before_commit(self, session: Any) -> None: ...

    async def write_on_driver(self, driver: asyncpg.Connection) -> None: ...


def _before_commit(request: Request) -> BeforeCommit | None:
    return request.scope.get("state", {}).get(BEFORE_COMMIT)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    # Routes own the transaction: services only flush, the route commits.
    async with request.app.state.session_factory() as session:
        if (work := _before_commit(request)) is not None:
            event.listen(session.sync_session, "before_commit", work.write_before_commit)
        yield session


@asynccontextmanager
async def driver_connection(request: Request) -> AsyncIterator[asyncpg.Connection]:
    """asyncpg's own connection, from the engine's pool, for a shared/statements.py
    DriverStatement. Without a BEFORE_COMMIT claim the block's one statement commits on its
    own; with one, the block and the claim share one transaction. A connection the server
    closed meanwhile is never handed out again (shared/db.py checks at checkout)."""
    async with request.app.state.engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        if (work := _before_commit(request)) is None:
            yield driver
            return
        async with driver.transaction():
            yield driver
            await work.write_on_driver(driver)


# async, though it awaits nothing: FastAPI runs a plain def dependency in a worker thread,
# a thread hand-off per request for a dictionary lookup (bench profile).
async def get_request_id(request: Request) -> str:
    return request.state.request_id


SessionDep = Annotated[AsyncSession, Depends(get_session)]
RequestIdDep = Annotated[str, Depends(get_request_id)]
