"""Quiet hours on the patient's own wall clock, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.notify.schedule import QuietHours, first_allowed, patient_zone, plan_follow_ups
from shared.contracts import StoredFollowUpStep

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
NIGHT = QuietHours(time(21), time(8))


def local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone)


@pytest.mark.parametrize(("zone", "day"), [
    (LONDON, (2026, 3, 29)),  # clocks go forward at 01:00 GMT that morning
    (LONDON, (2026, 10, 25)),  # clocks go back at 02:00 BST that morning
    (NEW_YORK, (2026, 3, 8)),
    (NEW_YORK, (2026, 11, 1)),
])
def test_a_reminder_due_at_three_in_the_morning_goes_at_eight_local_on_a_dst_change_day(zone, day):
    due = local(zone, *day, 3).astimezone(UTC)

    goes = first_allowed(due, zone, NIGHT)

    assert goes.astimezone(zone).replace(tzinfo=None) == datetime(*day, 8)


def test_the_utc_instant_moves_with_the_clock_change():
    before = first_allowed(local(LONDON, 2026, 3, 28, 3).astimezone(UTC), LONDON, NIGHT)
    after = first_allowed(local(LONDON, 2026, 3, 29, 3).astimezone(UTC), LONDON, NIGHT)

    assert before == datetime(2026, 3, 28, 8, tzinfo=UTC)  # GMT
    assert after == datetime(2026, 3, 29, 7, tzinfo=UTC)  # BST is UTC+1


def test_a_reminder_due_in_the_evening_waits_for_the_next_morning():
    due = local(NEW_YORK, 2026, 10, 31, 22, 30)  # the night before New York's clocks go back

    assert first_allowed(due, NEW_YORK, NIGHT) == local(NEW_YORK, 2026, 11, 1, 8)
    # An hour more than the wall clock shows: the clocks go back in the night.
    elapsed = first_allowed(due, NEW_YORK, NIGHT).astimezone(UTC) - due.astimezone(UTC)
    assert elapsed == timedelta(hours=10, minutes=30)  # 9h30 on the wall clock


def test_a_reminder_due_in_the_day_goes_when_it_is_due():
    due = local(LONDON, 2026, 3, 29, 12).astimezone(UTC)

    assert first_allowed(due, LONDON, NIGHT) == due


def test_the_window_edges_start_quiet_and_end_allowed():
    assert first_allowed(local(LONDON, 2026, 6, 1, 8), LONDON, NIGHT) == local(LONDON, 2026, 6, 1, 8)
    assert first_allowed(local(LONDON, 2026, 6, 1, 21), LONDON, NIGHT) == local(LONDON, 2026, 6, 2, 8)
    assert first_allowed(local(LONDON, 2026, 6, 1, 20, 59), LONDON, NIGHT).hour == 20


def test_quiet_hours_are_read_in_the_patients_zone_not_utc():
    due = datetime(2026, 6, 1, 14, tzinfo=UTC)  # 10:00 in New York, 23:00 in Tokyo
    tokyo = ZoneInfo("Asia/Tokyo")

    assert first_allowed(due, NEW_YORK, NIGHT) == due
    assert first_allowed(due, tokyo, NIGHT) == local(tokyo, 2026, 6, 2, 8)


def test_a_window_that_does_not_wrap_midnight_ends_the_same_day():
    lunch = QuietHours(time(12), time(14))

    assert first_allowed(local(LONDON, 2026, 6, 1, 13), LONDON, lunch) == local(LONDON, 2026, 6, 1, 14)


def test_equal_start_and_end_switch_quiet_hours_off():
    off = QuietHours(time(8), time(8))
    due = local(LONDON, 2026, 6, 1, 3)

    assert first_allowed(due, LONDON, off) == due


def test_an_unknown_zone_falls_back_to_the_clinics():
    assert patient_zone("Mars/Olympus_Mons", "Europe/London") == LONDON
    assert patient_zone(None, "Europe/London") == LONDON
    assert patient_zone("America/New_York", "Europe/London") == NEW_YORK


def test_each_step_of_the_plan_falls_due_its_days_after_the_decision():
    decided = datetime(2026, 3, 1, 10, tzinfo=UTC)
    plan = [StoredFollowUpStep(after_days=7, purpose="one week"),
            StoredFollowUpStep(after_days=21, purpose="three", kind="reassess")]

    planned = plan_follow_ups(decided, plan)

    assert [(p.step, p.kind, p.due_at) for p in planned] == [
        (0, "check_in", decided + timedelta(days=7)), (1, "reassess", decided + timedelta(days=21))]


def test_staff_alert_steps_of_a_plan_never_become_patient_reminders():
    decided = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    plan = [StoredFollowUpStep(after_days=0, purpose="alert the clinician on duty",
                               kind="staff_alert"),
            StoredFollowUpStep(after_days=1, purpose="next-day check", kind="check_in")]

    planned = plan_follow_ups(decided, plan)

    assert [(p.step, p.kind) for p in planned] == [(1, "check_in")]
