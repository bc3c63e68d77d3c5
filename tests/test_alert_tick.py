"""One tick at a time over the two-commune fixture: what is enqueued, cancelled, climbed, sent.

Delivery goes through Apprise's real code path to the demo inbox channel (a local file), so
these tests need no server; the SMTP and webhook tests use real servers.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select, update

from alerts import jobs
from alerts.config import AlertConfig
from queries import outbox
from queries.domain import Role
from queries.models import AlertRow, ApologyLetter, Dossier, Official
from queries.sla import Clock
from tests.factories import add_official

FRIDAY_9 = datetime(2026, 3, 20, 9)  # A4 overdue since Tue 17/3, A5 (land, 20 WD) due Mon 23/3


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "inbox.jsonl"
    monkeypatch.setenv("DEMO_INBOX", str(path))
    return path


@pytest.fixture
def ctx(engine: Engine, clock: Clock, two_communes: dict[str, int], inbox: Path) -> jobs.Context:
    """Unit A with its handler, a chairperson and a land supervisor, all reachable."""
    with engine.begin() as conn:
        add_official(conn, two_communes["a"], "CT-A", role=Role.CHAIRPERSON, name="Trần Thị Chủ Tịch")
        supervisor = add_official(conn, two_communes["a"], "GS-DD", role=Role.SUPERVISOR, name="Lê Giám Sát")
        conn.execute(update(Official).where(Official.id == supervisor).values(sector_id=two_communes["land"]))
        conn.execute(update(Official).values(notify_urls="demo://" + Official.code))
    return jobs.Context(engine=engine, config=AlertConfig(), clock=clock, secret="test-secret")


def received(inbox: Path) -> list[dict[str, str]]:
    if not inbox.exists():
        return []
    return [json.loads(line) for line in inbox.read_text(encoding="utf-8").splitlines()]


def rows(engine: Engine) -> list[AlertRow]:
    with engine.connect() as conn:
        return list(conn.execute(select(AlertRow).order_by(AlertRow.id)))  # type: ignore[arg-type]


def keys(engine: Engine, state: str | None = None) -> set[tuple[str, str, str]]:
    return {(r.subject, r.rule, r.recipient_key) for r in rows(engine) if state is None or r.state == state}


def test_a_working_morning_tells_each_person_what_is_theirs_once(ctx: jobs.Context, inbox: Path) -> None:
    counts = jobs.tick(ctx, FRIDAY_9)
    assert keys(ctx.engine, "sent") >= {
        ("A4", "overdue", "official:CB-A1"),
        ("A4", "overdue", "official:CT-A"),
        ("A4", "apology_missing", "official:CT-A"),
        ("A5", "due_soon", "official:CB-A1"),
    }
    assert counts.sent == len(received(inbox)) > 0
    again = jobs.tick(ctx, FRIDAY_9.replace(hour=10))
    assert (again.enqueued, again.sent) == (0, 0)
    assert len(received(inbox)) == counts.sent


def test_a_message_carries_code_unit_due_link_and_no_applicant_data(ctx: jobs.Context, inbox: Path) -> None:
    jobs.tick(ctx, FRIDAY_9)
    message = next(m for m in received(inbox) if m["to"] == "CB-A1" and "A4" in m["title"])
    assert message["title"] == "Quá hạn: hồ sơ A4"
    assert "Xã A" in message["body"] and "Hạn trả kết quả: 17/03/2026" in message["body"]
    assert "/dossier/A4" in message["body"] and "/alerts/ack/" in message["body"]
    assert "Đã quá hạn: 2,1 ngày làm việc" in message["body"]  # Wed, Thu, and Fri to 9:00
    assert message["type"] == "failure"


def test_warnings_wait_for_office_hours_and_are_dropped_if_the_dossier_finishes(
    ctx: jobs.Context, inbox: Path
) -> None:
    jobs.tick(ctx, datetime(2026, 3, 19, 20))  # Thursday evening: A5 is due soon
    waiting = [r for r in rows(ctx.engine) if r.rule == "due_soon"]
    assert [(r.subject, r.state, r.not_before) for r in waiting] == [
        ("A5", "pending", FRIDAY_9.replace(hour=8))
    ]
    with ctx.engine.begin() as conn:
        conn.execute(
            update(Dossier)
            .where(Dossier.code == "A5")
            .values(status="completed", finished_at=datetime(2026, 3, 19, 21))
        )
    counts = jobs.tick(ctx, FRIDAY_9.replace(hour=8))
    assert counts.cancelled == 1
    assert "A5" not in {m["title"].split()[-1] for m in received(inbox)}


def test_overdue_escalations_go_at_once_even_at_night(ctx: jobs.Context, inbox: Path) -> None:
    jobs.tick(ctx, datetime(2026, 3, 19, 20))
    assert {("A4", "overdue", "official:CB-A1"), ("A4", "overdue", "official:CT-A")} <= keys(
        ctx.engine, "sent"
    )


def test_an_apology_letter_judges_the_dossier_afresh_against_its_new_date(
    ctx: jobs.Context, inbox: Path
) -> None:
    jobs.tick(ctx, FRIDAY_9)
    with ctx.engine.begin() as conn:
        a4 = conn.execute(select(Dossier.id).where(Dossier.code == "A4")).scalar_one()
        conn.execute(
            insert(ApologyLetter).values(
                dossier_id=a4, issued_at=datetime(2026, 3, 20, 10), new_due_date=date(2026, 3, 24), reason="x"
            )
        )
    jobs.tick(ctx, datetime(2026, 3, 23, 9))  # Monday: the new due (Tue 24/3) is a working day away
    new_due = [
        r for r in rows(ctx.engine) if r.subject == "A4" and r.deadline == datetime(2026, 3, 24, 23, 59, 59)
    ]
    assert [(r.rule, r.recipient_key, r.state) for r in new_due] == [("due_soon", "official:CB-A1", "sent")]


def test_an_unacknowledged_alert_climbs_one_level_after_four_working_hours(ctx: jobs.Context) -> None:
    jobs.tick(ctx, FRIDAY_9)
    jobs.tick(ctx, FRIDAY_9.replace(hour=12, minute=59))  # 3 working hours: nothing climbs yet
    assert not [r for r in rows(ctx.engine) if r.reason == "unacknowledged"]
    jobs.tick(ctx, datetime(2026, 3, 20, 14))  # 4 working hours after 9:00 (lunch does not count)
    climbed = {(r.subject, r.rule, r.recipient_key) for r in rows(ctx.engine) if r.reason == "unacknowledged"}
    assert ("A5", "due_soon", "official:CT-A") in climbed  # the handler's warning reached the chairperson
    assert ("A4", "overdue", "official:GS-DD") not in climbed  # A4 is civil status: no land supervisor


def test_an_acknowledged_alert_stops_climbing(ctx: jobs.Context) -> None:
    jobs.tick(ctx, FRIDAY_9)
    warning = next(r for r in rows(ctx.engine) if (r.subject, r.rule) == ("A5", "due_soon"))
    with ctx.engine.begin() as conn:
        answer = outbox.acknowledge(
            conn, warning.id, recipient_key="official:CB-A1", by="official:CB-A1 via link", now=FRIDAY_9
        )
        assert answer is outbox.Answer.DONE
        again = outbox.acknowledge(conn, warning.id, recipient_key="official:CB-A1", by="x", now=FRIDAY_9)
        assert again is outbox.Answer.ALREADY
    jobs.tick(ctx, datetime(2026, 3, 20, 16))
    assert ("A5", "due_soon", "official:CT-A") not in keys(ctx.engine)


def test_an_official_with_no_channel_is_a_visible_failure(ctx: jobs.Context) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(update(Official).where(Official.code == "CB-A1").values(notify_urls=""))
    jobs.tick(ctx, FRIDAY_9)
    mine = [r for r in rows(ctx.engine) if r.recipient_key == "official:CB-A1"]
    assert mine and {(r.state, r.last_error) for r in mine} == {("failed", "no_channel")}


def test_a_refused_channel_is_marked_broken_and_the_chairperson_is_told(
    ctx: jobs.Context, inbox: Path
) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(update(Official).where(Official.code == "CB-A1").values(notify_urls="nosuchscheme://x"))
    jobs.tick(ctx, FRIDAY_9)
    handler = [r for r in rows(ctx.engine) if r.recipient_key == "official:CB-A1"]
    assert {r.state for r in handler} == {"rerouted"}
    rerouted = [r for r in rows(ctx.engine) if r.reason == "channel_broken"]
    assert ("A5", "due_soon", "official:CT-A") in {(r.subject, r.rule, r.recipient_key) for r in rerouted}
    told = [m for m in received(inbox) if m["to"] == "CT-A" and m["title"] == "Sắp đến hạn: hồ sơ A5"]
    assert "kênh nhận thông báo bị lỗi" in told[0]["body"]
    admins = [r for r in rows(ctx.engine) if r.rule == "channel_broken"]
    assert [(r.subject, r.recipient_key, r.state, r.last_error) for r in admins] == [
        ("CB-A1", "admins", "failed", "no_channel")  # no administrator URL configured in this test
    ]


def test_the_morning_digest_goes_once_per_working_day(ctx: jobs.Context, inbox: Path) -> None:
    jobs.tick(ctx, datetime(2026, 3, 20, 7, 30))  # before the digest hour
    assert not [m for m in received(inbox) if m["title"].startswith("Hồ sơ cần chú ý")]
    jobs.tick(ctx, datetime(2026, 3, 20, 7, 50))
    jobs.tick(ctx, datetime(2026, 3, 20, 11))
    jobs.tick(ctx, datetime(2026, 3, 21, 8))  # Saturday: none
    digests = [m for m in received(inbox) if m["title"].startswith("Hồ sơ cần chú ý")]
    assert sorted(m["to"] for m in digests) == ["CB-A1", "CT-A"]
    body = next(m["body"] for m in digests if m["to"] == "CB-A1")
    assert "Quá hạn (1):" in body and "- A4 | 1.004194 | hạn 17/03/2026 | quá 2 ngày" in body
    assert "Sắp đến hạn (1):" in body and "/me?official=CB-A1" in body


def test_an_open_dossier_the_clock_cannot_judge_is_reported_to_the_chairperson(
    ctx: jobs.Context, inbox: Path
) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(update(Dossier).where(Dossier.code == "A5").values(procedure_id=None))
    jobs.tick(ctx, datetime(2026, 3, 20, 8))
    quality = [m for m in received(inbox) if m["title"].startswith("Dữ liệu cần bổ sung")]
    assert [(m["to"], m["title"]) for m in quality] == [
        ("CT-A", "Dữ liệu cần bổ sung: 1 hồ sơ không tính được hạn tại Xã A")
    ]
    assert "- A5" in quality[0]["body"]


def test_a_forwarded_digest_says_why_and_carries_only_its_readers_link(
    ctx: jobs.Context, inbox: Path
) -> None:
    with ctx.engine.begin() as conn:
        conn.execute(update(Official).where(Official.code == "CB-A1").values(notify_urls="nosuchscheme://x"))
    jobs.tick(ctx, datetime(2026, 3, 20, 8))
    forwarded = [m for m in received(inbox) if m["to"] == "CT-A" and "Kính gửi Nguyễn Văn An" in m["body"]]
    assert len(forwarded) == 1
    body = forwarded[0]["body"]
    assert body.startswith("Không gửi được cảnh báo tới Nguyễn Văn An: kênh nhận thông báo bị lỗi.")
    assert body.count("/alerts/ack/") == 1 and body.count("Mã cảnh báo: #") == 1


def test_the_scheduler_keeps_the_dashboards_rollups_current(ctx: jobs.Context) -> None:
    from queries import rollups
    from queries.kpis import total_kpis
    from tests.conftest import MARCH, PROVINCE

    with ctx.engine.begin() as conn:
        rollups.rebuild(conn, now=FRIDAY_9)
        conn.execute(
            update(Dossier)
            .where(Dossier.code == "A5")
            .values(
                status="completed",
                finished_at=datetime(2026, 3, 20, 8),
                outcome="early",  # the importer derives it
                updated_at=datetime(2026, 3, 20, 8),
            )
        )
    jobs.refresh_rollups(ctx)
    with ctx.engine.connect() as conn:
        figures = {
            source: total_kpis(conn, MARCH, now=FRIDAY_9, due_cutoff=FRIDAY_9, source=source, scope=PROVINCE)
            for source in ("rollup", "raw")
        }
    assert figures["rollup"].resolved == figures["raw"].resolved == 5
