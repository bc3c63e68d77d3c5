"""What the alert rules look at: the people who can be told, late steps, dossiers the clock can't judge.

The open dossiers themselves come from clocking.clock_inputs (the same inputs the dashboard's
clock uses, so an alert and a page never disagree about a due date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from queries.domain import OPEN_STATUSES
from queries.models import Dossier, DossierStep, Official, Procedure, Unit


@dataclass(frozen=True)
class Person:
    id: int
    code: str
    full_name: str
    unit_id: int
    role: str
    sector_id: int | None
    urls: tuple[str, ...]  # Apprise URLs: secrets, never logged or shown whole
    language: str

    @property
    def key(self) -> str:
        return f"official:{self.code}"


def people(conn: Connection) -> list[Person]:
    """Active officials with their notification URLs (one per line or separated by spaces)."""
    rows = conn.execute(
        select(
            Official.id,
            Official.code,
            Official.full_name,
            Official.unit_id,
            Official.role,
            Official.sector_id,
            Official.notify_urls,
            Official.language,
        ).where(Official.active.is_(True))
    )
    return [
        Person(
            id=row.id,
            code=row.code,
            full_name=row.full_name,
            unit_id=row.unit_id,
            role=row.role,
            sector_id=row.sector_id,
            urls=tuple((row.notify_urls or "").split()),
            language=row.language if row.language in {"vi", "en"} else "vi",
        )
        for row in rows
    ]


@dataclass(frozen=True)
class LateStep:
    dossier_id: int
    dossier_code: str
    unit_id: int
    sector_id: int | None
    step: str
    handler_id: int | None
    due_at: datetime


def late_steps(conn: Connection, *, now: datetime) -> list[LateStep]:
    """Steps still running past their own due, on dossiers still open (partial index on open steps)."""
    stmt = (
        select(
            Dossier.id,
            Dossier.code,
            Dossier.unit_id,
            Dossier.sector_id,
            DossierStep.step,
            DossierStep.handler_id,
            DossierStep.due_at,
        )
        .join(Dossier, Dossier.id == DossierStep.dossier_id)
        .where(
            DossierStep.ended_at.is_(None),
            DossierStep.due_at.is_not(None),
            DossierStep.due_at < now,
            Dossier.status.in_([str(s) for s in OPEN_STATUSES]),
        )
        .order_by(Dossier.id, DossierStep.step)
    )
    return [LateStep(*row) for row in conn.execute(stmt)]


@dataclass(frozen=True)
class DossierLabel:
    """What a message says about a dossier besides its clock: names, not personal data."""

    code: str
    unit_code: str
    unit_vi: str
    unit_en: str
    procedure_code: str | None
    procedure_vi: str | None
    procedure_en: str | None


def dossier_labels(conn: Connection, ids: list[int]) -> dict[int, DossierLabel]:
    result: dict[int, DossierLabel] = {}
    for start in range(0, len(ids), 5000):
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
            )
            .join(Unit, Unit.id == Dossier.unit_id)
            .outerjoin(Procedure, Procedure.id == Dossier.procedure_id)
            .where(Dossier.id.in_(ids[start : start + 5000]))
        )
        for row in conn.execute(stmt):
            result[row[0]] = DossierLabel(*row[1:])
    return result


def dossier_sector(conn: Connection, dossier_id: int) -> int | None:
    return conn.execute(select(Dossier.sector_id).where(Dossier.id == dossier_id)).scalar()


def step_names(conn: Connection, keys: list[tuple[int, datetime]]) -> dict[tuple[int, datetime], str]:
    """The step a step-late alert is about, found by its dossier and its due."""
    if not keys:
        return {}
    ids = sorted({dossier_id for dossier_id, _ in keys})
    rows = conn.execute(
        select(DossierStep.dossier_id, DossierStep.due_at, DossierStep.step).where(
            DossierStep.dossier_id.in_(ids)
        )
    )
    wanted = set(keys)
    return {(row[0], row[1]): row[2] for row in rows if (row[0], row[1]) in wanted}
