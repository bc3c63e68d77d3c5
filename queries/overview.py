"""Province-wide counts that prove the database is there and give a first sense of its size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from queries.domain import OPEN_STATUSES, PAUSED_STATUSES
from queries.models import Dossier, Official, Procedure, Unit


@dataclass(frozen=True)
class DatabaseSummary:
    province: str | None
    units: int
    procedures: int
    officials: int
    dossiers: int
    open: int
    overdue: int
    first_received: datetime | None
    last_received: datetime | None


def database_summary(conn: Connection, *, now: datetime) -> DatabaseSummary:
    open_states = [str(s) for s in OPEN_STATUSES]
    running = [str(s) for s in OPEN_STATUSES - PAUSED_STATUSES]
    province = conn.execute(select(Unit.name_vi).where(Unit.level == "province").limit(1)).scalar()
    counts = conn.execute(
        select(
            func.count(),
            func.min(Dossier.received_at),
            func.max(Dossier.received_at),
        ).select_from(Dossier)
    ).one()
    open_count, overdue = conn.execute(
        select(
            func.count(),
            func.count().filter(Dossier.status.in_(running), Dossier.due_at < now),
        ).where(Dossier.finished_at.is_(None), Dossier.status.in_(open_states))
    ).one()
    return DatabaseSummary(
        province=province,
        units=conn.execute(select(func.count()).select_from(Unit)).scalar_one(),
        procedures=conn.execute(select(func.count()).select_from(Procedure)).scalar_one(),
        officials=conn.execute(select(func.count()).select_from(Official)).scalar_one(),
        dossiers=counts[0],
        open=open_count,
        overdue=overdue,
        first_received=counts[1],
        last_received=counts[2],
    )
