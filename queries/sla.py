"""The statutory SLA clock: pure functions, `now` always passed in, naive Vietnam local time.

Conventions (docs/sla-clock.md explains each with the legal source):
- working days: the due date is the Nth working day after the day of acceptance (that day not
  counted); a dossier is due until the end of that day. Accepted on a non-working day = accepted
  at the start of the next working day.
- same day: accepted before the cut-off (15:00) -> due that working day, otherwise the next one.
- calendar days: acceptance date + N days; a due date on a non-working day moves to the next
  working day (the Civil Code rule for periods).
- working hours: counted along office hours (08:00-12:00, 13:00-17:00 by default).
- pauses (supplement requests, suspensions) stop the clock; the due date moves by the paused
  working time, rounded up to the end of a working day for day-based procedures.
- an apology letter (Mẫu 04) moves the working deadline to its new date; whether the dossier
  still counts late is ClockPolicy.extension_counts_on_time (default: it does count late).

Every instant is placed on a "working-hour line": W(t) is the number of office hours from the
calendar's first day to t, flat outside office hours. Differences of W are working time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from queries.domain import FINISHED_STATUSES, OpenState, Outcome, Status, TimeUnit
from queries.settings import ClockPolicy
from queries.workcalendar import WorkCalendar

END_OF_DAY = time(23, 59, 59)
# Enum look-ups by value cost more than the rest of a judgement's arithmetic; these are dicts.
_STATUSES: dict[str, Status] = {str(s): s for s in Status}
_UNITS: dict[str, TimeUnit] = {str(u): u for u in TimeUnit}


@dataclass(frozen=True)
class Clock:
    """A calendar and a policy: everything the clock functions need besides the dossier."""

    calendar: WorkCalendar
    policy: ClockPolicy
    # The policy's office hours as minutes and hours per day, worked out once: `position` runs
    # several times per dossier, on every open dossier at every alert tick and every imported row.
    hours_per_day: float = field(init=False, repr=False, compare=False)
    _office: tuple[int, int, int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        (m0, m1), (a0, a1) = self.policy.morning, self.policy.afternoon
        object.__setattr__(self, "hours_per_day", self.policy.hours_per_day)
        object.__setattr__(self, "_office", tuple(t.hour * 60 + t.minute for t in (m0, m1, a0, a1)))

    # --- the working-hour line -------------------------------------------------------------
    def hours_into_day(self, moment: time) -> float:
        minutes = moment.hour * 60 + moment.minute + moment.second / 60
        m0, m1, a0, a1 = self._office
        return (max(0.0, min(minutes, m1) - m0) + max(0.0, min(minutes, a1) - a0)) / 60

    def position(self, moment: datetime) -> float:
        """W(moment): office hours from the calendar's start to `moment`."""
        day = moment.date()
        index, working = self.calendar.locate(day)
        before = index * self.hours_per_day
        if not working:
            return before
        return before + self.hours_into_day(moment.time())

    def instant(self, position: float) -> datetime:
        """The earliest moment at W = position; a whole-day boundary is the previous day's close."""
        per_day = self.hours_per_day
        index = math.floor(position / per_day + 1e-9)
        rest = position - index * per_day
        if rest < 1e-9 and index > 0:
            return datetime.combine(self.calendar.day_at(index - 1), self.policy.afternoon[1])
        day = self.calendar.day_at(index)
        return datetime.combine(day, self._time_at(rest))

    def working_hours(self, start: datetime, end: datetime) -> float:
        return self.position(end) - self.position(start)

    def _time_at(self, hours: float) -> time:
        (m0, m1), a0 = self.policy.morning, self.policy.afternoon[0]
        morning = _span(m0, m1)
        if hours <= morning:
            base, offset = m0, hours
        else:
            base, offset = a0, hours - morning
        moment = datetime.combine(date(2000, 1, 1), base) + timedelta(hours=offset)
        return moment.time().replace(microsecond=0)

    # --- due dates -------------------------------------------------------------------------
    def statutory_due(self, received_at: datetime, unit: TimeUnit | str, value: float) -> datetime:
        """The legal deadline for a dossier accepted at `received_at`."""
        unit = _UNITS.get(unit) or TimeUnit(unit)
        cal = self.calendar
        day = received_at.date()
        if unit is TimeUnit.WORKING_HOURS:
            return self.instant(self.position(received_at) + float(value))
        if unit is TimeUnit.CALENDAR_DAYS:
            target = day + timedelta(days=math.ceil(float(value)))
            return _end_of(cal.first_working_day_from(target))
        days = math.ceil(float(value)) if unit is TimeUnit.WORKING_DAYS else 0
        if days <= 0:  # same day, or a working-day procedure with no time set
            if cal.is_working_day(day) and received_at.time() < self.policy.same_day_cutoff:
                return _end_of(day)
            if cal.is_working_day(day):
                return _end_of(cal.nth_working_day_after(day, 1))
            return _end_of(cal.first_working_day_from(day))
        return _end_of(cal.nth_working_day_after(cal.first_working_day_from(day), days))

    def paused_hours(self, pauses: Iterable[tuple[datetime, datetime | None]], now: datetime) -> float:
        """Working time inside the pauses (merged, open ones counted up to `now`)."""
        if not pauses:
            return 0.0
        total = 0.0
        for start, end in _merge(pauses, now):
            total += max(0.0, self.working_hours(start, end))
        return total

    def shift(self, due: datetime, hours: float) -> datetime:
        """Move a due instant later by working hours; day-level dues stay end-of-day."""
        if hours <= 0:
            return due
        if due.time() == END_OF_DAY:
            moved = self.instant(self.position(due) + hours)
            return _end_of(moved.date())
        return self.instant(self.position(due) + hours)


@dataclass(frozen=True, eq=False)
class _MemoClock(Clock):
    """Clock with position() memoised: 'now' and the end-of-day due instants recur across the
    dossiers of one import or one alert tick."""

    _positions: dict[datetime, float] = field(default_factory=dict, init=False, repr=False)

    def position(self, moment: datetime) -> float:
        found = self._positions.get(moment)
        if found is None:
            if len(self._positions) >= 1_000_000:  # bound the memory of a very large file
                self._positions.clear()
            found = self._positions[moment] = super().position(moment)
        return found


def memoised(clock: Clock) -> Clock:
    """The same clock (same answers), remembering positions: for one pass over many dossiers."""
    return _MemoClock(clock.calendar, clock.policy)


@dataclass(frozen=True)
class DossierClock:
    """What the clock needs to know about one dossier."""

    received_at: datetime
    time_unit: TimeUnit | str
    time_value: float
    status: Status | str
    appointment_due_at: datetime | None = None
    finished_at: datetime | None = None
    pauses: Sequence[tuple[datetime, datetime | None]] = ()
    extension_date: date | None = None
    supplement_count: int = 0


@dataclass(frozen=True)
class Verdict:
    statutory_due: datetime
    base_due: datetime  # appointment (or statutory) plus pauses: the yardstick for lateness
    effective_due: datetime  # base_due moved by an apology letter: the working deadline
    state: Outcome | OpenState
    remaining_days: float  # working days from `now` (or the finish) to effective_due
    elapsed_share: float  # share of the working-time allowance used


def judge(clock: Clock, dossier: DossierClock, now: datetime) -> Verdict:
    """Classify one dossier at `now`: early/on_time/late when finished, else open states."""
    policy = clock.policy
    status = _STATUSES.get(dossier.status) or Status(dossier.status)
    statutory = clock.statutory_due(dossier.received_at, dossier.time_unit, dossier.time_value)
    appointment = dossier.appointment_due_at or statutory
    finished = status in FINISHED_STATUSES and dossier.finished_at is not None
    end = dossier.finished_at if finished and dossier.finished_at else now
    paused = clock.paused_hours(dossier.pauses, end)
    base_due = clock.shift(appointment, paused)
    effective = base_due
    if dossier.extension_date is not None:
        effective = max(base_due, _end_of(dossier.extension_date))
    remaining = clock.working_hours(end, effective) / clock.hours_per_day
    allowance = clock.working_hours(dossier.received_at, appointment)
    used = clock.working_hours(dossier.received_at, end) - paused
    share = used / allowance if allowance > 0 else (1.0 if used > 0 else 0.0)

    state: Outcome | OpenState
    if finished:
        yardstick = effective if policy.extension_counts_on_time else base_due
        if dossier.supplement_count > 1 or end > yardstick:
            state = Outcome.LATE  # the national index counts a second supplement request late
        elif end.date() < yardstick.date():
            state = Outcome.EARLY
        else:
            state = Outcome.ON_TIME
    elif _is_paused(status, dossier.pauses):
        state = OpenState.PAUSED
    elif now > effective:
        state = OpenState.OVERDUE
    elif remaining <= policy.due_soon_days or share >= policy.due_soon_share:
        state = OpenState.DUE_SOON
    else:
        state = OpenState.ON_TRACK
    return Verdict(statutory, base_due, effective, state, remaining, share)


def _is_paused(status: Status, pauses: Sequence[tuple[datetime, datetime | None]]) -> bool:
    return status is Status.AWAITING_SUPPLEMENT or any(end is None for _, end in pauses)


def _merge(
    pauses: Iterable[tuple[datetime, datetime | None]], now: datetime
) -> list[tuple[datetime, datetime]]:
    spans = sorted((start, min(end or now, now)) for start, end in pauses if start < (end or now))
    merged: list[tuple[datetime, datetime]] = []
    for start, end in spans:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _end_of(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY)


def _span(start: time, end: time) -> float:
    return (end.hour * 60 + end.minute - start.hour * 60 - start.minute) / 60
