"""When each follow-up of a decision's plan falls due, and when a patient may be contacted.

Plain Python, no I/O. Times are timezone-aware; quiet hours are read on the patient's own
wall clock, so they follow daylight-saving changes in the patient's zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared.contracts import StoredFollowUpStep


@dataclass(frozen=True)
class PlannedFollowUp:
    step: int
    kind: str
    purpose: str
    due_at: datetime


# Plan steps meant for staff, not the patient (the engine adds one to emergency decisions):
# they are alerts to the clinician on duty, never a patient reminder.
STAFF_KINDS = frozenset({"staff_alert"})


def plan_follow_ups(decided_at: datetime,
                    plan: Iterable[StoredFollowUpStep]) -> list[PlannedFollowUp]:
    """The patient-facing steps of the engine's follow-up plan ("after N days: purpose") as due
    dates from the decision. A step keeps its position in the plan as its number."""
    return [
        PlannedFollowUp(step=i, kind=item.kind, purpose=item.purpose,
                        due_at=decided_at + timedelta(days=item.after_days))
        for i, item in enumerate(plan)
        if item.kind not in STAFF_KINDS
    ]


@dataclass(frozen=True)
class QuietHours:
    """Local wall-clock hours with no messages. The window may wrap midnight (21:00-08:00)."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start == self.end:  # an empty window: quiet hours are switched off
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


def patient_zone(name: str | None, fallback: str) -> ZoneInfo:
    """The patient's zone, or the clinic's when the record holds no valid zone name."""
    try:
        return ZoneInfo(name) if name else ZoneInfo(fallback)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(fallback)


def first_allowed(at: datetime, zone: ZoneInfo, quiet: QuietHours) -> datetime:
    """`at` itself, or the end of the quiet hours it falls in, on the patient's wall clock."""
    local = at.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    if not quiet.contains(wall):
        return at
    day = local.date()
    if quiet.start > quiet.end and wall >= quiet.start:  # the evening part ends tomorrow
        day += timedelta(days=1)
    # Built from the wall-clock date and time, so a DST change that night moves it with the
    # clock. An end inside a spring-forward gap resolves to the instant just after the gap.
    return datetime.combine(day, quiet.end, tzinfo=zone).astimezone(at.tzinfo)
