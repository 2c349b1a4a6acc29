"""When each follow-up of a decision's plan falls due. Plain Python, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class PlannedFollowUp:
    step: int
    kind: str
    purpose: str
    due_at: datetime


def plan_follow_ups(decided_at: datetime, plan: list[dict]) -> list[PlannedFollowUp]:
    """The engine's follow-up plan ("after N days: purpose") as due dates from the decision."""
    return [
        PlannedFollowUp(step=i, kind=item.get("kind", "check_in"), purpose=item["purpose"],
                        due_at=decided_at + timedelta(days=item["after_days"]))
        for i, item in enumerate(plan)
    ]
