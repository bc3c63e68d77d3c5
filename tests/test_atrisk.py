"""The at-risk list: open dossiers, most urgent first, judged by the clock page by page."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from queries.atrisk import at_risk, count_open
from queries.filters import Filters
from queries.sla import Clock
from tests.conftest import MARCH, NOW, PROVINCE


def test_it_lists_open_dossiers_most_urgent_first(engine: Engine, clock: Clock, two_communes) -> None:  # type: ignore[no-untyped-def]
    unit_a = Filters(**{**MARCH.__dict__, "unit": "10001"})
    with engine.connect() as conn:
        rows = at_risk(conn, clock, now=NOW, filters=unit_a, scope=PROVINCE)
        assert count_open(conn, unit_a, scope=PROVINCE) == 3
    assert [r.code for r in rows] == ["A4", "A5", "A6"]
    states = {r.code: r.state for r in rows}
    assert states == {"A4": "overdue", "A5": "due_soon", "A6": "paused"}
    a4 = next(r for r in rows if r.code == "A4")
    assert a4.remaining_days == pytest.approx(-2.25)  # Wed, Thu and 2 h of Fri
    assert a4.handler_name == "Nguyễn Văn An"
    assert a4.apology is False


def test_it_pages_and_filters_by_handler(engine: Engine, clock: Clock, two_communes) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        everything = at_risk(conn, clock, now=NOW, scope=PROVINCE)
        second_page = at_risk(conn, clock, now=NOW, offset=2, limit=2, scope=PROVINCE)
        mine = at_risk(conn, clock, now=NOW, handler_code="CB-A1", scope=PROVINCE)
        assert count_open(conn, handler_code="CB-A1", scope=PROVINCE) == 3
    assert len(everything) == 4
    assert [r.code for r in second_page] == [r.code for r in everything[2:4]]
    assert {r.code for r in mine} == {"A4", "A5", "A6"}
