"""The alert log's read functions over the outbox a real tick leaves (tests/alerting.py)."""

from __future__ import annotations

from datetime import date, datetime

from queries import outbox
from queries.alert_log import (
    LogQuery,
    alert_attempts,
    alert_entry,
    alert_log,
    alert_message,
    count_alerts,
    counts_by_state,
    dossier_alerts,
    official_alerts,
    official_name,
)
from tests.alerting import Alerted, alerted  # noqa: F401 - the fixture
from tests.conftest import NOW, PROVINCE

MARCH_20 = LogQuery(start=date(2026, 3, 20), end=date(2026, 3, 20))


def test_it_lists_every_alert_about_a_dossier_with_recipient_state_and_channels(alerted: Alerted) -> None:  # noqa: F811
    with alerted.engine.connect() as conn:
        entries = dossier_alerts(conn, "A4", scope=PROVINCE)
    seen = {(e.rule, e.recipient_key, e.state) for e in entries}
    assert seen == {
        ("overdue", "official:CB-A1", "sent"),
        ("overdue", "official:CT-A", "rerouted"),
        ("apology_missing", "official:CT-A", "rerouted"),
        ("overdue", "official:GS-1", "sent"),
        ("apology_missing", "official:GS-1", "sent"),
    }
    assert [e.id for e in entries] == sorted((e.id for e in entries), reverse=True)  # newest first
    handler = next(e for e in entries if e.recipient_key == "official:CB-A1")
    assert handler.recipient_name == "Nguyễn Văn An" and handler.recipient_code == "CB-A1"
    assert handler.dossier_code == "A4" and handler.unit_code == "10001" and handler.unit_name_vi == "Xã A"
    assert handler.channels == "Demo inbox" and handler.sent_at == NOW
    assert handler.attempts == 2  # the demo inbox took it, the dead hook refused
    assert "Connection error" in (handler.last_error or "")
    assert handler.language == "en" and handler.title == "Overdue: dossier A4"
    assert handler.acknowledged_at is None and handler.level == 0
    rerouted = next(e for e in entries if e.rule == "overdue" and e.recipient_key == "official:CT-A")
    climbed = next(e for e in entries if e.rule == "overdue" and e.recipient_key == "official:GS-1")
    assert rerouted.last_error == "channel_broken" and rerouted.sent_at is None
    assert climbed.parent_id == rerouted.id and climbed.reason == "channel_broken" and climbed.level == 2


def test_an_officials_alerts_are_the_ones_sent_to_them(alerted: Alerted) -> None:  # noqa: F811
    with alerted.engine.connect() as conn:
        supervisor = official_alerts(conn, "GS-1", scope=PROVINCE)
        latest = official_alerts(conn, "GS-1", limit=2, scope=PROVINCE)
        nobody = official_alerts(conn, "CB-A2", scope=PROVINCE)
        unknown = official_alerts(conn, "KHONG-CO", scope=PROVINCE)
    assert {e.recipient_key for e in supervisor} == {"official:GS-1"}
    assert {e.subject for e in supervisor} == {"A4", "B3", "digest:official:CT-A"}  # a forwarded digest
    assert len(supervisor) == 5 and [e.id for e in latest] == [e.id for e in supervisor[:2]]
    digest = next(e for e in supervisor if e.subject.startswith("digest"))
    assert digest.dossier_code is None and digest.rule == "daily_digest"
    assert nobody == [] and unknown == []


def test_the_log_filters_by_unit_state_period_and_recipient(alerted: Alerted) -> None:  # noqa: F811
    with alerted.engine.connect() as conn:

        def subjects(**changes: object) -> list[tuple[str, str]]:
            query = LogQuery(**{**MARCH_20.__dict__, **changes})
            rows = alert_log(conn, query, limit=100, scope=PROVINCE)
            assert count_alerts(conn, query, scope=PROVINCE) == len(rows)
            return sorted((row.subject, row.recipient_key) for row in rows)

        assert len(subjects()) == 14
        assert subjects(unit_code="10002") == [
            ("B3", "official:CB-B1"),
            ("B3", "official:GS-1"),
            ("B3", "official:GS-1"),
            ("digest", "official:CB-B1"),
        ]
        assert subjects(state="waiting") == [("B3", "official:CB-B1"), ("digest", "official:CB-B1")]
        assert subjects(state="failed") == [("CT-A", "admins")]
        assert len(subjects(state="rerouted")) == 3 and len(subjects(state="sent")) == 8
        assert subjects(state="cancelled") == [] and subjects(state="acknowledged") == []
        assert len(subjects(state="unacknowledged")) == 8
        assert subjects(official_code="CB-B1") == [("B3", "official:CB-B1"), ("digest", "official:CB-B1")]
        assert len(subjects(dossier_code="A4")) == 5
        assert subjects(start=date(2026, 3, 21), end=date(2026, 3, 31)) == []
        assert subjects(start=date(2026, 3, 1), end=date(2026, 3, 19)) == []
        assert subjects(unit_code="99999") == []


def test_pages_in_any_order_cover_the_log_once(alerted: Alerted) -> None:  # noqa: F811
    with alerted.engine.connect() as conn:
        every = {row.id for row in alert_log(conn, MARCH_20, limit=100, scope=PROVINCE)}
        for sort in ([], [("recipient", False)], [("state", True), ("sent_at", False)], [("nonsense", True)]):
            pages = [
                alert_log(conn, MARCH_20, sort=sort, offset=start, limit=4, scope=PROVINCE)
                for start in (0, 4, 8, 12)
            ]
            ids = [row.id for page in pages for row in page]
            assert len(ids) == len(set(ids)) == 14 and set(ids) == every, sort
        by_recipient = alert_log(conn, MARCH_20, sort=[("recipient", False)], limit=100, scope=PROVINCE)
    names = [row.recipient_name for row in by_recipient]
    assert names[-1] is None  # the administrators (no official) come last, on both databases
    assert names[:-1] == sorted(names[:-1])  # type: ignore[type-var]


def test_counts_by_state_add_up_and_follow_acknowledgements(alerted: Alerted) -> None:  # noqa: F811
    with alerted.engine.connect() as conn:
        before = counts_by_state(conn, MARCH_20, scope=PROVINCE)
        filtered = counts_by_state(
            conn, LogQuery(start=MARCH_20.start, end=MARCH_20.end, state="failed"), scope=PROVINCE
        )
        unit_b = counts_by_state(
            conn, LogQuery(start=MARCH_20.start, end=MARCH_20.end, unit_code="10002"), scope=PROVINCE
        )
    assert (before.sent, before.failed, before.waiting, before.rerouted, before.cancelled) == (8, 1, 2, 3, 0)
    assert before.total == 14 and before.acknowledged == 0 and before.unacknowledged == 8
    assert filtered == before  # the summary ignores the state filter
    assert (unit_b.sent, unit_b.waiting, unit_b.failed) == (2, 2, 0)
    with alerted.engine.begin() as conn:
        answer = outbox.acknowledge(
            conn,
            alerted.id("A4", "overdue", "CB-A1"),
            recipient_key="official:CB-A1",
            by="official:CB-A1 via link",
            now=datetime(2026, 3, 20, 10, 30),
        )
    assert answer is outbox.Answer.DONE
    with alerted.engine.connect() as conn:
        after = counts_by_state(conn, MARCH_20, scope=PROVINCE)
        acknowledged = alert_log(
            conn, LogQuery(start=MARCH_20.start, end=MARCH_20.end, state="acknowledged"), scope=PROVINCE
        )
    assert (after.sent, after.acknowledged, after.unacknowledged) == (8, 1, 7)
    assert [(row.acknowledged_at, row.acknowledged_by) for row in acknowledged] == [
        (datetime(2026, 3, 20, 10, 30), "official:CB-A1 via link")
    ]


def test_every_attempt_of_an_alert_is_listed_with_its_answer(alerted: Alerted) -> None:  # noqa: F811
    with alerted.engine.connect() as conn:
        handler = alert_attempts(conn, alerted.id("A4", "overdue", "CB-A1"), scope=PROVINCE)
        chair = alert_attempts(conn, alerted.id("A4", "overdue", "CT-A"), scope=PROVINCE)
        admins = alert_attempts(conn, alerted.id("CT-A", "channel_broken", "admins"), scope=PROVINCE)
    assert [(a.number, a.service, a.ok, a.permanent) for a in handler] == [
        (1, "Demo inbox", True, False),
        (1, "JSON", False, False),
    ]
    assert handler[1].url is not None and handler[1].url.startswith("json://127.0.0.1:9/")
    assert handler[0].started_at == NOW and handler[0].finished_at == NOW
    assert [(a.url, a.ok, a.permanent, a.error) for a in chair] == [
        ("bogus://…", False, True, "Apprise cannot parse this URL")
    ]
    assert admins == []  # nobody to send to: failed without an attempt


def test_the_message_is_kept_as_it_was_sent(alerted: Alerted) -> None:  # noqa: F811
    alert_id = alerted.id("A4", "overdue", "CB-A1")
    with alerted.engine.connect() as conn:
        message = alert_message(conn, alert_id, scope=PROVINCE)
        waiting = alert_message(conn, alerted.id("B3", "overdue", "CB-B1"), scope=PROVINCE)
        missing = alert_message(conn, 999_999, scope=PROVINCE)
    assert message is not None and message.title == "Overdue: dossier A4"
    sent = next(m for m in alerted.messages() if m["body"].endswith(f"#{alert_id}"))
    assert message.body == sent["body"] and f"/alerts/ack/{alerted.token(alert_id)}" in (message.body or "")
    assert waiting is not None and waiting.title == "Quá hạn: hồ sơ B3"  # rendered at its first attempt
    assert missing is None


def test_unknown_alerts_and_officials_give_nothing(alerted: Alerted) -> None:  # noqa: F811
    with alerted.engine.connect() as conn:
        assert alert_entry(conn, 999_999, scope=PROVINCE) is None
        assert dossier_alerts(conn, "KHONG-CO", scope=PROVINCE) == []
        assert dossier_alerts(conn, "A1", scope=PROVINCE) == []  # finished early: never alerted
        assert official_name(conn, "GS-1", scope=PROVINCE) == "Phạm Giám Sát"
        assert official_name(conn, "KHONG-CO", scope=PROVINCE) is None
        admins = alert_entry(conn, alerted.id("CT-A", "channel_broken", "admins"), scope=PROVINCE)
    assert admins is not None and admins.recipient_name is None and admins.state == "failed"
    assert admins.last_error == "no_channel" and admins.level == 3 and admins.attempts == 0
