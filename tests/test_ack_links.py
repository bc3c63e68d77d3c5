"""The acknowledgement route on the Flask server, driven with the links of real messages.

Each refusal is checked twice: the status and page the recipient sees, and that the outbox is
exactly as before (every column of every alert).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select
from sqlalchemy.exc import OperationalError

import dashboard.app
from alerts.rules import DOSSIER_RULES
from dashboard import metrics
from queries import audit, outbox
from queries.ack_links import AckClaim, make_token
from queries.models import AlertRow
from queries.settings import SettingsError, alert_snooze_hours
from tests.alerting import SECRET, Alerted, alerted  # noqa: F401 - the fixture
from tests.conftest import NOW

EXPIRES = NOW + timedelta(days=7)  # link_valid_days in alerts/defaults.toml
HERE = "http://localhost"  # the test client's host


@pytest.fixture
def client(dashboard_db: Engine, alerted: Alerted, monkeypatch: pytest.MonkeyPatch) -> FlaskClient:  # noqa: F811
    """Nobody signed in: the link's token is the recipient's capability (dashboard/ack.py)."""
    monkeypatch.setitem(dashboard.app.server.config, "ALERT_SNOOZE_HOURS", 24.0)
    return dashboard.app.server.test_client()


def post(client: FlaskClient, token: str, action: str = "ack", **headers: str) -> tuple[int, str]:
    response = client.post(
        f"/alerts/ack/{token}", data={"token": token, "action": action}, headers={"Origin": HERE, **headers}
    )
    return response.status_code, response.get_data(as_text=True)


def get(client: FlaskClient, token: str, lang: str | None = None) -> tuple[int, str]:
    if lang:
        client.set_cookie("lang", lang)
    response = client.get(f"/alerts/ack/{token}")
    return response.status_code, response.get_data(as_text=True)


def trail(alerted: Alerted) -> list[tuple[str, str, str | None, dict[str, object]]]:  # noqa: F811
    """The audit trail's answers to alerts: (actor, action, target, detail), oldest first."""
    with alerted.engine.connect() as conn:
        rows = audit.entries(conn)
    return [
        (r.actor, r.action, r.target, r.detail)
        for r in reversed(rows)
        if r.action in ("alert_acknowledged", "alert_snoozed")
    ]


def state_of(alerted: Alerted, alert_id: int) -> tuple[object, object, object]:  # noqa: F811
    with alerted.engine.connect() as conn:
        row = conn.execute(
            select(AlertRow.acknowledged_at, AlertRow.acknowledged_by, AlertRow.snoozed_until).where(
                AlertRow.id == alert_id
            )
        ).one()
    return tuple(row)  # type: ignore[return-value]


def test_opening_the_link_shows_the_alert_and_changes_nothing(client: FlaskClient, alerted: Alerted) -> None:  # noqa: F811
    alert_id = alerted.id("A4", "overdue", "CB-A1")
    token = alerted.token(alert_id)
    before = alerted.outbox()
    for _ in range(3):  # a mail scanner, a link preview, then the recipient
        status, page = get(client, token)
        assert status == 200
    assert alerted.outbox() == before
    assert '<html lang="en">' in page  # the recipient's language
    for expected in (
        "Acknowledge an alert",
        "Overdue: dossier A4",
        'href="/dossier/A4"',
        "Nguyễn Văn An (CB-A1)",
        f"#{alert_id}",
        'name="action" value="ack"',
        'name="action" value="snooze"',
        f'name="token" value="{token}"',
        "held back for 24 hours",
        'href="/assets/01-bootstrap.min.css"',
    ):
        assert expected in page, expected
    response = client.get(f"/alerts/ack/{token}")
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_language_switch_overrides_the_alerts_language(client: FlaskClient, alerted: Alerted) -> None:  # noqa: F811
    english_alert = alerted.token(alerted.id("A4", "overdue", "CB-A1"))
    status, page = get(client, english_alert, lang="vi")
    assert status == 200 and '<html lang="vi">' in page
    assert "Đã nhận" in page and "Nhắc lại sau" in page and "giữ lại 24 giờ" in page
    client.delete_cookie("lang")
    vietnamese_alert = alerted.token(alerted.id("B3", "overdue", "GS-1"))
    status, page = get(client, vietnamese_alert)
    assert status == 200 and "Xác nhận cảnh báo" in page and "Phạm Giám Sát (GS-1)" in page
    assert "Quá hạn: hồ sơ B3" in page and "13/03/2026" in page  # the stored title; the due as a date
    status, page = get(client, vietnamese_alert, lang="en")
    assert "Quá hạn: hồ sơ B3" not in page and "Overdue" in page and "2026-03-13" in page


def test_a_post_acknowledges_once_and_the_second_gets_409(client: FlaskClient, alerted: Alerted) -> None:  # noqa: F811
    alert_id = alerted.id("A4", "overdue", "CB-A1")
    token = alerted.token(alert_id)
    counted = metrics.ACKNOWLEDGED.labels("overdue", "Demo inbox")._value.get()  # noqa: SLF001
    status, page = post(client, token)
    assert status == 200 and "Acknowledged" in page and "acknowledged at 2026-03-20 10:00" in page
    assert metrics.ACKNOWLEDGED.labels("overdue", "Demo inbox")._value.get() == counted + 1  # noqa: SLF001
    assert state_of(alerted, alert_id) == (NOW, "official:CB-A1 via link", None)
    recorded = ("official:CB-A1", "alert_acknowledged", str(alert_id))
    assert [entry[:3] for entry in trail(alerted)] == [recorded]
    assert trail(alerted)[0][3] == {"via": "link", "rule": "overdue", "dossier": "A4"}
    after_first = alerted.outbox()
    status, page = post(client, token)
    assert status == 409
    assert "acknowledged at 2026-03-20 10:00 by Nguyễn Văn An (CB-A1), by link" in page
    assert "Nothing was changed" in page and 'name="action"' not in page
    status, page = post(client, token, action="snooze")
    assert status == 409 and "Already acknowledged" in page
    status, page = get(client, token)
    assert status == 409 and "by Nguyễn Văn An (CB-A1), by link" in page
    assert alerted.outbox() == after_first
    assert [entry[:3] for entry in trail(alerted)] == [recorded], "an answer that changed nothing is no event"
    with alerted.engine.connect() as conn:  # an acknowledged alert never climbs
        waiting = outbox.unanswered(conn, rules=DOSSIER_RULES, sent_before=NOW, now=NOW + timedelta(days=2))
    assert alert_id not in {row.id for row in waiting}


def test_a_token_for_another_recipient_is_refused(client: FlaskClient, alerted: Alerted) -> None:  # noqa: F811
    alert_id = alerted.id("A4", "overdue", "CB-A1")
    stolen = make_token(SECRET, AckClaim(alert_id, "official:GS-1", EXPIRES))
    before = alerted.outbox()
    for status, page in (get(client, stolen), post(client, stolen), post(client, stolen, "snooze")):
        assert status == 400 and "Đường dẫn không hợp lệ" in page and "Không có gì thay đổi" in page
        assert "A4" not in page  # nothing about the alert (not even its language) is shown
    assert alerted.outbox() == before


def test_a_forged_or_damaged_token_is_refused(client: FlaskClient, alerted: Alerted) -> None:  # noqa: F811
    alert_id = alerted.id("A4", "overdue", "CB-A1")
    genuine = alerted.token(alert_id)
    forged = make_token("not-the-secret", AckClaim(alert_id, "official:CB-A1", EXPIRES))
    cut = genuine[:-6]
    tampered = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
    before = alerted.outbox()
    for token in (forged, cut, tampered, "garbage", "a.b.c"):
        for status, page in (get(client, token), post(client, token), post(client, token, "snooze")):
            assert status == 400, token
            assert "Đường dẫn không hợp lệ" in page  # no alert, no cookie: Vietnamese
    assert alerted.outbox() == before and trail(alerted) == []


def test_an_expired_link_gets_410_and_changes_nothing(
    client: FlaskClient,
    alerted: Alerted,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = alerted.token(alerted.id("A4", "overdue", "CB-A1"))
    monkeypatch.setenv("DASHBOARD_NOW", (EXPIRES + timedelta(seconds=1)).isoformat())
    before = alerted.outbox()
    for status, page in (get(client, token), post(client, token), post(client, token, "snooze")):
        assert status == 410 and "đã hết hạn" in page
    assert alerted.outbox() == before
    monkeypatch.setenv("DASHBOARD_NOW", EXPIRES.isoformat())  # still valid at the very second
    assert get(client, token)[0] == 200


def test_an_alert_that_no_longer_exists_gets_404(client: FlaskClient, alerted: Alerted) -> None:  # noqa: F811
    token = make_token(SECRET, AckClaim(999_999, "official:CB-A1", EXPIRES))
    before = alerted.outbox()
    for status, page in (get(client, token), post(client, token)):
        assert status == 404 and "Không tìm thấy cảnh báo" in page
    assert alerted.outbox() == before


def test_snooze_holds_the_climb_once(
    client: FlaskClient,
    alerted: Alerted,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(dashboard.app.server.config, "ALERT_SNOOZE_HOURS", 6.0)
    alert_id = alerted.id("B3", "overdue", "GS-1")
    token = alerted.token(alert_id)
    status, page = post(client, token, "snooze")
    until = NOW + timedelta(hours=6)
    assert status == 200 and "Đã hoãn nhắc" in page and "16:00 20/03/2026" in page
    assert state_of(alerted, alert_id) == (None, None, until)
    snoozed = alerted.outbox()
    status, page = post(client, token, "snooze")
    assert status == 409 and "đã được hoãn nhắc đến 16:00 20/03/2026" in page
    assert alerted.outbox() == snoozed
    assert trail(alerted) == [
        (
            "official:GS-1",
            "alert_snoozed",
            str(alert_id),
            {"via": "link", "rule": "overdue", "dossier": "B3", "until": "2026-03-20T16:00"},
        )
    ]
    status, page = get(client, token)  # the page still offers the acknowledgement, not a second snooze
    assert status == 200 and 'value="ack"' in page and 'value="snooze"' not in page
    assert "đang được hoãn nhắc đến 16:00 20/03/2026" in page
    with alerted.engine.connect() as conn:

        def climbs_at(moment: datetime) -> bool:
            rows = outbox.unanswered(conn, rules=DOSSIER_RULES, sent_before=NOW, now=moment)
            return alert_id in {row.id for row in rows}

        assert not climbs_at(NOW + timedelta(hours=5)) and climbs_at(until)
    status, page = post(client, token)  # and it can still be acknowledged, once
    assert status == 200 and state_of(alerted, alert_id)[:2] == (NOW, "official:GS-1 via link")
    assert [action for _actor, action, _target, _detail in trail(alerted)] == [
        "alert_snoozed",
        "alert_acknowledged",
    ]


def test_the_answer_and_its_audit_entry_are_one_transaction(
    client: FlaskClient,
    alerted: Alerted,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An audit trail that cannot be written takes the acknowledgement down with it: no answer
    is ever kept unrecorded."""
    alert_id = alerted.id("A4", "overdue", "CB-A1")
    token = alerted.token(alert_id)
    before = alerted.outbox()

    def refused(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT INTO audit_log", {}, Exception("disk full"))

    monkeypatch.setattr("dashboard.ack.audit.record", refused)
    monkeypatch.setitem(client.application.config, "PROPAGATE_EXCEPTIONS", False)
    assert post(client, token)[0] == 500
    assert alerted.outbox() == before and trail(alerted) == []


def test_a_post_from_another_site_is_refused(client: FlaskClient, alerted: Alerted) -> None:  # noqa: F811
    token = alerted.token(alerted.id("A4", "overdue", "CB-A1"))
    before = alerted.outbox()
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost.evil.example"},
    ):
        status, page = post(client, token, **headers)
        assert status == 403 and "Nothing was changed" not in page and "Không có gì thay đổi" in page
    response = client.post(
        f"/alerts/ack/{token}",
        data={"token": token, "action": "ack"},
        headers={"Referer": "https://evil.example/page"},
    )
    assert response.status_code == 403
    assert alerted.outbox() == before and trail(alerted) == []
    # Without Origin or Referer (some privacy tools strip both) the token in the body suffices.
    response = client.post(f"/alerts/ack/{token}", data={"token": token, "action": "ack"})
    assert response.status_code == 200


def test_the_form_must_carry_its_own_token_and_a_known_action(client: FlaskClient, alerted: Alerted) -> None:  # noqa: F811
    token = alerted.token(alerted.id("A4", "overdue", "CB-A1"))
    other = alerted.token(alerted.id("A5", "due_soon", "CB-A1"))
    before = alerted.outbox()
    for data in ({"action": "ack"}, {"token": other, "action": "ack"}, {"token": token, "action": "delete"}):
        response = client.post(f"/alerts/ack/{token}", data=data, headers={"Origin": HERE})
        assert response.status_code == 400, data
    assert alerted.outbox() == before


def test_a_bad_snooze_setting_stops_the_app_with_its_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALERT_SNOOZE_HOURS", raising=False)
    assert alert_snooze_hours() == 24.0
    monkeypatch.setenv("ALERT_SNOOZE_HOURS", "8")
    assert alert_snooze_hours() == 8.0
    for bad in ("one day", "0", "-3", "1000"):
        monkeypatch.setenv("ALERT_SNOOZE_HOURS", bad)
        with pytest.raises(SettingsError, match="ALERT_SNOOZE_HOURS"):
            alert_snooze_hours()
