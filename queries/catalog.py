"""Reference lists for filters and labels: units, sectors, procedures, officials."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from queries.models import Official, Procedure, Sector, Unit


@dataclass(frozen=True)
class Named:
    id: int
    code: str
    name_vi: str
    name_en: str
    kind: str = ""  # unit level, procedure sector code, official role
    parent_id: int | None = None

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


def units(conn: Connection) -> list[Named]:
    rows = conn.execute(
        select(Unit.id, Unit.code, Unit.name_vi, Unit.name_en, Unit.level, Unit.parent_id).order_by(
            Unit.name_vi
        )
    )
    return [Named(*row) for row in rows]


def sectors(conn: Connection) -> list[Named]:
    rows = conn.execute(
        select(Sector.id, Sector.code, Sector.name_vi, Sector.name_en).order_by(Sector.name_vi)
    )
    return [Named(*row) for row in rows]


def procedures(conn: Connection, *, sector_code: str | None = None) -> list[Named]:
    stmt = (
        select(Procedure.id, Procedure.code, Procedure.name_vi, Procedure.name_en, Sector.code)
        .join(Sector, Sector.id == Procedure.sector_id)
        .order_by(Procedure.name_vi)
    )
    if sector_code:
        stmt = stmt.where(Sector.code == sector_code)
    return [Named(*row) for row in conn.execute(stmt)]


def officials(conn: Connection, *, unit_code: str | None = None) -> list[Named]:
    stmt = (
        select(
            Official.id,
            Official.code,
            Official.full_name,
            Official.full_name,
            Official.role,
            Official.unit_id,
        )
        .where(Official.active.is_(True))
        .order_by(Official.full_name)
    )
    if unit_code:
        stmt = stmt.join(Unit, Unit.id == Official.unit_id).where(Unit.code == unit_code)
    return [Named(*row) for row in conn.execute(stmt)]
