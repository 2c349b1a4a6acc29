"""Staff pages write durations as people say them (a routine target read "504 h") and times in
the clinic's zone, named (they were UTC, unlabelled)."""

from datetime import UTC, datetime

import pytest

from services.intake.pages.formatting import clinic_iso, clinic_time, humanise_minutes


@pytest.mark.parametrize(("minutes", "text"), [
    (0, "0 min"), (45, "45 min"), (60, "1 h"), (185, "3 h 5 min"), (24 * 60, "24 h"),
    (3 * 24 * 60 + 4 * 60, "3 days 4 h"), (7 * 24 * 60, "1 week"), (8 * 24 * 60, "8 days"),
    (21 * 24 * 60, "3 weeks"), (30 * 24 * 60 + 120, "4 weeks 2 days"),
])
def test_durations_read_in_the_largest_sensible_units(minutes, text):
    assert humanise_minutes(minutes) == text


def test_every_wait_target_reads_without_hundreds_of_hours():
    from shared.routing import WAIT_TARGETS

    texts = {urgency: humanise_minutes(int(target.total_seconds() // 60))
             for urgency, target in WAIT_TARGETS.items()}

    assert texts == {"emergency": "30 min", "urgent": "24 h", "soon": "1 week",
                     "routine": "3 weeks"}


def test_a_summer_time_is_shown_in_british_summer_time_and_says_so():
    moment = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)

    assert clinic_time(moment, "Europe/London") == "01 Jul 09:30 BST"
    assert clinic_iso(moment, "Europe/London") == "2026-07-01T09:30:00+01:00"


def test_a_winter_time_in_another_clinic_zone_names_that_zone():
    moment = datetime(2026, 1, 15, 23, 30, tzinfo=UTC)

    assert clinic_time(moment, "Europe/London", "%d %b %Y %H:%M") == "15 Jan 2026 23:30 GMT"
    assert clinic_time(moment, "America/New_York") == "15 Jan 18:30 EST"
