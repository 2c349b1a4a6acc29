"""The clinical leads' override analytics page and its CSV export (governance/overrides.py),
and the what-if replay page of a released rule set (governance/replays.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import RedirectResponse, Response

from services.intake.auth.permissions import Permission
from services.intake.auth.principal import Principal
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.errors import InvalidReference
from services.intake.governance.overrides import OverrideReport, as_csv, override_report
from services.intake.governance.replays import (
    recent_replays,
    replayable,
    request_replay,
    shown_replay,
)
from services.intake.pages.access import staff_page
from services.intake.pages.rendering import render
from shared.audit import Entity, record_list_read
from shared.clock import utcnow

router = APIRouter(include_in_schema=False)
Lead = Annotated[Principal, Depends(staff_page(Permission.READ_GOVERNANCE))]
ReplayLead = Annotated[Principal, Depends(staff_page(Permission.REPLAY_RULE_SET))]
DEFAULT_DAYS = 90


async def _report(session, lead: Principal, request_id: str, start: date | None,
                  end: date | None) -> OverrideReport:
    """The period's report (from `start` to `end`, both included; the last 90 days unless
    given), audited as one read naming every case it counted."""
    end = end or utcnow().date()
    start = start or end - timedelta(days=DEFAULT_DAYS)
    report = await override_report(session, datetime.combine(start, time(), UTC),
                                   datetime.combine(end + timedelta(days=1), time(), UTC))
    record_list_read(session, lead.actor, f"governance-overrides:{start}:{end}",
                     [Entity("Case", case, patient) for case, patient in sorted(report.cases)],
                     request_id=request_id)
    return report


@router.get("/staff/governance/overrides")
async def overrides_page(request: Request, session: SessionDep, lead: Lead,
                         request_id: RequestIdDep, start: Annotated[date | None, Query()] = None,
                         end: Annotated[date | None, Query()] = None):
    report = await _report(session, lead, request_id, start, end)
    return render(request, "governance_overrides.html", principal=lead, report=report,
                  start=report.start.date(), end=(report.end - timedelta(days=1)).date())


@router.get("/staff/governance/overrides.csv")
async def overrides_csv(session: SessionDep, lead: Lead, request_id: RequestIdDep,
                        start: Annotated[date | None, Query()] = None,
                        end: Annotated[date | None, Query()] = None) -> Response:
    report = await _report(session, lead, request_id, start, end)
    name = f"overrides-{report.start.date()}-{(report.end - timedelta(days=1)).date()}.csv"
    return Response(as_csv(report), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/staff/governance/replays")
async def replays_page(request: Request, session: SessionDep, lead: ReplayLead,
                       request_id: RequestIdDep, shown: Annotated[uuid.UUID | None, Query()] = None):
    return await _replays(request, session, lead, request_id, shown)


async def _replays(request: Request, session, lead: Principal, request_id: str,
                   shown: uuid.UUID | None, error: str | None = None, status_code: int = 200):
    """The form, the recent requests, and one request's report (the latest unless chosen)."""
    listed = await recent_replays(session)
    shown = shown or (listed[0].id if listed else None)
    replay = await shown_replay(session, shown, lead.actor, request_id) if shown else None
    return render(request, "governance_replays.html", status_code=status_code, principal=lead,
                  listed=listed, replay=replay, rule_sets=replayable(), error=error)


@router.post("/staff/governance/replays")
async def request_replay_page(request: Request, session: SessionDep, lead: ReplayLead,
                              request_id: RequestIdDep):
    against = str((await request.form()).get("against", ""))
    try:
        replay = await request_replay(session, against, lead.actor, request_id)
    except InvalidReference as problem:
        return await _replays(request, session, lead, request_id, None, error=problem.message,
                              status_code=problem.status_code)
    return RedirectResponse(f"/staff/governance/replays?shown={replay.id}",
                            status_code=status.HTTP_303_SEE_OTHER)
