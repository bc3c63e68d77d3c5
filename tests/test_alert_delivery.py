"""Alerts through Apprise to a real SMTP server and a real webhook: who gets what, once.

The two-commune fixture at Fri 20 Mar 2026 10:00, with unit A's chairperson and a supervisor
per sector added: A4 is overdue (2 working days, no apology letter), A5 due soon (land, due
Mon 23), and A7 long overdue (10 working days). The handler reads e-mail; the chairperson of
unit A has e-mail and a webhook; the civil-status supervisor reads English.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import Engine, insert, select

from alerts import jobs
from queries.models import Dossier, Rating
from queries.sla import Clock
from tests.alert_fixtures import (  # noqa: F401
    Hook,
    Mail,
    SmtpServer,
    WebhookReceiver,
    add_overdue,
    add_staff,
    context,
    outbox_rows,
    set_urls,
    smtp_server,
    webhook,
)

FRIDAY_10 = datetime(2026, 3, 20, 10)
APPLICANT = ("Nguyễn Thị Hoa", "0912 345 678", "số 12 ngõ 34 phố Hàng Bạc")


@pytest.fixture
def ctx(
    engine: Engine,
    clock: Clock,
    two_communes: dict[str, int],
    smtp_server: SmtpServer,  # noqa: F811
    webhook: WebhookReceiver,  # noqa: F811
) -> jobs.Context:
    add_staff(engine, two_communes)
    add_overdue(engine, clock, two_communes, ["A7"], datetime(2026, 3, 2, 9))
    with engine.begin() as conn:  # what a citizen wrote about open dossiers: never to leave
        for code in ("A4", "A7"):
            dossier = conn.execute(select(Dossier.id).where(Dossier.code == code)).scalar_one()
            conn.execute(
                insert(Rating).values(
                    dossier_id=dossier,
                    score=1,
                    rated_at=FRIDAY_10.replace(hour=8),
                    comment=", ".join(APPLICANT),
                )
            )
    set_urls(
        engine,
        {
            "CB-A1": [smtp_server.url("cb-a1@motcua.example")],
            "CT-A": [smtp_server.url("ct-a@motcua.example"), webhook.url("/hook/ct-a")],
            "CT-B": [webhook.url("/hook/ct-b")],
            "GS-HT": [smtp_server.url("gs-ht@motcua.example")],
            "GS-DD": [webhook.url("/hook/gs-dd")],
        },
    )
    return context(engine, clock)


def by_mailbox(mails: list[Mail]) -> dict[str, list[str]]:
    boxes: dict[str, list[str]] = {}
    for mail in mails:
        for to in mail.rcpt_tos:
            boxes.setdefault(to.split("@")[0], []).append(mail.subject)
    return {box: sorted(subjects) for box, subjects in boxes.items()}


def footer_id(text: str) -> int:
    found = re.findall(r"(?:Mã cảnh báo|Alert id): #(\d+)$", text.rstrip(), flags=re.MULTILINE)
    assert len(found) == 1, text
    return int(found[0])


def test_each_person_gets_their_alerts_once_on_each_of_their_channels(
    ctx: jobs.Context,
    smtp_server: SmtpServer,  # noqa: F811
    webhook: WebhookReceiver,  # noqa: F811
) -> None:
    counts = jobs.tick(ctx, FRIDAY_10)
    digest = "Hồ sơ cần chú ý ngày 20/03/2026: 2 quá hạn, 1 sắp đến hạn"
    chair = sorted(
        [
            "Quá hạn: hồ sơ A4",
            "Quá hạn: hồ sơ A7",
            "Quá hạn chưa có văn bản xin lỗi: hồ sơ A4",
            "Quá hạn chưa có văn bản xin lỗi: hồ sơ A7",
            digest,
        ]
    )
    assert by_mailbox(smtp_server.received()) == {
        "cb-a1": sorted(["Sắp đến hạn: hồ sơ A5", "Quá hạn: hồ sơ A4", "Quá hạn: hồ sơ A7", digest]),
        "ct-a": chair,
        "gs-ht": ["Long overdue: dossier A7"],  # the supervisor of civil status; land's hears nothing
    }
    hooks = webhook.received()
    assert {hook.path for hook in hooks} == {"/hook/ct-a"}
    assert sorted(hook.title for hook in hooks) == chair
    assert counts.sent == len(outbox_rows(ctx.engine)) == 10 and counts.failed == 0

    # One alert, one id: in the header and the footer, the same on both of the chairperson's channels.
    for item in [*smtp_server.received(), *hooks]:
        text = item.text if isinstance(item, Mail) else item.message
        assert item.alert_id == footer_id(text)
    assert Counter(mail.alert_id for mail in smtp_server.received()).most_common(1)[0][1] == 1
    chair_mail = {m.alert_id for m in smtp_server.received() if m.rcpt_tos == ("ct-a@motcua.example",)}
    assert chair_mail == {hook.alert_id for hook in hooks}
    assert all(hook.headers["content-type"].startswith("application/json") for hook in hooks)


def test_vietnamese_subjects_travel_encoded_and_an_english_reader_gets_english(
    ctx: jobs.Context,
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    jobs.tick(ctx, FRIDAY_10)
    mails = {(mail.rcpt_tos[0], mail.subject): mail for mail in smtp_server.received()}
    overdue = mails["cb-a1@motcua.example", "Quá hạn: hồ sơ A4"]
    assert overdue.raw_subject.lower().startswith("subject: =?utf-8?")  # RFC 2047 encoded words
    assert overdue.mail_from == "canhbao@motcua.example"
    assert "Hồ sơ A4 đã quá hạn trả kết quả." in overdue.text
    assert "Hạn trả kết quả: 17/03/2026" in overdue.text
    assert "Đã quá hạn: 2,2 ngày làm việc" in overdue.text  # Wed, Thu, and Fri to 10:00: 2.25

    english = mails["gs-ht@motcua.example", "Long overdue: dossier A7"]
    assert english.raw_subject == "Subject: Long overdue: dossier A7"
    lines = english.text.splitlines()
    assert "Dossier A7 has been overdue for long and needs the province to follow up." in lines
    assert {"Procedure: 1.004194", "Unit: Xã A", "Due: 05/03/2026", "Overdue by: 10.2 working days"} <= set(
        lines
    )
    assert lines[-1] == f"Alert id: #{english.alert_id}"


def test_a_message_says_code_procedure_unit_due_and_links_and_nothing_about_the_applicant(
    ctx: jobs.Context,
    smtp_server: SmtpServer,  # noqa: F811
    webhook: WebhookReceiver,  # noqa: F811
) -> None:
    jobs.tick(ctx, FRIDAY_10)
    base = ctx.config.links.base_url
    allowed = [
        r"Hồ sơ A\d (đã quá hạn|sắp đến hạn|quá hạn đã hơn \d+ ngày làm việc mà chưa có văn bản).*",
        r"Dossier A\d .*",
        r"(Thủ tục|Procedure): (1\.004194|DD\.1)",
        r"(Đơn vị|Unit): Xã A",
        r"(Hạn trả kết quả|Due): \d\d/\d\d/2026",
        r"(Còn lại|Left|Đã quá hạn|Overdue by): [\d,.]+ (ngày làm việc|working days)",
        rf"(Xem hồ sơ|Open the dossier): {re.escape(base)}/dossier/A\d",
        rf"(Xác nhận đã nhận|Acknowledge): {re.escape(base)}/alerts/ack/[\w.-]+",
        r"(Mã cảnh báo|Alert id): #\d+",
        r"",
    ]
    texts = [(m.subject, m.text) for m in smtp_server.received()]
    texts += [(hook.title, hook.message) for hook in webhook.received()]
    dossier_alerts = [(title, body) for title, body in texts if "ngày" not in title.split(":")[0]]
    assert len(dossier_alerts) == 12
    for title, body in dossier_alerts:
        for line in body.splitlines():
            assert any(re.fullmatch(pattern, line) for pattern in allowed), (title, line)
    for title, body in texts:  # digests included
        for secret in APPLICANT:
            assert secret not in title and secret not in body


def test_ticking_again_now_and_later_sends_nothing_twice(
    ctx: jobs.Context,
    smtp_server: SmtpServer,  # noqa: F811
    webhook: WebhookReceiver,  # noqa: F811
) -> None:
    first = jobs.tick(ctx, FRIDAY_10)
    mails, hooks = len(smtp_server.received()), len(webhook.received())
    for again in (FRIDAY_10, FRIDAY_10.replace(hour=11, minute=30)):
        counts = jobs.tick(ctx, again)
        assert (counts.enqueued, counts.sent) == (0, 0)
    assert (len(smtp_server.received()), len(webhook.received())) == (mails, hooks) == (first.sent, 5)

    # Monday: a new digest, and the warnings nobody acknowledged climb a level; nothing repeats.
    monday = jobs.tick(ctx, datetime(2026, 3, 23, 9))
    assert monday.sent > 0 and monday.climbed > 0
    jobs.tick(ctx, datetime(2026, 3, 23, 9, 5))
    rows = {row.id: row for row in outbox_rows(ctx.engine)}
    deliveries = [(m.alert_id, m.rcpt_tos[0]) for m in smtp_server.received()]
    deliveries += [(hook.alert_id, hook.path) for hook in webhook.received()]
    assert Counter(deliveries).most_common(1)[0][1] == 1, "one alert arrived twice on a channel"
    keys = Counter(
        (
            rows[alert_id].recipient_key,
            rows[alert_id].subject,
            rows[alert_id].rule,
            rows[alert_id].deadline,
            channel,
        )
        for alert_id, channel in deliveries
    )
    assert keys.most_common(1)[0][1] == 1, "the same thing was told twice to the same person"
    assert {alert_id for alert_id, _ in deliveries} == {r.id for r in rows.values() if r.state == "sent"}
