"""Search parameters and paged searchset Bundles, for every resource's search.

A route declares its parameters (`SearchParameter`s); `parse_search` refuses any other (and
any modifier), so the CapabilityStatement, which lists the same declarations, is exactly what
is understood. Paging is by `_count` (default 20, at most 100) and `_offset`; the Bundle links
`self` and, while there is more, `next`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from fastapi import Request
from fhirclient.models.bundle import Bundle, BundleEntry, BundleEntrySearch, BundleLink
from fhirclient.models.fhirabstractbase import FHIRAbstractBase
from fhirclient.models.fhirinstant import FHIRInstant
from fhirclient.models.meta import Meta

from services.intake.digits import is_ascii_number
from services.intake.fhir.model import make
from services.intake.fhir.outcomes import BadRequest
from shared.clock import utcnow

DEFAULT_COUNT, MAX_COUNT = 20, 100
PAGING = ("_count", "_offset")
INCLUDE = "_include"
IGNORED = ("_format",)  # always JSON
DATE_PREFIXES = ("eq", "gt", "ge", "lt", "le")
_DATE = re.compile(r"^(?P<prefix>[a-z]{2})?(?P<value>\d{4}(-\d{2}(-\d{2}(T.+)?)?)?)$")


@dataclass(frozen=True)
class SearchParameter:
    name: str
    type: str  # FHIR search parameter type: token, string, date, reference, uri
    documentation: str


@dataclass(frozen=True)
class DateRange:
    """A date search value as the half-open range [start, end) it stands for, and how it
    compares (`prefix`)."""

    prefix: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Page:
    count: int
    offset: int


@dataclass(frozen=True)
class Search:
    values: dict[str, list[str]]  # parameter -> the values given (each may be a, b, c)
    page: Page

    def one(self, name: str) -> str | None:
        given = self.values.get(name, [])
        if len(given) > 1:
            raise BadRequest(f"give the search parameter {name} once", field=name)
        return given[0] if given else None


def parse_search(request: Request, declared: tuple[SearchParameter, ...],
                 given: list[tuple[str, str]] | None = None,
                 includes: tuple[str, ...] = ()) -> Search:
    """The request's query (or `given`, e.g. an If-None-Exist header's) as a Search;
    `_include` is understood when the route names the includes it serves (`Task:patient`)."""
    known = {p.name for p in declared} | ({INCLUDE} if includes else set())
    values: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items() if given is None else given:
        if name in IGNORED:
            continue
        if name not in known and name not in PAGING:
            shown = name if len(name) <= 64 else name[:64] + "…"
            raise BadRequest(f"unknown search parameter or modifier: {shown}", field=shown,
                             code="not-supported")
        if name == INCLUDE and value not in includes:
            raise BadRequest(f"_include may be {', '.join(includes)}", field=INCLUDE,
                             code="not-supported")
        values.setdefault(name, []).append(value)
    return Search(values, Page(_number(values, "_count", DEFAULT_COUNT, 1, MAX_COUNT),
                               _number(values, "_offset", 0, 0, 10_000_000)))


def _number(values: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    given = values.pop(name, [])
    if not given:
        return default
    if len(given) > 1 or not is_ascii_number(given[0]):
        raise BadRequest(f"{name} must be a whole number", field=name)
    return min(max(int(given[0]), low), high)


def date_range(name: str, value: str) -> DateRange:
    """`ge2024-05`, `2024-05-02`, `lt2024-05-02T10:00:00Z`: year, month, day or instant."""
    found = _DATE.match(value)
    if not found or (found["prefix"] or "eq") not in DATE_PREFIXES:
        raise BadRequest(f"{name} must be a date (YYYY, YYYY-MM, YYYY-MM-DD or a date and time "
                         f"with a zone), optionally after one of {', '.join(DATE_PREFIXES)}",
                         field=name)
    text = found["value"]
    try:
        if "T" in text:
            start = datetime.fromisoformat(text)
            if start.tzinfo is None:
                raise ValueError(text)
            end = start + timedelta(seconds=1)
        elif len(text) == 4:
            start, end = _day(date(int(text), 1, 1)), _day(date(int(text) + 1, 1, 1))
        elif len(text) == 7:
            year, month = int(text[:4]), int(text[5:7])
            start = _day(date(year, month, 1))
            end = _day(date(year + month // 12, month % 12 + 1, 1))
        else:
            start = _day(date.fromisoformat(text))
            end = start + timedelta(days=1)
    except ValueError:
        raise BadRequest(f"{name} is not a valid date", field=name) from None
    return DateRange(found["prefix"] or "eq", start, end)


def _day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def date_condition(column, value: DateRange, *, is_date: bool = False):
    """A SQLAlchemy condition on a timestamp (or, `is_date`, a date) column."""
    start, end = (value.start.date(), value.end.date()) if is_date else (value.start, value.end)
    return {"eq": (column >= start) & (column < end), "gt": column >= end,
            "ge": column >= start, "lt": column < start, "le": column < end}[value.prefix]


def token(value: str) -> tuple[str | None, str]:
    """`system|code`, `|code` (no system) or `code` (any system) as (system, code)."""
    if "|" in value:
        system, code = value.split("|", 1)
        return system, code
    return None, value


def reference_id(value: str, resource_type: str) -> str:
    """`Patient/123`, a full URL ending so, or a bare `123`, as the id."""
    parts = value.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] != resource_type:
        raise BadRequest(f"the reference must point to a {resource_type}", field=resource_type)
    return parts[-1]


def searchset(request: Request, page: Page, total: int,
              entries: list[tuple[FHIRAbstractBase, str, float | None]],
              included: list[tuple[FHIRAbstractBase, str]] = ()) -> Bundle:
    """A searchset Bundle of one page: each entry as (resource, its URL, its score), then
    what `_include` added (search mode `include`, not counted in `total`)."""
    links = [make(BundleLink, relation="self", url=str(request.url))]
    if page.offset + page.count < total:
        links.append(make(BundleLink, relation="next", url=_page_url(
            request, page.count, page.offset + page.count)))
    if page.offset > 0:
        links.append(make(BundleLink, relation="previous", url=_page_url(
            request, page.count, max(page.offset - page.count, 0))))
    return make(
        Bundle, type="searchset", total=total, link=links,
        meta=make(Meta, lastUpdated=FHIRInstant(utcnow().isoformat())),
        entry=[make(BundleEntry, fullUrl=url, resource=resource,
                    search=make(BundleEntrySearch, mode="match", score=score))
               for resource, url, score in entries] +
              [make(BundleEntry, fullUrl=url, resource=resource,
                    search=make(BundleEntrySearch, mode="include"))
               for resource, url in included])


def _page_url(request: Request, count: int, offset: int) -> str:
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in PAGING]
    return str(request.url.replace(query=urlencode([*query, ("_count", count),
                                                    ("_offset", offset)])))


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


def resource_url(request: Request, resource_type: str, resource_id: object) -> str:
    return f"{base_url(request)}/{resource_type}/{resource_id}"
