"""Deadlines of requests between contact points: UTC inside, local time
outside, daylight-saving nights, calendar days, suspensions."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tromeja.exchange.choices import Urgency
from tromeja.exchange.deadlines import Clock, base_due

LJUBLJANA = "Europe/Ljubljana"
LOCAL = ZoneInfo(LJUBLJANA)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=LOCAL)


def test_urgent_request_at_00_30_on_the_night_summer_time_ends_is_due_8_real_hours_later():
    # 25 October 2026: clocks go back from 03:00 CEST to 02:00 CET.
    received = local(2026, 10, 25, 0, 30)  # CEST, UTC+2
    due = base_due(received, Urgency.URGENT_DIRECT, LJUBLJANA)
    assert due - received == timedelta(hours=8)
    assert due == datetime(2026, 10, 25, 6, 30, tzinfo=UTC)
    # On the wall clock of Ljubljana that is 07:30 (CET): seven hours later.
    assert due.astimezone(LOCAL).strftime("%H:%M %Z") == "07:30 CET"


def test_urgent_request_on_the_night_summer_time_starts():
    # 29 March 2026: clocks go forward from 02:00 CET to 03:00 CEST.
    received = local(2026, 3, 29, 0, 30)
    due = base_due(received, Urgency.URGENT_DIRECT, LJUBLJANA)
    assert due - received == timedelta(hours=8)
    assert due.astimezone(LOCAL).strftime("%H:%M %Z") == "09:30 CEST"


def test_calendar_days_end_with_the_last_day_in_local_time():
    # Received on Friday 27 March 15:00: three days are 28, 29 and 30 March;
    # the deadline is the end of 30 March in Ljubljana (summer time by then).
    received = local(2026, 3, 27, 15, 0)
    due = base_due(received, Urgency.URGENT_INDIRECT, LJUBLJANA)
    assert due.astimezone(LOCAL) == local(2026, 3, 31, 0, 0)
    assert due == datetime(2026, 3, 30, 22, 0, tzinfo=UTC)
    week = base_due(received, Urgency.NOT_URGENT, LJUBLJANA)
    assert week.astimezone(LOCAL) == local(2026, 4, 4, 0, 0)
    # Just before midnight the day of receipt is still that day.
    late = base_due(local(2026, 3, 27, 23, 59), Urgency.URGENT_INDIRECT, LJUBLJANA)
    assert late == due
    # Received in Rome at the same instant: the same days, the same zone rules.
    assert base_due(received, Urgency.URGENT_INDIRECT, "Europe/Rome") == due


def test_a_clarification_stops_the_clock_and_its_arrival_restarts_it():
    received = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    asked = received + timedelta(hours=2)
    clock = Clock.of(received, Urgency.URGENT_DIRECT, LJUBLJANA, [(asked, None)])
    assert clock.suspended and clock.due() is None
    # While it is pending, nothing runs down.
    assert clock.remaining(asked + timedelta(hours=30)) == timedelta(hours=6)
    answered = asked + timedelta(hours=3)
    clock = Clock.of(received, Urgency.URGENT_DIRECT, LJUBLJANA, [(asked, answered)])
    assert clock.due() == received + timedelta(hours=11)
    assert clock.remaining(answered) == timedelta(hours=6)
    assert clock.remaining(answered + timedelta(hours=7)) == timedelta(hours=-1)  # overdue


def test_fraction_used_drives_the_50_and_90_percent_escalations():
    received = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    clock = Clock.of(received, Urgency.URGENT_DIRECT, LJUBLJANA)
    assert clock.fraction_used(received + timedelta(hours=4)) == pytest.approx(0.5)
    assert clock.fraction_used(received + timedelta(hours=7, minutes=12)) == pytest.approx(0.9)
    assert clock.fraction_used(received - timedelta(hours=1)) == 0  # clocks out of step
    paused = Clock.of(
        received,
        Urgency.URGENT_DIRECT,
        LJUBLJANA,
        [(received + timedelta(hours=1), received + timedelta(hours=3))],
    )
    assert paused.fraction_used(received + timedelta(hours=6)) == pytest.approx(0.5)


def test_times_without_a_zone_and_impossible_suspensions_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        base_due(datetime(2026, 5, 4, 8, 0), Urgency.NOT_URGENT, LJUBLJANA)
    received = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="ends before it starts"):
        Clock.of(
            received,
            "urgent_direct",
            LJUBLJANA,
            [(received + timedelta(hours=2), received + timedelta(hours=1))],
        )
    with pytest.raises(ValueError, match="still be open"):
        Clock.of(
            received,
            "urgent_direct",
            LJUBLJANA,
            [(received, None), (received + timedelta(hours=1), None)],
        )
    with pytest.raises(ValueError):
        Clock.of(received, "whenever", LJUBLJANA)
