"""The backlog now, broken down for a commune chairperson: by sector, by procedure, by official, by age.

Same definitions as the period figures (queries/kpis.py), so the parts add up to the cards:
- open: accepted dossiers in states 2, 4, 5, 6 that have not finished;
- overdue: the clock is running (not paused) and the working deadline `due_at` has passed;
- due soon: running and due between now and the cut-off (the end of the 2nd working day);
- paused: awaiting a supplement or suspended (the clock stands still);
- later: the rest (running, due after the cut-off, or without a deadline).

The period of the filters is ignored (the backlog is "now"); unit, sector, procedure and channel
apply, within the user's scope (queries/kpis.py `scope_ids`): an official sees their unit's
backlog by sector, procedure and age, but only their own row of the workload table. Counting
happens in SQL on the partial index of open dossiers; ageing groups the open dossiers by day of
receipt in SQL and only the distinct days go through the working-day calendar.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Date, and_, case, cast, func, select
from sqlalchemy.sql import ColumnElement, Select

from queries.domain import Role
from queries.filters import Filters
from queries.kpis import OPEN, RUNNING, apply_scope, check_official, no_period, scope_ids
from queries.models import Dossier, Official, Procedure, Sector
from queries.scope import Scope
from queries.workcalendar import CalendarError, WorkCalendar

#: Ageing buckets in working days since receipt: (lowest, highest) inclusive; None = no upper bound.
AGE_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 1), (2, 3), (4, 5), (6, 10), (11, 20), (21, None))
#: Roles that hold dossiers: shown in the workload table even with nothing open.
HOLDING_ROLES = (str(Role.RECEIVER), str(Role.HANDLER))


@dataclass(frozen=True)
class BacklogGroup:
    """The backlog of one sector or procedure (all fields None: dossiers without one)."""

    id: int | None
    code: str | None
    name_vi: str | None
    name_en: str | None
    open: int
    overdue: int
    due_soon: int
    paused: int

    @property
    def later(self) -> int:
        return self.open - self.overdue - self.due_soon - self.paused

    def name(self, lang: str) -> str | None:
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class Workload:
    """One official's open dossiers (all identity fields None: dossiers with no handler)."""

    official_id: int | None
    code: str | None
    name: str | None
    role: str | None
    open: int
    overdue: int
    due_soon: int
    paused: int


@dataclass(frozen=True)
class AgeBucket:
    low: int
    high: int | None  # None: and older
    open: int
    overdue: int
    paused: int


@dataclass(frozen=True)
class Ageing:
    buckets: tuple[AgeBucket, ...]
    undated: int  # open dossiers without a receipt time: no age, counted rather than dropped

    @property
    def open(self) -> int:
        return sum(b.open for b in self.buckets) + self.undated


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _state_counts(now: datetime, due_cutoff: datetime) -> list[ColumnElement[Any]]:
    """open, overdue, due soon, paused: the same tests as the cards' backlog figures."""
    running = Dossier.status.in_(RUNNING)
    return [
        func.count(),
        _count(and_(running, Dossier.due_at < now)),
        _count(and_(running, Dossier.due_at >= now, Dossier.due_at <= due_cutoff)),
        _count(Dossier.status.not_in(RUNNING)),
    ]


def _open(stmt: Select) -> Select:
    return stmt.where(Dossier.finished_at.is_(None), Dossier.status.in_(OPEN))


def _groups(
    conn: Connection, filters: Filters, scope: Scope, model: Any, key: Any, now: datetime, cutoff: datetime
) -> list[BacklogGroup]:
    identity = (model.id, model.code, model.name_vi, model.name_en)
    stmt = (
        select(*identity, *_state_counts(now, cutoff))
        .select_from(Dossier)
        .outerjoin(model, model.id == key)
        .group_by(*identity)
    )
    stmt = apply_scope(_open(stmt), scope_ids(conn, filters, scope), filters)
    rows = [BacklogGroup(*row) for row in conn.execute(stmt)]
    rows.sort(key=lambda g: (-g.overdue, -g.open, g.code is None, g.code or ""))
    return rows


def backlog_by_sector(
    conn: Connection, filters: Filters, *, scope: Scope, now: datetime, due_cutoff: datetime
) -> list[BacklogGroup]:
    """Open dossiers per sector, most overdue first."""
    return _groups(conn, filters, scope, Sector, Dossier.sector_id, now, due_cutoff)


def backlog_by_procedure(
    conn: Connection, filters: Filters, *, scope: Scope, now: datetime, due_cutoff: datetime
) -> list[BacklogGroup]:
    """Open dossiers per procedure, most overdue first."""
    return _groups(conn, filters, scope, Procedure, Dossier.procedure_id, now, due_cutoff)


def workload_by_official(
    conn: Connection, filters: Filters, *, scope: Scope, now: datetime, due_cutoff: datetime
) -> list[Workload]:
    """Open dossiers per handler, most overdue first.

    When the filters name a unit, its active receivers and handlers with nothing open are listed
    too (with zeros), so an idle desk shows beside an overloaded one. Dossiers nobody holds form
    one row with no official. An official's scope gets their own row only: a colleague's load
    is their chairperson's business, not theirs.
    """
    identity = (Official.id, Official.code, Official.full_name, Official.role)
    stmt = (
        select(*identity, *_state_counts(now, due_cutoff))
        .select_from(Dossier)
        .outerjoin(Official, Official.id == Dossier.handler_id)
        .group_by(*identity)
    )
    ids = scope_ids(conn, filters, scope, dossier_list=True)
    rows = [Workload(*row) for row in conn.execute(apply_scope(_open(stmt), ids, filters))]
    if ids.unit_id is not None:
        busy = {row.official_id for row in rows}
        idle_stmt = select(*identity).where(
            Official.unit_id == ids.unit_id,
            Official.active.is_(True),
            Official.role.in_(HOLDING_ROLES),
        )
        if ids.handler_id is not None:
            idle_stmt = idle_stmt.where(Official.id == ids.handler_id)
        idle = conn.execute(idle_stmt.order_by(Official.full_name))
        rows += [Workload(*official, 0, 0, 0, 0) for official in idle if official[0] not in busy]
    rows.sort(key=lambda w: (-w.overdue, -w.due_soon, -w.open, w.code is None, w.name or ""))
    return rows


def official_workload(
    conn: Connection, code: str, *, scope: Scope, now: datetime, due_cutoff: datetime
) -> Workload | None:
    """One official's open dossiers (zeros when none); None when the code is unknown.

    OutOfScope for an official the scope does not cover (queries.kpis.check_official); a
    sector-limited supervisor counts only the official's dossiers of those sectors.
    """
    if check_official(conn, code, scope) is None:
        return None
    official = conn.execute(
        select(Official.id, Official.code, Official.full_name, Official.role).where(Official.code == code)
    ).one()
    stmt = _open(select(*_state_counts(now, due_cutoff)).where(Dossier.handler_id == official.id))
    filters = no_period()
    counts = conn.execute(apply_scope(stmt, scope_ids(conn, filters, scope), filters)).one()
    return Workload(*official, *counts)


def day_of(conn: Connection, column: Any) -> ColumnElement[Any]:
    """The calendar date of a timestamp column, in either dialect (SQLite answers 'YYYY-MM-DD')."""
    if conn.dialect.name == "sqlite":
        return func.date(column)
    return cast(column, Date)


def as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def ageing(
    conn: Connection, filters: Filters, *, scope: Scope, calendar: WorkCalendar, now: datetime
) -> Ageing:
    """Open dossiers by working days since receipt (AGE_BUCKETS), with how many are overdue or paused.

    Age = working days in (day of receipt, today]: received today is 0, received yesterday 1,
    received on Friday and counted on Monday 1. A receipt date outside the calendar's years is
    put in the oldest bucket (before) or the youngest (a future date is a data error, not an age).
    """
    received = day_of(conn, Dossier.received_at)
    open_, overdue, _due_soon, paused = _state_counts(now, now)
    stmt = _open(
        select(received, open_, overdue, paused).where(Dossier.received_at.is_not(None)).group_by(received)
    )
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    today = now.date()
    ids = scope_ids(conn, filters, scope)
    for day, *values in conn.execute(apply_scope(stmt, ids, filters)):
        index = _bucket(_age(calendar, as_date(day), today))
        for position, value in enumerate(values):
            totals[index][position] += int(value or 0)
    undated = conn.execute(
        apply_scope(
            _open(select(func.count()).select_from(Dossier).where(Dossier.received_at.is_(None))),
            ids,
            filters,
        )
    ).scalar_one()
    buckets = tuple(AgeBucket(low, high, *totals[i]) for i, (low, high) in enumerate(AGE_BUCKETS))
    return Ageing(buckets=buckets, undated=int(undated))


def _age(calendar: WorkCalendar, received: date, today: date) -> int:
    try:
        return max(0, calendar.working_days_between(received, today))
    except CalendarError:
        return 0 if received > today else 10**6


def _bucket(age: int) -> int:
    for index, (low, high) in enumerate(AGE_BUCKETS):
        if age >= low and (high is None or age <= high):
            return index
    return len(AGE_BUCKETS) - 1
