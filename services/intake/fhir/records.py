"""Reading and searching the outbound resources (EpisodeOfCare, Observation, ClinicalImpression,
RiskAssessment, ServiceRequest, Task, CommunicationRequest, Communication, AuditEvent) the same
way: each resource's mapping module declares an `Outbound`, a query whose rows carry the
columns every search needs (`id`, `patient_id`, `last_updated`, `fhir_status`, the FHIR status
worked out in SQL so `status=` filters and pages in the database) and a function turning a row
into the typed resource.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fhirclient.models.fhirabstractbase import FHIRAbstractBase
from sqlalchemy import Select, func, literal, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.auth.permissions import Permission
from services.intake.digits import is_ascii_number
from services.intake.fhir.outcomes import BadRequest
from services.intake.fhir.search import (
    Page,
    Search,
    SearchParameter,
    date_condition,
    date_range,
    reference_id,
)

ID = SearchParameter("_id", "token", "The resource's id")
PATIENT = SearchParameter("patient", "reference", "The patient the resource is about: "
                          "Patient/<id> or <id>")
LAST_UPDATED = SearchParameter("_lastUpdated", "date", "When the resource last changed; eq, gt, "
                               "ge, lt, le")


def status_parameter(statuses: tuple[str, ...]) -> SearchParameter:
    return SearchParameter("status", "token", "One of " + ", ".join(statuses) + " (a, b: either)")


@dataclass(frozen=True)
class Outbound:
    type: str
    # Who may read it (auth/permissions.py), as the REST API's views show each role.
    permission: Permission
    query: Callable[[], Select]
    resource: Callable[[Any], FHIRAbstractBase]
    statuses: tuple[str, ...] = ()
    # Resource types `_include` may add, by the include's name (Task:patient).
    includes: tuple[str, ...] = ()
    numeric_ids: bool = False  # audit events are numbered, every other record has a UUID
    extra_search: tuple[SearchParameter, ...] = ()
    patient_condition: Callable[[Any, list], Any] | None = field(default=None)

    @property
    def search(self) -> tuple[SearchParameter, ...]:
        status = (status_parameter(self.statuses),) if self.statuses else ()
        return (ID, PATIENT, *status, LAST_UPDATED, *self.extra_search)


def record_id(spec: Outbound, value: str) -> Any:
    """The stored id a FHIR id stands for; None when no record could have it."""
    if spec.numeric_ids:
        return int(value) if is_ascii_number(value) and len(value) < 19 else None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def read(session: AsyncSession, spec: Outbound, resource_id: str) -> Any:
    rows = spec.query().subquery()
    wanted = record_id(spec, resource_id)
    if wanted is None:
        return None
    return (await session.exec(select(rows).where(rows.c.id == wanted))).first()


async def search(session: AsyncSession, spec: Outbound, search: Search,
                 patient_only: uuid.UUID | None) -> tuple[list, int]:
    """One page of the rows matching, newest change first, and how many match in all."""
    rows = spec.query().subquery()
    query = select(rows)
    if patient_only is not None:  # a patient's token finds only that patient's records
        query = query.where(rows.c.patient_id == patient_only)
    for name, values in search.values.items():
        for value in values:
            query = query.where(_condition(spec, rows, name, value))
    total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()[0]
    found = (await session.exec(query.order_by(rows.c.last_updated.desc(), rows.c.id)
                                .limit(search.page.count).offset(search.page.offset))).all()
    return list(found), total


def _condition(spec: Outbound, rows, name: str, value: str):
    alternatives = [v for v in value.split(",") if v]
    if not alternatives:
        raise BadRequest(f"{name} needs a value", field=name)
    if name == "_id":
        return rows.c.id.in_([record_id(spec, v) for v in alternatives])
    if name == "patient":
        ids = [patient_uuid(v) for v in alternatives]
        return spec.patient_condition(rows, ids) if spec.patient_condition \
            else rows.c.patient_id.in_(ids)
    if name == "status":
        unknown = set(alternatives) - set(spec.statuses)
        if unknown:
            raise BadRequest(f"status must be one of {', '.join(spec.statuses)}", field="status")
        return rows.c.fhir_status.in_(alternatives)
    if name == "_lastUpdated":
        return date_condition(rows.c.last_updated, date_range(name, value))
    if name == "_include":
        return literal(True)  # not a filter: the route adds what it names
    raise BadRequest(f"unknown search parameter: {name}", field=name)


def patient_uuid(value: str) -> uuid.UUID | None:
    """`Patient/<id>`, a URL ending so, or `<id>`, as the id; None when no patient has it."""
    try:
        return uuid.UUID(reference_id(value, "Patient"))
    except ValueError:
        return None


__all__ = ["Outbound", "Page", "read", "search", "status_parameter"]
