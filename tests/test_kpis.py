"""Period figures against a hand-built commune pair with known answers, on both databases."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Engine, insert

from queries.filters import Filters
from queries.kpis import backlog_by_unit_sector, kpis_by_unit, total_kpis, weekly_trend
from queries.models import Rating
from queries.sla import Clock
from tests.factories import add_dossier, add_procedure, add_sector, add_unit

NOW = datetime(2026, 3, 20, 10)
CUTOFF = datetime(2026, 3, 24, 23, 59, 59)  # end of the 2nd working day after Fri 20/3
MARCH = Filters(start=date(2026, 3, 1), end=date(2026, 3, 31), preset="month")


@pytest.fixture
def two_communes(engine: Engine, clock: Clock) -> dict[str, int]:
    with engine.begin() as conn:
        a = add_unit(conn, "10001", "Xã A")
        b = add_unit(conn, "10002", "Phường B", level="ward")
        civil = add_sector(conn, "HT", "Hộ tịch")
        land = add_sector(conn, "DD", "Đất đai", heavy=True)
        temp = add_procedure(conn, civil, "1.004194", value=3, fee=15000)
        plot = add_procedure(conn, land, "DD.1", value=20)

        def dossier(code: str, unit: int, proc: int, sector: int, received: datetime, **kw) -> int:  # type: ignore[no-untyped-def]
            return add_dossier(
                conn,
                clock,
                code=code,
                unit_id=unit,
                procedure_id=proc,
                sector_id=sector,
                received_at=received,
                time_value=20 if proc == plot else 3,
                **kw,
            )

        # Unit A, March: 1 early, 1 on time, 1 late, 1 open overdue, 1 open due soon, 1 paused.
        early = dossier(
            "A1",
            a,
            temp,
            civil,
            datetime(2026, 3, 2, 9),
            status="returned",
            finished_at=datetime(2026, 3, 3, 9),
            channel="online",
            paid_online=True,
            digitized_components=True,
            digitized_result=True,
        )
        dossier(
            "A2",
            a,
            temp,
            civil,
            datetime(2026, 3, 2, 9),
            status="completed",
            finished_at=datetime(2026, 3, 5, 16),
        )
        late = dossier(
            "A3",
            a,
            temp,
            civil,
            datetime(2026, 3, 2, 9),
            status="returned",
            finished_at=datetime(2026, 3, 9, 9),
        )
        dossier("A4", a, temp, civil, datetime(2026, 3, 12, 9))  # due Tue 17/3: overdue on 20/3
        dossier("A5", a, plot, land, datetime(2026, 2, 20, 9))  # 20 WD: due Mon 23/3: due soon
        dossier(
            "A6",
            a,
            temp,
            civil,
            datetime(2026, 3, 16, 9),
            status="awaiting_supplement",
            pauses=((datetime(2026, 3, 17, 9), None),),
        )
        # Unit B: one February dossier finished in March (counts as resolved, not received), one open.
        dossier(
            "B1",
            b,
            plot,
            land,
            datetime(2026, 2, 26, 9),
            status="completed",
            finished_at=datetime(2026, 3, 4, 9),
            channel="online",
        )
        dossier("B2", b, plot, land, datetime(2026, 3, 18, 9), channel="postal")
        conn.execute(
            insert(Rating),
            [
                dict(dossier_id=early, score=5, rated_at=datetime(2026, 3, 3, 10)),
                dict(dossier_id=late, score=2, rated_at=datetime(2026, 3, 9, 10), comment="Trễ hẹn"),
            ],
        )
    return {"a": a, "b": b, "civil": civil, "land": land}


def test_it_counts_the_period_for_each_unit(engine: Engine, two_communes: dict[str, int]) -> None:
    with engine.connect() as conn:
        by_unit = kpis_by_unit(conn, MARCH, now=NOW, due_cutoff=CUTOFF)
    a, b = by_unit[two_communes["a"]], by_unit[two_communes["b"]]
    assert (a.received, a.resolved, a.resolved_early, a.resolved_on_time, a.resolved_late) == (5, 3, 1, 1, 1)
    assert (a.open, a.overdue, a.due_soon, a.paused) == (3, 1, 1, 1)
    assert a.on_time_rate == pytest.approx(2 / 3)
    assert (a.online, a.fee_bearing, a.paid_online, a.digitized_components) == (1, 5, 1, 1)
    assert (a.with_result, a.digitized_results) == (3, 1)
    assert (a.ratings, a.satisfied, a.dissatisfied, a.rating_sum) == (2, 1, 1, 7)
    assert (b.received, b.resolved, b.resolved_early, b.open) == (1, 1, 1, 1)


def test_the_total_is_the_sum_of_the_units(engine: Engine, two_communes: dict[str, int]) -> None:
    with engine.connect() as conn:
        total = total_kpis(conn, MARCH, now=NOW, due_cutoff=CUTOFF)
    assert (total.received, total.resolved, total.open, total.overdue) == (6, 4, 4, 1)
    assert total.online_share == pytest.approx(1 / 6)


def test_filters_narrow_the_figures(engine: Engine, two_communes: dict[str, int]) -> None:
    with engine.connect() as conn:
        land = total_kpis(conn, Filters(**{**MARCH.__dict__, "sector": "DD"}), now=NOW, due_cutoff=CUTOFF)
        online = total_kpis(
            conn, Filters(**{**MARCH.__dict__, "channel": "online"}), now=NOW, due_cutoff=CUTOFF
        )
        unknown = total_kpis(conn, Filters(**{**MARCH.__dict__, "unit": "99999"}), now=NOW, due_cutoff=CUTOFF)
    assert (land.received, land.resolved, land.open) == (1, 1, 2)
    assert (online.received, online.resolved) == (1, 2)
    assert unknown.received == unknown.open == 0


def test_the_progress_ratio_counts_in_process_dossiers_within_their_deadline(
    engine: Engine, two_communes: dict[str, int]
) -> None:
    with engine.connect() as conn:
        a = kpis_by_unit(conn, MARCH, now=NOW, due_cutoff=CUTOFF)[two_communes["a"]]
    # At the period's end (now): A4 overdue, A5 within, A6 paused with its stored due passed.
    assert a.in_process_at_end == 3
    assert a.in_time_at_end == 1
    assert a.progress_ratio == pytest.approx((1 + 1 + 1) / (3 + 3))


def test_the_weekly_trend_buckets_by_monday(engine: Engine, two_communes: dict[str, int]) -> None:
    with engine.connect() as conn:
        weeks = weekly_trend(conn, MARCH, start=date(2026, 3, 1), end=date(2026, 3, 20))
    assert [w.week for w in weeks] == [
        date(2026, 2, 23),
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
    ]
    by_week = {w.week: w for w in weeks}
    assert by_week[date(2026, 3, 2)].received == 3
    assert by_week[date(2026, 3, 2)].resolved == 3  # A1 (Tue), A2 (Thu), B1 (Wed)
    assert by_week[date(2026, 3, 9)].resolved == 1
    assert by_week[date(2026, 3, 16)].received == 2


def test_the_backlog_matrix_splits_units_and_sectors(engine: Engine, two_communes: dict[str, int]) -> None:
    with engine.connect() as conn:
        cells = {
            (c.unit_id, c.sector_id): (c.open, c.overdue)
            for c in backlog_by_unit_sector(conn, MARCH, now=NOW)
        }
    ids = two_communes
    assert cells == {
        (ids["a"], ids["civil"]): (2, 1),
        (ids["a"], ids["land"]): (1, 0),
        (ids["b"], ids["land"]): (1, 0),
    }
