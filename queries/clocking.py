"""Run the SLA clock over dossiers stored in the database.

The derived columns (statutory_due_at, appointment_due_at, due_at, outcome, supplement_count)
are a cache of the clock's verdict so that SQL can count overdue and late dossiers; these
functions compute them from what happened (pauses, apology letters), so they can always be
recomputed, e.g. after a new swap is added to the calendar overrides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, Select, func, select, update

from queries.domain import FINISHED_STATUSES, OPEN_STATUSES, Status
from queries.models import ApologyLetter, Dossier, Pause, Procedure, Unit
from queries.sla import Clock, DossierClock, Verdict, judge

NOT_CLOCKED = {str(Status.SUBMITTED), str(Status.REFUSED)}


@dataclass(frozen=True)
class Derived:
    statutory_due_at: datetime
    appointment_due_at: datetime
    due_at: datetime
    outcome: str | None


def derive(clock: Clock, dossier: DossierClock) -> Derived:
    """The stored verdict: dues from closed pauses only, so it does not depend on 'now'.

    An open dossier is judged at the end of its last closed pause, so every closed pause counts
    in full (judging at receipt would clip them to nothing).
    """
    closed = tuple((start, end) for start, end in dossier.pauses if end is not None)
    status = Status(dossier.status)
    finished = status in FINISHED_STATUSES and dossier.finished_at is not None
    resumed = max([dossier.received_at, *(end for _start, end in closed if end is not None)])
    moment = dossier.finished_at if finished and dossier.finished_at else resumed
    stored = DossierClock(
        received_at=dossier.received_at,
        time_unit=dossier.time_unit,
        time_value=dossier.time_value,
        status=dossier.status,
        appointment_due_at=dossier.appointment_due_at,
        finished_at=dossier.finished_at,
        pauses=closed,
        extension_date=dossier.extension_date,
        supplement_count=dossier.supplement_count,
    )
    verdict = judge(clock, stored, moment)
    return Derived(
        statutory_due_at=verdict.statutory_due,
        appointment_due_at=dossier.appointment_due_at or verdict.statutory_due,
        due_at=verdict.effective_due,
        outcome=str(verdict.state) if finished else None,
    )


@dataclass(frozen=True)
class ClockedDossier:
    id: int
    code: str
    unit_code: str
    procedure_code: str | None
    received_at: datetime | None
    statutory_due_at: datetime | None
    appointment_due_at: datetime | None
    due_at: datetime | None
    status: str
    inputs: DossierClock | None  # None: the dossier cannot be clocked (no procedure or receipt)
    unit_id: int = 0
    sector_id: int | None = None
    handler_id: int | None = None


def clock_inputs(
    conn: Connection,
    *,
    unit_code: str | None = None,
    open_only: bool = False,
    dossier_ids: list[int] | None = None,
) -> Iterator[ClockedDossier]:
    """Dossiers with everything the clock needs, in id order, for the given filter."""
    stmt: Select = (
        select(
            Dossier.id,
            Dossier.code,
            Dossier.unit_id,
            Dossier.sector_id,
            Dossier.handler_id,
            Unit.code.label("unit_code"),
            Procedure.code.label("procedure_code"),
            Procedure.time_unit,
            Procedure.time_value,
            Dossier.received_at,
            Dossier.statutory_due_at,
            Dossier.appointment_due_at,
            Dossier.due_at,
            Dossier.status,
            Dossier.finished_at,
            Dossier.supplement_count,
        )
        .join(Unit, Unit.id == Dossier.unit_id)
        .outerjoin(Procedure, Procedure.id == Dossier.procedure_id)
        .order_by(Dossier.id)
    )
    if unit_code is not None:
        stmt = stmt.where(Unit.code == unit_code)
    if open_only:
        stmt = stmt.where(Dossier.status.in_([str(s) for s in OPEN_STATUSES]))
    if dossier_ids is not None:
        stmt = stmt.where(Dossier.id.in_(dossier_ids))
    rows = conn.execute(stmt).all()
    ids = [row.id for row in rows]
    pauses = _pauses(conn, ids)
    letters = _first_letters(conn, ids)
    for row in rows:
        inputs = None
        accepted = row.status not in NOT_CLOCKED  # states 1 and 3 never started the clock
        if accepted and row.received_at is not None and row.time_unit is not None:
            inputs = DossierClock(
                received_at=row.received_at,
                time_unit=row.time_unit,
                time_value=float(row.time_value or 0),
                status=row.status,
                appointment_due_at=row.appointment_due_at,
                finished_at=row.finished_at,
                pauses=tuple(pauses.get(row.id, ())),
                extension_date=letters.get(row.id),
                supplement_count=row.supplement_count or 0,
            )
        yield ClockedDossier(
            id=row.id,
            code=row.code,
            unit_code=row.unit_code,
            procedure_code=row.procedure_code,
            received_at=row.received_at,
            statutory_due_at=row.statutory_due_at,
            appointment_due_at=row.appointment_due_at,
            due_at=row.due_at,
            status=row.status,
            inputs=inputs,
            unit_id=row.unit_id,
            sector_id=row.sector_id,
            handler_id=row.handler_id,
        )


def verdicts(
    conn: Connection, clock: Clock, *, as_of: datetime, unit_code: str | None = None
) -> Iterator[tuple[ClockedDossier, Verdict | None]]:
    for dossier in clock_inputs(conn, unit_code=unit_code):
        yield dossier, judge(clock, dossier.inputs, as_of) if dossier.inputs else None


def recompute_open_dues(conn: Connection, clock: Clock) -> list[tuple[str, datetime | None, datetime]]:
    """Recompute the stored dues of open dossiers; returns (code, old due, new due) that moved.

    Run after the calendar overrides change (a newly announced swap). The appointment date the
    citizen was told is kept unless it was itself the computed statutory due.
    """
    changed: list[tuple[str, datetime | None, datetime]] = []
    for dossier in clock_inputs(conn, open_only=True):
        if dossier.inputs is None:
            continue
        inputs = dossier.inputs
        if dossier.appointment_due_at == dossier.statutory_due_at:
            inputs = _without_appointment(inputs)
        new = derive(clock, inputs)
        if (new.due_at, new.statutory_due_at) != (dossier.due_at, dossier.statutory_due_at):
            conn.execute(
                update(Dossier)
                .where(Dossier.id == dossier.id)
                .values(
                    statutory_due_at=new.statutory_due_at,
                    appointment_due_at=new.appointment_due_at,
                    due_at=new.due_at,
                )
            )
            changed.append((dossier.code, dossier.due_at, new.due_at))
    return changed


def _without_appointment(inputs: DossierClock) -> DossierClock:
    return DossierClock(
        received_at=inputs.received_at,
        time_unit=inputs.time_unit,
        time_value=inputs.time_value,
        status=inputs.status,
        appointment_due_at=None,
        finished_at=inputs.finished_at,
        pauses=inputs.pauses,
        extension_date=inputs.extension_date,
        supplement_count=inputs.supplement_count,
    )


def _chunks(ids: list[int], size: int = 5000) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _pauses(conn: Connection, ids: list[int]) -> dict[int, list[tuple[datetime, datetime | None]]]:
    result: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    for chunk in _chunks(ids):
        stmt = select(Pause.dossier_id, Pause.started_at, Pause.ended_at).where(Pause.dossier_id.in_(chunk))
        for row in conn.execute(stmt):
            result[row.dossier_id].append((row.started_at, row.ended_at))
    return result


def _first_letters(conn: Connection, ids: list[int]) -> dict[int, date]:
    """The first apology letter's new date: the law allows re-scheduling only once."""
    result: dict[int, date] = {}
    for chunk in _chunks(ids):
        first = (
            select(ApologyLetter.dossier_id, func.min(ApologyLetter.issued_at).label("issued_at"))
            .where(ApologyLetter.dossier_id.in_(chunk))
            .group_by(ApologyLetter.dossier_id)
            .subquery()
        )
        stmt = select(ApologyLetter.dossier_id, ApologyLetter.new_due_date).join(
            first,
            (first.c.dossier_id == ApologyLetter.dossier_id) & (first.c.issued_at == ApologyLetter.issued_at),
        )
        for row in conn.execute(stmt):
            result.setdefault(row.dossier_id, row.new_due_date)
    return result
