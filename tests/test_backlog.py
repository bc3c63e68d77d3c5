"""The backlog broken down by sector, procedure, official and age, on hand-built communes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import Engine, insert

from queries.backlog import (
    ageing,
    backlog_by_procedure,
    backlog_by_sector,
    official_workload,
    workload_by_official,
)
from queries.kpis import total_kpis
from queries.models import Dossier
from queries.sla import Clock
from tests.conftest import CUTOFF, MARCH, NOW, PROVINCE
from tests.factories import add_dossier, add_official

UNIT_A = replace(MARCH, unit="10001")


@pytest.fixture
def busier_a(engine: Engine, clock: Clock, two_communes: dict[str, int]) -> dict[str, int]:
    """Unit A with an idle handler, an unassigned dossier, and dossiers of every age.

    Added open dossiers (all civil status, 3 working days, at NOW = Fri 20/3 10:00):
    - A7 received today, nobody holds it: age 0, on track;
    - A8 received Sat 14/3 (accepted Mon 16/3), due Thu 19/3: age 5, overdue, held by CB-A1;
    - A9 received Thu 12/2, before Tết: age 21, overdue, held by CB-A1;
    - A10 with no receipt time: no age, counted apart.
    """
    ids = two_communes
    with engine.begin() as conn:
        idle = add_official(conn, ids["a"], "CB-A2", name="Trần Thị Bình")
        add_official(conn, ids["a"], "CT-A", role="chairperson", name="Chủ tịch A")
        temp = conn.execute(Dossier.__table__.select().where(Dossier.code == "A4")).one().procedure_id

        def dossier(code: str, received: datetime, handler: int | None) -> None:
            add_dossier(
                conn,
                clock,
                code=code,
                unit_id=ids["a"],
                procedure_id=temp,
                sector_id=ids["civil"],
                received_at=received,
                handler_id=handler,
            )

        dossier("A7", datetime(2026, 3, 20, 8, 30), None)
        dossier("A8", datetime(2026, 3, 14, 9), ids["handler"])
        dossier("A9", datetime(2026, 2, 12, 9), ids["handler"])
        conn.execute(
            insert(Dossier).values(
                code="A10",
                unit_id=ids["a"],
                procedure_id=temp,
                sector_id=ids["civil"],
                channel="counter",
                status="received",
            )
        )
    return {**ids, "idle": idle}


def test_it_counts_the_backlog_by_sector_most_overdue_first(engine: Engine, two_communes) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        groups = backlog_by_sector(conn, UNIT_A, now=NOW, due_cutoff=CUTOFF, scope=PROVINCE)
    assert [(g.code, g.open, g.overdue, g.due_soon, g.paused, g.later) for g in groups] == [
        ("HT", 2, 1, 0, 1, 0),  # A4 overdue, A6 awaiting a supplement
        ("DD", 1, 0, 1, 0, 0),  # A5 due Mon 23/3, within two working days
    ]
    assert groups[0].name("vi") == "Hộ tịch"


def test_the_parts_add_up_to_the_cards(engine: Engine, two_communes) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        groups = backlog_by_procedure(conn, MARCH, now=NOW, due_cutoff=CUTOFF, scope=PROVINCE)
        cards = total_kpis(conn, MARCH, now=NOW, due_cutoff=CUTOFF, scope=PROVINCE)
    assert {g.code: (g.open, g.overdue, g.due_soon, g.later) for g in groups} == {
        "1.004194": (2, 1, 0, 0),
        "DD.1": (2, 0, 1, 1),  # B2 received 18/3 is due in April
    }
    assert sum(g.open for g in groups) == cards.open == 4
    assert sum(g.overdue for g in groups) == cards.overdue
    assert sum(g.due_soon for g in groups) == cards.due_soon
    assert sum(g.paused for g in groups) == cards.paused


def test_it_applies_sector_procedure_and_channel_filters(engine: Engine, two_communes) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        land = backlog_by_procedure(
            conn, replace(MARCH, sector="DD"), now=NOW, due_cutoff=CUTOFF, scope=PROVINCE
        )
        postal = backlog_by_sector(
            conn, replace(MARCH, channel="postal"), now=NOW, due_cutoff=CUTOFF, scope=PROVINCE
        )
        unknown = backlog_by_sector(
            conn, replace(MARCH, procedure="nope"), now=NOW, due_cutoff=CUTOFF, scope=PROVINCE
        )
    assert [(g.code, g.open) for g in land] == [("DD.1", 2)]
    assert [(g.code, g.open) for g in postal] == [("DD", 1)]
    assert unknown == []


def test_it_groups_dossiers_without_a_sector_apart(engine: Engine, clock: Clock, two_communes) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        proc = conn.execute(Dossier.__table__.select().where(Dossier.code == "A4")).one().procedure_id
        add_dossier(
            conn,
            clock,
            code="A11",
            unit_id=two_communes["a"],
            procedure_id=proc,
            sector_id=None,  # type: ignore[arg-type]
            received_at=datetime(2026, 3, 19, 9),
        )
    with engine.connect() as conn:
        groups = backlog_by_sector(conn, UNIT_A, now=NOW, due_cutoff=CUTOFF, scope=PROVINCE)
    assert [(g.code, g.open) for g in groups] == [("HT", 2), ("DD", 1), (None, 1)]


def test_it_shows_each_officials_workload_with_idle_desks_and_unassigned_dossiers(
    engine: Engine, busier_a
) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        rows = workload_by_official(conn, UNIT_A, now=NOW, due_cutoff=CUTOFF, scope=PROVINCE)
    assert [(w.code, w.open, w.due_soon, w.overdue, w.paused) for w in rows] == [
        ("CB-A1", 5, 1, 3, 1),  # A4, A8, A9 overdue; A5 due soon; A6 paused
        (None, 2, 0, 0, 0),  # A7 and A10: nobody holds them
        ("CB-A2", 0, 0, 0, 0),  # idle handler; the chairperson holds no desk and is not listed
    ]
    assert rows[0].name == "Nguyễn Văn An"


def test_province_wide_workload_lists_only_holders_of_open_dossiers(engine: Engine, busier_a) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        rows = workload_by_official(conn, MARCH, now=NOW, due_cutoff=CUTOFF, scope=PROVINCE)
    assert [(w.code, w.open) for w in rows] == [("CB-A1", 5), (None, 3)]  # B2 has no handler


def test_one_officials_workload(engine: Engine, busier_a) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        mine = official_workload(conn, "CB-A1", now=NOW, due_cutoff=CUTOFF, scope=PROVINCE)
        idle = official_workload(conn, "CB-A2", now=NOW, due_cutoff=CUTOFF, scope=PROVINCE)
        nobody = official_workload(conn, "XX", now=NOW, due_cutoff=CUTOFF, scope=PROVINCE)
    assert mine is not None and (mine.open, mine.due_soon, mine.overdue, mine.paused) == (5, 1, 3, 1)
    assert idle is not None and (idle.name, idle.open, idle.overdue) == ("Trần Thị Bình", 0, 0)
    assert nobody is None


def test_it_ages_open_dossiers_in_working_days_since_receipt(engine: Engine, clock: Clock, busier_a) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        result = ageing(conn, UNIT_A, calendar=clock.calendar, now=NOW, scope=PROVINCE)
    table = [(b.low, b.high, b.open, b.overdue, b.paused) for b in result.buckets]
    assert table == [
        (0, 1, 1, 0, 0),  # A7 received this morning
        (2, 3, 0, 0, 0),
        (4, 5, 2, 1, 1),  # A6 (Mon 16/3: 4), A8 (Sat 14/3: 5, overdue)
        (6, 10, 1, 1, 0),  # A4 (Thu 12/3: 6)
        (11, 20, 1, 0, 0),  # A5 (Fri 20/2, a Tết day off: 20)
        (21, None, 1, 1, 0),  # A9 (Thu 12/2: 21, Tết not counted)
    ]
    assert result.undated == 1
    assert result.open == 7


def test_ageing_follows_the_filters(engine: Engine, clock: Clock, busier_a) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        land = ageing(conn, replace(UNIT_A, sector="DD"), calendar=clock.calendar, now=NOW, scope=PROVINCE)
        b = ageing(conn, replace(MARCH, unit="10002"), calendar=clock.calendar, now=NOW, scope=PROVINCE)
    assert [b.open for b in land.buckets] == [0, 0, 0, 0, 1, 0] and land.undated == 0
    assert [b.open for b in b.buckets] == [0, 1, 0, 0, 0, 0]  # B2 received Wed 18/3: 2 working days
