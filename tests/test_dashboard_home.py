"""The overview page reads the database through queries/ and shows what is there."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine

from queries.overview import database_summary
from queries.sla import Clock
from tests.factories import add_dossier, add_official, add_procedure, add_sector, add_unit


@pytest.fixture
def small_province(engine: Engine, clock: Clock) -> Engine:
    with engine.begin() as conn:
        province = add_unit(conn, "01", "Tỉnh Demo", level="province")
        unit = add_unit(conn, "10001", "Xã Tân Phú", parent_id=province)
        sector = add_sector(conn)
        proc = add_procedure(conn, sector, "1.004194", value=3)
        handler = add_official(conn, unit, "CB1")
        common = dict(unit_id=unit, procedure_id=proc, sector_id=sector, handler_id=handler)
        add_dossier(conn, clock, code="OVERDUE", received_at=datetime(2026, 3, 2, 9), **common)
        add_dossier(conn, clock, code="ON-TRACK", received_at=datetime(2026, 3, 10, 9), **common)
        add_dossier(
            conn,
            clock,
            code="PAUSED",
            received_at=datetime(2026, 3, 2, 9),
            status="awaiting_supplement",
            pauses=((datetime(2026, 3, 3, 9), None),),
            **common,
        )
        add_dossier(
            conn,
            clock,
            code="DONE",
            received_at=datetime(2026, 3, 2, 9),
            status="returned",
            finished_at=datetime(2026, 3, 3, 9),
            **common,
        )
    return engine


def test_the_summary_counts_open_and_overdue_dossiers(small_province: Engine) -> None:
    with small_province.connect() as conn:
        summary = database_summary(conn, now=datetime(2026, 3, 10, 10))
    assert summary.province == "Tỉnh Demo"
    assert (summary.units, summary.procedures, summary.officials, summary.dossiers) == (2, 1, 1, 4)
    assert summary.open == 3
    assert summary.overdue == 1  # the paused one is past its first due but its clock is stopped
    assert summary.first_received == datetime(2026, 3, 2, 9)


def test_the_overview_callback_renders_the_counts(small_province: Engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import dashboard.app  # noqa: F401 - pages register against the app
    from dashboard.pages import home

    monkeypatch.setattr(home, "engine", lambda: small_province)
    rendered = str(home.show_summary(1))
    assert "Tỉnh Demo" in rendered
    assert "count-dossiers" in rendered


def test_the_app_serves_the_page_shell() -> None:
    from dashboard.app import server

    response = server.test_client().get("/")
    assert response.status_code == 200
    assert b"01-bootstrap.min.css" in response.data
