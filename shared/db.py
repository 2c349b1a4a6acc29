"""Database engines and sessions. Built by each process's composition root, never at import."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import Session
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.observability.tracing import instrument_engine
from shared.per_process import PerProcess
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
COMMON_OPTIONS = {"hide_parameters": True}
# A connection back in the pool for longer than this is pinged before it is handed out.
IDLE_SECONDS_BEFORE_PING = 1.0
_IDLE_SINCE = "clinic_idle_since"


def make_sync_engine(settings: Settings, **kwargs) -> Engine:
    engine = create_engine(sync_url(settings.database_url), **COMMON_OPTIONS, **kwargs)
    _check_on_checkout(engine, closed=lambda dbapi_connection: dbapi_connection.closed)
    instrument_engine(engine)  # query spans when this process traces
    return engine


def make_async_engine(settings: Settings) -> AsyncEngine:
    engine = create_async_engine(
        async_url(settings.database_url),
        **COMMON_OPTIONS,
        pool_size=settings.db_pool_size,
        # None beyond the pool: an overflow connection is closed when it comes back, so under
        # a burst each request paid for a new connection (bench profile: one in fifteen
        # requests). No request holds two connections at once, so waiting for one is safe.
        max_overflow=0,
    )
    # asyncpg marks a connection closed as soon as the server closes it (a restart, an
    # administrator's terminate), without a round trip.
    _check_on_checkout(engine.sync_engine,
                       closed=lambda dbapi_connection: dbapi_connection.driver_connection
                       .is_closed())
    instrument_engine(engine)
    return engine


def _check_on_checkout(engine: Engine, closed: Callable[[Any], bool]) -> None:
    """Re-establishes connections after a PostgreSQL restart without manual action, as
    pool_pre_ping did, for less: pre-ping pinged at every checkout, for asyncpg three round
    trips (BEGIN, ping, ROLLBACK; a fifth of the API's time per form) and for psycopg one of
    the five per triaged case (bench profiles). Now a connection the driver knows is closed is
    discarded, and one that sat idle is pinged; one returned a moment ago is trusted. If it
    broke in that moment, its work fails like any other transient database error (workers
    retry; the API answers 500 and the client keeps what it sent). Raising DisconnectionError
    here makes the pool discard the connection and take another (SQLAlchemy's documented
    pessimistic disconnect handling)."""
    dialect = engine.dialect

    def mark_idle(_dbapi_connection, record) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def check(dbapi_connection, record, _proxy) -> None:
        # record.info belongs to this DBAPI connection: a new one has no mark and is trusted.
        idle_since = record.info.get(_IDLE_SINCE, time.monotonic())
        idle_for = time.monotonic() - idle_since
        if closed(dbapi_connection) or (idle_for > IDLE_SECONDS_BEFORE_PING
                                        and not _answers(dialect, dbapi_connection)):
            raise DisconnectionError("PostgreSQL closed this connection")

    event.listen(engine, "checkin", mark_idle)
    event.listen(engine, "checkout", check)


def _answers(dialect, dbapi_connection) -> bool:
    try:
        dialect.do_ping(dbapi_connection)
    except Exception:  # noqa: BLE001 - whatever the driver raises, this connection is unusable
        return False
    return True


def async_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def sync_session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


def process_engine() -> PerProcess[Engine]:
    """The synchronous engine of a worker process, built in each process that uses it."""
    return PerProcess(lambda: make_sync_engine(get_settings()))
