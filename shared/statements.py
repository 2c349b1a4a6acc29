"""INSERT statements built once, with one bind parameter per column, for the hot write paths.

    STATEMENT = insert_row(Case, "case_")                      # at import
    case = new_row(Case, patient_id=patient_id)                # a dict, defaults filled in
    session.connection().execute(STATEMENT, row_parameters(case, "case_"))

Run on the session's connection, in its transaction: through the Session itself an INSERT of
a mapped class takes the ORM's bulk-insert path, which rebuilds what this module builds once.

Why: building and cache-keying an ORM flush or a Core statement for every request, and even
constructing the ORM objects, cost the intake API and the triage worker more than running the
SQL (bench profiles). Several such inserts go in one round trip as data-modifying CTEs
(`insert_row(...).cte(name)`); PostgreSQL checks their foreign keys at the end of the
statement. Identity columns are left to PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.dml import Insert
from sqlmodel import SQLModel


@cache
def _columns(model: type[SQLModel]) -> tuple[str, ...]:
    table = model.__table__
    return tuple(name for name in model.model_fields if table.c[name].identity is None)


@cache
def _defaults(model: type[SQLModel]) -> tuple[tuple[str, Callable[[], Any]], ...]:
    """Each column's default as the model declares it, as a function to call per row."""
    defaults = []
    for name in _columns(model):
        field = model.model_fields[name]
        if field.default_factory is not None:
            defaults.append((name, field.default_factory))
        elif field.default is not PydanticUndefined:
            defaults.append((name, lambda value=field.default: value))
    return tuple(defaults)


def new_row(model: type[SQLModel], **values: Any) -> dict[str, Any]:
    """A row of `model` as a dict: `values`, and the model's defaults for the rest. Unknown
    names are refused, so a typo cannot drop a value silently."""
    unknown = set(values) - set(_columns(model))
    if unknown:
        raise TypeError(f"{model.__name__} has no column(s) {sorted(unknown)}")
    return {**{name: default() for name, default in _defaults(model) if name not in values},
            **values}


def insert_row(model: type[SQLModel], prefix: str) -> Insert:
    """INSERT of one `model` row whose every value is the parameter `prefix` + column name."""
    return insert(model).values({name: bindparam(prefix + name) for name in _columns(model)})


def row_parameters(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The parameters of insert_row(model, prefix) for a new_row(model, ...)."""
    return {prefix + name: value for name, value in row.items()}


class DriverStatement:
    """A statement compiled once for asyncpg and run on the driver's own connection:

        OPEN = DriverStatement(insert_row(Case, "case_"))            # at import
        await OPEN.execute(driver_connection, row_parameters(case, "case_"))

    For the intake API's most frequent write (and the Idempotency-Key claim that may share its
    transaction) only. SQLAlchemy's async execution layer around
    one statement (greenlet hand-offs, BEGIN and COMMIT round trips, result wrapping) cost the
    API more CPU than everything else in the request (bench profile: about 0.8 of 2 ms); the
    driver runs the same SQL for about a third of that. Parameters go through the dialect's
    own bind processors (JSON serialisation), exactly as SQLAlchemy would send them, and the
    connection comes from the engine's pool (services/intake/dependencies.py).
    """

    def __init__(self, statement: Executable):
        dialect = asyncpg_dialect()
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self._names = tuple(compiled.positiontup or ())
        self._processors = tuple(
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in self._names)

    def _arguments(self, parameters: dict[str, Any]) -> list[Any]:
        return [parameters[name] if process is None else process(parameters[name])
                for name, process in zip(self._names, self._processors, strict=True)]

    async def execute(self, driver: Any, parameters: dict[str, Any]) -> None:
        await driver.execute(self.sql, *self._arguments(parameters))

    async def fetchval(self, driver: Any, parameters: dict[str, Any]) -> Any:
        return await driver.fetchval(self.sql, *self._arguments(parameters))
