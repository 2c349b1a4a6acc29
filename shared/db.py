"""Database engines and sessions. Built by each process's composition root, never at import."""

from __future__ import annotations

import os

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.settings import Settings, get_settings


def _with_driver(url: str, driver: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername=f"postgresql+{driver}").render_as_string(hide_password=False)


def sync_url(url: str) -> str:
    """psycopg 3 for the synchronous workers, the relay and Alembic."""
    return _with_driver(url, "psycopg")


def async_url(url: str) -> str:
    """asyncpg for the intake API: measured about 5x the insert rate of a sync session."""
    return _with_driver(url, "asyncpg")


# Database errors quote their SQL parameters by default; those are patient data, and errors end
# up in logs and task tracebacks. hide_parameters keeps the statement but drops the values.
COMMON_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}


def make_sync_engine(settings: Settings, **kwargs) -> Engine:
    # pre_ping re-establishes connections after a PostgreSQL restart without manual action.
    return create_engine(sync_url(settings.database_url), **COMMON_OPTIONS, **kwargs)


def make_async_engine(settings: Settings) -> AsyncEngine:
    engine = create_async_engine(
        async_url(settings.database_url),
        hide_parameters=True,
        pool_size=settings.db_pool_size,
        # None beyond the pool: an overflow connection is closed when it comes back, so under
        # a burst each request paid for a new connection (bench profile: one in fifteen
        # requests). No request holds two connections at once, so waiting for one is safe.
        max_overflow=0,
    )
    # Instead of pre-ping, which for asyncpg is three round trips (BEGIN, a ping, ROLLBACK)
    # on every checkout: a fifth of the intake API's time per form (bench profile).
    event.listen(engine.sync_engine, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection, _record, _proxy) -> None:
    """asyncpg marks a connection closed as soon as the server closes it (a restart, an
    administrator's terminate) without a round trip; SQLAlchemy then discards it and checks
    out another (its documented pessimistic disconnect handling)."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("PostgreSQL closed this connection")


def async_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def sync_session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


class ProcessEngine:
    """The synchronous engine of one worker process, built on first use in that process.

    A forked Celery pool child must not share its parent's connection pool, so the engine is
    rebuilt whenever the process id differs from the one that built it.
    """

    def __init__(self) -> None:
        self._engine: Engine | None = None
        self._pid: int | None = None

    def __call__(self) -> Engine:
        if self._engine is None or self._pid != os.getpid():
            self._engine, self._pid = make_sync_engine(get_settings()), os.getpid()
        return self._engine
