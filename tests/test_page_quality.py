"""The data-quality page's callbacks, called as functions on the hand-built flawed units."""

from __future__ import annotations

import base64
import io
import json

import pandas as pd
import pytest
from dash import no_update
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import Engine

import dashboard.app  # noqa: F401 - pages register against the app
from dashboard.pages import quality
from tests.conftest import callback_request
from tests.test_quality import flawed  # noqa: F401 - the hand-built units, shared

MARCH_QUERY = {"period": "custom", "from": "2026-03-01", "to": "2026-03-31"}


def render(component: object) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


@pytest.fixture
def request_in(dashboard_db: Engine, flawed: dict[str, int]):  # type: ignore[no-untyped-def]  # noqa: F811
    """Run a callback inside a request with the given language cookie."""

    def run(lang: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        with callback_request(lang):
            return fn(*args, **kwargs)

    return run


def block(request_in, start: int, end: int, check: str, unit: str | None = None, sort=None):  # type: ignore[no-untyped-def]
    request = {"startRow": start, "endRow": end, "sortModel": sort or [], "filterModel": {}}
    return request_in("en", quality.list_rows, request, check, unit, MARCH_QUERY)


def test_the_summary_has_a_row_per_unit_and_a_column_per_check(request_in) -> None:  # type: ignore[no-untyped-def]
    holder, options, totals = request_in("en", quality.show_summary, MARCH_QUERY)
    grid = holder.children[1]
    rows = {row["code"]: row for row in grid.rowData}
    assert set(rows) == {"10001", "10002"}
    assert rows["10001"]["no_receipt"] == 1 and rows["10001"]["any_check"] == 6
    assert rows["10002"]["late_no_apology"] == 1 and rows["10002"]["name"] == "Phường B"
    labels = {option["value"]: option["label"] for option in options}
    assert labels["late_no_apology"] == "Late without an apology letter (2)"
    assert labels["no_procedure"] == "No procedure (1)"
    assert totals == {check: 1 for check in quality.CHECKS} | {"late_no_apology": 2}


def test_an_empty_scope_says_that_nothing_fails(request_in) -> None:  # type: ignore[no-untyped-def]
    holder, options, totals = request_in("vi", quality.show_summary, {**MARCH_QUERY, "channel": "online"})
    assert "Không có hồ sơ nào có vấn đề" in render(holder)
    assert options[0]["label"].endswith("(0)") and set(totals.values()) == {0}


def test_without_a_check_in_the_link_it_opens_on_the_first_failing_check() -> None:
    totals = dict.fromkeys(quality.CHECKS, 0) | {"repeat_supplement": 3, "no_digitized_result": 9}
    assert quality.first_failing_check(totals, False, "no_procedure") == "repeat_supplement"
    assert quality.first_failing_check(totals, False, "no_digitized_result") is no_update  # it has some
    assert quality.first_failing_check(totals, True, "no_procedure") is no_update  # the link chose
    assert quality.first_failing_check(dict.fromkeys(quality.CHECKS, 0), False, "no_procedure") is no_update


def test_a_click_on_a_count_chooses_its_check_and_unit(request_in) -> None:  # type: ignore[no-untyped-def]
    cell = {"rowId": "10002", "colId": "late_no_apology", "value": 1}
    assert request_in("vi", quality.select_from_summary, cell, MARCH_QUERY) == ("late_no_apology", "10002")
    name = {"rowId": "10001", "colId": "name"}
    assert request_in("vi", quality.select_from_summary, name, MARCH_QUERY) == (no_update, "10001")
    assert request_in("vi", quality.select_from_summary, None, MARCH_QUERY) == (no_update, no_update)


def test_the_list_answers_the_infinite_models_blocks(request_in) -> None:  # type: ignore[no-untyped-def]
    response = block(request_in, 0, 100, "late_no_apology", sort=[{"colId": "code", "sort": "asc"}])
    assert response["rowCount"] == 2
    assert [row["code"] for row in response["rowData"]] == ["Q11", "Q9"]
    q9 = response["rowData"][1]
    assert q9["link"] == "[Q9](/dossier/Q9)"
    assert (q9["unit"], q9["status"], q9["finished_at"]) == (
        "Phường B",
        "Result returned",
        "2026-03-09 09:00",
    )
    second = block(request_in, 1, 2, "late_no_apology", sort=[{"colId": "code", "sort": "asc"}])
    assert (second["rowCount"], [row["code"] for row in second["rowData"]]) == (2, ["Q9"])
    descending = block(request_in, 0, 100, "late_no_apology", sort=[{"colId": "code", "sort": "desc"}])
    assert [row["code"] for row in descending["rowData"]] == ["Q9", "Q11"]
    only_b = block(request_in, 0, 100, "late_no_apology", unit="10002")
    assert (only_b["rowCount"], [row["code"] for row in only_b["rowData"]]) == (1, ["Q9"])
    past_the_end = block(request_in, 100, 200, "late_no_apology")
    assert past_the_end == {"rowData": [], "rowCount": 2}


def test_a_bad_request_or_check_is_handled_not_raised(request_in) -> None:  # type: ignore[no-untyped-def]
    assert request_in("en", quality.list_rows, None, "no_receipt", None, MARCH_QUERY) is no_update
    bogus = block(request_in, 0, 100, "no_such_check", sort=[{"colId": "DROP TABLE", "sort": "asc"}])
    assert bogus["rowCount"] == 1  # falls back to the first check, no_procedure: Q1
    assert [row["code"] for row in bogus["rowData"]] == ["Q1"]
    assert bogus["rowData"][0]["procedure"] == "–" and bogus["rowData"][0]["due_at"] == "–"


def test_the_count_and_the_explanation_follow_the_selection(request_in) -> None:  # type: ignore[no-untyped-def]
    count = render(request_in("vi", quality.show_count, "late_no_apology", None, MARCH_QUERY))
    assert "2 hồ sơ" in count
    empty = render(request_in("en", quality.show_count, "no_procedure", "10002", MARCH_QUERY))
    assert "No dossier fails “No procedure” in the chosen scope and period." in empty
    why = render(request_in("en", quality.describe_check, "repeat_supplement"))
    assert "counts the dossier late" in why and "not finished yet are always included" in why


def _rows_of_all_blocks(request_in, check: str) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    rows: list[dict] = []  # type: ignore[type-arg]
    start = 0
    while True:
        response = block(request_in, start, start + 1, check)
        rows += response["rowData"]
        start += 1
        if start >= response["rowCount"]:
            return rows


@pytest.mark.parametrize("check", ["late_no_apology", "repeat_supplement", "no_receipt"])
def test_the_downloads_hold_exactly_the_rows_of_the_list(request_in, check: str) -> None:  # type: ignore[no-untyped-def]
    listed = _rows_of_all_blocks(request_in, check)
    fields = list(quality.LIST_FIELDS)
    expected = [[row[field] for field in fields] for row in listed]
    csv = request_in("en", quality.build_export, "csv", check, None, MARCH_QUERY)
    assert csv["filename"] == f"data-quality-{check}.csv"
    text = base64.b64decode(csv["content"]).decode("utf-8-sig")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert list(frame.columns)[:2] == ["Dossier", "Unit"]
    assert frame.values.tolist() == [[str(value) for value in row] for row in expected]
    xlsx = request_in("en", quality.build_export, "xlsx", check, "10001", MARCH_QUERY)
    assert xlsx["filename"] == f"data-quality-{check}-10001.xlsx"
    sheet = pd.read_excel(io.BytesIO(base64.b64decode(xlsx["content"])), dtype=object).fillna("")
    in_a = [row for row in expected if row[1] == "Xã A"]
    assert [[str(value) for value in row] for row in sheet.values.tolist()] == [
        [str(value) for value in row] for row in in_a
    ]


def test_a_bad_check_in_the_link_gives_a_message_not_a_traceback(request_in) -> None:  # type: ignore[no-untyped-def]
    page = render(request_in("en", quality.layout, check="nonsense", **MARCH_QUERY))
    assert "The check “nonsense” in the link does not exist; showing “No procedure”." in page
    bad_period = render(request_in("vi", quality.layout, period="custom", **{"from": "2026-02-30"}))
    assert "Bộ lọc trong đường dẫn không hợp lệ" in bad_period and "2026-02-30" in bad_period
    chosen = render(request_in("vi", quality.layout, check="late_no_apology", unit="10001"))
    assert '"value": "late_no_apology"' in chosen and '"disabled": true' in chosen
