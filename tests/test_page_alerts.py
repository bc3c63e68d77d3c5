"""The alert log page and the alert sections of the dossier and official pages, called as functions
over the outbox a real tick leaves (tests/alerting.py)."""

from __future__ import annotations

import base64
import io
import json
from datetime import datetime
from typing import Any

import pandas as pd
import pytest
from dash import no_update
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import Engine

import dashboard.app
from dashboard.pages import alerts, dossier, me
from queries import outbox
from tests.alerting import Alerted, alerted  # noqa: F401 - the fixture
from tests.conftest import callback_request

MARCH_20 = {"period": "custom", "from": "2026-03-20", "to": "2026-03-20"}
SCOPE = {"filters": MARCH_20, "state": None, "official": None}


def render(component: object) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


@pytest.fixture
def request_in(dashboard_db: Engine, alerted: Alerted):  # type: ignore[no-untyped-def]  # noqa: F811
    """Run a layout or callback inside a request with the given language cookie."""

    def run(lang: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        with callback_request(lang):
            return fn(*args, **kwargs)

    return run


def find(component: Any, component_id: str) -> Any:
    """The component with this id anywhere under `component`."""
    if getattr(component, "id", None) == component_id:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            found = find(child, component_id)
            if found is not None:
                return found
    return None


def rows(request_in, scope: dict[str, Any], sort: list[dict[str, str]] | None = None, lang: str = "en"):  # type: ignore[no-untyped-def]
    request = {"startRow": 0, "endRow": 100, "sortModel": sort or [], "filterModel": {}}
    return request_in(lang, alerts.list_rows, request, scope)


def test_the_navbar_leads_to_the_alert_log(request_in) -> None:  # type: ignore[no-untyped-def]
    shell = render(request_in("en", dashboard.app.shell))
    assert '"href": "/alerts"' in shell and "Alert log" in shell
    assert "Nhật ký cảnh báo" in render(request_in("vi", dashboard.app.shell))


def test_the_filters_live_in_the_link(request_in) -> None:  # type: ignore[no-untyped-def]
    page = request_in("vi", alerts.layout, **MARCH_20, unit="10001", state="failed")
    scope = find(page, "alerts-scope").data
    assert scope == {"filters": {**MARCH_20, "unit": "10001"}, "state": "failed", "official": None}
    assert find(page, "alerts-state").value == "failed"
    assert find(page, "flt-unit").value == "10001"
    assert find(page, "flt-sector").type == "hidden"  # alerts have no sector, procedure or channel
    assert find(page, "filter-error") is None
    text = render(page)
    assert "Nhật ký cảnh báo" in text and "Từ 20/03/2026 đến 20/03/2026" in text
    assert request_in("vi", alerts.state_to_url, "failed", "?period=month") == "?period=month&state=failed"
    assert request_in("vi", alerts.state_to_url, "all", "?period=month&state=failed") == "?period=month"
    assert request_in("vi", alerts.state_to_url, "failed", "?period=month&state=failed") is no_update
    # The select shows "all" for a state the link got wrong: the link (and its message) stays.
    assert request_in("vi", alerts.state_to_url, "all", "?state=bogus") is no_update
    assert request_in("vi", alerts.state_to_url, "sent", "?state=bogus") == "?state=sent"


def test_bad_values_in_the_link_give_the_usual_message(request_in) -> None:  # type: ignore[no-untyped-def]
    page = request_in("vi", alerts.layout, state="bogus")
    assert "Bộ lọc trong đường dẫn không hợp lệ: state = “bogus” phải là một trong" in render(page)
    assert find(page, "alerts-scope").data["state"] is None
    page = request_in("en", alerts.layout, official="KHONG-CO", period="decade")
    message = render(find(page, "filter-error"))
    assert "The filter in the link is not valid: period = “decade”" in message
    assert "official = “KHONG-CO” is not a known official" in message
    assert find(page, "alerts-scope").data["official"] is None
    page = request_in("en", alerts.layout, unit="99999")
    assert "unit = “99999” is not a known code" in render(find(page, "filter-error"))


def test_one_officials_alerts_are_shown_with_a_way_back(request_in) -> None:  # type: ignore[no-untyped-def]
    page = request_in("en", alerts.layout, **MARCH_20, official="GS-1")
    note = render(find(page, "alerts-official"))
    assert "Only the alerts sent to Phạm Giám Sát (GS-1)." in note and "official=" not in note
    assert '"href": "/alerts?period=custom&from=2026-03-20&to=2026-03-20"' in note
    scope = find(page, "alerts-scope").data
    response = rows(request_in, scope)
    assert response["rowCount"] == 5 and {r["recipient"] for r in response["rowData"]} == {
        "Phạm Giám Sát (GS-1)"
    }


def test_the_summary_counts_each_state_and_highlights_failures(request_in) -> None:  # type: ignore[no-untyped-def]
    cards, note = request_in("en", alerts.show_summary, {**SCOPE, "state": "sent"})
    values = {}
    for col in cards.children:
        body = col.children.children.children.children  # Col > Link > Card > CardBody > [label, value]
        values[body[1].id] = (body[1].children, body[1].className)
    assert {key: value for key, (value, _) in values.items()} == {
        "alerts-count-sent": "8",
        "alerts-count-acknowledged": "0",
        "alerts-count-unacknowledged": "8",
        "alerts-count-waiting": "2",
        "alerts-count-failed": "1",
        "alerts-count-rerouted": "3",
    }
    assert "state-overdue" in values["alerts-count-failed"][1]
    assert "state-overdue" not in values["alerts-count-sent"][1]
    links = [col.children.href for col in cards.children]
    assert links[4] == "/alerts?period=custom&from=2026-03-20&to=2026-03-20&state=failed"
    text = render(note)
    assert "Alerts that failed in the last 7 days: 1." in text
    assert '"/alerts?period=custom&from=2026-03-14&to=2026-03-20&state=failed"' in text


def test_the_log_answers_the_infinite_models_blocks(request_in, alerted: Alerted) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    response = rows(request_in, SCOPE)
    assert response["rowCount"] == 14 and len(response["rowData"]) == 14
    by_id = {row["id"]: row for row in response["rowData"]}
    handler = by_id[alerted.id("A4", "overdue", "CB-A1")]
    assert handler["link"] == "[A4](/dossier/A4)" and handler["subject"] == "A4"
    assert handler["recipient"] == "Nguyễn Văn An (CB-A1)" and handler["level"] == "Handler"
    assert handler["state"] == "✉ Sent" and handler["state_code"] == "sent"
    assert handler["channels"] == "Demo inbox" and handler["attempts"] == 2
    assert handler["created_at"] == "2026-03-20 10:00" and handler["acknowledgement"] == "Not yet"
    assert "Connection error" in handler["last_error"]
    admins = by_id[alerted.id("CT-A", "channel_broken", "admins")]
    assert admins["state_code"] == "failed" and admins["state"] == "✖ Failed"
    assert admins["recipient"] == "Administrators" and admins["last_error"] == "The recipient has no channel"
    assert admins["rule"] == "Broken channel" and admins["link"] == "CT\\-A"  # no dossier: plain text
    climbed = by_id[alerted.id("A4", "overdue", "GS-1")]
    assert climbed["reason"] == "The level below could not be reached"
    vi = rows(request_in, SCOPE, lang="vi")["rowData"]
    assert {row["state"] for row in vi} >= {"✉ Đã gửi", "✖ Gửi không được", "… Đang chờ gửi"}
    by_recipient = rows(request_in, SCOPE, sort=[{"colId": "recipient", "sort": "asc"}])["rowData"]
    assert by_recipient[-1]["recipient"] == "Administrators"
    unit_b = rows(request_in, {**SCOPE, "filters": {**MARCH_20, "unit": "10002"}})
    assert unit_b["rowCount"] == 4
    assert request_in("en", alerts.list_rows, None, SCOPE) is no_update


def test_the_count_line_and_an_empty_period(request_in) -> None:  # type: ignore[no-untyped-def]
    count, style = request_in("en", alerts.show_count, SCOPE)
    assert "Alerts: 14" in render(count) and style["height"] == "480px"
    empty = {**SCOPE, "filters": {"period": "custom", "from": "2026-03-01", "to": "2026-03-19"}}
    nothing, style = request_in("en", alerts.show_count, empty)
    assert "No alert matches the filters in this period." in render(nothing)
    assert style["height"] == "94px"  # the header and one row's room for the grid's own message
    _, style = request_in("en", alerts.show_count, {**SCOPE, "state": "failed"})
    assert style["height"] == "94px"
    assert rows(request_in, empty) == {"rowData": [], "rowCount": 0}


def test_a_click_shows_the_message_without_its_link_and_every_attempt(request_in, alerted: Alerted) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    alert_id = alerted.id("A4", "overdue", "CB-A1")
    detail = request_in("en", alerts.show_detail, {"rowId": str(alert_id), "colId": "rule"})
    text = render(detail)
    token = alerted.token(alert_id)
    assert f"Alert #{alert_id}" in text and "Overdue: dossier A4" in text
    assert "/alerts/ack/…" in text and token not in text  # the capability stays with the recipient
    attempts = render(find(detail, "alerts-attempts"))
    assert "Demo inbox" in attempts and "Delivered" in attempts
    assert "Failed: " in attempts and "json://127.0.0.1:9/" in attempts
    chair = request_in("vi", alerts.show_detail, {"rowId": str(alerted.id("A4", "overdue", "CT-A"))})
    assert "Lỗi vĩnh viễn" in render(chair) and "bogus://…" in render(chair)
    admins = request_in(
        "en", alerts.show_detail, {"rowId": str(alerted.id("CT-A", "channel_broken", "admins"))}
    )
    assert "No attempt was made" in render(admins)
    assert "no longer exists" in render(request_in("en", alerts.show_detail, {"rowId": "999999"}))
    assert request_in("en", alerts.show_detail, {"rowId": None}) is no_update


def test_downloads_hold_every_row_with_the_column_names(request_in) -> None:  # type: ignore[no-untyped-def]
    csv = request_in("en", alerts.build_export, "csv", SCOPE)
    assert csv["filename"] == "alert-log-2026-03-20-2026-03-20.csv"
    frame = pd.read_csv(io.BytesIO(base64.b64decode(csv["content"])), encoding="utf-8-sig")
    assert len(frame) == 14
    expected = {"Recipient", "Delivered via", "Acknowledged", "Acknowledged by", "Deadline judged"}
    assert expected <= set(frame.columns)
    assert "2026-03-17" in set(frame["Deadline judged"])  # a day-level due reads as a date
    assert "✖ Failed" in set(frame["Delivery"])
    failed = request_in("vi", alerts.build_export, "xlsx", {**SCOPE, "state": "failed"})
    assert failed["filename"] == "nhat-ky-canh-bao-2026-03-20-2026-03-20-failed.xlsx"
    sheet = pd.read_excel(io.BytesIO(base64.b64decode(failed["content"])))
    assert list(sheet["Người nhận"]) == ["Quản trị hệ thống"]


def test_an_acknowledgement_shows_when_and_by_whom(request_in, alerted: Alerted) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    alert_id = alerted.id("A4", "overdue", "CB-A1")
    with alerted.engine.begin() as conn:
        outbox.acknowledge(
            conn,
            alert_id,
            recipient_key="official:CB-A1",
            by="official:CB-A1 via link",
            now=datetime(2026, 3, 20, 11, 5),
        )
    row = next(r for r in rows(request_in, SCOPE)["rowData"] if r["id"] == alert_id)
    assert row["acknowledgement"] == "2026-03-20 11:05 · Nguyễn Văn An (CB-A1), by link"
    assert row["acknowledged_by"] == "Nguyễn Văn An (CB-A1), by link"
    table = render(request_in("vi", dossier.show_alerts, "A4"))
    assert "11:05 20/03/2026 · Nguyễn Văn An (CB-A1), qua đường dẫn" in table


def test_the_dossier_page_lists_its_alerts(request_in) -> None:  # type: ignore[no-untyped-def]
    layout = render(request_in("en", dossier.layout, code="A4"))
    assert '"id": "dossier-alerts"' in layout and '"children": "Alerts"' in layout
    table = request_in("en", dossier.show_alerts, "A4")
    assert table.id == "dossier-alerts-table"
    body = table.children[1].children
    assert len(body) == 5
    text = render(table)
    for expected in (
        "Trần Thị Chủ (CT-A)",
        "↑ Rerouted up",
        "Provincial supervisor",
        "Demo inbox",
        "Not yet",
    ):
        assert expected in text, expected
    assert "The level below could not be reached" in text
    empty = render(request_in("vi", dossier.show_alerts, "A1"))
    assert "Chưa có cảnh báo nào về hồ sơ này." in empty


def test_the_officials_page_lists_the_alerts_sent_to_them(request_in) -> None:  # type: ignore[no-untyped-def]
    layout = render(request_in("en", me.layout, official="GS-1"))
    assert '"id": "me-alerts"' in layout and "Alerts sent to this official" in layout
    section = request_in("en", me.show_alerts, {"official": "GS-1"})
    text = render(section)
    assert "The latest 5 alerts." in text and '"href": "/alerts?period=year&official=GS-1"' in text
    assert '"href": "/dossier/A4"' in text and '"href": "/dossier/B3"' in text and "Phường B" in text
    waiting = render(request_in("vi", me.show_alerts, {"official": "CB-B1"}))
    assert "… Đang chờ gửi" in waiting and "Connection error" in waiting
    nothing = render(request_in("vi", me.show_alerts, {"official": "CB-A2"}))
    assert "Chưa có cảnh báo nào gửi cho cán bộ này." in nothing
