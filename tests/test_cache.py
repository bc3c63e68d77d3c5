"""The shared result cache: one result per filter set, scope and minute, expired the moment the
data behind it changes (tests/test_scope_queries.py proves one scope never reads another's)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, update

import dashboard.app  # noqa: F401 - the cache is bound to the app
from dashboard import cached
from queries.models import Dossier
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
