"""Request-scoped dependencies: the unit of work (the request's one database session and
transaction) and the request id.

Who is asking is resolved in services/intake/auth/dependencies.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import event
from sqlmodel.ext.asyncio.session import AsyncSession

# A request-state key: work that must join the transaction of the request's effect, just
# before it commits: an object with write_before_commit(session) (the Idempotency-Key claim;
# services/intake/idempotency.py).
BEFORE_COMMIT = "before_commit"


async def unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session. Services and routes only flush; this commits once the route has
    returned (before the answer is sent, so a failed commit is the answer), and rolls back if
    it raised."""
    async with request.app.state.session_factory() as session:
        if (work := request.scope.get("state", {}).get(BEFORE_COMMIT)) is not None:
            event.listen(session.sync_session, "before_commit", work.write_before_commit)
        yield session
        await session.commit()


# async, though it awaits nothing: FastAPI runs a plain def dependency in a worker thread.
async def get_request_id(request: Request) -> str:
    return request.state.request_id


SessionDep = Annotated[AsyncSession, Depends(unit_of_work, scope="function")]
RequestIdDep = Annotated[str, Depends(get_request_id)]
