"""The audit trail page (`/admin/audit`) on both databases: administrators only, the filters, the
users list, and the CSV download that is itself an event of the trail."""

from __future__ import annotations

import base64
import io
import json
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from flask.testing import FlaskClient
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import Engine, update

import dashboard.app  # noqa: F401 - the app registers the pages
from dashboard.access import record_export
from dashboard.pages import audit as page
from queries import audit
from queries.models import User
from queries.scope import OutOfScope, Role, Scope
from tests.conftest import NOW, callback_request
from tests.login import add_account, sign_in, signed_in_client

ADMIN = Scope(Role.ADMIN)
OTHERS = [
    Scope(Role.SUPERVISOR),
    Scope(Role.SUPERVISOR, sectors=("HT",)),
    Scope(Role.CHAIR, unit="10001"),
    Scope(Role.OFFICIAL, unit="10001", official="CB-A1"),
]


def render(component: object) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


@pytest.fixture
def trail(dashboard_db: Engine, two_communes) -> Engine:  # type: ignore[no-untyped-def]
    """Seven events over three days, two actors, three kinds."""
    with dashboard_db.begin() as conn:
        for minutes, actor, action, target in [
            (0, "an", "login", None),
            (5, "an", "export", "units.csv"),
            (60 * 24, "binh", "login_failed", None),
            (60 * 24 + 1, "binh", "login", None),
            (60 * 24 + 2, "binh", "logout", None),
            (60 * 48, "cli:root", "user_disabled", "binh"),
            (60 * 48 + 30, "an", "login", None),
        ]:
            audit.record(
                conn,
                actor=actor,
                action=action,
                target=target,
                detail={"reason": "bad_password"} if action == "login_failed" else None,
                address="10.0.0.7",
                at=datetime(2026, 3, 18, 8) + timedelta(minutes=minutes),
            )
    return dashboard_db


def show(lang: str = "vi", scope: Scope = ADMIN, **filters: str | None) -> tuple[list[dict[str, Any]], str]:
    args = [filters.get(key) for key in ("action", "actor", "from", "to")]
    with callback_request(lang, scope):
        rows, count, _options, _style = page.show_trail(*args)
    return rows, count


def test_the_trail_is_newest_first_in_the_readers_language(trail: Engine) -> None:
    rows, count = show("vi")
    assert count == "7 sự kiện"
    assert [(r["actor"], r["action"]) for r in rows][:3] == [
        ("an", "Đăng nhập"),
        ("cli:root", "Khóa tài khoản"),
        ("binh", "Đăng xuất"),
    ]
    assert rows[0]["at"] == "08:30:00 20/03/2026" and rows[0]["address"] == "10.0.0.7"
    rows, count = show("en")
    assert count == "7 events" and rows[0]["at"] == "2026-03-20 08:30:00"
    failed = next(r for r in rows if r["action"] == "Sign-in failed")
    assert failed["detail"] == "reason: bad_password"


def test_the_filters_narrow_it_by_event_actor_and_whole_days(trail: Engine) -> None:
    assert [r["actor"] for r in show(action="login")[0]] == ["an", "binh", "an"]
    assert [r["action"] for r in show("en", actor="binh")[0]] == ["Signed out", "Signed in", "Sign-in failed"]
    only_19th = show("en", **{"from": "2026-03-19", "to": "2026-03-19"})[0]
    assert [r["actor"] for r in only_19th] == ["binh", "binh", "binh"], "the end date counts whole"
    assert (
        show("en", action="login", actor="an", **{"from": "2026-03-20"})[0][0]["at"] == "2026-03-20 08:30:00"
    )
    assert show("en", action="not-an-action")[1] == "7 events", "an unknown event is no filter"
    assert show("en", **{"from": "2026-02-30"})[1] == "7 events", "nor is a date that does not exist"
    assert show("en", actor="nobody") == ([], "0 events")


def test_a_long_trail_shows_the_newest_and_says_the_download_has_all(
    trail: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page, "GRID_LIMIT", 2)
    rows, count = show("en")
    assert len(rows) == 2 and count == "7 events; the table shows the newest 2, the CSV file has them all."


@pytest.mark.parametrize("scope", OTHERS, ids=lambda s: s.cache_key())
def test_anyone_but_an_administrator_is_refused_and_it_is_recorded(trail: Engine, scope: Scope) -> None:
    with callback_request("vi", scope):
        shown = render(page.layout())
        with pytest.raises(OutOfScope):
            page.show_trail(None, None, None, None)
        with pytest.raises(OutOfScope):
            page.export_trail(1, None, None, None, None)
    assert "Không có quyền xem" in shown and "audit-grid" not in shown and "an" not in shown.split('"')
    with trail.connect() as conn:
        [denied] = audit.entries(conn, action="access_denied")
    assert (denied.target, denied.actor, denied.detail) == (
        "page=/admin/audit",
        "-",
        {"path": "/admin/audit"},
    )


def test_the_administrator_sees_the_accounts_without_any_secret(trail: Engine) -> None:
    with trail.begin() as conn:
        add_account(conn, "quantri", "admin", display_name="Quản Trị")
        add_account(conn, "chutich.a", "chair", unit_code="10001", display_name="Lê Văn Chủ")
        add_account(conn, "canbo.a1", "official", official_code="CB-A1", display_name="Nguyễn Văn An")
        conn.execute(
            update(User)
            .where(User.username == "canbo.a1")
            .values(locked_until=NOW + timedelta(minutes=10), last_login_at=NOW - timedelta(hours=1))
        )
        conn.execute(update(User).where(User.username == "chutich.a").values(active=False))
    with callback_request("en", ADMIN):
        layout = page.layout()
    users = render(layout)
    assert "audit-grid" in users
    for shown in (
        "quantri",
        "Lê Văn Chủ",
        "Commune chairperson",
        "10001",
        "until 2026-03-20 10:10",
        "2026-03-20 09:00",
    ):
        assert shown in users, shown
    with trail.connect() as conn:
        hashes = list(conn.execute(User.__table__.select().with_only_columns(User.password_hash)).scalars())
    assert hashes and not [h for h in hashes if h.split("$")[-1] in users] and "pbkdf2:" not in users


def export(client: FlaskClient, **filters: str | None) -> dict[str, Any]:
    """The download callback as the browser calls it (a click on the button)."""
    states = [
        {"id": f"audit-{key}", "property": "value", "value": filters.get(key)}
        for key in ("action", "actor", "from", "to")
    ]
    response = client.post(
        "/_dash-update-component",
        json={
            "output": "audit-download.data",
            "outputs": {"id": "audit-download", "property": "data"},
            "inputs": [{"id": "audit-export", "property": "n_clicks", "value": 1}],
            "changedPropIds": ["audit-export.n_clicks"],
            "state": states,
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]["audit-download"]["data"]


def test_the_download_has_every_matching_event_and_is_itself_recorded(trail: Engine) -> None:
    client = signed_in_client(trail, username="quantri")
    data = export(client, action="login", **{"from": "2026-03-18", "to": "2026-03-20"})
    assert data["filename"] == "nhat-ky-truy-cap-20260320-1000.csv"
    frame = pd.read_csv(io.BytesIO(base64.b64decode(data["content"])), encoding="utf-8-sig")
    assert list(frame.columns) == [
        "Thời điểm",
        "Người thực hiện",
        "Mã sự kiện",
        "Sự kiện",
        "Đối tượng",
        "Chi tiết",
        "Địa chỉ",
    ]
    assert list(frame["Người thực hiện"]) == ["quantri", "an", "binh", "an"]  # this sign-in, at NOW
    assert frame["Thời điểm"][1] == "2026-03-20 08:30:00" and set(frame["Mã sự kiện"]) == {"login"}
    with trail.connect() as conn:
        [recorded] = audit.entries(conn, action="export")[:1]
    assert (recorded.actor, recorded.target, recorded.address) == ("quantri", data["filename"], "127.0.0.1")
    assert recorded.detail == {
        "page": "/admin/audit",
        "filters": {"action": "login", "since": "2026-03-18 00:00:00", "until": "2026-03-21 00:00:00"},
        "rows": 4,
        "scope": "admin/*/-/*",
    }
    everything = export(client)
    frame = pd.read_csv(io.BytesIO(base64.b64decode(everything["content"])), encoding="utf-8-sig")
    assert len(frame) == 7 + 1 + 1, "the seed, the sign-in and the first download"


def test_over_http_only_an_administrator_opens_the_page_and_its_callbacks(trail: Engine) -> None:
    with trail.begin() as conn:
        add_account(conn, "chutich.a", "chair", unit_code="10001")
    admin = signed_in_client(trail, username="quantri")
    chair = admin.application.test_client()
    sign_in(chair, "chutich.a")
    layout = json.dumps(admin.get("/_dash-layout").get_json())
    assert "/admin/audit" in layout, "the navbar links the administrator to the trail"
    assert "/admin/audit" not in json.dumps(chair.get("/_dash-layout").get_json())
    outputs = [("audit-grid", "rowData"), ("audit-count", "children")]
    outputs += [("audit-grid", "dashGridOptions"), ("audit-grid", "style")]
    trail_call = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": [
            {"id": f"audit-{key}", "property": "value", "value": None}
            for key in ("action", "actor", "from", "to")
        ],
        "changedPropIds": [],
        "state": [],
    }
    assert admin.get("/admin/audit").status_code == 200
    page = chair.get("/admin/audit")  # the link itself: refused before the shell (page_guard)
    assert page.status_code == 403 and "Không có quyền xem" in page.get_data(as_text=True)
    assert admin.post("/_dash-update-component", json=trail_call).status_code == 200
    refused = chair.post("/_dash-update-component", json=trail_call)
    assert refused.status_code == 403 and b"an" not in refused.data.split(b'"')
    with trail.connect() as conn:
        denied = audit.entries(conn, action="access_denied")
    assert [(e.actor, e.target, e.detail["path"]) for e in reversed(denied)] == [
        ("chutich.a", "page=/admin/audit", "/admin/audit"),
        ("chutich.a", "page=/admin/audit", "/_dash-update-component"),
    ]


def test_record_export_names_who_what_and_from_where(trail: Engine) -> None:
    with callback_request("vi", Scope(Role.CHAIR, unit="10001")):
        record_export("units.xlsx", {"filters": {"period": "month"}, "rows": 12})
    with trail.connect() as conn:
        [entry] = audit.entries(conn, action="export", actor="-")
    assert (entry.target, entry.address) == ("units.xlsx", None)  # a request made in the test: no address
    assert entry.detail == {"filters": {"period": "month"}, "rows": 12, "scope": "chair/10001/-/*"}
