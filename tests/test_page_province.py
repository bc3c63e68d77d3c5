"""The province page's callbacks, called as functions on the hand-built communes."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import Engine

import dashboard.app  # noqa: F401 - pages register against the app
from dashboard.pages import province
from tests.conftest import callback_request


def render(component: object) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


MARCH_QUERY = {"period": "custom", "from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def request_in(dashboard_db: Engine):  # type: ignore[no-untyped-def]
    """Run a callback inside a request with the given language cookie."""

    def run(lang: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        with callback_request(lang):
            return fn(*args, **kwargs)

    return run


def test_the_cards_show_the_period_and_the_backlog(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    assert "Tiếp nhận" in render(request_in("vi", province.show_cards, MARCH_QUERY, None))
    cards = request_in("en", province.show_cards, MARCH_QUERY, None)
    values = {
        c.children.children[1].id: c.children.children[1].children
        for col in cards.children
        for c in [col.children]
    }
    assert values["kpi-received"] == "6"
    assert values["kpi-overdue"] == "1"
    assert values["kpi-on_time_rate"] == "75.0%"  # 3 of 4 resolved (A1, B1 early; A2 on time; A3 late)


def test_the_units_grid_has_one_row_per_active_unit_with_percentages(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    holder = request_in("vi", province.show_units_grid, MARCH_QUERY, None)
    grid = holder.children[1]
    rows = {row["code"]: row for row in grid.rowData}
    assert set(rows) == {"10001", "10002"}
    assert rows["10001"]["received"] == 5
    assert rows["10001"]["on_time_rate"] == pytest.approx(66.7)
    assert rows["10002"]["level"] == "Phường"


def test_a_click_on_a_unit_opens_its_page_keeping_the_period(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    href = request_in("vi", province.open_unit_from_grid, {"rowId": "10001"}, MARCH_QUERY)
    assert href == "/unit/10001?period=custom&from=2026-03-01&to=2026-03-31"
    click = {"points": [{"customdata": "10002"}]}
    assert request_in("vi", province.open_unit_from_heatmap, click, MARCH_QUERY).startswith("/unit/10002?")


def test_the_heatmap_switches_between_backlog_and_overdue(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    backlog: go.Figure = request_in("vi", province.show_heatmap, MARCH_QUERY, "open", None)
    overdue: go.Figure = request_in("vi", province.show_heatmap, MARCH_QUERY, "overdue", None)
    assert sum(map(sum, backlog.data[0].z)) == 4
    assert sum(map(sum, overdue.data[0].z)) == 1


def test_the_trends_compare_the_province_with_a_unit(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    graphs = request_in("en", province.show_trends, MARCH_QUERY, "10001", None)
    assert len(graphs) == 4
    on_time = graphs[1].figure
    assert [trace.name for trace in on_time.data] == ["Province", "Xã A"]
    assert on_time.layout.title.text == "On-time rate (%)"


def test_a_bad_filter_in_the_link_gives_a_message_not_a_traceback(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    page = request_in("vi", province.layout, period="custom", **{"from": "2026-02-30"})
    alert = render(page)
    assert "Bộ lọc trong đường dẫn không hợp lệ" in alert and "2026-02-30" in alert
    unknown = render(request_in("en", province.layout, unit="99999"))
    assert "is not a known code" in unknown
