"""Delivery when something breaks: the mail server down for an hour or for good, a webhook that
errs (500) or refuses (401), and the alerts process killed with SIGKILL in mid-delivery.

Retries run in simulated time: the test ticks at the moment the next retry falls due, as the
scheduler would after the backoff (config delivery.backoff_minutes: 1, 2, 5, 10, 30, 60, 120,
240). The two-commune fixture at Fri 20 Mar 2026 10:00, as in test_alert_delivery.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from alerts import jobs
from alerts.config import Admins, AlertConfig
from alerts.rules import ESCALATIONS
from queries.models import AlertTick, BrokenChannel
from queries.sla import Clock
from tests.alert_fixtures import (  # noqa: F401
    WAIT,
    SmtpServer,
    WebhookReceiver,
    add_overdue,
    add_staff,
    alerts_process,
    attempts,
    context,
    in_office_hours,
    outbox_rows,
    run_alerts,
    set_urls,
    smtp_server,
    spawned,
    wait_until,
    webhook,
)

FRIDAY_10 = datetime(2026, 3, 20, 10)
STAFF = ("CB-A1", "CT-A", "GS-HT", "GS-DD", "CT-B")


@pytest.fixture
def staffed(engine: Engine, two_communes: dict[str, int]) -> dict[str, int]:
    """At Fri 20/3 10:00: the handler hears of A4 (overdue), A5 (due soon) and gets a digest; the
    chairperson hears of A4 twice (overdue, no apology letter) and gets a digest."""
    add_staff(engine, two_communes)
    return two_communes


def mail_the_handler(engine: Engine, smtp: SmtpServer, hook: WebhookReceiver) -> None:
    """The handler reads e-mail, everyone else a webhook (an SMTP send costs ~60 ms in Apprise)."""
    set_urls(engine, {code: [hook.url(f"/hook/{code.lower()}")] for code in STAFF})
    set_urls(engine, {"CB-A1": [smtp.url("cb-a1@motcua.example")]})


def hook_everyone(engine: Engine, hook: WebhookReceiver) -> None:
    set_urls(engine, {code: [hook.url(f"/hook/{code.lower()}")] for code in STAFF})


def tick_through_retries(
    ctx: jobs.Context,
    start: datetime,
    *,
    before: Callable[[datetime], None] = lambda now: None,
    done: Callable[[], bool] | None = None,
    limit: int = 30,
) -> list[datetime]:
    """Tick at `start`, then at each moment the earliest retry falls due; returns those moments."""
    steps = []
    now: datetime | None = start
    while now is not None and len(steps) < limit:
        before(now)
        jobs.tick(ctx, now)
        steps.append(now)
        if done is not None and done():
            break
        pending = [r.next_attempt_at for r in outbox_rows(ctx.engine) if r.state == "pending"]
        now = min(pending) if pending else None
    assert len(steps) < limit, "retries did not settle"
    return steps


def test_an_hour_without_the_mail_server_is_survived_and_every_alert_arrives_once(
    engine: Engine,
    clock: Clock,
    staffed: dict[str, int],
    smtp_server: SmtpServer,  # noqa: F811
    webhook: WebhookReceiver,  # noqa: F811
) -> None:
    mail_the_handler(engine, smtp_server, webhook)
    smtp_server.stop()
    back = FRIDAY_10 + timedelta(hours=1)

    def mail_server_returns(now: datetime) -> None:
        if now >= back and not smtp_server.running:
            smtp_server.start()

    ctx = context(engine, clock)
    steps = tick_through_retries(ctx, FRIDAY_10, before=mail_server_returns)

    # Failed at 10:00, 10:01, 10:03, 10:08, 10:18 and 10:48; the server was back at 11:00 and the
    # retry due at 11:48 went through.
    assert [int((step - FRIDAY_10).total_seconds() // 60) for step in steps] == [0, 1, 3, 8, 18, 48, 108]
    rows = [r for r in outbox_rows(engine) if r.recipient_key == "official:CB-A1"]
    assert len(rows) == 3
    assert {(r.state, r.attempts, r.sent_at) for r in rows} == {
        ("sent", 7, FRIDAY_10 + timedelta(minutes=108))
    }
    chair = [r for r in outbox_rows(engine) if r.recipient_key == "official:CT-A"]
    assert {(r.state, r.attempts, r.sent_at) for r in chair} == {("sent", 1, FRIDAY_10)}, "webhook unaffected"
    for row in rows:
        tries = attempts(engine, row.id)
        assert [t.number for t in tries] == [1, 2, 3, 4, 5, 6, 7]
        assert [t.ok for t in tries] == [False] * 6 + [True]
        assert all("Connection error" in t.error and not t.permanent for t in tries[:6])
        assert tries[-1].error is None and tries[-1].service == "E-Mail"
        assert "mailto://127.0.0.1" in tries[0].url
    received = Counter(mail.alert_id for mail in smtp_server.received())
    assert received == Counter(r.id for r in rows), "every alert exactly once"


def test_an_alert_that_never_gets_through_ends_failed_after_the_last_attempt(
    engine: Engine,
    clock: Clock,
    staffed: dict[str, int],
    smtp_server: SmtpServer,  # noqa: F811
    webhook: WebhookReceiver,  # noqa: F811
) -> None:
    mail_the_handler(engine, smtp_server, webhook)
    smtp_server.stop()
    ctx = context(engine, clock)
    max_attempts = ctx.config.delivery.max_attempts

    def friday_settled() -> bool:
        return all(r.state != "pending" for r in outbox_rows(engine) if r.created_at == FRIDAY_10)

    tick_through_retries(ctx, FRIDAY_10, done=friday_settled)
    rows = [
        r for r in outbox_rows(engine) if r.created_at == FRIDAY_10 and r.recipient_key == "official:CB-A1"
    ]
    assert len(rows) == 3
    for row in rows:
        assert (row.state, row.attempts, row.sent_at) == ("failed", max_attempts, None)
        assert "Connection error" in row.last_error and "127.0.0.1" in row.last_error
        assert row.title and row.body, "what would have been said is kept with the failure"
        tries = attempts(engine, row.id)
        assert [t.number for t in tries] == list(range(1, max_attempts + 1))
        assert not any(t.ok for t in tries)
        if row.rule in ESCALATIONS:  # the whole backoff, 468 minutes, at once
            assert tries[-1].started_at == FRIDAY_10 + timedelta(minutes=468)
        else:  # a warning's retries wait for office hours like the warning did: the last is Monday's
            assert all(in_office_hours(clock, t.started_at) for t in tries)
            assert tries[-1].started_at == datetime(2026, 3, 23, 8)
    with engine.connect() as conn:
        failed = conn.execute(select(AlertTick.failed).where(AlertTick.failed > 0)).scalars().all()
    assert sum(failed) >= len(rows), "the heartbeat rows count the failures"
    assert not smtp_server.received()


def test_a_webhook_that_errs_then_recovers_gets_each_alert_once(
    engine: Engine,
    clock: Clock,
    staffed: dict[str, int],
    webhook: WebhookReceiver,  # noqa: F811
) -> None:
    hook_everyone(engine, webhook)
    webhook.fixed["/hook/cb-a1"] = 500
    ctx = context(engine, clock)
    jobs.tick(ctx, FRIDAY_10)
    handler = [r for r in outbox_rows(engine) if r.recipient_key == "official:CB-A1"]
    assert {(r.state, r.attempts) for r in handler} == {("pending", 1)}
    assert {r.next_attempt_at for r in handler} == {FRIDAY_10 + timedelta(minutes=1)}

    webhook.fixed.clear()
    jobs.tick(ctx, FRIDAY_10 + timedelta(minutes=1))
    handler = [r for r in outbox_rows(engine) if r.recipient_key == "official:CB-A1"]
    assert {(r.state, r.attempts) for r in handler} == {("sent", 2)}
    for row in handler:
        first, second = attempts(engine, row.id)
        assert not first.ok and not first.permanent and "error=500" in first.error
        assert second.ok
    calls = [h for h in webhook.received() if h.path == "/hook/cb-a1"]
    assert Counter(h.answered for h in calls) == {500: len(handler), 200: len(handler)}
    delivered = Counter(h.alert_id for h in webhook.received() if h.answered == 200)
    assert delivered == Counter(r.id for r in outbox_rows(engine) if r.state == "sent")


def test_a_webhook_that_refuses_is_marked_broken_and_the_chairperson_is_told_instead(
    engine: Engine,
    clock: Clock,
    staffed: dict[str, int],
    webhook: WebhookReceiver,  # noqa: F811
) -> None:
    hook_everyone(engine, webhook)
    webhook.fixed["/hook/cb-a1"] = 401
    config = AlertConfig(admins=Admins((webhook.url("/hook/admins"),)))
    ctx = context(engine, clock, config)
    jobs.tick(ctx, FRIDAY_10)

    with engine.connect() as conn:
        broken = conn.execute(select(BrokenChannel)).all()
    assert len(broken) == 1 and "error=401" in broken[0].error and broken[0].url.startswith("json://")
    rows = outbox_rows(engine)
    handler = [r for r in rows if r.recipient_key == "official:CB-A1"]
    assert {r.state for r in handler} == {"rerouted"}
    instead = {(r.subject, r.rule): r for r in rows if r.reason == "channel_broken"}
    # The handler's warning reached the chairperson; the overdue alerts she had already.
    assert set(instead) == {
        ("A5", "due_soon"),
        ("digest:official:CB-A1", "daily_digest"),
    }  # the digest is forwarded
    assert (instead["A5", "due_soon"].recipient_key, instead["A5", "due_soon"].state) == (
        "official:CT-A",
        "sent",
    )

    chair = [h for h in webhook.received() if h.path == "/hook/ct-a"]
    told = next(h for h in chair if h.title == "Sắp đến hạn: hồ sơ A5")
    assert "Không gửi được cảnh báo tới Nguyễn Văn An: kênh nhận thông báo bị lỗi." in told.message
    assert Counter(h.title for h in chair).most_common(1)[0][1] == 1
    admins = [h for h in webhook.received() if h.path == "/hook/admins"]
    assert [h.title for h in admins] == ["Kênh thông báo hỏng: Nguyễn Văn An (CB-A1)"]
    assert "/hook/cb-a1" in admins[0].message and "error=401" in admins[0].message

    refused = len([h for h in webhook.received() if h.path == "/hook/cb-a1"])
    jobs.tick(ctx, datetime(2026, 3, 23, 9))  # Monday: a new digest for the handler, and so on
    assert len([h for h in webhook.received() if h.path == "/hook/cb-a1"]) == refused, "no more tries"
    admins = [h for h in webhook.received() if h.path == "/hook/admins"]
    assert len(admins) == 1, "administrators hear about a broken channel once"


def test_a_sender_killed_mid_delivery_loses_nothing_and_doubles_only_the_message_in_flight(
    engine: Engine,
    clock: Clock,
    staffed: dict[str, int],
    webhook: WebhookReceiver,  # noqa: F811
    spawned: list[subprocess.Popen[bytes]],  # noqa: F811
    tmp_path: Path,
) -> None:
    """SIGKILL `python -m alerts tick` while the receiver holds a request, then tick again.

    What is promised, and no more: every alert arrives (nothing lost), and at most one alert
    arrives twice: the one whose message the receiver had accepted when the sender died before
    recording that it had. The copy carries the same X-Alert-Id (and "Mã cảnh báo: #id"), so a
    receiver can drop it; its text is rendered afresh, so "overdue by" may have grown. It is
    re-sent only after its claim's lease ran out (delivery.lease_minutes, 10), so a delivery pass
    before then sends nothing. Delivery is at-least-once for the one message in flight,
    exactly-once for every other; the SQLite file and PostgreSQL behave alike.
    """
    add_overdue(engine, clock, staffed, ["K1", "K2"], datetime(2026, 3, 2, 9))
    hook_everyone(engine, webhook)
    webhook.stall = 0.1  # each request waits this long for its answer
    log = tmp_path / "alerts.log"

    sender = alerts_process(engine, "tick", "--now", FRIDAY_10.isoformat(), log=log)
    spawned.append(sender)
    wait_until(lambda: len(webhook.received()) >= 5, what="5 webhook calls")
    os.kill(sender.pid, signal.SIGKILL)
    assert sender.wait(timeout=WAIT) == -signal.SIGKILL, log.read_text()
    before_kill = webhook.received()
    in_flight = before_kill[-1].alert_id
    assert 5 <= len(before_kill) < 12, "killed in the middle of the pass"
    assert {r.state for r in outbox_rows(engine)} >= {"sent", "sending"}

    ctx = context(engine, clock)
    assert jobs.deliver(ctx, FRIDAY_10 + timedelta(minutes=5)).sent == 0, "the dead sender's claims hold"
    assert len(webhook.received()) == len(before_kill)

    later = FRIDAY_10 + timedelta(minutes=ctx.config.delivery.lease_minutes + 5)
    assert run_alerts(engine, "tick", "--now", later.isoformat(), log=log) == 0, log.read_text()

    rows = outbox_rows(engine)
    assert {r.state for r in rows} == {"sent"}, "nothing lost"
    assert len(rows) == 14
    received = Counter(h.alert_id for h in webhook.received())
    assert set(received) == {r.id for r in rows}
    doubled = {alert_id for alert_id, count in received.items() if count > 1}
    assert doubled <= {in_flight} and max(received.values()) <= 2
    copies = [h for h in webhook.received() if h.alert_id == in_flight]
    assert len({(h.path, h.title, h.message.splitlines()[-1]) for h in copies}) == 1
    # The killed attempt stays on record, unfinished; the one after it is numbered after it.
    tries = sorted((a.number, a.finished_at is not None) for a in attempts(engine) if a.alert_id == in_flight)
    assert tries == [(1, False), (2, True)]
