"""Open dossiers ordered by their working deadline: the at-risk list and an official's queue.

SQL filters and orders by the stored working deadline on the partial index of open dossiers and
returns one page; the clock then judges only that page (remaining working time, state), so a
unit with tens of thousands of open dossiers still answers in milliseconds.

Both are lists of dossiers, so the scope narrows them as lists (queries/kpis.py `scope_ids`):
an official's list holds only the dossiers they hold, and asking for another official's queue
outside the scope raises OutOfScope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, exists, func, select
from sqlalchemy.sql import Select

from queries.clocking import clock_inputs
from queries.domain import OPEN_STATUSES, PAUSED_STATUSES
from queries.filters import Filters
from queries.kpis import apply_scope, check_official, no_period, scope_ids
from queries.models import ApologyLetter, Dossier, Official, Procedure, Unit
from queries.scope import Scope
from queries.sla import Clock, judge

OPEN = [str(s) for s in OPEN_STATUSES]
PAUSED = [str(s) for s in PAUSED_STATUSES]


@dataclass(frozen=True)
class AtRiskRow:
    code: str
    unit_code: str
    unit_name: str
    procedure_code: str | None
    procedure_name: str | None
    procedure_name_en: str | None
    step: str | None
    handler_code: str | None
    handler_name: str | None
    received_at: datetime | None
    due_at: datetime | None
    state: str | None  # on_track | due_soon | overdue | paused; None: cannot be clocked
    remaining_days: float | None
    apology: bool


def _open_dossiers(
    conn: Connection, filters: Filters | None, handler_code: str | None, scope: Scope
) -> Select:
    stmt = select(Dossier.id).where(Dossier.finished_at.is_(None), Dossier.status.in_(OPEN))
    if handler_code is not None:
        # Raises OutOfScope for an official the scope does not cover, before anything is read.
        check_official(conn, handler_code, scope)
    filters = filters or no_period()
    stmt = apply_scope(stmt, scope_ids(conn, filters, scope, dossier_list=True), filters)
    if handler_code is not None:
        stmt = stmt.join(Official, Official.id == Dossier.handler_id).where(Official.code == handler_code)
    return stmt


def count_open(
    conn: Connection, filters: Filters | None = None, *, scope: Scope, handler_code: str | None = None
) -> int:
    """How many open dossiers the list of these filters (or this handler) holds."""
    stmt = _open_dossiers(conn, filters, handler_code, scope).subquery()
    return int(conn.execute(select(func.count()).select_from(stmt)).scalar_one())


def at_risk(
    conn: Connection,
    clock: Clock,
    *,
    scope: Scope,
    now: datetime,
    filters: Filters | None = None,
    handler_code: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[AtRiskRow]:
    """One page of open dossiers, most urgent first (earliest working deadline, then code)."""
    ids_stmt = (
        _open_dossiers(conn, filters, handler_code, scope)
        # Paused dossiers last: their clock stands still, so their stored due is not a deadline.
        .order_by(Dossier.status.in_(PAUSED), Dossier.due_at.is_(None), Dossier.due_at, Dossier.code)
        .offset(max(0, offset))
        .limit(max(1, min(limit, 1000)))
    )
    ids = [row[0] for row in conn.execute(ids_stmt)]
    if not ids:
        return []
    letter = exists().where(ApologyLetter.dossier_id == Dossier.id)
    details = {
        row.id: row
        for row in conn.execute(
            select(
                Dossier.id,
                Unit.name_vi.label("unit_name"),
                Procedure.name_vi.label("procedure_name"),
                Procedure.name_en.label("procedure_name_en"),
                Dossier.current_step,
                Official.code.label("handler_code"),
                Official.full_name.label("handler_name"),
                letter.label("apology"),
            )
            .join(Unit, Unit.id == Dossier.unit_id)
            .outerjoin(Procedure, Procedure.id == Dossier.procedure_id)
            .outerjoin(Official, Official.id == Dossier.handler_id)
            .where(Dossier.id.in_(ids))
        )
    }
    clocked = {d.id: d for d in clock_inputs(conn, dossier_ids=ids)}
    rows = []
    for dossier_id in ids:
        d, extra = clocked[dossier_id], details[dossier_id]
        verdict = judge(clock, d.inputs, now) if d.inputs else None
        rows.append(
            AtRiskRow(
                code=d.code,
                unit_code=d.unit_code,
                unit_name=extra.unit_name,
                procedure_code=d.procedure_code,
                procedure_name=extra.procedure_name,
                procedure_name_en=extra.procedure_name_en,
                step=extra.current_step,
                handler_code=extra.handler_code,
                handler_name=extra.handler_name,
                received_at=d.received_at,
                due_at=verdict.effective_due if verdict else d.due_at,
                state=str(verdict.state) if verdict else None,
                remaining_days=round(verdict.remaining_days, 2) if verdict else None,
                apology=bool(extra.apology),
            )
        )
    return rows
