"""INSERT statements built once, with one bind parameter per column, for the hot write paths.

    STATEMENT = insert_row(Case, "case_")                      # at import
    case = new_row(Case, patient_id=patient_id)                # a dict, defaults filled in
    session.connection().execute(STATEMENT, row_parameters(case, "case_"))

Run on the session's connection, in its transaction: through the Session itself an INSERT of
a mapped class takes the ORM's bulk-insert path. Several such inserts go in one round trip as
data-modifying CTEs (`insert_row(...).cte(name)`); PostgreSQL checks their foreign keys at the
end of the statement. Identity columns are left to PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from pydantic_core import PydanticUndefined
from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert
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
