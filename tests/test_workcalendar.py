"""The working-day calendar against the official 2024-2026 schedules (domain.md 4.2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from queries.workcalendar import CalendarError, build_calendar, load_calendar, read_overrides

OFF_DAYS = [
    # 2025: Tết Sat 25/1 - Sun 2/2, Hùng Kings Mon 7/4, 30/4-1/5 plus the swap day off Fri 2/5,
    # National Day Mon 1 - Tue 2/9.
    *[date(2025, 1, d) for d in range(27, 32)],
    date(2025, 4, 7),
    date(2025, 4, 30),
    date(2025, 5, 1),
    date(2025, 5, 2),
    date(2025, 9, 1),
    date(2025, 9, 2),
    # 2026: New Year Thu 1/1 and the swap day off Fri 2/1 (from the override file), Tết Mon 16 - Fri 20/2,
    # Hùng Kings observed Mon 27/4, 30/4-1/5, the swap day off Mon 31/8, National Day 1-2/9.
    date(2026, 1, 1),
    date(2026, 1, 2),
    *[date(2026, 2, d) for d in range(16, 21)],
    date(2026, 4, 27),
    date(2026, 4, 30),
    date(2026, 5, 1),
    date(2026, 8, 31),
    date(2026, 9, 1),
    date(2026, 9, 2),
]
MAKE_UP_SATURDAYS = [date(2025, 4, 26), date(2026, 1, 10), date(2026, 8, 22)]
ORDINARY_WORKING_DAYS = [date(2026, 2, 13), date(2026, 2, 23), date(2025, 2, 3), date(2026, 4, 28)]


@pytest.fixture(scope="module")
def calendar(clock):  # type: ignore[no-untyped-def]
    return clock.calendar


@pytest.mark.parametrize("day", OFF_DAYS, ids=str)
def test_it_knows_the_official_days_off(calendar, day: date) -> None:
    assert not calendar.is_working_day(day)


@pytest.mark.parametrize("day", MAKE_UP_SATURDAYS, ids=str)
def test_it_counts_make_up_saturdays_as_working_days(calendar, day: date) -> None:
    assert day.weekday() == 5
    assert calendar.is_working_day(day)


@pytest.mark.parametrize("day", ORDINARY_WORKING_DAYS, ids=str)
def test_it_keeps_ordinary_weekdays_working(calendar, day: date) -> None:
    assert calendar.is_working_day(day)


def test_it_counts_three_working_days_across_the_2026_new_year_swap(calendar) -> None:
    # domain.md 2.6 A: the holidays package alone says 6 January; the official calendar says 7.
    assert calendar.nth_working_day_after(date(2025, 12, 31), 3) == date(2026, 1, 7)


def test_it_counts_working_days_between_inclusive_of_the_end(calendar) -> None:
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5
    assert calendar.working_days_between(date(2026, 2, 27), date(2026, 2, 13)) == -5
    assert calendar.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0


def test_an_override_file_adds_a_day_off_and_a_make_up_day_without_code(tmp_path: Path) -> None:
    path = tmp_path / "overrides.csv"
    path.write_text("date,kind,note\n2027-04-29,off,x\n2027-05-08,work,y\n", encoding="utf-8")
    before = build_calendar([])
    after = load_calendar(path)
    assert not after.is_working_day(date(2027, 4, 29))
    assert after.is_working_day(date(2027, 5, 8))
    assert before.is_working_day(date(2027, 5, 10))
    assert len(after.workdays) == len(before.workdays)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("day,kind\n", "header must be date,kind,note"),
        ("date,kind,note\n2026-13-01,off,x\n", ":2: date must be YYYY-MM-DD"),
        ("date,kind,note\n2026-12-01,holiday,x\n", ":2: kind must be 'off' or 'work'"),
    ],
)
def test_it_refuses_a_malformed_override_file_naming_the_line(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "overrides.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CalendarError, match=message):
        read_overrides(path)


def test_it_refuses_dates_outside_its_range(calendar) -> None:
    with pytest.raises(CalendarError):
        calendar.is_working_day(date(2001, 1, 1))
