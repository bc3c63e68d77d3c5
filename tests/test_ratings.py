"""Ratings: the latest low ones, the weekly trend, and satisfaction beside timeliness."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from sqlalchemy import Engine, insert, select

from queries.models import Dossier, Rating
from queries.ratings import combine_timeliness, low_ratings, satisfaction_by_timeliness, weekly_ratings
from queries.sla import Clock
from tests.conftest import MARCH, PROVINCE
from tests.factories import add_dossier, add_procedure

UNIT_A = replace(MARCH, unit="10001")


@pytest.fixture
def rated_a(engine: Engine, clock: Clock, two_communes: dict[str, int]) -> dict[str, int]:
    """Unit A's ratings besides the fixture's A1 (early, 5 on 3/3) and A3 (late, 2 on 9/3).

    - A2 (on time) rated 4 on Tue 10/3, A4 (still open) rated 1 on Wed 18/3 "Chờ lâu";
    - a late dossier C1 of a second procedure, rated 1 on Thu 19/3 "Không ai trả lời", online;
    - A1 rated again 1 in February (outside the period).
    """
    ids = two_communes
    with engine.begin() as conn:
        code_id = dict(conn.execute(select(Dossier.code, Dossier.id)).all())
        extract = add_procedure(conn, ids["civil"], "2.000635", value=1)
        late = add_dossier(
            conn,
            clock,
            code="C1",
            unit_id=ids["a"],
            procedure_id=extract,
            sector_id=ids["civil"],
            received_at=datetime(2026, 3, 2, 9),
            time_value=1,
            status="returned",
            finished_at=datetime(2026, 3, 6, 9),
            channel="online",
        )
        conn.execute(
            insert(Rating),
            [
                # every row names every column: an executemany takes its columns from the first row
                dict(dossier_id=code_id["A2"], score=4, rated_at=datetime(2026, 3, 10, 8), comment=None),
                dict(
                    dossier_id=code_id["A4"], score=1, rated_at=datetime(2026, 3, 18, 15), comment="Chờ lâu"
                ),
                dict(dossier_id=late, score=1, rated_at=datetime(2026, 3, 19, 9), comment="Không ai trả lời"),
                dict(dossier_id=code_id["A1"], score=1, rated_at=datetime(2026, 2, 10, 9), comment=None),
            ],
        )
    return ids


def test_it_lists_the_latest_low_ratings(engine: Engine, two_communes) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        rows = low_ratings(conn, UNIT_A, scope=PROVINCE)
    assert [(r.dossier_code, r.score, r.procedure_code) for r in rows] == [("A3", 2, "1.004194")]
    assert rows[0].rated_at == datetime(2026, 3, 9, 10)
    assert rows[0].procedure_name("en") == "1.004194"


def test_low_ratings_are_newest_first_within_the_period_and_limit(engine: Engine, rated_a) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        rows = low_ratings(conn, UNIT_A, scope=PROVINCE)
        top = low_ratings(conn, UNIT_A, limit=1, scope=PROVINCE)
        online = low_ratings(conn, replace(UNIT_A, channel="online"), scope=PROVINCE)
        february = low_ratings(
            conn, replace(UNIT_A, start=date(2026, 2, 1), end=date(2026, 2, 28)), scope=PROVINCE
        )
        other_unit = low_ratings(conn, replace(MARCH, unit="10002"), scope=PROVINCE)
    assert [r.dossier_code for r in rows] == ["C1", "A4", "A3"]
    assert [r.comment for r in rows[:2]] == ["Không ai trả lời", "Chờ lâu"]
    assert rows[0].channel is None and rows[0].rated_at == datetime(2026, 3, 19, 9)
    assert [r.dossier_code for r in top] == ["C1"]
    assert [r.dossier_code for r in online] == ["C1"]
    assert [(r.dossier_code, r.score) for r in february] == [("A1", 1)]
    assert other_unit == []


def test_the_weekly_trend_has_every_week_with_average_and_satisfied_share(engine: Engine, rated_a) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        weeks = weekly_ratings(conn, UNIT_A, start=date(2026, 2, 4), end=date(2026, 3, 20), scope=PROVINCE)
    table = {w.week: (w.ratings, w.satisfied, w.low, w.score_sum) for w in weeks}
    assert list(table) == [date(2026, 2, 2) + (date(2026, 2, 9) - date(2026, 2, 2)) * i for i in range(7)]
    assert table[date(2026, 2, 9)] == (1, 0, 1, 1)
    assert table[date(2026, 3, 2)] == (1, 1, 0, 5)  # A1
    assert table[date(2026, 3, 9)] == (2, 1, 1, 6)  # A3 (2) on Mon 9/3 and A2 (4)
    assert table[date(2026, 3, 16)] == (2, 0, 2, 2)  # A4 and C1
    assert table[date(2026, 2, 23)] == (0, 0, 0, 0)
    by_week = {w.week: w for w in weeks}
    assert by_week[date(2026, 3, 9)].average == pytest.approx(3.0)
    assert by_week[date(2026, 3, 9)].satisfaction == pytest.approx(0.5)
    assert by_week[date(2026, 2, 23)].average is None


def test_it_sets_satisfaction_of_timely_dossiers_beside_late_ones(engine: Engine, two_communes) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        [unit] = satisfaction_by_timeliness(conn, UNIT_A, scope=PROVINCE)
    assert unit.procedure_code is None
    assert (unit.timely.ratings, unit.timely.satisfied, unit.timely.average) == (1, 1, 5.0)
    assert (unit.late.ratings, unit.late.satisfied, unit.late.average) == (1, 0, 2.0)
    assert unit.average_gap == pytest.approx(3.0)
    assert unit.satisfaction_gap == pytest.approx(1.0)


def test_per_procedure_it_leaves_out_open_dossiers_and_sorts_by_ratings(engine: Engine, rated_a) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        [unit] = satisfaction_by_timeliness(conn, UNIT_A, scope=PROVINCE)
        rows = satisfaction_by_timeliness(conn, UNIT_A, by_procedure=True, scope=PROVINCE)
    # A4 is still open: its rating of 1 has no verdict and counts on neither side.
    assert (unit.timely.ratings, unit.timely.score_sum, unit.late.ratings, unit.late.score_sum) == (
        2,
        9,
        2,
        3,
    )
    assert [(r.procedure_code, r.timely.ratings, r.late.ratings) for r in rows] == [
        ("1.004194", 2, 1),
        ("2.000635", 0, 1),
    ]
    assert rows[0].timely.satisfaction == 1.0 and rows[0].late.satisfaction == 0.0
    assert rows[1].timely.average is None and rows[1].average_gap is None
    assert combine_timeliness(rows) == unit


def test_with_no_rating_the_unit_has_empty_summaries(engine: Engine, two_communes) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        [unit] = satisfaction_by_timeliness(conn, replace(MARCH, unit="10002"), scope=PROVINCE)
        rows = satisfaction_by_timeliness(
            conn, replace(MARCH, unit="10002"), by_procedure=True, scope=PROVINCE
        )
    assert unit.timely.ratings == unit.late.ratings == 0 and unit.timely.average is None
    assert rows == []
