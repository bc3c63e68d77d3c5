"""One account per role on the demo province, so `make run` can be tried at once.

The login page lists them (with their password) only while the database is the demo and only
for accounts whose password nobody has changed since the demo made them: a province that
started from the demo and reset the passwords shows nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from queries import users
from queries.demo_catalog import DEPARTMENTS, PROVINCE
from queries.domain import OPEN_STATUSES
from queries.models import Dossier, Official, Unit, User

DEMO_PASSWORD = "motcua-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    display_name: str


def is_demo(conn: Connection) -> bool:
    """Whether this database is the demo province (its fictional province unit is there)."""
    found = conn.execute(
        select(Unit.name_vi).where(Unit.code == PROVINCE[0], Unit.level == "province")
    ).scalar()
    return found == PROVINCE[1]


def create(conn: Connection, *, now: datetime) -> list[DemoAccount]:
    """An administrator, two supervisors (whole province; land only), a chairperson and an
    official of the first commune (the official holding the most open dossiers there)."""
    commune = conn.execute(
        select(Unit.id, Unit.code).where(Unit.level == "commune").order_by(Unit.code)
    ).first()
    if commune is None:
        return []
    chair = conn.execute(
        select(Official.code, Official.full_name).where(
            Official.unit_id == commune.id, Official.role == "chairperson"
        )
    ).first()
    busiest = conn.execute(
        select(Official.code, Official.full_name)
        .join(Dossier, Dossier.handler_id == Official.id)
        .where(
            Official.unit_id == commune.id,
            Dossier.finished_at.is_(None),
            Dossier.status.in_([str(s) for s in OPEN_STATUSES]),
        )
        .group_by(Official.code, Official.full_name)
        .order_by(func.count().desc(), Official.code)
    ).first()
    province_supervisor = f"{PROVINCE[0]}.01"
    land_supervisor = next(f"{code}.01" for code, _, _, sector in DEPARTMENTS if sector == "DATDAI")
    known = set(
        conn.execute(
            select(Official.code).where(Official.code.in_([province_supervisor, land_supervisor]))
        ).scalars()
    )
    plan = [
        ("quantri", "admin", "Quản trị hệ thống (demo)", {}),
        ("giamsat", "supervisor", "Giám sát toàn tỉnh (demo)", _linked(province_supervisor, known)),
        (
            "giamsat.datdai",
            "supervisor",
            "Giám sát lĩnh vực Đất đai (demo)",
            {"sectors": ("DATDAI",), **_linked(land_supervisor, known)},
        ),
    ]
    if chair is not None:
        plan.append(("chutich", "chair", chair.full_name, {"official_code": chair.code}))
    if busiest is not None:
        plan.append(("canbo", "official", busiest.full_name, {"official_code": busiest.code}))
    made = []
    for username, role, name, links in plan:
        if users.find(conn, username) is not None:
            continue
        users.add(
            conn,
            username=username,
            display_name=name,
            role=role,
            password=DEMO_PASSWORD,
            now=now,
            demo=True,
            **links,
        )
        made.append(DemoAccount(username, role, name))
    return made


def _linked(official_code: str, known: set[str]) -> dict[str, str]:
    return {"official_code": official_code} if official_code in known else {}


def shown_on_login(conn: Connection) -> list[DemoAccount]:
    """The demo accounts still as the demo made them (active, password never changed)."""
    rows = conn.execute(
        select(User.username, User.role, User.display_name)
        .where(User.demo.is_(True), User.active.is_(True), User.password_changed_at == User.created_at)
        .order_by(User.id)
    )
    return [DemoAccount(*row) for row in rows]
