"""Data-quality checks: dossiers that would make the figures wrong or hurt the national index.

Each check is one SQL condition over `dossiers` (docs/sla-clock.md, domain.md 1.6-1.7 and 2.5):

| check               | the dossier…                                                  | period by  |
|---------------------|---------------------------------------------------------------|------------|
| no_procedure        | has no procedure: the clock has no time limit to count        | received   |
| no_receipt          | is accepted but has no receipt time: the clock cannot start   | received   |
| late_appointment    | was given an appointment later than the statutory due         | received   |
|                     | (a hidden delay: the citizen was told a date the law does     |            |
|                     | not allow, and the index measures against that appointment)   |            |
| repeat_supplement   | had more than one supplement request: the index counts it late| finished   |
| late_no_apology     | finished after its deadline, or is open and overdue now, and  | finished   |
|                     | has no apology letter (Mẫu 04, Decree 61: due before the      |            |
|                     | deadline)                                                     |            |
| no_digitized_result | has a result (states 9-10) that was not digitized             | finished   |

Only accepted dossiers are checked: states 1 (submitted online, not accepted) and 3 (refused)
never start the clock and the index does not count them.

The period applies to the date the check is about: the receipt for what happens at reception,
the end of processing for what the index judges when a dossier finishes. A dossier without that
date is always included: one with no receipt time cannot be placed in any period and must not
be silently dropped, and open dossiers (no end yet) are the backlog now, as the index counts
dossiers in process in the current period.

An unknown unit cannot happen: `dossiers.unit_id` is NOT NULL with a foreign key to `units`, so
the database refuses such a row (the importer rejects it with its reason).

"Late without an apology letter" compares the end (or now) with the stored working deadline,
which without a letter is the appointment plus the closed pauses: a dossier counted late only
for its second supplement request is in `repeat_supplement`, not here, as it owes no apology for
time.

The counts per unit follow the user's scope like the cards (an official sees their unit's);
the lists of failing dossiers are lists, so an official's hold only the dossiers they hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import ColumnElement, Select

from queries.domain import OPEN_STATUSES, PAUSED_STATUSES, Status
from queries.filters import Filters
from queries.kpis import apply_scope, period_bounds, scope_ids
from queries.models import ApologyLetter, Dossier, Procedure, Unit
from queries.scope import Scope

CHECKS = (
    "no_procedure",
    "no_receipt",
    "late_appointment",
    "repeat_supplement",
    "late_no_apology",
    "no_digitized_result",
)
PERIOD_BY = {
    "no_procedure": "received",
    "no_receipt": "received",
    "late_appointment": "received",
    "repeat_supplement": "finished",
    "late_no_apology": "finished",
    "no_digitized_result": "finished",
}
NOT_ACCEPTED = [str(Status.SUBMITTED), str(Status.REFUSED)]
RUNNING = [str(s) for s in OPEN_STATUSES - PAUSED_STATUSES]
WITH_RESULT = [str(Status.COMPLETED), str(Status.RETURNED)]


class UnknownCheck(ValueError):
    def __init__(self, check: str) -> None:
        super().__init__(f"unknown data-quality check {check!r} (use one of {', '.join(CHECKS)})")
        self.check = check


@dataclass(frozen=True)
class UnitQuality:
    """How many dossiers of one unit fail each check; `any_check` counts each dossier once."""

    unit_id: int
    unit_code: str
    unit_name_vi: str
    unit_name_en: str
    no_procedure: int
    no_receipt: int
    late_appointment: int
    repeat_supplement: int
    late_no_apology: int
    no_digitized_result: int
    any_check: int

    def count(self, check: str) -> int:
        return int(getattr(self, check))


@dataclass(frozen=True)
class QualityRow:
    """One dossier behind a check, with what a reader needs to find and judge it."""

    id: int
    code: str
    unit_code: str
    unit_name_vi: str
    unit_name_en: str
    procedure_code: str | None
    procedure_name_vi: str | None
    procedure_name_en: str | None
    status: str
    channel: str
    received_at: datetime | None
    statutory_due_at: datetime | None
    appointment_due_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    supplement_count: int


def _condition(check: str, filters: Filters, now: datetime) -> ColumnElement[bool]:
    """The check's condition, its period included (accepted states are required by the caller)."""
    start, end = period_bounds(filters)

    def in_period(column: Any) -> ColumnElement[bool]:
        return or_(column.is_(None), and_(column >= start, column < end))

    no_letter = not_(exists().where(ApologyLetter.dossier_id == Dossier.id))
    conditions: dict[str, ColumnElement[bool]] = {
        "no_procedure": Dossier.procedure_id.is_(None),
        "no_receipt": Dossier.received_at.is_(None),
        "late_appointment": Dossier.appointment_due_at > Dossier.statutory_due_at,
        "repeat_supplement": Dossier.supplement_count > 1,
        "late_no_apology": and_(
            or_(
                and_(Dossier.outcome.is_not(None), Dossier.finished_at > Dossier.due_at),
                and_(Dossier.finished_at.is_(None), Dossier.status.in_(RUNNING), Dossier.due_at < now),
            ),
            no_letter,
        ),
        "no_digitized_result": and_(Dossier.status.in_(WITH_RESULT), Dossier.digitized_result.is_(False)),
    }
    if check not in conditions:
        raise UnknownCheck(check)
    column = Dossier.received_at if PERIOD_BY[check] == "received" else Dossier.finished_at
    return and_(conditions[check], in_period(column))


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def quality_by_unit(conn: Connection, filters: Filters, *, scope: Scope, now: datetime) -> list[UnitQuality]:
    """Per unit in scope with at least one failing dossier: the count for every check.

    One statement: the failing dossiers of each check (each found through the index on its own
    date) are stacked with UNION ALL and counted per unit and check; a dossier failing several
    checks counts once in `any_check`. One scan with the checks OR-ed together is ten times
    slower on a million dossiers, as no index serves the OR.
    """
    ids = scope_ids(conn, filters, scope)
    branches = [
        apply_scope(
            select(
                Dossier.id.label("id"), Dossier.unit_id.label("unit_id"), literal(check, String).label("kind")
            ).where(Dossier.status.not_in(NOT_ACCEPTED), _condition(check, filters, now)),
            ids,
            filters,
        )
        for check in CHECKS
    ]
    failing = union_all(*branches).subquery()
    stmt = (
        select(
            Unit.id,
            Unit.code,
            Unit.name_vi,
            Unit.name_en,
            *[_count(failing.c.kind == check) for check in CHECKS],
            func.count(distinct(failing.c.id)),
        )
        .join(Unit, Unit.id == failing.c.unit_id)
        .group_by(Unit.id, Unit.code, Unit.name_vi, Unit.name_en)
        .order_by(Unit.name_vi, Unit.code)
    )
    return [
        UnitQuality(row[0], row[1], row[2], row[3], *(int(count or 0) for count in row[4:]))
        for row in conn.execute(stmt)
    ]


SORTABLE = {
    "code": Dossier.code,
    "unit": Unit.name_vi,
    "status": Dossier.status,
    "received_at": Dossier.received_at,
    "statutory_due_at": Dossier.statutory_due_at,
    "appointment_due_at": Dossier.appointment_due_at,
    "due_at": Dossier.due_at,
    "finished_at": Dossier.finished_at,
    "supplement_count": Dossier.supplement_count,
}


def _failing(
    conn: Connection, filters: Filters, *, scope: Scope, check: str, now: datetime, unit_code: str | None
) -> Select:
    if unit_code is not None:
        scope.check_unit(unit_code)  # the list's own unit choice, beside the filters' unit
    stmt = select(Dossier.id).where(Dossier.status.not_in(NOT_ACCEPTED), _condition(check, filters, now))
    stmt = apply_scope(stmt, scope_ids(conn, filters, scope, dossier_list=True), filters)
    if unit_code is not None:
        stmt = stmt.where(Dossier.unit_id == select(Unit.id).where(Unit.code == unit_code).scalar_subquery())
    return stmt


def count_failing(
    conn: Connection,
    filters: Filters,
    *,
    scope: Scope,
    check: str,
    now: datetime,
    unit_code: str | None = None,
) -> int:
    """How many dossiers the list of `check` holds (an official's: only theirs)."""
    stmt = _failing(conn, filters, scope=scope, check=check, now=now, unit_code=unit_code).subquery()
    return int(conn.execute(select(func.count()).select_from(stmt)).scalar_one())


def failing_dossiers(
    conn: Connection,
    filters: Filters,
    *,
    scope: Scope,
    check: str,
    now: datetime,
    unit_code: str | None = None,
    sort: list[tuple[str, bool]] | None = None,
    offset: int = 0,
    limit: int | None = 100,
) -> list[QualityRow]:
    """One page of the dossiers failing `check`, in a stable order.

    `sort` is a list of (column, descending) with columns from SORTABLE (others are ignored);
    the default is the most recent receipt first. Dossier id breaks ties, so pages never overlap.
    `limit=None` returns every row (the export).
    """
    ids = _failing(conn, filters, scope=scope, check=check, now=now, unit_code=unit_code).subquery()
    order: list[Any] = []
    for name, descending in sort or [("received_at", True)]:
        column = SORTABLE.get(name)
        if column is None:
            continue
        # NULLs last in both directions and both dialects (they sort differently by default).
        order += [column.is_(None), column.desc() if descending else column.asc()]
    stmt = (
        select(
            Dossier.id,
            Dossier.code,
            Unit.code,
            Unit.name_vi,
            Unit.name_en,
            Procedure.code,
            Procedure.name_vi,
            Procedure.name_en,
            Dossier.status,
            Dossier.channel,
            Dossier.received_at,
            Dossier.statutory_due_at,
            Dossier.appointment_due_at,
            Dossier.due_at,
            Dossier.finished_at,
            Dossier.supplement_count,
        )
        .join(ids, ids.c.id == Dossier.id)
        .join(Unit, Unit.id == Dossier.unit_id)
        .outerjoin(Procedure, Procedure.id == Dossier.procedure_id)
        .order_by(*order, Dossier.id)
        .offset(max(0, offset))
    )
    if limit is not None:
        stmt = stmt.limit(max(1, limit))
    return [QualityRow(*row[:-1], supplement_count=int(row[-1] or 0)) for row in conn.execute(stmt)]
