"""Small builders for hand-made fixtures with known answers (the personas live here too)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from queries.clocking import derive
from queries.models import Dossier, Official, Pause, Procedure, Sector, Unit
from queries.sla import Clock, DossierClock


def add_unit(
    conn: Connection, code: str, name: str, level: str = "commune", parent_id: int | None = None
) -> int:
    return conn.execute(
        insert(Unit).values(code=code, level=level, parent_id=parent_id, name_vi=name, name_en=name)
    ).inserted_primary_key[0]


def add_sector(conn: Connection, code: str = "HT", name: str = "Hộ tịch", heavy: bool = False) -> int:
    return conn.execute(
        insert(Sector).values(code=code, name_vi=name, name_en=name, heavy=heavy)
    ).inserted_primary_key[0]


def add_procedure(
    conn: Connection, sector_id: int, code: str, unit: str = "working_days", value: float = 3, **extra: Any
) -> int:
    values = dict(
        code=code, name_vi=code, name_en=code, sector_id=sector_id, time_unit=unit, time_value=value
    )
    return conn.execute(insert(Procedure).values(**values, **extra)).inserted_primary_key[0]


def add_official(conn: Connection, unit_id: int, code: str, role: str = "handler", name: str = "") -> int:
    return conn.execute(
        insert(Official).values(code=code, full_name=name or code, unit_id=unit_id, role=role)
    ).inserted_primary_key[0]


def add_dossier(
    conn: Connection,
    clock: Clock,
    *,
    code: str,
    unit_id: int,
    procedure_id: int,
    sector_id: int,
    received_at: datetime,
    time_unit: str = "working_days",
    time_value: float = 3,
    status: str = "processing",
    finished_at: datetime | None = None,
    pauses: tuple[tuple[datetime, datetime | None], ...] = (),
    handler_id: int | None = None,
    **extra: Any,
) -> int:
    """Insert a dossier with its pauses and the clock's derived columns, as the importer would."""
    derived = derive(
        clock,
        DossierClock(
            received_at=received_at,
            time_unit=time_unit,
            time_value=time_value,
            status=status,
            finished_at=finished_at,
            pauses=pauses,
            supplement_count=len(pauses),
        ),
    )
    dossier_id = conn.execute(
        insert(Dossier).values(
            code=code,
            unit_id=unit_id,
            procedure_id=procedure_id,
            sector_id=sector_id,
            channel=extra.pop("channel", "counter"),
            received_at=received_at,
            status=status,
            finished_at=finished_at,
            handler_id=handler_id,
            supplement_count=len(pauses),
            statutory_due_at=derived.statutory_due_at,
            appointment_due_at=derived.appointment_due_at,
            due_at=derived.due_at,
            outcome=derived.outcome,
            **extra,
        )
    ).inserted_primary_key[0]
    for start, end in pauses:
        conn.execute(
            insert(Pause).values(dossier_id=dossier_id, kind="supplement", started_at=start, ended_at=end)
        )
    return dossier_id
