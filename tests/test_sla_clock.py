"""The statutory clock: worked examples from domain.md 2.6, the issue's conventions, properties."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queries.domain import OpenState, Outcome
from queries.settings import ClockPolicy
from queries.sla import Clock, DossierClock, judge, memoised

D = datetime


def due(clock: Clock, received: datetime, unit: str, value: float) -> datetime:
    return clock.statutory_due(received, unit, value)


@pytest.mark.parametrize(
    ("received", "unit", "value", "expected"),
    [
        # domain.md 2.6 A: 3 WD across the 2026 New-Year swap (Fri 2/1 off, Sat 10/1 worked).
        (D(2025, 12, 31, 9), "working_days", 3, D(2026, 1, 7, 23, 59, 59)),
        (D(2025, 12, 31, 9), "working_hours", 24, D(2026, 1, 7, 9)),
        # Received the Friday before Tết 2026: 1 WD lands after the nine-day break.
        (D(2026, 2, 13, 10), "working_days", 1, D(2026, 2, 23, 23, 59, 59)),
        (D(2026, 2, 13, 10), "working_days", 5, D(2026, 2, 27, 23, 59, 59)),
        # Received the Friday before Tết 2025 (Sat 25/1 - Sun 2/2).
        (D(2025, 1, 24, 14), "working_days", 3, D(2025, 2, 5, 23, 59, 59)),
        # Same-day: before 15:00 that day, after 15:00 the next working day (here, after Tết).
        (D(2026, 2, 13, 14, 59), "same_day", 0, D(2026, 2, 13, 23, 59, 59)),
        (D(2026, 2, 13, 15, 0), "same_day", 0, D(2026, 2, 23, 23, 59, 59)),
        # Accepted on a Saturday: treated as accepted Monday morning, Monday not counted.
        (D(2026, 3, 7, 9), "working_days", 2, D(2026, 3, 11, 23, 59, 59)),
        (D(2026, 3, 7, 16), "same_day", 0, D(2026, 3, 9, 23, 59, 59)),
        # Make-up Saturday 22/8/2026 is a working day: counted, and accepted on it is not shifted.
        (D(2026, 8, 21, 9), "working_days", 1, D(2026, 8, 22, 23, 59, 59)),
        # Calendar days: 15 days from Fri 17/4/2026 is Sat 2/5 (off), so Mon 4/5.
        (D(2026, 4, 17, 9), "calendar_days", 15, D(2026, 5, 4, 23, 59, 59)),
        # Working hours skip lunch and the night: 4 h from 11:00 is 16:00.
        (D(2026, 3, 2, 11), "working_hours", 4, D(2026, 3, 2, 16)),
        (D(2026, 3, 2, 16), "working_hours", 2, D(2026, 3, 3, 9)),
    ],
)
def test_it_computes_the_statutory_due(clock: Clock, received, unit, value, expected) -> None:
    assert due(clock, received, unit, value) == expected


def marriage_status(status: str, **extra) -> DossierClock:  # type: ignore[no-untyped-def]
    """domain.md 2.6 B: Xác nhận tình trạng hôn nhân, 3 WD, supplement Tue 10:00 - Mon 10:00."""
    return DossierClock(
        received_at=D(2026, 3, 2, 10),
        time_unit="working_days",
        time_value=3,
        status=status,
        pauses=((D(2026, 3, 3, 10), D(2026, 3, 9, 10)),),
        supplement_count=1,
        **extra,
    )


def test_a_supplement_pause_moves_the_due_by_the_paused_working_days(clock: Clock) -> None:
    verdict = judge(clock, marriage_status("processing"), D(2026, 3, 10, 9))
    assert verdict.statutory_due == D(2026, 3, 5, 23, 59, 59)
    assert verdict.effective_due == D(2026, 3, 11, 23, 59, 59)


def test_finishing_before_the_due_date_is_early(clock: Clock) -> None:
    dossier = marriage_status("completed", finished_at=D(2026, 3, 10, 15))
    assert judge(clock, dossier, D(2026, 3, 20)).state is Outcome.EARLY


def test_finishing_on_the_due_date_is_on_time(clock: Clock) -> None:
    dossier = marriage_status("completed", finished_at=D(2026, 3, 11, 16, 30))
    assert judge(clock, dossier, D(2026, 3, 20)).state is Outcome.ON_TIME


def test_finishing_after_the_due_date_is_late(clock: Clock) -> None:
    dossier = marriage_status("returned", finished_at=D(2026, 3, 12, 8))
    assert judge(clock, dossier, D(2026, 3, 20)).state is Outcome.LATE


def test_a_second_supplement_request_counts_late_whatever_the_dates(clock: Clock) -> None:
    dossier = DossierClock(
        received_at=D(2026, 3, 2, 10),
        time_unit="working_days",
        time_value=3,
        status="completed",
        finished_at=D(2026, 3, 3, 9),
        supplement_count=2,
    )
    assert judge(clock, dossier, D(2026, 3, 20)).state is Outcome.LATE


def test_the_day_before_the_due_is_due_soon(clock: Clock) -> None:
    # domain.md 2.6 C: still processing on Tue 10/3 at 17:00 with the due on Wed 11/3.
    verdict = judge(clock, marriage_status("processing"), D(2026, 3, 10, 17))
    assert verdict.state is OpenState.DUE_SOON
    assert verdict.remaining_days == pytest.approx(1.0)


def test_an_open_dossier_with_time_left_is_on_track(clock: Clock) -> None:
    dossier = DossierClock(D(2026, 3, 2, 10), "working_days", 10, "processing")
    verdict = judge(clock, dossier, D(2026, 3, 3, 10))
    assert verdict.state is OpenState.ON_TRACK
    assert verdict.remaining_days == pytest.approx(9.75)


def test_using_three_quarters_of_the_allowance_is_due_soon_even_with_days_left(clock: Clock) -> None:
    dossier = DossierClock(D(2026, 3, 2, 8), "working_days", 10, "processing")
    verdict = judge(clock, dossier, D(2026, 3, 12, 10))
    assert verdict.remaining_days > 1
    assert verdict.elapsed_share >= 0.75
    assert verdict.state is OpenState.DUE_SOON


def test_past_the_due_is_overdue_with_negative_remaining_days(clock: Clock) -> None:
    dossier = DossierClock(D(2026, 3, 2, 10), "working_days", 3, "processing")
    verdict = judge(clock, dossier, D(2026, 3, 9, 12))
    assert verdict.state is OpenState.OVERDUE
    assert verdict.remaining_days == pytest.approx(-1.5)


def test_awaiting_a_supplement_is_paused_and_the_clock_stands_still(clock: Clock) -> None:
    dossier = DossierClock(
        D(2026, 3, 2, 10), "working_days", 3, "awaiting_supplement", pauses=((D(2026, 3, 3, 10), None),)
    )
    monday = judge(clock, dossier, D(2026, 3, 9, 10))
    a_week_later = judge(clock, dossier, D(2026, 3, 16, 10))
    assert monday.state is a_week_later.state is OpenState.PAUSED
    assert monday.remaining_days == pytest.approx(a_week_later.remaining_days)


def test_an_apology_letter_moves_the_working_deadline_but_lateness_still_counts(clock: Clock) -> None:
    dossier = DossierClock(
        D(2026, 3, 2, 10), "working_days", 3, "processing", extension_date=date(2026, 3, 13)
    )
    open_verdict = judge(clock, dossier, D(2026, 3, 9, 10))
    assert open_verdict.effective_due == D(2026, 3, 13, 23, 59, 59)
    assert open_verdict.state is not OpenState.OVERDUE
    finished = DossierClock(
        D(2026, 3, 2, 10),
        "working_days",
        3,
        "completed",
        finished_at=D(2026, 3, 12, 10),
        extension_date=date(2026, 3, 13),
    )
    assert judge(clock, finished, D(2026, 3, 20)).state is Outcome.LATE
    lenient = Clock(clock.calendar, ClockPolicy(extension_counts_on_time=True))
    assert judge(lenient, finished, D(2026, 3, 20)).state is Outcome.EARLY


def test_the_appointment_date_is_the_yardstick_when_it_differs(clock: Clock) -> None:
    dossier = DossierClock(
        D(2026, 3, 2, 10),
        "working_days",
        3,
        "completed",
        appointment_due_at=D(2026, 3, 4, 23, 59, 59),
        finished_at=D(2026, 3, 5, 9),
    )
    assert judge(clock, dossier, D(2026, 3, 20)).state is Outcome.LATE


# --- properties -------------------------------------------------------------------------------

moments = st.datetimes(min_value=D(2024, 1, 1), max_value=D(2027, 12, 31)).map(
    lambda m: m.replace(microsecond=0)
)
day_units = st.sampled_from(["working_days", "calendar_days", "same_day"])


@settings(max_examples=300, deadline=None)
@given(received=moments, unit=day_units, value=st.integers(0, 40))
def test_a_day_based_due_never_falls_on_a_non_working_day(clock: Clock, received, unit, value) -> None:
    assert clock.calendar.is_working_day(due(clock, received, unit, value).date())


@settings(max_examples=300, deadline=None)
@given(
    received=moments,
    unit=st.sampled_from(["working_days", "calendar_days", "working_hours"]),
    value=st.integers(0, 40),
)
def test_more_working_time_never_gives_an_earlier_due(clock: Clock, received, unit, value) -> None:
    assert due(clock, received, unit, value + 1) >= due(clock, received, unit, value)


@settings(max_examples=300, deadline=None)
@given(received=moments, value=st.integers(1, 30))
def test_a_later_acceptance_never_gives_an_earlier_due(clock: Clock, received, value) -> None:
    later = received + timedelta(hours=5)
    assert due(clock, later, "working_days", value) >= due(clock, received, "working_days", value)


@settings(max_examples=300, deadline=None)
@given(
    received=moments,
    value=st.integers(0, 20),
    unit=st.sampled_from(["working_days", "working_hours", "same_day"]),
    start_after=st.integers(0, 20 * 24),
    length=st.integers(0, 30 * 24),
    now_after=st.integers(0, 60 * 24),
)
def test_a_pause_never_makes_a_dossier_due_sooner(
    clock: Clock, received, value, unit, start_after, length, now_after
) -> None:
    start = received + timedelta(hours=start_after)
    pause = (start, start + timedelta(hours=length))
    now = received + timedelta(hours=now_after)
    plain = judge(clock, DossierClock(received, unit, value, "processing"), now)
    paused = judge(clock, DossierClock(received, unit, value, "processing", pauses=(pause,)), now)
    assert paused.effective_due >= plain.effective_due
    assert paused.remaining_days >= plain.remaining_days - 1e-9


@settings(max_examples=200, deadline=None)
@given(moment=moments, hours=st.floats(0, 200, allow_nan=False))
def test_the_working_hour_line_round_trips(clock: Clock, moment, hours) -> None:
    position = clock.position(moment) + round(hours, 2)
    assert clock.position(clock.instant(position)) == pytest.approx(position, abs=1 / 60)


@settings(max_examples=300, deadline=None)
@given(
    received=moments,
    value=st.integers(0, 20),
    unit=st.sampled_from(["working_days", "working_hours", "same_day", "calendar_days"]),
    status=st.sampled_from(["processing", "completed", "awaiting_supplement"]),
    finish_after=st.integers(0, 40 * 24),
    pause_after=st.one_of(st.none(), st.integers(0, 10 * 24)),
    now_after=st.integers(0, 60 * 24),
)
def test_the_memoised_clock_judges_exactly_as_the_plain_one(
    clock: Clock, received, value, unit, status, finish_after, pause_after, now_after
) -> None:
    """The importer and the alert tick judge with `memoised(clock)`: it must change nothing."""
    memo = memoised(clock)
    pauses = () if pause_after is None else ((received + timedelta(hours=pause_after), None),)
    finished = received + timedelta(hours=finish_after) if status == "completed" else None
    dossier = DossierClock(received, unit, value, status, finished_at=finished, pauses=pauses)
    now = received + timedelta(hours=now_after)
    for _ in range(2):  # the second time from the memo
        assert judge(memo, dossier, now) == judge(clock, dossier, now)
