"""Period figures against a hand-built commune pair with known answers, on both databases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from queries.filters import Filters
from queries.kpis import backlog_by_unit_sector, kpis_by_unit, total_kpis, weekly_trend
from tests.conftest import CUTOFF, MARCH, NOW, PROVINCE


def test_it_counts_the_period_for_each_unit(engine: Engine, two_communes: dict[str, int]) -> None:
    with engine.connect() as conn:
        by_unit = kpis_by_unit(conn, MARCH, now=NOW, due_cutoff=CUTOFF, scope=PROVINCE)
    a, b = by_unit[two_communes["a"]], by_unit[two_communes["b"]]
    assert (a.received, a.resolved, a.resolved_early, a.resolved_on_time, a.resolved_late) == (5, 3, 1, 1, 1)
    assert (a.open, a.overdue, a.due_soon, a.paused) == (3, 1, 1, 1)
    assert a.on_time_rate == pytest.approx(2 / 3)
    assert (a.online, a.fee_bearing, a.paid_online, a.digitized_components) == (1, 5, 1, 1)
    assert (a.with_result, a.digitized_results) == (3, 1)
    assert (a.ratings, a.satisfied, a.dissatisfied, a.rating_sum) == (2, 1, 1, 7)
    assert (a.average_rating_timely, a.average_rating_late) == (5.0, 2.0)  # what lateness costs
    assert (b.received, b.resolved, b.resolved_early, b.open) == (1, 1, 1, 1)


def test_the_total_is_the_sum_of_the_units(engine: Engine, two_communes: dict[str, int]) -> None:
    with engine.connect() as conn:
        total = total_kpis(conn, MARCH, now=NOW, due_cutoff=CUTOFF, scope=PROVINCE)
    assert (total.received, total.resolved, total.open, total.overdue) == (6, 4, 4, 1)
    assert total.online_share == pytest.approx(1 / 6)


def test_filters_narrow_the_figures(engine: Engine, two_communes: dict[str, int]) -> None:
    with engine.connect() as conn:
        land = total_kpis(
            conn, Filters(**{**MARCH.__dict__, "sector": "DD"}), now=NOW, due_cutoff=CUTOFF, scope=PROVINCE
        )
        online = total_kpis(
            conn,
            Filters(**{**MARCH.__dict__, "channel": "online"}),
            now=NOW,
            due_cutoff=CUTOFF,
            scope=PROVINCE,
        )
        unknown = total_kpis(
            conn, Filters(**{**MARCH.__dict__, "unit": "99999"}), now=NOW, due_cutoff=CUTOFF, scope=PROVINCE
        )
    assert (land.received, land.resolved, land.open) == (1, 1, 2)
    assert (online.received, online.resolved) == (1, 2)
    assert unknown.received == unknown.open == 0


def test_the_progress_ratio_counts_in_process_dossiers_within_their_deadline(
    engine: Engine, two_communes: dict[str, int]
) -> None:
    with engine.connect() as conn:
        a = kpis_by_unit(conn, MARCH, now=NOW, due_cutoff=CUTOFF, scope=PROVINCE)[two_communes["a"]]
    # At the period's end (now): A4 overdue, A5 within, A6 paused with its stored due passed.
    assert a.in_process_at_end == 3
    assert a.in_time_at_end == 1
    assert a.progress_ratio == pytest.approx((1 + 1 + 1) / (3 + 3))


def test_the_weekly_trend_buckets_by_monday(engine: Engine, two_communes: dict[str, int]) -> None:
    with engine.connect() as conn:
        weeks = weekly_trend(conn, MARCH, start=date(2026, 3, 1), end=date(2026, 3, 20), scope=PROVINCE)
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
            for c in backlog_by_unit_sector(conn, MARCH, now=NOW, scope=PROVINCE)
        }
    ids = two_communes
    assert cells == {
        (ids["a"], ids["civil"]): (2, 1),
        (ids["a"], ids["land"]): (1, 0),
        (ids["b"], ids["land"]): (1, 0),
    }
