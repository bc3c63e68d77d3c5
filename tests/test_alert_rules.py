"""The alert rules on both sides of each boundary (domain.md 2.6 B and C as the running example)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from alerts.config import DueSoon, Overdue
from alerts.rules import Alert, Audience, Rule, dossier_alerts, step_alert
from queries.sla import Clock, DossierClock, judge

DUE = datetime(2026, 3, 11, 23, 59, 59)  # 3 WD from Mon 2/3 10:00 plus a 4-day supplement pause
DEFAULT = DueSoon()


def marriage_status(**extra) -> DossierClock:  # type: ignore[no-untyped-def]
    return DossierClock(
        received_at=datetime(2026, 3, 2, 10),
        time_unit="working_days",
        time_value=3,
        status="processing",
        pauses=((datetime(2026, 3, 3, 10), datetime(2026, 3, 9, 10)),),
        supplement_count=1,
        **extra,
    )


def alerts_at(  # type: ignore[no-untyped-def]
    clock: Clock, now: datetime, *, has_apology: bool = False, due_soon: DueSoon = DEFAULT, **extra
) -> set[Alert]:
    verdict = judge(clock, marriage_status(**extra), now)
    return set(dossier_alerts(verdict, has_apology=has_apology, due_soon=due_soon, overdue=Overdue()))


def test_an_on_track_dossier_raises_nothing(clock: Clock) -> None:
    assert alerts_at(clock, datetime(2026, 3, 9, 11)) == set()


def test_the_day_before_the_due_warns_the_handler(clock: Clock) -> None:
    assert alerts_at(clock, datetime(2026, 3, 10, 17)) == {Alert(Rule.DUE_SOON, Audience.HANDLER, DUE)}


def test_past_the_due_tells_the_handler_and_the_chairperson(clock: Clock) -> None:
    assert alerts_at(clock, datetime(2026, 3, 12, 9)) == {
        Alert(Rule.OVERDUE, Audience.HANDLER, DUE),
        Alert(Rule.OVERDUE, Audience.CHAIRPERSON, DUE),
    }


def test_a_working_day_overdue_without_a_letter_escalates_again(clock: Clock) -> None:
    after_a_day = alerts_at(clock, datetime(2026, 3, 13, 8))
    assert Alert(Rule.APOLOGY_MISSING, Audience.CHAIRPERSON, DUE) in after_a_day
    assert Rule.APOLOGY_MISSING not in {a.rule for a in alerts_at(clock, datetime(2026, 3, 12, 16))}


def test_long_overdue_reaches_the_provincial_supervisor(clock: Clock) -> None:
    assert Rule.OVERDUE_LONG not in {a.rule for a in alerts_at(clock, datetime(2026, 3, 18, 16))}
    assert Alert(Rule.OVERDUE_LONG, Audience.SUPERVISOR, DUE) in alerts_at(clock, datetime(2026, 3, 19, 8))


def test_a_weekend_does_not_count_towards_escalation(clock: Clock) -> None:
    # Due Wed 11/3; the following Sat and Sun are not working days: still under 5 days late on Tue.
    assert Rule.OVERDUE_LONG not in {a.rule for a in alerts_at(clock, datetime(2026, 3, 17, 16))}


def test_an_apology_letter_judges_the_dossier_afresh_against_its_new_date(clock: Clock) -> None:
    new_due = datetime(2026, 3, 16, 23, 59, 59)
    moved = alerts_at(clock, datetime(2026, 3, 12, 9), has_apology=True, extension_date=date(2026, 3, 16))
    assert moved == {Alert(Rule.DUE_SOON, Audience.HANDLER, new_due)}  # no longer overdue
    assert alerts_at(clock, datetime(2026, 3, 17, 9), has_apology=True, extension_date=date(2026, 3, 16)) == {
        Alert(Rule.OVERDUE, Audience.HANDLER, new_due),
        Alert(Rule.OVERDUE, Audience.CHAIRPERSON, new_due),
    }


def test_a_procedure_override_warns_earlier_than_the_default(clock: Clock) -> None:
    # Mon 9/3 11:00: two working days and a half left of three, under the 75 % default.
    early = datetime(2026, 3, 9, 11)
    assert alerts_at(clock, early) == set()
    assert alerts_at(clock, early, due_soon=DueSoon(days_left=3.0, share_used=0.9)) == {
        Alert(Rule.DUE_SOON, Audience.HANDLER, DUE)
    }


def test_a_paused_dossier_raises_nothing(clock: Clock) -> None:
    paused = DossierClock(
        datetime(2026, 3, 2, 10),
        "working_days",
        3,
        "awaiting_supplement",
        pauses=((datetime(2026, 3, 3, 10), None),),
    )
    verdict = judge(clock, paused, datetime(2026, 4, 1))
    assert dossier_alerts(verdict, has_apology=False, due_soon=DueSoon(), overdue=Overdue()) == []


@pytest.mark.parametrize(
    ("ended", "now", "fires"),
    [
        (None, datetime(2026, 3, 4, 17, 0, 1), True),
        (None, datetime(2026, 3, 4, 17), False),
        (datetime(2026, 3, 4, 18), datetime(2026, 3, 5), False),
    ],
)
def test_a_running_step_past_its_own_due_alerts_its_handler(ended, now, fires) -> None:  # type: ignore[no-untyped-def]
    due = datetime(2026, 3, 4, 17)
    expected = Alert(Rule.STEP_LATE, Audience.HANDLER, due) if fires else None
    assert step_alert(due, ended, now) == expected
