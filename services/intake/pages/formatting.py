"""How staff pages write durations and times: a wait target reads "3 weeks", not "504 h", and
a time is the clinic's local time with its zone named ("14 Mar 09:30 GMT"), never bare UTC.
(Staff pages are in English; patients' pages use i18n/.)"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def humanise_minutes(minutes: int) -> str:
    """The largest units that say it exactly enough: "45 min", "3 h 5 min", "24 h",
    "3 days 4 h", "1 week", "3 weeks 2 days"."""
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 2 * MINUTES_PER_DAY:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    if minutes < 2 * MINUTES_PER_WEEK and minutes % MINUTES_PER_WEEK:
        days, rest = divmod(minutes, MINUTES_PER_DAY)
        hours = rest // 60
        return f"{_count(days, 'day')} {hours} h" if hours else _count(days, "day")
    weeks, rest = divmod(minutes, MINUTES_PER_WEEK)
    days = rest // MINUTES_PER_DAY
    return f"{_count(weeks, 'week')} {_count(days, 'day')}" if days else _count(weeks, "week")


@lru_cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def clinic_time(moment: datetime | None, zone_name: str, pattern: str = "%d %b %H:%M") -> str:
    """`moment` (aware, any zone) as the clinic's wall-clock time, with the zone's abbreviation
    for that date (GMT or BST in London), so nobody mistakes it for UTC."""
    if moment is None:
        return ""
    local = moment.astimezone(zone(zone_name))
    return f"{local.strftime(pattern)} {local.tzname()}"


def clinic_iso(moment: datetime | None, zone_name: str) -> str:
    """For a <time datetime="..."> attribute: the same instant with the clinic's offset."""
    return moment.astimezone(zone(zone_name)).isoformat() if moment else ""
