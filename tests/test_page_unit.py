"""The commune page's layout and callbacks, called as functions on the hand-built communes."""

from __future__ import annotations

import base64
import csv
import io
import json
from datetime import date, datetime

import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import Engine, insert, select

import dashboard.app  # noqa: F401 - pages register against the app
from dashboard.components import atrisk
from dashboard.pages import unit
from queries.models import ApologyLetter, Dossier
from queries.sla import Clock
from tests.conftest import callback_request
from tests.factories import add_dossier

MARCH_QUERY = {"period": "custom", "from": "2026-03-01", "to": "2026-03-31"}
UNIT_A = {**MARCH_QUERY, "unit": "10001"}
UNIT_B = {**MARCH_QUERY, "unit": "10002"}


def render(component: object) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def find(component: object, component_id: object) -> object | None:
    """The component with this id anywhere under `component` (None when absent)."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = find(child, component_id)
            if found is not None:
                return found
    return None


@pytest.fixture
def request_in(dashboard_db: Engine):  # type: ignore[no-untyped-def]
    """Run a callback inside a request with the given language cookie."""

    def run(lang: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        with callback_request(lang):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def crowded_b(engine: Engine, clock: Clock, two_communes: dict[str, int]) -> int:
    """Unit B with 120 more open land dossiers received over March, so the list spans pages."""
    with engine.begin() as conn:
        plot = conn.execute(select(Dossier.procedure_id).where(Dossier.code == "B2")).scalar_one()
        for n in range(120):
            add_dossier(
                conn,
                clock,
                code=f"B-{n:03d}",
                unit_id=two_communes["b"],
                procedure_id=plot,
                sector_id=two_communes["land"],
                received_at=datetime(2026, 2, 2 + n % 26, 9),
                time_value=20,
            )
    return 121


def decoded(download: dict) -> bytes:
    return base64.b64decode(download["content"]) if download.get("base64") else download["content"].encode()


# --- layout ---------------------------------------------------------------------------------------


def test_an_unknown_unit_gives_a_message_and_the_way_back(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    page = request_in("vi", unit.layout, code="99999", **MARCH_QUERY)
    text = render(page)
    assert "Không tìm thấy đơn vị" in text and "“99999”" in text
    assert '"href": "/"' in text
    english = render(request_in("en", unit.layout, code="99999"))
    assert "No unit has the code “99999”" in english and "Back to the province overview" in english
    assert "Unit not found" in render(request_in("en", unit.layout))  # no code at all (validation call)


def test_the_layout_shows_the_unit_and_keeps_its_filters(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    page = request_in("vi", unit.layout, code="10001", **MARCH_QUERY, sector="HT")
    text = render(page)
    assert "Xã A" in text and "Từ 01/03/2026 đến 31/03/2026" in text
    store = find(page, "unit-filters")
    assert store is not None and store.data["unit"] == "10001" and store.data["sector"] == "HT"  # type: ignore[attr-defined]
    assert find(page, "flt-unit").type == "hidden"  # type: ignore[union-attr]
    back = page.children[2]
    assert back.href == "/?period=custom&from=2026-03-01&to=2026-03-31&sector=HT"


def test_a_bad_filter_in_the_link_gives_a_message_on_the_unit_page(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    page = request_in("en", unit.layout, code="10001", procedure="NOPE")
    text = render(page)
    assert "The filter in the link is not valid" in text and "NOPE" in text
    assert find(page, "unit-filters").data["unit"] == "10001"  # type: ignore[union-attr]


# --- cards and the at-risk list -------------------------------------------------------------------


def test_the_cards_show_the_units_figures(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    cards = request_in("en", unit.show_cards, UNIT_A, None)
    values = {
        c.children.children[1].id: c.children.children[1].children
        for col in cards.children
        for c in [col.children]
    }
    assert values["kpi-received"] == "5"  # A1, A2, A3, A4, A6 (A5 came in February)
    assert values["kpi-open"] == "3"
    assert values["kpi-overdue"] == "1"
    assert values["kpi-on_time_rate"] == "66.7%"


def test_the_at_risk_list_pages_on_the_server_most_urgent_first(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    holder = request_in("vi", unit.show_at_risk, UNIT_A, None)
    assert "3 hồ sơ đang giải quyết" in render(holder)
    grid = find(holder, {"type": "atrisk-grid", "id": "unit"})
    assert grid.rowModelType == "infinite" and not getattr(grid, "rowData", None)  # type: ignore[union-attr]
    scope = find(holder, {"type": "atrisk-scope", "id": "unit"}).data  # type: ignore[union-attr]

    first = request_in("vi", atrisk.serve_rows, {"startRow": 0, "endRow": 2}, scope)
    second = request_in("vi", atrisk.serve_rows, {"startRow": 2, "endRow": 4}, scope)
    assert first["rowCount"] == second["rowCount"] == 3
    assert [r["code"] for r in first["rowData"]] == ["A4", "A5"]
    assert [r["code"] for r in second["rowData"]] == ["A6"]  # paused last: its clock stands still
    a4, a5 = first["rowData"]
    a6 = second["rowData"][0]
    assert a4["state"] == "Quá hạn" and a4["state_code"] == "overdue"
    assert a4["remaining"] == pytest.approx(-2.2, abs=0.06)
    assert a4["due"] == "17/03/2026" and a4["received"] == "12/03/2026"
    assert a4["handler"] == "Nguyễn Văn An" and a4["procedure"] == "1.004194"
    assert a4["apology"] == "Chưa có"  # overdue and no Mẫu 04: missing
    assert a6["state_code"] == "paused" and a6["apology"] == ""  # paused: no letter needed yet
    assert (a5["state"], a5["due"]) == ("Sắp đến hạn", "23/03/2026")


def test_an_issued_apology_letter_shows_in_the_list(request_in, engine, two_communes) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        a4 = conn.execute(select(Dossier.id).where(Dossier.code == "A4")).scalar_one()
        conn.execute(
            insert(ApologyLetter).values(
                dossier_id=a4, issued_at=datetime(2026, 3, 16, 9), new_due_date=date(2026, 3, 27)
            )
        )
    scope = atrisk.scope_of(handler="CB-A1")
    rows = request_in("en", atrisk.serve_rows, {"startRow": 0, "endRow": 50}, scope)["rowData"]
    a4_row = next(r for r in rows if r["code"] == "A4")
    assert a4_row["apology"] == "Issued"
    assert a4_row["state"] != "Overdue"  # the letter's new date is the working deadline now


def test_the_list_of_many_dossiers_comes_block_by_block(request_in, crowded_b) -> None:  # type: ignore[no-untyped-def]
    holder = request_in("en", unit.show_at_risk, UNIT_B, None)
    scope = find(holder, {"type": "atrisk-scope", "id": "unit"}).data  # type: ignore[union-attr]
    blocks = [
        request_in("en", atrisk.serve_rows, {"startRow": start, "endRow": start + 50}, scope)
        for start in (0, 50, 100)
    ]
    assert [len(b["rowData"]) for b in blocks] == [50, 50, 21]
    assert {b["rowCount"] for b in blocks} == {crowded_b}
    codes = [r["code"] for b in blocks for r in b["rowData"]]
    assert len(set(codes)) == crowded_b
    remaining = [r["remaining"] for b in blocks for r in b["rowData"]]
    assert remaining == sorted(remaining)  # most urgent first across the blocks
    beyond = request_in("en", atrisk.serve_rows, {"startRow": 150, "endRow": 200}, scope)
    assert beyond == {"rowData": [], "rowCount": crowded_b}


def test_the_server_export_holds_every_row_as_shown(request_in, crowded_b) -> None:  # type: ignore[no-untyped-def]
    holder = request_in("vi", unit.show_at_risk, UNIT_B, None)
    grid = find(holder, {"type": "atrisk-grid", "id": "unit"})
    scope = find(holder, {"type": "atrisk-scope", "id": "unit"}).data  # type: ignore[union-attr]
    name = find(holder, {"type": "atrisk-export-name", "id": "unit"}).data  # type: ignore[union-attr]
    columns = grid.columnDefs  # type: ignore[union-attr]
    shown = [
        r
        for start in range(0, 150, 50)
        for r in request_in("vi", atrisk.serve_rows, {"startRow": start, "endRow": start + 50}, scope)[
            "rowData"
        ]
    ]
    exported = atrisk.export_columns(columns)  # the grid's columns and the applicant's
    fields = [c["field"] for c in exported]
    headers = [c["headerName"] for c in exported]

    csv_file = request_in("vi", atrisk.export_csv, 1, scope, columns, name)
    assert csv_file["filename"] == "ho-so-can-chu-y-10002.csv"
    text = decoded(csv_file).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == headers
    expected = [["" if r.get(f) is None else str(r.get(f)) for f in fields] for r in shown]  # no applicants
    assert table[1:] == expected

    xlsx_file = request_in("vi", atrisk.export_xlsx, 1, scope, columns, name)
    sheet = pd.read_excel(io.BytesIO(decoded(xlsx_file)), dtype=str, keep_default_na=False)
    assert list(sheet.columns) == headers
    assert sheet["Mã hồ sơ"].tolist() == [r["code"] for r in shown]
    assert sheet["Tình trạng"].tolist() == [r["state"] for r in shown]
    assert [float(v) for v in sheet["Còn lại (ngày làm việc)"]] == [r["remaining"] for r in shown]


def test_with_nothing_open_the_list_says_why(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    empty = render(request_in("en", unit.show_at_risk, {**UNIT_B, "sector": "HT"}, None))
    assert "No dossier is open for these filters" in empty


# --- the backlog ----------------------------------------------------------------------------------


def test_the_sector_chart_stacks_the_parts_of_the_backlog(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    fig: go.Figure = request_in("en", unit.show_sector_backlog, UNIT_A, None)
    assert [trace.name for trace in fig.data] == [
        "Overdue",
        "Due within 2 working days",
        "Due later",
        "Paused (awaiting citizen)",
    ]
    assert list(fig.data[0].y) == ["Hộ tịch", "Đất đai"]
    assert [list(trace.x) for trace in fig.data] == [[1, 0], [0, 1], [0, 0], [1, 0]]
    assert fig.layout.title.text == "Open dossiers by sector (dossiers)"
    empty: go.Figure = request_in("en", unit.show_sector_backlog, {**UNIT_B, "sector": "HT"}, None)
    assert "No backlog for these filters" in empty.layout.annotations[0].text


def test_the_ageing_chart_counts_working_days(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    [graph] = request_in("vi", unit.show_ageing, UNIT_A, None)
    fig = graph.figure
    assert list(fig.data[0].x) == ["0–1", "2–3", "4–5", "6–10", "11–20", "trên 20"]
    totals = [sum(values) for values in zip(*(trace.y for trace in fig.data), strict=True)]
    assert totals == [0, 0, 1, 1, 1, 0]  # A6 (4 working days), A4 (6), A5 (20)
    assert list(fig.data[0].y) == [0, 0, 0, 1, 0, 0]  # overdue: A4


def test_the_procedure_grid_narrows_the_page_on_click(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    holder = request_in("en", unit.show_procedure_backlog, UNIT_A, None)
    rows = {r["code"]: r for r in holder.children[1].rowData}
    assert rows["1.004194"] == {
        "row_id": "1.004194",
        "code": "1.004194",
        "name": "1.004194",
        "open": 2,
        "overdue": 1,
        "due_soon": 0,
        "paused": 1,
    }
    assert rows["DD.1"]["due_soon"] == 1
    search = request_in("en", unit.filter_by_procedure, {"rowId": "DD.1"}, UNIT_A)
    assert search == "?period=custom&from=2026-03-01&to=2026-03-31&procedure=DD.1"


def test_the_workload_grid_lists_each_official_and_opens_their_list(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    holder = request_in("vi", unit.show_workload, UNIT_A, None)
    [row] = holder.children[1].rowData
    assert row == {
        "row_id": "CB-A1",
        "code": "CB-A1",
        "name": "Nguyễn Văn An",
        "role": "Xử lý",
        "open": 3,
        "overdue": 1,
        "due_soon": 1,
        "paused": 1,
    }
    assert request_in("vi", unit.open_official, {"rowId": "CB-A1"}) == "/me?official=CB-A1"
    assert request_in("vi", unit.open_official, {"rowId": "-"}) is unit.no_update  # nobody to open
    unassigned = request_in("en", unit.show_workload, UNIT_B, None).children[1].rowData
    assert unassigned == [
        {
            "row_id": "-",
            "code": "",
            "name": "Not assigned",
            "role": "",
            "open": 1,
            "overdue": 0,
            "due_soon": 0,
            "paused": 0,
        }
    ]


# --- flow and satisfaction ------------------------------------------------------------------------


def test_the_flow_says_whether_the_backlog_grows(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    graph, summary = request_in("en", unit.show_flow, UNIT_A, None)
    assert [trace.name for trace in graph.figure.data] == ["Received", "Resolved"]
    assert sum(graph.figure.data[0].y) == 6 and sum(graph.figure.data[1].y) == 3  # A5 in February counts
    assert summary.children.startswith("Over 27 weeks: 6 received, 3 resolved, the backlog grew by 3")


def test_the_satisfaction_trend_and_its_empty_state(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    fig: go.Figure = request_in("en", unit.show_satisfaction_trend, UNIT_A, None)
    ratings, satisfied, low = fig.data
    assert sum(ratings.y) == 2
    assert [v for v in satisfied.y if v is not None] == [100.0, 0.0]  # week of 2/3: A1 (5); of 9/3: A3 (2)
    assert [v for v in low.y if v is not None] == [0.0, 100.0]
    empty: go.Figure = request_in("en", unit.show_satisfaction_trend, UNIT_B, None)
    assert "No rating in the 26 weeks" in empty.layout.annotations[0].text


def test_satisfaction_is_shown_beside_timeliness(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    cards, cost, holder = request_in("en", unit.show_timeliness, UNIT_A, None)
    text = render(cards)
    assert "5.00" in text and "2.00" in text and "100.0% satisfied · 1 ratings" in text
    assert (
        cost.children
        == "Lateness costs 3.00 points of average rating and 100.0 percentage points of satisfaction."
    )
    [row] = holder.children[1].rowData
    assert row["timely_average"] == 5.0 and row["late_average"] == 2.0 and row["gap"] == 3.0
    empty = render(request_in("en", unit.show_timeliness, UNIT_B, None))
    assert "No rating of a resolved dossier in the period" in empty


def test_the_latest_low_ratings_link_to_their_dossiers(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    text = render(request_in("vi", unit.show_low_ratings, UNIT_A, None))
    assert '"href": "/dossier/A3"' in text and "2/5" in text and "09/03/2026" in text
    assert "Không có đánh giá nào từ 2 điểm trở xuống" in render(
        request_in("vi", unit.show_low_ratings, UNIT_B, None)
    )
