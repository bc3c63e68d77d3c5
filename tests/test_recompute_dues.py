"""A newly announced swap re-clocks the open dossiers it touches, and says which."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select

from queries.clocking import recompute_open_dues
from queries.models import Dossier
from queries.settings import ClockPolicy
from queries.sla import Clock
from queries.workcalendar import load_calendar, read_overrides
from tests.factories import add_dossier, add_procedure, add_sector, add_unit


def clock_with_extra_day_off(tmp_path: Path, day: str) -> Clock:
    path = tmp_path / "overrides.csv"
    base = ClockPolicy().overrides_file.read_text(encoding="utf-8")
    path.write_text(base + f"{day},off,announced later\n", encoding="utf-8")
    assert read_overrides(path)[-1].working is False
    return Clock(load_calendar(path), ClockPolicy(overrides_file=path))


def test_a_new_day_off_moves_the_open_dossiers_it_touches(
    engine: Engine, clock: Clock, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        unit = add_unit(conn, "10001", "Xã Tân Phú")
        sector = add_sector(conn)
        proc = add_procedure(conn, sector, "1.004194", value=3)
        common = dict(unit_id=unit, procedure_id=proc, sector_id=sector)
        add_dossier(conn, clock, code="TOUCHED", received_at=datetime(2027, 4, 26, 9), **common)
        add_dossier(conn, clock, code="BEFORE", received_at=datetime(2027, 4, 19, 9), **common)
        add_dossier(
            conn,
            clock,
            code="FINISHED",
            received_at=datetime(2027, 4, 26, 9),
            status="completed",
            finished_at=datetime(2027, 4, 27, 9),
            **common,
        )
    # 3 WD from Mon 26/4/2027 end on Thu 29/4. With Wed 28/4 off, the third working day falls after
    # Reunification Day (Fri 30/4) and Labour Day (Sat 1/5, observed Mon 3/5): Tue 4/5.
    new_clock = clock_with_extra_day_off(tmp_path, "2027-04-28")
    with engine.begin() as conn:
        changed = recompute_open_dues(conn, new_clock)
    assert [code for code, _old, _new in changed] == ["TOUCHED"]
    with engine.connect() as conn:
        dues = dict(conn.execute(select(Dossier.code, Dossier.due_at)).all())
    assert dues["TOUCHED"] == changed[0][2] == datetime(2027, 5, 4, 23, 59, 59)
    assert changed[0][1] == datetime(2027, 4, 29, 23, 59, 59)
    with engine.begin() as conn:
        assert recompute_open_dues(conn, new_clock) == []


def test_the_stored_due_of_an_open_dossier_counts_its_closed_pauses(clock: Clock) -> None:
    from queries.clocking import derive
    from queries.sla import DossierClock

    # domain.md 2.6 B, still processing after the citizen supplied the documents.
    dossier = DossierClock(
        received_at=datetime(2026, 3, 2, 10),
        time_unit="working_days",
        time_value=3,
        status="processing",
        pauses=((datetime(2026, 3, 3, 10), datetime(2026, 3, 9, 10)),),
        supplement_count=1,
    )
    assert derive(clock, dossier).due_at == datetime(2026, 3, 11, 23, 59, 59)
