"""The shared result cache: one result per filter set, scope and minute, expired the moment the
data behind it changes (tests/test_scope_queries.py proves one scope never reads another's)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

import dashboard.app  # noqa: F401 - the cache is bound to the app
from dashboard import cached
from queries.models import Dossier, Rating
from queries.ratings import weekly_ratings
from tests.conftest import MARCH, PROVINCE, callback_request
from tests.factories import add_dossier


def received(filters=MARCH) -> int:  # type: ignore[no-untyped-def]
    with callback_request():
        figures = cached.period_figures(filters, PROVINCE, cached.minute())
    return sum(k.received for k in figures.current.values())


def test_a_cached_result_is_served_again_within_its_minute_while_the_data_is_unchanged(
    dashboard_db: Engine, two_communes: dict[str, int]
) -> None:
    first = received()
    with dashboard_db.begin() as conn:  # a change that does not touch updated_at: invisible to the cache
        conn.execute(update(Dossier).where(Dossier.code == "A1").values(channel="counter"))
    calls = []
    real = cached.kpis_by_unit
    cached.kpis_by_unit = lambda *a, **k: calls.append(1) or real(*a, **k)  # type: ignore[assignment]
    try:
        assert received() == first and not calls
    finally:
        cached.kpis_by_unit = real  # type: ignore[assignment]


def test_a_cached_result_expires_as_soon_as_a_dossier_changes(
    dashboard_db: Engine,
    two_communes: dict[str, int],
    clock,  # type: ignore[no-untyped-def]
) -> None:
    before = received()
    with dashboard_db.begin() as conn:
        new = add_dossier(
            conn,
            clock,
            code="A-NEW",
            unit_id=two_communes["a"],
            procedure_id=None,
            sector_id=two_communes["civil"],
            received_at=datetime(2026, 3, 19, 9),
            time_value=3,
        )
        conn.execute(update(Dossier).where(Dossier.id == new).values(updated_at=datetime(2026, 3, 19, 9, 1)))
    assert received() == before + 1


def test_a_new_rating_shows_at_once_in_a_communes_cached_rating_weeks(
    dashboard_db: Engine, two_communes: dict[str, int]
) -> None:
    unit_a = replace(MARCH, unit="10001")

    def ratings() -> int:
        with callback_request():
            return sum(w.ratings for w in cached.rating_weeks(unit_a, PROVINCE, MARCH.start, MARCH.end))

    before = ratings()
    with dashboard_db.begin() as conn:
        a2 = conn.execute(select(Dossier.id).where(Dossier.code == "A2")).scalar_one()
        conn.execute(insert(Rating).values(dossier_id=a2, score=4, rated_at=datetime(2026, 3, 10, 8)))
    assert ratings() == before + 1
    with dashboard_db.connect() as conn:  # the unit's ratings by its dossiers = the province's by the join
        province = weekly_ratings(conn, MARCH, scope=PROVINCE, start=MARCH.start, end=MARCH.end)
        other = weekly_ratings(
            conn, replace(MARCH, unit="10002"), scope=PROVINCE, start=MARCH.start, end=MARCH.end
        )
    assert sum(w.ratings for w in province) == before + 1 + sum(w.ratings for w in other)
