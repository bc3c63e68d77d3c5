"""Who sees what (issue 5): the scope is applied in queries/, so every page, export and API obeys it.

On the two communes (tests/conftest.py `two_communes`: Xã A 10001 with six dossiers held by
CB-A1, Phường B 10002 with two land dossiers, sectors HT civil status and DD land):

- a chairperson of A gets A's figures, lists and catalog, and OutOfScope for anything of B;
- an official of A gets A's totals, but lists hold only the dossiers they hold, and another's
  dossier, queue or workload is OutOfScope;
- a supervisor limited to some sectors gets the province in those sectors (the totals equal the
  sum over the sectors, from the raw tables and the rollups), and OutOfScope for another sector
  or its procedures;
- the alert log keeps to the alerts each role may read;
- through the web: callbacks and API routes refuse a forged unit with 403, and the one-minute
  cache never serves one user's figures to another.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, update

import dashboard.app  # noqa: F401 - pages register against the app
from dashboard.components import atrisk
from dashboard.pages import me, province, quality, unit
from queries import catalog, rollups
from queries.alert_log import LogQuery, alert_entry, alert_log, alert_message, count_alerts, official_alerts
from queries.atrisk import at_risk, count_open
from queries.backlog import official_workload, workload_by_official
from queries.dossier_detail import dossier_detail, dossier_id
from queries.exporter import export_rows
from queries.filters import Filters
from queries.kpis import backlog_by_unit_sector, combine, kpis_by_unit, total_kpis, weekly_trend
from queries.models import Dossier
from queries.quality import count_failing, failing_dossiers, quality_by_unit
from queries.ratings import low_ratings, weekly_ratings
from queries.scope import OutOfScope, Role, Scope
from queries.sla import Clock
from tests.alerting import Alerted, alerted  # noqa: F401 - the fixture
from tests.conftest import CUTOFF, MARCH, NOW, PROVINCE, callback_request
from tests.factories import add_official
from tests.login import signed_in_client

CHAIR_A = Scope(Role.CHAIR, unit="10001")
OFFICIAL_A1 = Scope(Role.OFFICIAL, unit="10001", official="CB-A1")
LAND = Scope(Role.SUPERVISOR, sectors=("DD",))
MARCH_A = replace(MARCH, unit="10001")
MARCH_B = replace(MARCH, unit="10002")
FEB_TO_MARCH = {"start": date(2026, 2, 1), "end": date(2026, 3, 31)}


def refused(call, param: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """`call()` raises OutOfScope naming `param` = `value`."""
    with pytest.raises(OutOfScope) as raised:
        call()
    assert (raised.value.param, raised.value.value) == (param, value)


@pytest.fixture
def colleague(engine: Engine, two_communes: dict[str, int]) -> int:
    """CB-A2, a second handler of Xã A, now holding A4 (overdue) and A5 (due soon); CB-A1 keeps
    A1-A3 (finished, A3 with the low rating) and A6 (paused). Phường B gets a handler who holds
    nothing."""
    with engine.begin() as conn:
        other = add_official(conn, two_communes["a"], "CB-A2", name="Đỗ Thị Hoa")
        add_official(conn, two_communes["b"], "CB-B1", name="Lê Văn Cường")
        conn.execute(update(Dossier).where(Dossier.code.in_(["A4", "A5"])).values(handler_id=other))
    return other


# --- a chairperson ---------------------------------------------------------------------------------
def test_a_chairperson_gets_their_units_figures_and_lists(
    engine: Engine, clock: Clock, two_communes: dict[str, int]
) -> None:
    with engine.connect() as conn:
        by_unit = kpis_by_unit(conn, MARCH, scope=CHAIR_A, now=NOW, due_cutoff=CUTOFF)
        mine = total_kpis(conn, MARCH, scope=CHAIR_A, now=NOW, due_cutoff=CUTOFF)
        unit_a = total_kpis(conn, MARCH_A, scope=PROVINCE, now=NOW, due_cutoff=CUTOFF)
        everything = total_kpis(conn, MARCH, scope=PROVINCE, now=NOW, due_cutoff=CUTOFF)
        trend = weekly_trend(conn, MARCH, scope=CHAIR_A, **FEB_TO_MARCH)
        cells = backlog_by_unit_sector(conn, MARCH, scope=CHAIR_A, now=NOW)
        listed = at_risk(conn, clock, scope=CHAIR_A, now=NOW)
        low = low_ratings(conn, MARCH, scope=CHAIR_A)
    assert set(by_unit) == {two_communes["a"]}
    assert mine == unit_a and (mine.received, mine.open) == (5, 3)
    assert (everything.received, everything.open) == (6, 4)  # B's are there, just not for A's chair
    assert sum(week.received for week in trend) == 6  # A5 (February) and A1-A4, A6 (March)
    assert {cell.unit_id for cell in cells} == {two_communes["a"]}
    assert [row.code for row in listed] == ["A4", "A5", "A6"]
    assert [rating.dossier_code for rating in low] == ["A3"]


def test_a_chairperson_is_refused_everything_of_another_unit(
    engine: Engine, clock: Clock, two_communes: dict[str, int]
) -> None:
    with engine.connect() as conn:
        refused(lambda: total_kpis(conn, MARCH_B, scope=CHAIR_A, now=NOW, due_cutoff=CUTOFF), "unit", "10002")
        refused(lambda: weekly_trend(conn, MARCH_B, scope=CHAIR_A, **FEB_TO_MARCH), "unit", "10002")
        refused(lambda: count_open(conn, MARCH_B, scope=CHAIR_A), "unit", "10002")
        refused(lambda: low_ratings(conn, MARCH_B, scope=CHAIR_A), "unit", "10002")
        refused(lambda: quality_by_unit(conn, MARCH_B, scope=CHAIR_A, now=NOW), "unit", "10002")
        refused(
            lambda: count_failing(
                conn, MARCH, scope=CHAIR_A, check="no_procedure", now=NOW, unit_code="10002"
            ),
            "unit",
            "10002",
        )
        refused(lambda: dossier_detail(conn, clock, code="B1", now=NOW, scope=CHAIR_A), "dossier", "B1")
        refused(lambda: dossier_id(conn, "B2", scope=CHAIR_A), "dossier", "B2")
        refused(
            lambda: list(export_rows(conn, clock, as_of=NOW, unit_code="10002", scope=CHAIR_A)),
            "unit",
            "10002",
        )
        # Their own unit's dossier is there; a code nobody has stays "no such dossier".
        assert dossier_detail(conn, clock, code="A1", now=NOW, scope=CHAIR_A) is not None
        assert dossier_detail(conn, clock, code="KHONG-CO", now=NOW, scope=CHAIR_A) is None
        exported = {row[0] for row in export_rows(conn, clock, as_of=NOW, unit_code=None, scope=CHAIR_A)}
    assert exported == {"A1", "A2", "A3", "A4", "A5", "A6"}


# --- an official -----------------------------------------------------------------------------------
def test_an_official_sees_their_units_totals_but_only_their_own_dossiers_in_lists(
    engine: Engine, clock: Clock, colleague: int
) -> None:
    with engine.connect() as conn:
        totals = total_kpis(conn, MARCH, scope=OFFICIAL_A1, now=NOW, due_cutoff=CUTOFF)
        chairs = total_kpis(conn, MARCH, scope=CHAIR_A, now=NOW, due_cutoff=CUTOFF)
        ratings = weekly_ratings(conn, MARCH, scope=OFFICIAL_A1, **FEB_TO_MARCH)
        listed = at_risk(conn, clock, scope=OFFICIAL_A1, now=NOW, filters=MARCH)
        count = count_open(conn, MARCH, scope=OFFICIAL_A1)
        unit_list = count_open(conn, MARCH, scope=CHAIR_A)
        loads = workload_by_official(conn, MARCH, scope=OFFICIAL_A1, now=NOW, due_cutoff=CUTOFF)
        chair_loads = workload_by_official(conn, MARCH, scope=CHAIR_A, now=NOW, due_cutoff=CUTOFF)
        own = official_workload(conn, "CB-A1", scope=OFFICIAL_A1, now=NOW, due_cutoff=CUTOFF)
        exported = {row[0] for row in export_rows(conn, clock, as_of=NOW, unit_code=None, scope=OFFICIAL_A1)}
        late = failing_dossiers(conn, MARCH, scope=OFFICIAL_A1, check="late_no_apology", now=NOW)
        unit_late = failing_dossiers(conn, MARCH, scope=CHAIR_A, check="late_no_apology", now=NOW)
    assert totals == chairs and totals.open == 3  # the unit's cards, whoever holds what
    assert sum(week.ratings for week in ratings) == 2
    assert [row.code for row in listed] == ["A6"] and count == 1 and unit_list == 3
    assert [load.code for load in loads] == ["CB-A1"]  # not the colleague's workload
    assert {load.code for load in chair_loads} == {"CB-A1", "CB-A2"}
    assert own is not None and (own.open, own.paused) == (1, 1)
    assert exported == {"A1", "A2", "A3", "A6"}
    assert {row.code for row in unit_late} == {"A3", "A4"} and [row.code for row in late] == ["A3"]


def test_an_official_is_refused_a_colleagues_dossiers_and_queue(
    engine: Engine, clock: Clock, colleague: int
) -> None:
    with engine.connect() as conn:
        refused(lambda: dossier_detail(conn, clock, code="A4", now=NOW, scope=OFFICIAL_A1), "dossier", "A4")
        refused(lambda: dossier_detail(conn, clock, code="B1", now=NOW, scope=OFFICIAL_A1), "dossier", "B1")
        refused(
            lambda: official_workload(conn, "CB-A2", scope=OFFICIAL_A1, now=NOW, due_cutoff=CUTOFF),
            "official",
            "CB-A2",
        )
        refused(lambda: count_open(conn, scope=OFFICIAL_A1, handler_code="CB-A2"), "official", "CB-A2")
        refused(
            lambda: at_risk(conn, clock, scope=CHAIR_A, now=NOW, handler_code="CB-B1"), "official", "CB-B1"
        )
        assert dossier_detail(conn, clock, code="A6", now=NOW, scope=OFFICIAL_A1) is not None
        # The chairperson may look at either official of the unit.
        assert count_open(conn, scope=CHAIR_A, handler_code="CB-A2") == 2


# --- a supervisor limited to some sectors ----------------------------------------------------------
@pytest.mark.parametrize("source", ["raw", "rollup"])
def test_a_sector_limited_supervisors_province_is_the_sum_over_their_sectors(
    engine: Engine, two_communes: dict[str, int], source: str
) -> None:
    both = Scope(Role.SUPERVISOR, sectors=("DD", "HT"))
    with engine.begin() as conn:
        rollups.rebuild(conn)
    with engine.connect() as conn:

        def total(filters: Filters, scope: Scope):  # type: ignore[no-untyped-def]
            return total_kpis(conn, filters, scope=scope, now=NOW, due_cutoff=CUTOFF, source=source)  # type: ignore[arg-type]

        land = total(MARCH, LAND)
        land_filter = total(replace(MARCH, sector="DD"), PROVINCE)
        civil_filter = total(replace(MARCH, sector="HT"), PROVINCE)
        everything = total(MARCH, PROVINCE)
        per_unit = kpis_by_unit(conn, MARCH, scope=LAND, now=NOW, due_cutoff=CUTOFF, source=source)  # type: ignore[arg-type]
        trend = weekly_trend(conn, MARCH, scope=LAND, source=source, **FEB_TO_MARCH)  # type: ignore[arg-type]
        land_trend = weekly_trend(
            conn, replace(MARCH, sector="DD"), scope=PROVINCE, source=source, **FEB_TO_MARCH
        )  # type: ignore[arg-type]
        assert total(MARCH, both) == combine([land_filter, civil_filter]) == everything
    assert land == land_filter and land != everything
    assert (land.received, land.resolved, land.open) == (1, 1, 2)  # B2; B1; A5 and B2
    assert combine(list(per_unit.values())) == land
    assert trend == land_trend


def test_a_sector_limited_supervisor_is_refused_other_sectors_and_their_procedures(
    engine: Engine, clock: Clock, two_communes: dict[str, int]
) -> None:
    with engine.connect() as conn:
        refused(
            lambda: total_kpis(conn, replace(MARCH, sector="HT"), scope=LAND, now=NOW, due_cutoff=CUTOFF),
            "sector",
            "HT",
        )
        refused(
            lambda: total_kpis(
                conn, replace(MARCH, procedure="1.004194"), scope=LAND, now=NOW, due_cutoff=CUTOFF
            ),
            "procedure",
            "1.004194",
        )
        refused(lambda: dossier_detail(conn, clock, code="A1", now=NOW, scope=LAND), "dossier", "A1")
        plot = total_kpis(conn, replace(MARCH, procedure="DD.1"), scope=LAND, now=NOW, due_cutoff=CUTOFF)
        listed = at_risk(conn, clock, scope=LAND, now=NOW)
        detail = dossier_detail(conn, clock, code="B1", now=NOW, scope=LAND)
    assert plot.open == 2
    assert [row.code for row in listed] == ["A5", "B2"]  # every unit, land only
    assert detail is not None and detail.facts.unit_code == "10002"


# --- the catalog -----------------------------------------------------------------------------------
def test_the_catalog_lists_only_what_the_scope_may_ask_for(engine: Engine, colleague: int) -> None:
    with engine.connect() as conn:
        assert [u.code for u in catalog.units(conn, scope=CHAIR_A)] == ["10001"]
        assert {u.code for u in catalog.units(conn, scope=LAND)} == {"10001", "10002"}
        assert [s.code for s in catalog.sectors(conn, scope=LAND)] == ["DD"]
        assert {s.code for s in catalog.sectors(conn, scope=CHAIR_A)} == {"DD", "HT"}
        assert [p.code for p in catalog.procedures(conn, scope=LAND)] == ["DD.1"]
        assert {o.code for o in catalog.officials(conn, scope=OFFICIAL_A1)} == {"CB-A1", "CB-A2"}
        assert {o.code for o in catalog.officials(conn, scope=PROVINCE)} == {"CB-A1", "CB-A2", "CB-B1"}
        assert catalog.find_unit(conn, "10001", scope=CHAIR_A) is not None
        assert catalog.find_unit(conn, "99999", scope=CHAIR_A) is None  # unknown stays unknown
        refused(lambda: catalog.find_unit(conn, "10002", scope=CHAIR_A), "unit", "10002")
        refused(lambda: catalog.officials(conn, scope=CHAIR_A, unit_code="10002"), "unit", "10002")
        refused(lambda: catalog.procedures(conn, scope=LAND, sector_code="HT"), "sector", "HT")


# --- the alert log ---------------------------------------------------------------------------------
MARCH_20 = LogQuery(start=date(2026, 3, 20), end=date(2026, 3, 20))


def test_the_alert_log_keeps_to_what_each_role_may_read(alerted: Alerted) -> None:  # noqa: F811
    about_b3 = alerted.id("B3", "overdue", "CB-B1")
    to_chair = alerted.id("A4", "overdue", "CT-A")
    with alerted.engine.connect() as conn:
        every = alert_log(conn, MARCH_20, scope=PROVINCE)
        chair = alert_log(conn, MARCH_20, scope=CHAIR_A)
        official = alert_log(conn, MARCH_20, scope=OFFICIAL_A1)
        civil = alert_log(conn, MARCH_20, scope=Scope(Role.SUPERVISOR, sectors=("HT",)))
        land = alert_log(conn, MARCH_20, scope=LAND)
        land_gs1 = alert_log(conn, MARCH_20, scope=Scope(Role.SUPERVISOR, official="GS-1", sectors=("DD",)))
        assert count_alerts(conn, MARCH_20, scope=CHAIR_A) == len(chair)
        refused(lambda: alert_entry(conn, about_b3, scope=CHAIR_A), "alert", str(about_b3))
        refused(lambda: alert_message(conn, to_chair, scope=OFFICIAL_A1), "alert", str(to_chair))
        refused(lambda: official_alerts(conn, "CT-A", scope=OFFICIAL_A1), "official", "CT-A")
        refused(lambda: alert_log(conn, replace(MARCH_20, unit_code="10002"), scope=CHAIR_A), "unit", "10002")
        assert alert_entry(conn, to_chair, scope=CHAIR_A) is not None
    assert {"10001", "10002"} <= {e.unit_code for e in every}
    assert chair and {e.unit_code for e in chair} == {"10001"} and len(chair) < len(every)
    assert official and {e.recipient_key for e in official} == {"official:CB-A1"}
    assert {e.dossier_code for e in civil} == {"A4", "B3"}  # about civil-status dossiers only
    assert {e.dossier_code for e in land} == {"A5"}  # the due-soon warning about the land dossier
    # ... and, for a supervisor who is also an official, what was addressed to them (B3, a digest)
    assert {e.recipient_key for e in land_gs1} == {"official:CB-A1", "official:GS-1"}
    assert {e.dossier_code for e in land_gs1 if e.recipient_key == "official:GS-1"} >= {"A4", "B3"}


# --- through the web -------------------------------------------------------------------------------
def test_a_forged_callback_for_another_unit_is_refused(
    dashboard_db: Engine, two_communes: dict[str, int]
) -> None:
    forged = {"period": "month", "unit": "10002"}
    with callback_request(scope=CHAIR_A):
        with pytest.raises(OutOfScope):
            unit.show_cards(forged, None)
        with pytest.raises(OutOfScope):
            unit.layout(code="10002")
        with pytest.raises(OutOfScope):
            province.show_trends({"period": "month"}, "10002", None)
        with pytest.raises(OutOfScope):  # the at-risk grid's store, forged
            atrisk.serve_rows({"startRow": 0, "endRow": 50}, {"filters": forged, "handler": None})
        with pytest.raises(OutOfScope):  # the quality list's unit choice, forged
            quality.build_export("csv", "late_no_apology", "10002", {"period": "month"})
        assert unit.layout(code="99999").children[1].id == "unit-unknown"  # unknown stays unknown


def test_an_officials_page_opens_on_their_own_and_refuses_a_colleagues(
    dashboard_db: Engine, colleague: int
) -> None:
    def stores(component: Any) -> list[Any]:
        found = [component] if getattr(component, "id", None) == "me-scope" else []
        children = getattr(component, "children", None)
        for child in children if isinstance(children, list) else [children]:
            if child is not None and not isinstance(child, str | int | float):
                found += stores(child)
        return found

    with callback_request(scope=OFFICIAL_A1):
        [store] = stores(me.layout())
        with pytest.raises(OutOfScope):
            me.layout(official="CB-A2")
        with pytest.raises(OutOfScope):
            me.show_counts({"official": "CB-A2"})  # a forged store: the callback asks again
    with callback_request(scope=CHAIR_A):
        assert stores(me.layout(official="CB-A2"))  # their chairperson may look
        with pytest.raises(OutOfScope):
            me.layout(official="CB-B1")
    assert store.data == {"official": "CB-A1"}


def card_values(cards) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        c.children.children[1].id: c.children.children[1].children
        for col in cards.children
        for c in [col.children]
    }


def test_the_cache_never_serves_one_users_figures_to_another(
    dashboard_db: Engine, two_communes: dict[str, int]
) -> None:
    march = {"period": "custom", "from": "2026-03-01", "to": "2026-03-31"}
    with callback_request("en", scope=PROVINCE):
        everything = card_values(province.show_cards(march, None))
    with callback_request("en", scope=CHAIR_A):
        chairs = card_values(province.show_cards(march, None))
    with callback_request("en", scope=PROVINCE):
        again = card_values(province.show_cards(march, None))
    assert (everything["kpi-received"], chairs["kpi-received"]) == ("6", "5")
    assert again == everything


@pytest.fixture
def signed_in(dashboard_db: Engine, two_communes: dict[str, int]) -> FlaskClient:
    """A test client signed in as Xã A's chairperson, through the login page."""
    return signed_in_client(dashboard_db, "chair", "chu-tich-a", unit_code="10001")


def dash_request(output: str, inputs: list[dict[str, Any]]) -> dict[str, Any]:
    """The body the browser POSTs to /_dash-update-component for one callback."""
    component, prop = output.split(".")
    return {
        "output": output,
        "outputs": {"id": component, "property": prop},
        "inputs": inputs,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
        "state": [],
    }


def test_a_forged_callback_request_over_http_gets_403_and_nothing_of_the_unit(signed_in: FlaskClient) -> None:
    def cards(filters: dict[str, str]) -> Any:
        body = dash_request(
            "unit-cards.children",
            [
                {"id": "unit-filters", "property": "data", "value": filters},
                {"id": "unit-refresh", "property": "n_intervals", "value": None},
            ],
        )
        return signed_in.post("/_dash-update-component", json=body)

    own, forged = cards({"period": "month", "unit": "10001"}), cards({"period": "month", "unit": "10002"})
    assert own.status_code == 200 and "kpi-received" in own.get_data(as_text=True)
    assert forged.status_code == 403 and "kpi-received" not in forged.get_data(as_text=True)


def test_the_api_answers_403_for_another_unit_and_lists_only_the_users(signed_in: FlaskClient) -> None:
    forbidden = signed_in.get("/api/v1/units/10002/kpis")
    at_risk_b = signed_in.get("/api/v1/units/10002/at-risk")
    unknown = signed_in.get("/api/v1/units/99999/kpis")
    units = signed_in.get("/api/v1/units").get_json()
    province_total = signed_in.get(
        "/api/v1/province/kpis", query_string={"from": "2026-03-01", "to": "2026-03-31"}
    )
    assert forbidden.status_code == at_risk_b.status_code == 403
    assert (
        forbidden.get_json()["error"]["param"] == "code" and forbidden.get_json()["error"]["value"] == "10002"
    )
    assert "outside" in forbidden.get_json()["error"]["message"]
    assert "Phường B" not in forbidden.get_data(as_text=True)
    assert unknown.status_code == 404
    assert [u["code"] for u in units["units"]] == ["10001"]
    assert province_total.get_json()["kpis"]["received"] == 5  # Xã A's, not the province's 6
