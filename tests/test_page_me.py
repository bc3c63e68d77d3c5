"""The "my dossiers" page: the role switch in the URL, the counts and the official's own list."""

from __future__ import annotations

import base64
import io
import json
from datetime import datetime

import pandas as pd
import pytest
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import Engine, select

import dashboard.app  # noqa: F401 - pages register against the app
from dashboard.components import atrisk
from dashboard.pages import me
from queries.models import Dossier
from queries.sla import Clock
from tests.conftest import callback_request
from tests.factories import add_dossier, add_official


def render(component: object) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


@pytest.fixture
def request_in(dashboard_db: Engine):  # type: ignore[no-untyped-def]
    def run(lang: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        with callback_request(lang):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def idle_official(engine: Engine, two_communes: dict[str, int]) -> str:
    with engine.begin() as conn:
        add_official(conn, two_communes["b"], "CB-B1", name="Lê Văn Cường")
    return "CB-B1"


def test_without_a_choice_it_asks_for_an_official(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    page = request_in("en", me.layout)
    text = render(page)
    assert "Choose an official above" in text
    assert "Nguyễn Văn An (CB-A1) · Xã A" in text  # the role switch lists active officials and their unit


def test_an_unknown_official_gives_a_clear_message(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    text = render(request_in("vi", me.layout, official="KHONG-CO"))
    assert "Không có cán bộ đang làm việc nào mang mã “KHONG-CO”" in text
    assert "me-scope" not in text


def test_the_choice_lives_in_the_url(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    assert request_in("vi", me.choose_official, "CB-A1", "") == "?official=CB-A1"
    assert request_in("vi", me.choose_official, "CB-A1", "?official=CB-A1") is me.no_update


def test_the_page_shows_the_officials_unit_and_counts(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    text = render(request_in("vi", me.layout, official="CB-A1"))
    assert "Nguyễn Văn An" in text and '"href": "/unit/10001"' in text and "Xử lý" in text
    counts = request_in("vi", me.show_counts, {"official": "CB-A1"})
    values = {
        col.children.children.children[1].id: col.children.children.children[1].children
        for col in counts.children
    }
    assert values == {"me-open": "3", "me-overdue": "1", "me-due_soon": "1", "me-paused": "1"}


def test_the_officials_list_is_most_urgent_first_and_paged(request_in, two_communes) -> None:  # type: ignore[no-untyped-def]
    grid_holder = request_in("en", me.show_list, {"official": "CB-A1"})
    grid = grid_holder.children[1]
    assert grid.rowModelType == "infinite"
    assert "handler" not in [c["field"] for c in grid.columnDefs]  # it is the reader's own list
    scope = grid_holder.children[0].children[4].data
    assert scope == {"filters": None, "handler": "CB-A1"}
    first = request_in("en", atrisk.serve_rows, {"startRow": 0, "endRow": 2}, scope)
    rest = request_in("en", atrisk.serve_rows, {"startRow": 2, "endRow": 4}, scope)
    assert first["rowCount"] == 3
    assert [r["code"] for r in first["rowData"] + rest["rowData"]] == ["A4", "A5", "A6"]
    assert [r["state"] for r in first["rowData"] + rest["rowData"]] == [
        "Overdue",
        "Due soon",
        "Paused",
    ]
    assert '"valueGetter"' in render(grid.columnDefs) and "/dossier/" in render(grid.columnDefs)


def test_the_officials_export_holds_only_their_dossiers(
    request_in, engine, clock: Clock, two_communes
) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:  # one more dossier, held by nobody: not in the official's file
        plot = conn.execute(select(Dossier.procedure_id).where(Dossier.code == "A5")).scalar_one()
        add_dossier(
            conn,
            clock,
            code="A12",
            unit_id=two_communes["a"],
            procedure_id=plot,
            sector_id=two_communes["land"],
            received_at=datetime(2026, 3, 19, 9),
        )
    holder = request_in("vi", me.show_list, {"official": "CB-A1"})
    toolbar, grid = holder.children
    scope, name = toolbar.children[4].data, toolbar.children[5].data
    download = request_in("vi", atrisk.export_xlsx, 1, scope, grid.columnDefs, name)
    assert download["filename"] == "ho-so-can-chu-y-CB-A1.xlsx"
    sheet = pd.read_excel(io.BytesIO(base64.b64decode(download["content"])), dtype=str, keep_default_na=False)
    assert sheet["Mã hồ sơ"].tolist() == ["A4", "A5", "A6"]
    assert "Người xử lý" not in sheet.columns


def test_an_official_with_nothing_open_sees_an_empty_state(request_in, idle_official) -> None:  # type: ignore[no-untyped-def]
    counts = request_in("en", me.show_counts, {"official": idle_official})
    assert "0" in render(counts)
    empty = render(request_in("en", me.show_list, {"official": idle_official}))
    assert "This official holds no open dossier" in empty
    page = render(request_in("en", me.layout, official=idle_official))
    assert '"href": "/unit/10002"' in page
