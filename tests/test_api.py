"""The read-only JSON API (/api/v1) on the hand-built communes, on both databases.

The API must give the province page's numbers, answer every bad input with a 400 (or an unknown
unit with a 404) in JSON, and match its own OpenAPI description.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, insert
from sqlalchemy.exc import OperationalError

import dashboard.app
from dashboard import fmt
from dashboard.components.cards import CARDS
from dashboard.openapi import KPI_COUNTS, KPI_RATIOS
from dashboard.pages import province
from queries.kpis import Kpis
from queries.models import ApologyLetter, Dossier
from tests.conftest import callback_request
from tests.factories import add_unit
from tests.login import signed_in_client

JSON = "application/json; charset=utf-8"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def client(dashboard_db: Engine) -> FlaskClient:
    return signed_in_client(dashboard_db)


def get(client: FlaskClient, url: str, query: dict[str, str] | None = None) -> tuple[int, Any]:
    response = client.get(url, query_string=query)
    assert response.content_type == JSON, response.get_data(as_text=True)[:300]
    return response.status_code, response.get_json()


def ok(client: FlaskClient, url: str, query: dict[str, str] | None = None) -> Any:
    status, body = get(client, url, query)
    assert status == 200, body
    return body


# --- known numbers ----------------------------------------------------------------------------


def test_it_lists_every_unit_with_its_parent(client: FlaskClient, dashboard_db: Engine, two_communes) -> None:  # type: ignore[no-untyped-def]
    with dashboard_db.begin() as conn:
        province_id = add_unit(conn, "10000", "Tỉnh Thử", level="province")
        add_unit(conn, "10003", "Đặc khu C", level="special_zone", parent_id=province_id)
    response = client.get("/api/v1/units")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=60"
    assert "Đặc khu C".encode() in response.data  # UTF-8 as is, not \u escapes
    units = response.get_json()["units"]
    assert [u["code"] for u in units] == ["10000", "10001", "10002", "10003"]
    assert units[3] == {
        "code": "10003",
        "name_vi": "Đặc khu C",
        "name_en": "Đặc khu C",
        "level": "special_zone",
        "parent_code": "10000",
    }
    assert units[1]["parent_code"] is None


def test_the_province_total_has_the_known_march_figures(client: FlaskClient, two_communes) -> None:  # type: ignore[no-untyped-def]
    body = ok(client, "/api/v1/province/kpis", MARCH)
    assert body["as_of"] == "2026-03-20T10:00:00+07:00"
    assert body["filters"] == {**MARCH, "sector": None, "procedure": None, "channel": None}
    kpis = body["kpis"]
    assert (kpis["from"], kpis["to"]) == ("2026-03-01", "2026-03-31")
    assert (kpis["received"], kpis["resolved"], kpis["open"], kpis["overdue"], kpis["due_soon"]) == (
        6,
        4,
        4,
        1,
        1,
    )
    # A1 and B1 early, A2 on time, A3 late.
    assert (kpis["resolved_early"], kpis["resolved_on_time"], kpis["resolved_late"]) == (2, 1, 1)
    assert kpis["on_time_rate"] == pytest.approx(0.75)
    assert kpis["online_share"] == pytest.approx(1 / 6)
    assert kpis["satisfaction"] == pytest.approx(0.5)  # a 5 and a 2
    assert kpis["average_rating"] == pytest.approx(3.5)
    assert 0 <= kpis["service_score"] <= 100
    assert set(kpis["service_score_groups"]) == {
        "progress",
        "online",
        "payment",
        "digitization",
        "satisfaction",
    }


def test_each_unit_has_its_known_figures_and_they_add_up_to_the_province(
    client: FlaskClient, two_communes
) -> None:  # type: ignore[no-untyped-def]
    entries = {e["unit"]["code"]: e for e in ok(client, "/api/v1/units/kpis", MARCH)["units"]}
    a, b = entries["10001"]["kpis"], entries["10002"]["kpis"]
    assert (a["received"], a["resolved"], a["resolved_early"], a["resolved_on_time"], a["resolved_late"]) == (
        5,
        3,
        1,
        1,
        1,
    )
    assert (a["open"], a["overdue"], a["due_soon"], a["paused"]) == (3, 1, 1, 1)
    assert a["on_time_rate"] == pytest.approx(2 / 3)
    assert (b["received"], b["resolved"], b["resolved_early"], b["open"]) == (1, 1, 1, 1)
    assert b["satisfaction"] is None and b["average_rating"] is None  # no rating: no ratio, not 0
    total = ok(client, "/api/v1/province/kpis", MARCH)["kpis"]
    for name in KPI_COUNTS:
        assert a[name] + b[name] == total[name], name


def test_a_unit_without_activity_is_listed_with_zeros(
    client: FlaskClient, dashboard_db: Engine, two_communes
) -> None:  # type: ignore[no-untyped-def]
    with dashboard_db.begin() as conn:
        add_unit(conn, "10009", "Xã Lặng")
    quiet = ok(client, "/api/v1/units/10009/kpis", MARCH)
    assert quiet["kpis"]["received"] == quiet["kpis"]["open"] == 0
    assert quiet["kpis"]["on_time_rate"] is None and quiet["kpis"]["service_score"] is None
    assert quiet["problem"] is False


def test_one_unit_reads_its_entry_of_the_units_list(client: FlaskClient, two_communes) -> None:  # type: ignore[no-untyped-def]
    query = {**MARCH, "sector": "DD"}
    listed = {e["unit"]["code"]: e for e in ok(client, "/api/v1/units/kpis", query)["units"]}
    one = ok(client, "/api/v1/units/10001/kpis", query)
    assert one["filters"]["sector"] == "DD"
    assert {k: one[k] for k in ("unit", "kpis", "problem")} == listed["10001"]
    assert (one["kpis"]["received"], one["kpis"]["open"]) == (0, 1)  # A5, a land dossier from February


def test_the_period_defaults_to_this_month_up_to_today_in_vietnam(client: FlaskClient, two_communes) -> None:  # type: ignore[no-untyped-def]
    body = ok(client, "/api/v1/province/kpis")
    assert body["filters"]["from"] == "2026-03-01" and body["filters"]["to"] == "2026-03-20"
    assert body["kpis"]["received"] == 6
    only_to = ok(client, "/api/v1/province/kpis", {"to": "2026-03-10"})["filters"]
    assert (only_to["from"], only_to["to"]) == ("2026-03-01", "2026-03-10")


def test_a_channel_may_be_given_by_its_national_code(client: FlaskClient, two_communes) -> None:  # type: ignore[no-untyped-def]
    body = ok(client, "/api/v1/province/kpis", {**MARCH, "channel": "2"})
    assert body["filters"]["channel"] == "online"
    assert (body["kpis"]["received"], body["kpis"]["resolved"]) == (1, 2)


# --- the same numbers as the province page ----------------------------------------------------

SAME_FILTERS = [
    {},
    MARCH,
    {"from": "2026-02-01", "to": "2026-02-28"},
    {**MARCH, "sector": "DD"},
    {**MARCH, "procedure": "1.004194"},
    {**MARCH, "channel": "online"},
    {"from": "2026-03-05", "to": "2026-03-09", "channel": "counter", "sector": "HT"},
]


def page(fn, *args):  # type: ignore[no-untyped-def]
    with callback_request("en"):  # the whole province, as the API's own scope in these tests
        return fn(*args)


@pytest.mark.parametrize(
    "query", SAME_FILTERS, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "default"
)
def test_the_api_gives_the_units_grid_numbers(
    client: FlaskClient, two_communes, query: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    grid = page(province.show_units_grid, query, None).children[1]
    entries = {e["unit"]["code"]: e for e in ok(client, "/api/v1/units/kpis", query)["units"]}

    def pct(value: float | None) -> float | None:
        return None if value is None else round(value * 100, 1)

    assert grid.rowData, "the fixture should give the grid rows"
    for row in grid.rowData:
        entry = entries[row["code"]]
        kpis = entry["kpis"]
        for field, decimals in province.GRID_FIELDS:
            if field == "service_score":
                expected = None if kpis["service_score"] is None else round(kpis["service_score"], 1)
            elif field.startswith("average_rating"):  # a 1-5 score, not a ratio
                expected = None if kpis[field] is None else round(kpis[field], decimals)
            else:
                expected = pct(kpis[field]) if decimals else kpis[field]
            assert row[field] == expected, (row["code"], field)
        assert (row["flag"] != "") == entry["problem"]


@pytest.mark.parametrize(
    "query", SAME_FILTERS, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "default"
)
def test_the_api_gives_the_cards_numbers(client: FlaskClient, two_communes, query: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    cards = page(province.show_cards, query, None)
    shown = {
        c.children.children[1].id: c.children.children[1].children
        for col in cards.children
        for c in [col.children]
    }
    kpis = ok(client, "/api/v1/province/kpis", query)["kpis"]

    def as_card(value: float | int | None, kind: str) -> str:
        return fmt.percent(value, lang="en") if kind == "ratio" else fmt.number(value, lang="en")

    for spec in CARDS:
        assert shown[f"kpi-{spec.key}"] == as_card(kpis[spec.key], spec.kind), spec.key
    score = kpis["service_score"]
    assert shown["kpi-service_score"] == (fmt.number(score, 1, lang="en") if score is not None else "–")


# --- at risk ----------------------------------------------------------------------------------


def test_the_at_risk_list_is_most_urgent_first(client: FlaskClient, two_communes) -> None:  # type: ignore[no-untyped-def]
    body = ok(client, "/api/v1/units/10001/at-risk")
    assert body["unit"]["code"] == "10001"
    assert body["as_of"] == "2026-03-20T10:00:00+07:00"
    assert body["paging"] == {"total": 3, "limit": 100, "offset": 0, "next_offset": None}
    assert [d["code"] for d in body["items"]] == ["A4", "A5", "A6"]
    a4 = body["items"][0]
    assert a4 == {
        "code": "A4",
        "procedure_code": "1.004194",
        "procedure_name": "1.004194",
        "procedure_name_en": "1.004194",
        "step": None,
        "handler_code": "CB-A1",
        "handler_name": "Nguyễn Văn An",
        "received_at": "2026-03-12T09:00:00+07:00",
        "due_at": "2026-03-17T23:59:59+07:00",
        "state": "overdue",
        "remaining_working_days": pytest.approx(-2.25),
        "apology_letter": False,
    }
    assert {d["code"]: d["state"] for d in body["items"]} == {
        "A4": "overdue",
        "A6": "paused",
        "A5": "due_soon",
    }


def test_the_at_risk_list_pages(client: FlaskClient, two_communes) -> None:  # type: ignore[no-untyped-def]
    first = ok(client, "/api/v1/units/10001/at-risk", {"limit": "2"})
    assert [d["code"] for d in first["items"]] == ["A4", "A5"]
    assert first["paging"] == {"total": 3, "limit": 2, "offset": 0, "next_offset": 2}
    second = ok(client, "/api/v1/units/10001/at-risk", {"limit": "2", "offset": "2"})
    assert [d["code"] for d in second["items"]] == ["A6"]
    assert second["paging"]["next_offset"] is None
    beyond = ok(client, "/api/v1/units/10001/at-risk", {"offset": "1000000000"})
    assert beyond["items"] == [] and beyond["paging"]["total"] == 3
    assert [d["code"] for d in ok(client, "/api/v1/units/10002/at-risk")["items"]] == ["B2"]


def test_the_at_risk_list_shows_an_apology_letter(
    client: FlaskClient, dashboard_db: Engine, two_communes
) -> None:  # type: ignore[no-untyped-def]
    with dashboard_db.begin() as conn:
        a5 = conn.execute(Dossier.__table__.select().where(Dossier.code == "A5")).one().id
        conn.execute(
            insert(ApologyLetter).values(
                dossier_id=a5, issued_at=datetime(2026, 3, 19, 9), new_due_date=date(2026, 4, 3)
            )
        )
    items = {d["code"]: d for d in ok(client, "/api/v1/units/10001/at-risk")["items"]}
    assert items["A5"]["apology_letter"] is True
    assert items["A4"]["apology_letter"] is False


# --- bad input --------------------------------------------------------------------------------

KPIS = "/api/v1/province/kpis"
UNITS_KPIS = "/api/v1/units/kpis"
ONE = "/api/v1/units/10001/kpis"
RISK = "/api/v1/units/10001/at-risk"

BAD = [
    # dates and periods
    (KPIS, "from=2026-02-30", "from"),
    (KPIS, "from=2026-3-1", "from"),
    (KPIS, "from=2026-03-01T00:00", "from"),
    (KPIS, "to=" + quote("２０２６-03-31"), "to"),
    (KPIS, "from=" + quote("' OR 1=1 --"), "from"),
    (KPIS, "from=" + quote("2026-03-01'; DROP TABLE dossiers; --"), "from"),
    (KPIS, "from=99999999-01-01", "from"),
    (KPIS, "from=1999-12-31", "from"),
    (KPIS, "from=2026-03-31&to=2026-03-01", "to"),
    (KPIS, "from=2015-01-01&to=2026-03-01", "from"),
    (KPIS, "from=" + "9" * 5000, "from"),
    # channel
    (KPIS, "channel=fax", "channel"),
    (KPIS, "channel=4", "channel"),
    (KPIS, "channel=" + quote("online' OR '1'='1"), "channel"),
    # codes: malformed and unknown
    (KPIS, "sector=" + quote("' OR 1=1 --"), "sector"),
    (UNITS_KPIS, "sector=" + quote('HT"; SELECT 1'), "sector"),
    (UNITS_KPIS, "procedure=" + quote("1.004194 UNION SELECT"), "procedure"),
    (ONE, "procedure=" + quote("%' OR '%'='"), "procedure"),
    (KPIS, "sector=XX", "sector"),
    (KPIS, "procedure=9.999999", "procedure"),
    (ONE, "sector=DD.X", "sector"),
    (KPIS, "procedure=" + "9" * 65, "procedure"),
    (KPIS, "sector=" + quote("Đất"), "sector"),
    (KPIS, "sector=" + quote("١٢٣"), "sector"),
    (KPIS, "sector=%00", "sector"),
    (KPIS, "sector=%FF%FE", "sector"),
    (KPIS, "sector=" + quote("<script>alert(1)</script>"), "sector"),
    # empty, repeated and unknown parameters
    (KPIS, "from=", "from"),
    (KPIS, "sector=%20%20", "sector"),
    (RISK, "limit=", "limit"),
    (KPIS, "from=2026-03-01&from=2026-03-02", "from"),
    (KPIS, "channel=online&channel=online", "channel"),
    (RISK, "limit=10&limit=20", "limit"),
    (KPIS, "period=month", "period"),
    (KPIS, "unit=10001", "unit"),
    (KPIS, "From=2026-03-01", "From"),
    (KPIS, quote("đơn_vị") + "=1", "đơn_vị"),
    (UNITS_KPIS, "limit=10", "limit"),
    (RISK, "from=2026-03-01", "from"),
    ("/api/v1/units", "sector=HT", "sector"),
    ("/api/v1/openapi.json", "format=yaml", "format"),
    # limit and offset
    (RISK, "limit=0", "limit"),
    (RISK, "limit=1001", "limit"),
    (RISK, "limit=-1", "limit"),
    (RISK, "limit=1e3", "limit"),
    (RISK, "limit=10.0", "limit"),
    (RISK, "limit=0x10", "limit"),
    (RISK, "limit=" + quote("１０"), "limit"),
    (RISK, "limit=" + quote("10 OR 1=1"), "limit"),
    (RISK, "limit=99999999999999999999999999999999", "limit"),
    (RISK, "offset=-1", "offset"),
    (RISK, "offset=1000000001", "offset"),
    (RISK, "offset=" + "9" * 400, "offset"),
    (RISK, "offset=NaN", "offset"),
]


@pytest.mark.parametrize(
    ("url", "query", "param"), BAD, ids=[f"{u.split('/')[-1]}?{q[:40]}" for u, q, _ in BAD]
)
def test_a_bad_parameter_is_a_400_naming_it(
    client: FlaskClient, two_communes, url: str, query: str, param: str
) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.content_type == JSON
    error = response.get_json()["error"]
    assert error["param"] == param
    assert isinstance(error["value"], str) and len(error["value"]) <= 101
    assert error["message"]
    assert response.headers["Cache-Control"] == "no-store"


UNKNOWN_UNITS = [
    "99999",
    quote("' OR 1=1 --"),
    "%00",
    quote("Đ"),
    "x" * 300,
    "10001%20",
    "-",
    quote("10001;"),
]


@pytest.mark.parametrize("code", UNKNOWN_UNITS)
@pytest.mark.parametrize("route", ["kpis", "at-risk"])
def test_an_unknown_unit_is_a_404(client: FlaskClient, two_communes, code: str, route: str) -> None:  # type: ignore[no-untyped-def]
    status, body = get(client, f"/api/v1/units/{code}/{route}")
    assert status == 404
    assert body["error"]["param"] == "code"
    assert body["error"]["message"] == "unknown unit"


def test_other_paths_and_methods_answer_json(client: FlaskClient, two_communes) -> None:  # type: ignore[no-untyped-def]
    for path in ("/api/v1/", "/api/v1/nope", "/api/v1/units/10001", "/api/v1/units/10001/kpis/x"):
        status, body = get(client, path)
        assert (status, body["error"]["param"]) == (404, None), path
    response = client.post("/api/v1/units/kpis", data={"from": "2026-03-01"})
    assert response.status_code == 405
    assert response.content_type == JSON and "GET" in response.headers["Allow"]
    assert client.get("/").status_code == 200  # the dashboard itself is untouched


def test_a_database_failure_is_a_503_not_a_traceback(client: FlaskClient, two_communes, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(conn: object, **_scope: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr("dashboard.api.catalog.units", broken)
    status, body = get(client, "/api/v1/units")
    assert status == 503
    assert "database" in body["error"]["message"] and "server closed" not in body["error"]["message"]


query_values = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    st.sampled_from(["2026-03-01", "2026-02-29", "HT", "DD", "online", "2", "0", "1000", "-1", ""]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from([KPIS, UNITS_KPIS, ONE, RISK]),
    params=st.lists(
        st.tuples(
            st.sampled_from(["from", "to", "sector", "procedure", "channel", "limit", "offset", "x"]),
            query_values,
        ),
        max_size=4,
    ),
)
def test_no_query_string_gives_a_500(client: FlaskClient, two_communes, route: str, params: list) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"{route}?{urlencode(params)}")
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]
    assert response.content_type == JSON


# --- the OpenAPI description ------------------------------------------------------------------


def spec(client: FlaskClient) -> dict[str, Any]:
    """The served document (it reads no data; the signed-in client is for the login gate)."""
    return ok(client, "/api/v1/openapi.json")


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_the_openapi_document_is_valid(client: FlaskClient) -> None:
    validator = pytest.importorskip(
        "openapi_spec_validator", reason="add openapi-spec-validator to requirements-dev.txt"
    )
    document = spec(client)
    validator.validate(document)
    assert document["openapi"].startswith("3.1")


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_it_describes_every_route_of_the_blueprint(client: FlaskClient) -> None:
    server = dashboard.app.server
    routes = {
        rule.rule.replace("<", "{").replace(">", "}")
        for rule in server.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.not_found"
    }
    paths = spec(client)["paths"]
    assert routes == set(paths)
    for path, item in paths.items():
        assert set(item) == {"get"}, path
        names = {p["$ref"].rsplit("/", 1)[-1] for p in item["get"].get("parameters", [])}
        assert {"code"} & names == ({"code"} if "{code}" in path else set()), path


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_every_figure_is_described(client: FlaskClient) -> None:
    ratios = set(Kpis().as_dict()) - {f.name for f in fields(Kpis)}
    assert set(KPI_COUNTS) == {f.name for f in fields(Kpis)}
    assert set(KPI_RATIOS) == ratios
    kpis = spec(client)["components"]["schemas"]["Kpis"]
    assert set(kpis["required"]) == set(kpis["properties"])


def test_the_answers_match_their_schemas(client: FlaskClient, two_communes) -> None:  # type: ignore[no-untyped-def]
    jsonschema = pytest.importorskip("jsonschema", reason="comes with openapi-spec-validator")
    document = spec(client)

    def check(path: str, url: str, status: int = 200) -> None:
        responses = document["paths"][path]["get"]["responses"]
        answer = responses[str(status)]
        if "$ref" in answer:
            answer = document["components"]["responses"][answer["$ref"].rsplit("/", 1)[-1]]
        schema = {**answer["content"]["application/json"]["schema"], "components": document["components"]}
        got, body = get(client, url)
        assert got == status, body
        validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        validator.validate(body)

    check("/api/v1/units", "/api/v1/units")
    check("/api/v1/units/kpis", "/api/v1/units/kpis?from=2026-03-01&to=2026-03-31")
    check("/api/v1/units/kpis", "/api/v1/units/kpis?from=2025-01-01&to=2025-01-31")  # all nulls
    check("/api/v1/province/kpis", "/api/v1/province/kpis")
    check("/api/v1/units/{code}/kpis", "/api/v1/units/10002/kpis?channel=postal")
    check("/api/v1/units/{code}/at-risk", "/api/v1/units/10001/at-risk?limit=2")
    check("/api/v1/province/kpis", "/api/v1/province/kpis?channel=fax", 400)
    check("/api/v1/units/{code}/kpis", "/api/v1/units/nope/kpis", 404)
