"""Reference lists for filters and labels: units, sectors, procedures, officials.

The lists follow the user's scope (queries/scope.py), so a filter dropdown never offers what a
query would refuse: a unit-bound user (chairperson, official) lists only their unit and its
officials; a supervisor limited to some sectors lists only those sectors and their procedures.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select
from sqlalchemy.orm import aliased

from queries.models import Official, Procedure, Sector, Unit
from queries.scope import OutOfScope, Scope


@dataclass(frozen=True)
class Named:
    id: int
    code: str
    name_vi: str
    name_en: str
    kind: str = ""  # unit level, procedure sector code, official role
    parent_id: int | None = None
    # A unit's parent unit code: carried with the unit, so a unit-bound user's one-unit list
    # still says which district it belongs to.
    parent_code: str | None = None

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


def units(conn: Connection, *, scope: Scope) -> list[Named]:
    """The units of the scope, by name: every unit, or a unit-bound user's own."""
    parent = aliased(Unit)
    stmt = (
        select(Unit.id, Unit.code, Unit.name_vi, Unit.name_en, Unit.level, Unit.parent_id, parent.code)
        .outerjoin(parent, parent.id == Unit.parent_id)
        .order_by(Unit.name_vi)
    )
    if scope.unit is not None:
        stmt = stmt.where(Unit.code == scope.unit)
    return [Named(*row) for row in conn.execute(stmt)]


def find_unit(conn: Connection, code: str, *, scope: Scope) -> Named | None:
    """The unit with this code; None when no unit has it; OutOfScope when it exists outside the
    scope (a forged link is refused, an unknown code stays "unknown")."""
    found = next((u for u in units(conn, scope=scope) if u.code == code), None)
    # A malformed code never reaches SQL (PostgreSQL rejects a NUL byte with an error, not a miss).
    well_formed = 0 < len(code) <= 64 and all(ch.isalnum() or ch in ".-_" for ch in code)
    if found is None and well_formed and not scope.allows_unit(code):
        if conn.execute(select(Unit.id).where(Unit.code == code)).first() is not None:
            raise OutOfScope("unit", code)
    return found


def sectors(conn: Connection, *, scope: Scope) -> list[Named]:
    """The sectors of the scope, by name: every sector, or a limited supervisor's."""
    stmt = select(Sector.id, Sector.code, Sector.name_vi, Sector.name_en).order_by(Sector.name_vi)
    if scope.sectors:
        stmt = stmt.where(Sector.code.in_(scope.sectors))
    return [Named(*row) for row in conn.execute(stmt)]


def procedures(conn: Connection, *, scope: Scope, sector_code: str | None = None) -> list[Named]:
    """The procedures of the scope's sectors (of one sector when `sector_code` is given)."""
    stmt = (
        select(Procedure.id, Procedure.code, Procedure.name_vi, Procedure.name_en, Sector.code)
        .join(Sector, Sector.id == Procedure.sector_id)
        .order_by(Procedure.name_vi)
    )
    if sector_code:
        if not scope.allows_sector(sector_code):
            raise OutOfScope("sector", sector_code)
        stmt = stmt.where(Sector.code == sector_code)
    if scope.sectors:
        stmt = stmt.where(Sector.code.in_(scope.sectors))
    return [Named(*row) for row in conn.execute(stmt)]


def officials(conn: Connection, *, scope: Scope, unit_code: str | None = None) -> list[Named]:
    """Active officials of the scope (of one unit when `unit_code` is given), by name: a
    unit-bound user lists their unit's."""
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
        scope.check_unit(unit_code)
    unit_code = unit_code or scope.unit
    if unit_code:
        stmt = stmt.join(Unit, Unit.id == Official.unit_id).where(Unit.code == unit_code)
    return [Named(*row) for row in conn.execute(stmt)]
