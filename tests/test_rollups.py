"""The per-day rollups give exactly the raw queries' figures, and stay exact as dossiers change.

Every comparison runs on SQLite and PostgreSQL: the small demo province (as in test_demo.py)
plus a few dossiers the demo never makes (no procedure, refused, submitted), its period
figures and weekly trends read both ways under many filter sets; then incremental refreshes
after new dossiers, a finish, a rating and corrections, compared row for row with a rebuild.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, insert, select, update

from queries import rollups
from queries.__main__ import main
from queries.demo import generate
from queries.filters import Filters
from queries.kpis import combine, kpis_by_unit, total_kpis, weekly_trend
from queries.models import DailyRollup, DailyUnitRollup, Dossier, Procedure, Rating, RollupState, Sector, Unit
from queries.scope import Role, Scope
from queries.sla import Clock
from tests.conftest import PROVINCE
from tests.factories import add_dossier
from tests.test_import import EXAMPLES, LATER, dossier, import_dossiers, import_examples, run, write_rows

UNTIL = date(2026, 3, 13)
AS_OF = datetime.combine(UNTIL, time(17, 30))
CUTOFF = AS_OF + timedelta(days=4)
SMALL = {"communes": 4, "months": 3, "dossiers": 5000, "seed": 7, "until": UNTIL}
CHANGED_AT = AS_OF + timedelta(hours=20)  # what the later writers stamp in updated_at


# --- helpers -----------------------------------------------------------------------------------------
def rollup_rows(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Both rollup tables, row by row: what a refresh must leave exactly as a rebuild would."""
    return {
        model.__tablename__: sorted(tuple(row) for row in conn.execute(select(model.__table__)))
        for model in (DailyRollup, DailyUnitRollup)
    }


def rebuilt_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """The rows a rebuild writes, without keeping it (the transaction is rolled back)."""
    with engine.connect() as conn, conn.begin() as transaction:
        rollups.rebuild(conn)
        rows = rollup_rows(conn)
        transaction.rollback()
    return rows


def current_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return rollup_rows(conn)


def assert_same_figures(
    conn: Connection, filters: Filters, *, now: datetime = AS_OF, scope: Scope = PROVINCE
) -> None:
    """Period figures per unit and in total, and the weekly trend, from the rollup and raw, as
    `scope` sees them (a sector-limited supervisor reads the per-sector rollup)."""
    for by_unit in (True, False):
        raw = kpis_by_unit(
            conn, filters, now=now, due_cutoff=CUTOFF, by_unit=by_unit, source="raw", scope=scope
        )
        rolled = kpis_by_unit(
            conn, filters, now=now, due_cutoff=CUTOFF, by_unit=by_unit, source="rollup", scope=scope
        )
        assert rolled == raw, (filters, scope, by_unit)
    trend = {"start": filters.start, "end": filters.end}
    assert weekly_trend(conn, filters, **trend, source="rollup", scope=scope) == weekly_trend(
        conn, filters, **trend, source="raw", scope=scope
    ), (filters, scope)


def codes(conn: Connection) -> dict[str, str]:
    """A busy commune, a sector and one of its procedures, all with dossiers in the demo."""
    unit, sector, procedure = conn.execute(
        select(Unit.code, Sector.code, Procedure.code)
        .select_from(Dossier)
        .join(Unit, Unit.id == Dossier.unit_id)
        .join(Sector, Sector.id == Dossier.sector_id)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .group_by(Unit.code, Sector.code, Procedure.code)
        .order_by(func.count().desc(), Unit.code, Procedure.code)
        .limit(1)
    ).one()
    return {"unit": unit, "sector": sector, "procedure": procedure}


def add_oddities(conn: Connection, clock: Clock) -> None:
    """Dossiers the demo never makes: no procedure or sector, refused, submitted, withdrawn
    without an end time, and a fee-bearing one paid online."""
    unit = conn.execute(select(func.min(Dossier.unit_id))).scalar_one()
    received = datetime(2026, 3, 2, 9)
    base = {"unit_id": unit, "channel": "online", "updated_at": AS_OF, "received_at": received}
    conn.execute(
        insert(Dossier),
        [
            {**base, "code": "ODD-1", "status": "processing"},  # no procedure, no sector
            {**base, "code": "ODD-2", "status": "refused"},
            {**base, "code": "ODD-3", "status": "submitted", "received_at": None},
            {**base, "code": "ODD-4", "status": "withdrawn"},  # finished state, no end time
        ],
    )
    fee, sector = conn.execute(
        select(Procedure.id, Procedure.sector_id).where(Procedure.fee > 0).order_by(Procedure.id).limit(1)
    ).one()
    add_dossier(
        conn,
        clock,
        code="ODD-5",
        unit_id=unit,
        procedure_id=fee,
        sector_id=sector,
        received_at=received,
        status="returned",
        finished_at=datetime(2026, 3, 3, 15),
        channel="online",
        paid_online=True,
        updated_at=AS_OF,
    )


@pytest.fixture
def demo(engine: Engine, clock: Clock) -> Engine:
    """The small demo province with its rollups built (the generator ends with a rebuild)."""
    generate(engine, clock=clock, **SMALL)
    with engine.begin() as conn:
        assert rollups.is_built(conn)
        add_oddities(conn, clock)
        rollups.rebuild(conn)
    return engine


# --- the rollups give the raw figures ----------------------------------------------------------------
PERIODS = {
    "whole demo": (date(2025, 12, 1), date(2026, 3, 31)),
    "month": (date(2026, 2, 1), date(2026, 2, 28)),
    "week from a Wednesday": (date(2026, 3, 4), date(2026, 3, 10)),
    "one day": (date(2026, 3, 2), date(2026, 3, 2)),
    "no data": (date(2024, 1, 1), date(2024, 3, 31)),
}
SCOPES = [
    {},
    {"unit": "unit"},
    {"sector": "sector"},
    {"procedure": "procedure"},
    {"channel": "online"},
    {"channel": "postal"},
    {"unit": "unit", "sector": "sector", "channel": "counter"},
    {"unit": "unit", "procedure": "procedure"},
    {"unit": "99999"},  # an unknown code matches nothing, from both sources
]


#: Filter sets a user limited to the busy sector (and one more) may ask for.
LIMITED_SCOPES = [
    {},
    {"unit": "unit"},
    {"sector": "sector"},
    {"procedure": "procedure"},
    {"channel": "online"},
]


def two_sectors(conn: Connection, busy: str) -> tuple[str, str]:
    """The busy sector and the next one by code: a supervisor limited to both, not to all."""
    other = conn.execute(
        select(Sector.code).where(Sector.code != busy).order_by(Sector.code).limit(1)
    ).scalar_one()
    return busy, other


@pytest.mark.parametrize("period", list(PERIODS), ids=list(PERIODS))
def test_rollup_figures_equal_the_raw_queries_under_every_filter(demo: Engine, period: str) -> None:
    start, end = PERIODS[period]
    with demo.connect() as conn:
        known = codes(conn)
        for scope in SCOPES:
            values = {key: known.get(value, value) for key, value in scope.items()}
            assert_same_figures(conn, Filters(start=start, end=end, **values))
        limited = Scope(Role.SUPERVISOR, sectors=two_sectors(conn, known["sector"]))
        chair = Scope(Role.CHAIR, unit=known["unit"])
        for scope in LIMITED_SCOPES:
            values = {key: known.get(value, value) for key, value in scope.items()}
            assert_same_figures(conn, Filters(start=start, end=end, **values), scope=limited)
            assert_same_figures(conn, Filters(start=start, end=end, **values), scope=chair)


@pytest.mark.parametrize("source", ["raw", "rollup"])
def test_a_sector_limited_province_is_the_sum_of_its_sectors(demo: Engine, source: str) -> None:
    start, end = PERIODS["whole demo"]
    period = Filters(start=start, end=end)
    with demo.connect() as conn:
        sectors = two_sectors(conn, codes(conn)["sector"])
        limited = total_kpis(
            conn,
            period,
            now=AS_OF,
            due_cutoff=CUTOFF,
            source=source,  # type: ignore[arg-type]
            scope=Scope(Role.SUPERVISOR, sectors=sectors),
        )
        parts = [
            total_kpis(
                conn,
                replace(period, sector=sector),
                now=AS_OF,
                due_cutoff=CUTOFF,
                source=source,  # type: ignore[arg-type]
                scope=PROVINCE,
            )
            for sector in sectors
        ]
        everything = total_kpis(
            conn,
            period,
            now=AS_OF,
            due_cutoff=CUTOFF,
            source=source,
            scope=PROVINCE,  # type: ignore[arg-type]
        )
    assert limited == combine(parts)
    assert 0 < limited.received < everything.received and 0 < limited.open < everything.open


def test_the_compared_figures_are_not_trivially_empty(demo: Engine) -> None:
    start, end = PERIODS["whole demo"]
    with demo.connect() as conn:
        total = total_kpis(
            conn, Filters(start=start, end=end), now=AS_OF, due_cutoff=CUTOFF, source="rollup", scope=PROVINCE
        )
    assert total.received > 4000 and total.resolved > 4000 and total.ratings > 500
    assert 0 < total.resolved_late < total.resolved and 0 < total.ratings_late < total.ratings
    assert 0 < total.fee_bearing < total.received and 0 < total.paid_online < total.fee_bearing
    assert 0 < total.online < total.received and 0 < total.digitized_results < total.with_result


def test_the_dashboard_reads_the_rollup_once_built_and_the_raw_tables_before(
    engine: Engine, clock: Clock
) -> None:
    generate(engine, clock=clock, **SMALL)
    march = Filters(start=date(2026, 3, 1), end=date(2026, 3, 13))
    with engine.begin() as conn:
        conn.execute(
            update(Dossier).where(Dossier.received_at >= datetime(2026, 3, 1)).values(channel="postal")
        )
        # The rollup still counts these as received over the counter or online: stale on purpose,
        # so "auto" shows which source it read.
        stale = total_kpis(conn, march, now=AS_OF, due_cutoff=CUTOFF, scope=PROVINCE)
        assert stale == total_kpis(conn, march, now=AS_OF, due_cutoff=CUTOFF, source="rollup", scope=PROVINCE)
        assert stale != total_kpis(conn, march, now=AS_OF, due_cutoff=CUTOFF, source="raw", scope=PROVINCE)
        conn.execute(update(RollupState).values(rebuilt_at=None))  # as before the first rebuild
        assert not rollups.is_built(conn)
        assert total_kpis(conn, march, now=AS_OF, due_cutoff=CUTOFF, scope=PROVINCE) == total_kpis(
            conn, march, now=AS_OF, due_cutoff=CUTOFF, source="raw", scope=PROVINCE
        )


# --- incremental refresh = rebuild -------------------------------------------------------------------
def test_refresh_changed_after_new_dossiers_a_finish_and_a_rating_equals_a_rebuild(
    demo: Engine, clock: Clock
) -> None:
    with demo.begin() as conn:
        unit, procedure, sector = conn.execute(
            select(Dossier.unit_id, Dossier.procedure_id, Dossier.sector_id).where(
                Dossier.procedure_id.is_not(None)
            )
        ).first()
        new = {"unit_id": unit, "procedure_id": procedure, "sector_id": sector, "updated_at": CHANGED_AT}
        add_dossier(conn, clock, code="NEW-1", received_at=datetime(2026, 3, 16, 9), **new)
        add_dossier(
            conn,
            clock,
            code="NEW-2",
            received_at=datetime(2026, 2, 2, 9),  # arrives late from another system, already finished late
            status="returned",
            finished_at=datetime(2026, 3, 2, 9),
            channel="postal",
            **new,
        )
        add_dossier(conn, clock, code="NEW-3", received_at=datetime(2026, 3, 16, 10), status="refused", **new)
        still_open = conn.execute(
            select(Dossier.id).where(Dossier.finished_at.is_(None), Dossier.received_at.is_not(None)).limit(1)
        ).scalar_one()
        conn.execute(
            update(Dossier)
            .where(Dossier.id == still_open)
            .values(
                status="returned",
                finished_at=datetime(2026, 3, 16, 11),
                returned_at=datetime(2026, 3, 16, 11),
                outcome="late",
                digitized_result=True,
                updated_at=CHANGED_AT,
            )
        )
        conn.execute(
            insert(Rating).values(dossier_id=still_open, score=1, rated_at=datetime(2026, 3, 16, 15))
        )
        # A rating on a dossier nobody else touched: found by the ratings' watermark alone.
        old = conn.execute(
            select(Dossier.id).where(
                Dossier.outcome == "on_time", Dossier.finished_at < datetime(2026, 1, 10)
            )
        ).first()[0]
        conn.execute(insert(Rating).values(dossier_id=old, score=4, rated_at=datetime(2026, 3, 16, 16)))

    with demo.begin() as conn:
        report = rollups.refresh_changed(conn, now=CHANGED_AT)
        assert not report.rebuilt and not report.skipped and 0 < report.slices < 50
        state = conn.execute(select(RollupState.__table__)).one()
        assert state.dossiers_through == CHANGED_AT and state.refreshed_at == CHANGED_AT

    assert current_rows(demo) == rebuilt_rows(demo)
    with demo.connect() as conn:
        assert_same_figures(conn, Filters(start=date(2026, 1, 1), end=date(2026, 3, 31)), now=CHANGED_AT)
    with demo.begin() as conn:  # nothing new: only the overlap is looked at again
        again = rollups.refresh_changed(conn, now=CHANGED_AT + timedelta(days=1))
    assert 0 < again.slices <= report.slices
    with demo.begin() as conn:  # the last read is now well past the overlap: nothing to do
        quiet = rollups.refresh_changed(conn, now=CHANGED_AT + timedelta(days=2))
    assert quiet.slices == 0
    assert current_rows(demo) == rebuilt_rows(demo)


def test_a_corrected_finish_date_needs_the_old_slice_too(demo: Engine) -> None:
    """The documented edge case: refreshing a dossier recomputes the days it counts on now."""
    with demo.connect() as conn:
        # Finished on a day of its own: not its receipt day, no rating.
        finished, unit, day = conn.execute(
            select(Dossier.id, Dossier.unit_id, Dossier.finished_at)
            .where(
                Dossier.outcome.is_not(None),
                Dossier.finished_at < datetime(2026, 2, 1),
                rollups.day_of(conn, Dossier.finished_at) != rollups.day_of(conn, Dossier.received_at),
                ~select(Rating.id).where(Rating.dossier_id == Dossier.id).exists(),
            )
            .order_by(Dossier.id)
        ).first()
    with demo.begin() as conn:
        before = rollups.slices_of(conn, [finished])
        assert (unit, day.date()) in before
        conn.execute(
            update(Dossier)
            .where(Dossier.id == finished)
            .values(finished_at=datetime(2026, 3, 11, 10), updated_at=CHANGED_AT)
        )
        rollups.refresh(conn, dossier_ids=[finished])
    assert current_rows(demo) != rebuilt_rows(demo)  # the old finish day still counts it

    with demo.begin() as conn:
        rollups.refresh(conn, dossier_ids=[finished], slices=before)
    assert current_rows(demo) == rebuilt_rows(demo)


def test_refresh_since_and_a_unit_move_with_the_old_slices(demo: Engine) -> None:
    with demo.connect() as conn:
        moved, rated = conn.execute(
            select(Dossier.id, Rating.id).join(Rating, Rating.dossier_id == Dossier.id).order_by(Dossier.id)
        ).first()
        other = conn.execute(
            select(Dossier.unit_id).where(
                Dossier.unit_id != select(Dossier.unit_id).where(Dossier.id == moved).scalar_subquery()
            )
        ).first()[0]
    with demo.begin() as conn:
        before = rollups.slices_of(conn, [moved])
        conn.execute(
            update(Dossier)
            .where(Dossier.id == moved)
            .values(unit_id=other, channel="postal", updated_at=CHANGED_AT)
        )
        conn.execute(update(Rating).where(Rating.id == rated).values(score=1))
        report = rollups.refresh(conn, since=AS_OF, slices=before)
        assert report.slices >= len(before)
    assert current_rows(demo) == rebuilt_rows(demo)


def test_a_refresh_before_the_first_rebuild_is_a_rebuild(engine: Engine, clock: Clock) -> None:
    generate(engine, clock=clock, **SMALL)
    with engine.begin() as conn:
        conn.execute(update(RollupState).values(rebuilt_at=None))
        report = rollups.refresh(conn, dossier_ids=[1])
        assert report.rebuilt and rollups.is_built(conn)
        assert rollup_rows(conn)["daily_unit_rollups"]


# --- the importer keeps them exact -------------------------------------------------------------------
def test_imports_refresh_the_rollups_in_their_own_transaction(
    engine: Engine, clock: Clock, tmp_path: Path
) -> None:
    assert all(report.ok for report in import_examples(engine, clock))  # the dossiers file builds them
    with engine.connect() as conn:
        assert rollups.is_built(conn)
        assert_same_figures(conn, Filters(start=date(2026, 3, 1), end=date(2026, 3, 31)), now=LATER)
    assert current_rows(engine) == rebuilt_rows(engine)

    finish = {
        "MaHoSo": "H99.001-260309-0004",
        "MaTTHC": "1.004194",
        "NgayTiepNhan": "2026-03-09T08:30:00",
        "NgayHenTra": "2026-03-12",
        "TrangThaiHoSoId": "9",
    }
    report = import_dossiers(
        engine, clock, tmp_path, dossier(**finish, NgayKetThucXuLy="2026-03-12T11:00:00")
    )
    assert report.updated == 1
    assert current_rows(engine) == rebuilt_rows(engine)
    # The clerk got the finish day wrong: the corrected export moves it, and the old day is emptied.
    moved = dossier(**finish, NgayKetThucXuLy="2026-03-16T11:00:00", MaDonVi="99002", MaCanBoXuLy="CB004")
    assert import_dossiers(engine, clock, tmp_path, moved, now=LATER).updated == 1
    assert current_rows(engine) == rebuilt_rows(engine)
    with engine.connect() as conn:
        assert_same_figures(conn, Filters(start=date(2026, 3, 1), end=date(2026, 3, 31)), now=LATER)

    ratings = [
        {"MaHoSo": "H99.001-260309-0004", "MucDoHaiLong": "2", "KenhDanhGia": "kiosk",
         "NgayDanhGia": "2026-03-17T09:00:00"},
        {"MaHoSo": "H99.001-260302-0001", "MucDoHaiLong": "3", "KenhDanhGia": "kiosk",
         "NgayDanhGia": "2026-03-05T09:05:00", "NoiDung": "sửa lại"},
    ]  # fmt: skip
    assert run(engine, clock, write_rows(tmp_path / "ratings.csv", ratings), "ratings", LATER).ok
    assert current_rows(engine) == rebuilt_rows(engine)


def test_a_procedure_whose_fee_starts_rebuilds_the_rollups(
    engine: Engine, clock: Clock, tmp_path: Path
) -> None:
    import_examples(engine, clock)
    with engine.connect() as conn:
        before = total_kpis(
            conn,
            Filters(start=date(2026, 3, 1), end=date(2026, 3, 31)),
            now=LATER,
            due_cutoff=LATER,
            scope=PROVINCE,
        )
    lines = (EXAMPLES / "procedures.csv").read_text(encoding="utf-8").splitlines()
    charged = [line.replace(",toan_trinh,0,Certificate", ",toan_trinh,30000,Certificate") for line in lines]
    path = tmp_path / "procedures.csv"
    path.write_text("\n".join(charged) + "\n", encoding="utf-8")
    assert run(engine, clock, path, "procedures", LATER).updated == 1
    with engine.connect() as conn:
        after = total_kpis(
            conn,
            Filters(start=date(2026, 3, 1), end=date(2026, 3, 31)),
            now=LATER,
            due_cutoff=LATER,
            scope=PROVINCE,
        )
        assert_same_figures(conn, Filters(start=date(2026, 3, 1), end=date(2026, 3, 31)), now=LATER)
    assert after.fee_bearing > before.fee_bearing
    assert replace(after, fee_bearing=before.fee_bearing, paid_online=before.paid_online) == before


# --- the command line --------------------------------------------------------------------------------
def test_the_cli_rebuilds_and_refreshes(demo: Engine) -> None:
    url = demo.url.render_as_string(hide_password=False)
    with demo.begin() as conn:
        conn.execute(DailyUnitRollup.__table__.delete())
    assert main(["--database-url", url, "rollups", "rebuild"]) == 0
    assert current_rows(demo) == rebuilt_rows(demo)
    assert main(["--database-url", url, "rollups", "refresh", "--since", "2026-03-13T00:00"]) == 0
    assert main(["--database-url", url, "rollups", "refresh"]) == 0
    assert current_rows(demo) == rebuilt_rows(demo)


def test_a_demo_database_from_before_the_rollups_gets_them_on_the_next_run(
    engine: Engine, clock: Clock
) -> None:
    generate(engine, clock=clock, **SMALL)
    with engine.begin() as conn:
        conn.execute(DailyRollup.__table__.delete())
        conn.execute(DailyUnitRollup.__table__.delete())
        conn.execute(RollupState.__table__.delete())
    url = engine.url.render_as_string(hide_password=False)
    assert main(["--database-url", url, "demo", "--if-empty"]) == 0
    with engine.connect() as conn:
        assert rollups.is_built(conn)
    assert current_rows(engine) == rebuilt_rows(engine)
