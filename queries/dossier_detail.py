"""Everything about one dossier: its facts, the clock's verdict now, steps, pauses, letters, history.

`dossier_detail` is what the dossier page shows. The verdict is the clock's (queries.sla.judge
over queries.clocking.clock_inputs), so the page and the alerts agree. Ordering is by time, and
the processing steps follow the canonical flow (reception, transfer, appraisal, approval, return).

A dossier outside the user's scope (another unit for a chairperson, another sector for a
limited supervisor, one they do not hold for an official) raises OutOfScope: None keeps meaning
"no such dossier", so a forged link is refused rather than answered "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, case, select
from sqlalchemy.orm import aliased

from queries.clocking import clock_inputs
from queries.domain import Status, Step
from queries.kpis import check_dossier
from queries.models import (
    ApologyLetter,
    Dossier,
    DossierStep,
    Official,
    Pause,
    Procedure,
    Rating,
    Sector,
    StatusChange,
    Unit,
)
from queries.scope import Scope
from queries.sla import Clock, Verdict, judge

NOT_CLOCKED = frozenset({Status.SUBMITTED, Status.REFUSED})


@dataclass(frozen=True)
class DossierFacts:
    id: int
    code: str
    unit_code: str
    unit_name_vi: str
    unit_name_en: str
    procedure_code: str | None
    procedure_name_vi: str | None
    procedure_name_en: str | None
    sector_name_vi: str | None
    sector_name_en: str | None
    time_value: float | None
    time_unit: str | None
    channel: str
    status: str
    received_at: datetime | None
    statutory_due_at: datetime | None
    appointment_due_at: datetime | None
    due_at: datetime | None  # stored working deadline (closed pauses, first apology letter)
    finished_at: datetime | None
    returned_at: datetime | None
    outcome: str | None
    current_step: str | None
    handler_name: str | None
    supplement_count: int
    digitized_components: bool
    digitized_result: bool
    paid_online: bool

    @property
    def late_appointment(self) -> bool:
        """The citizen was given a later date than the law allows (a hidden delay)."""
        return (
            self.appointment_due_at is not None
            and self.statutory_due_at is not None
            and self.appointment_due_at > self.statutory_due_at
        )


@dataclass(frozen=True)
class StepSpan:
    step: str
    unit_name_vi: str | None
    unit_name_en: str | None
    handler_name: str | None
    started_at: datetime | None
    ended_at: datetime | None
    due_at: datetime | None
    state: str  # late | on_time | open (running, within its due) | pending (not started)


@dataclass(frozen=True)
class PauseSpan:
    kind: str  # supplement | suspension
    started_at: datetime
    ended_at: datetime | None  # None: still paused
    reason: str | None
    working_days: float  # office time inside the pause (open ones up to now), in 8-hour days


@dataclass(frozen=True)
class Letter:
    number: int  # 1 for the first letter; the law allows re-scheduling only once
    issued_at: datetime
    new_due_date: date
    reason: str | None

    @property
    def allowed(self) -> bool:
        return self.number == 1


@dataclass(frozen=True)
class StatusEvent:
    status: str
    changed_at: datetime


@dataclass(frozen=True)
class RatingEntry:
    score: int
    channel: str | None
    rated_at: datetime
    comment: str | None


@dataclass(frozen=True)
class DossierDetail:
    facts: DossierFacts
    verdict: Verdict | None
    unclocked: str | None  # why there is no verdict: not_accepted | no_procedure | no_receipt
    steps: tuple[StepSpan, ...]
    pauses: tuple[PauseSpan, ...]
    letters: tuple[Letter, ...]
    history: tuple[StatusEvent, ...]
    ratings: tuple[RatingEntry, ...]


def dossier_id(conn: Connection, code: str, *, scope: Scope) -> int | None:
    """The dossier's id; None when no dossier has the code; OutOfScope outside the scope."""
    return check_dossier(conn, code, scope)


def dossier_detail(
    conn: Connection, clock: Clock, *, code: str, now: datetime, scope: Scope
) -> DossierDetail | None:
    """The dossier with this code as of `now`, or None when no dossier has it; OutOfScope when
    the scope does not cover it."""
    if check_dossier(conn, code, scope) is None:
        return None
    facts = _facts(conn, code)
    if facts is None:
        return None
    verdict, unclocked = _verdict(conn, clock, facts, now)
    return DossierDetail(
        facts=facts,
        verdict=verdict,
        unclocked=unclocked,
        steps=_steps(conn, facts.id, now),
        pauses=_pauses(conn, clock, facts.id, now),
        letters=_letters(conn, facts.id),
        history=tuple(
            StatusEvent(*row)
            for row in conn.execute(
                select(StatusChange.status, StatusChange.changed_at)
                .where(StatusChange.dossier_id == facts.id)
                .order_by(StatusChange.changed_at, StatusChange.id)
            )
        ),
        ratings=tuple(
            RatingEntry(*row)
            for row in conn.execute(
                select(Rating.score, Rating.channel, Rating.rated_at, Rating.comment)
                .where(Rating.dossier_id == facts.id)
                .order_by(Rating.rated_at, Rating.id)
            )
        ),
    )


def _facts(conn: Connection, code: str) -> DossierFacts | None:
    row = conn.execute(
        select(
            Dossier.id,
            Dossier.code,
            Unit.code,
            Unit.name_vi,
            Unit.name_en,
            Procedure.code,
            Procedure.name_vi,
            Procedure.name_en,
            Sector.name_vi,
            Sector.name_en,
            Procedure.time_value,
            Procedure.time_unit,
            Dossier.channel,
            Dossier.status,
            Dossier.received_at,
            Dossier.statutory_due_at,
            Dossier.appointment_due_at,
            Dossier.due_at,
            Dossier.finished_at,
            Dossier.returned_at,
            Dossier.outcome,
            Dossier.current_step,
            Official.full_name,
            Dossier.supplement_count,
            Dossier.digitized_components,
            Dossier.digitized_result,
            Dossier.paid_online,
        )
        .join(Unit, Unit.id == Dossier.unit_id)
        .outerjoin(Procedure, Procedure.id == Dossier.procedure_id)
        .outerjoin(Sector, Sector.id == Dossier.sector_id)
        .outerjoin(Official, Official.id == Dossier.handler_id)
        .where(Dossier.code == code)
    ).first()
    if row is None:
        return None
    values = list(row)
    values[10] = float(values[10]) if values[10] is not None else None  # Numeric -> float
    values[23] = int(values[23] or 0)
    values[24:27] = [bool(v) for v in values[24:27]]
    return DossierFacts(*values)


def _verdict(
    conn: Connection, clock: Clock, facts: DossierFacts, now: datetime
) -> tuple[Verdict | None, str | None]:
    if Status(facts.status) in NOT_CLOCKED:
        return None, "not_accepted"
    if facts.procedure_code is None:
        return None, "no_procedure"
    clocked = next(iter(clock_inputs(conn, dossier_ids=[facts.id])), None)
    if clocked is None or clocked.inputs is None:
        return None, "no_receipt"
    return judge(clock, clocked.inputs, now), None


def _steps(conn: Connection, dossier: int, now: datetime) -> tuple[StepSpan, ...]:
    order = case({str(step): index for index, step in enumerate(Step)}, value=DossierStep.step, else_=99)
    step_unit = aliased(Unit)
    rows = conn.execute(
        select(
            DossierStep.step,
            step_unit.name_vi,
            step_unit.name_en,
            Official.full_name,
            DossierStep.started_at,
            DossierStep.ended_at,
            DossierStep.due_at,
        )
        .outerjoin(step_unit, step_unit.id == DossierStep.unit_id)
        .outerjoin(Official, Official.id == DossierStep.handler_id)
        .where(DossierStep.dossier_id == dossier)
        .order_by(order, DossierStep.started_at, DossierStep.id)
    )
    return tuple(
        StepSpan(*row, state=_step_state(row.started_at, row.ended_at, row.due_at, now)) for row in rows
    )


def _step_state(started: datetime | None, ended: datetime | None, due: datetime | None, now: datetime) -> str:
    if started is None and ended is None:
        return "pending"
    if due is not None and (ended or now) > due:
        return "late"
    return "on_time" if ended is not None else "open"


def _pauses(conn: Connection, clock: Clock, dossier: int, now: datetime) -> tuple[PauseSpan, ...]:
    rows = conn.execute(
        select(Pause.kind, Pause.started_at, Pause.ended_at, Pause.reason)
        .where(Pause.dossier_id == dossier)
        .order_by(Pause.started_at, Pause.id)
    )
    return tuple(
        PauseSpan(
            kind=row.kind,
            started_at=row.started_at,
            ended_at=row.ended_at,
            reason=row.reason,
            working_days=round(
                max(0.0, clock.working_hours(row.started_at, min(row.ended_at or now, now)))
                / clock.hours_per_day,
                2,
            ),
        )
        for row in rows
    )


def _letters(conn: Connection, dossier: int) -> tuple[Letter, ...]:
    rows = conn.execute(
        select(ApologyLetter.issued_at, ApologyLetter.new_due_date, ApologyLetter.reason)
        .where(ApologyLetter.dossier_id == dossier)
        .order_by(ApologyLetter.issued_at, ApologyLetter.id)
    )
    return tuple(Letter(number, *row) for number, row in enumerate(rows, start=1))
