"""Alerts leave the building: no applicant's personal data in them, no notification URL's secret in
what is stored or logged about them (issue 5).

The two communes at Fri 20 Mar 2026 10:00 and Mon 23 Mar 09:00, with every alert kind made to
fire and every message delivered through Apprise to a real webhook receiver on 127.0.0.1: the
dossiers' applicants have names, ID numbers, phones and addresses found nowhere else, and must
not reach a title, a body, a payload or a header.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, update

from alerts import jobs
from alerts.config import Admins, AlertConfig
from alerts.rules import Rule
from queries import alert_log
from queries.logsetup import LineFormatter
from queries.models import AlertAttempt, AlertRow, Applicant, AuditEntry, BrokenChannel, Dossier, DossierStep
from queries.scope import Scope
from queries.sla import Clock
from tests.alert_fixtures import (  # noqa: F401
    WebhookReceiver,
    add_overdue,
    add_staff,
    context,
    set_urls,
    webhook,
)

FRIDAY_10 = datetime(2026, 3, 20, 10)
MONDAY_9 = datetime(2026, 3, 23, 9)


def applicant(number: int) -> dict[str, str]:
    """Values found nowhere but in dossier_applicants (officials' names and units differ)."""
    return {
        "full_name": f"Khổng Thị Diễm{number:02d}",
        "id_number": f"026{number:02d}7531902",
        "phone": f"039{number:02d}864207",
        "address": f"Số {number} ngõ Bí Mật, Thôn Kín Đáo, Xã A, Tỉnh Mẫu",
    }


def fragments(values: dict[str, str]) -> list[str]:
    """Each value whole, and the parts of it that would still give the person away."""
    return [
        *values.values(),
        values["full_name"].rsplit(" ", 1)[-1],  # the given name, distinctive on its own
        values["id_number"][3:],
        values["phone"][1:],  # without the leading 0: as +84 would write it
        "ngõ Bí Mật",
        "Thôn Kín Đáo",
        "Khổng",
    ]


@pytest.fixture
def province(
    engine: Engine,
    clock: Clock,
    two_communes: dict[str, int],
    webhook: WebhookReceiver,  # noqa: F811
) -> list[str]:
    """Every dossier with an applicant; staff so that every rule fires; returns what must not leak.

    A4 (overdue), A5 (due soon), A7 (long overdue, no apology letter), A8 (a step late), A9 (open,
    no procedure: the data-quality alarm); CT-A's hook refuses for good (401): her channel breaks,
    the administrators hear of it, and her alerts are rerouted to the supervisor.
    """
    add_staff(engine, two_communes)
    add_overdue(engine, clock, two_communes, ["A7"], datetime(2026, 3, 2, 9))
    add_overdue(engine, clock, two_communes, ["A8"], datetime(2026, 3, 19, 9))
    with engine.begin() as conn:
        ids = dict(conn.execute(select(Dossier.code, Dossier.id)).all())
        conn.execute(
            insert(DossierStep).values(
                dossier_id=ids["A8"],
                step="appraisal",
                unit_id=two_communes["a"],
                handler_id=two_communes["handler"],
                started_at=datetime(2026, 3, 19, 9),
                due_at=datetime(2026, 3, 19, 15),
            )
        )
        ids["A9"] = conn.execute(
            insert(Dossier).values(
                code="A9",
                unit_id=two_communes["a"],
                channel="counter",
                status="processing",
                received_at=datetime(2026, 3, 18, 9),
                handler_id=two_communes["handler"],
            )
        ).inserted_primary_key[0]
        people = {code: applicant(n) for n, code in enumerate(sorted(ids), start=1)}
        conn.execute(insert(Applicant), [{"dossier_id": ids[code], **v} for code, v in people.items()])
    webhook.fixed["/hook/ct-a"] = 401
    set_urls(
        engine,
        {
            "CB-A1": [webhook.url("/hook/cb-a1")],
            "CT-A": [webhook.url("/hook/ct-a")],
            "CT-B": [webhook.url("/hook/ct-b")],
            "GS-HT": [webhook.url("/hook/gs-ht")],
            "GS-DD": [webhook.url("/hook/gs-dd")],
        },
    )
    return [fragment for values in people.values() for fragment in fragments(values)]


def ticked(engine: Engine, clock: Clock, webhook: WebhookReceiver) -> jobs.Context:  # noqa: F811
    config = AlertConfig(admins=Admins((webhook.url("/hook/admins"),)))
    ctx = context(engine, clock, config)
    for now in (FRIDAY_10, MONDAY_9):
        jobs.tick(ctx, now)
    return ctx


def rows(engine: Engine, model: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(model.__table__)))


def test_no_alert_of_any_kind_carries_the_applicant(
    engine: Engine,
    clock: Clock,
    province: list[str],
    webhook: WebhookReceiver,  # noqa: F811
) -> None:
    ticked(engine, clock, webhook)

    alerts = rows(engine, AlertRow)
    assert {row.rule for row in alerts} == {str(rule) for rule in Rule}, "every kind of alert was written"
    forwarded = [row for row in alerts if row.state == "rerouted"]
    assert forwarded, "a message rerouted one level up was written afresh"
    for row in alerts:
        text = f"{row.title}\n{row.body}\n{row.last_error}"
        for secret in province:
            assert secret not in text, (row.rule, row.recipient_key, secret)


def test_what_the_webhooks_receive_holds_no_applicant_data(
    engine: Engine,
    clock: Clock,
    province: list[str],
    webhook: WebhookReceiver,  # noqa: F811
) -> None:
    ticked(engine, clock, webhook)

    hooks = webhook.received()
    assert {hook.path for hook in hooks} >= {"/hook/cb-a1", "/hook/ct-a", "/hook/gs-ht", "/hook/admins"}
    kinds = {hook.title.split(":")[0] for hook in hooks}
    assert len(kinds) >= 6, kinds  # warnings, escalations, digests, summary, the broken-channel notice
    for hook in hooks:
        payload = json.dumps(hook.body, ensure_ascii=False) + json.dumps(hook.headers, ensure_ascii=False)
        for secret in province:
            assert secret not in payload, (hook.path, hook.title, secret)


def test_a_dossier_message_names_its_dossier_by_code_and_link_only(
    engine: Engine,
    clock: Clock,
    province: list[str],
    webhook: WebhookReceiver,  # noqa: F811
) -> None:
    ctx = ticked(engine, clock, webhook)

    base = ctx.config.links.base_url
    about_a7 = [hook for hook in webhook.received() if hook.title.endswith(("hồ sơ A7", "dossier A7"))]
    assert about_a7
    for hook in about_a7:
        assert f"{base}/dossier/A7" in hook.message


# --- notification URLs: their secrets are never stored or logged --------------------------------------
PASSWORD, TOKEN, HEADER = "pw-Zq81xK", "tok-7Hh3Lm2", "hdr-Ys9Pw4"


class ProcessLog(logging.Handler):
    """What the process log would hold: every record that reaches the root logger, as logsetup
    writes it (fields from `extra=` included)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.formatter_ = LineFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.formatter_.format(record))


@pytest.fixture
def process_log() -> Iterator[ProcessLog]:
    """The root logger at DEBUG (LOG_LEVEL=DEBUG), collected."""
    root, handler = logging.getLogger(), ProcessLog()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_failing_channel_leaves_its_url_s_secrets_in_no_log_no_attempt_no_audit_row(
    engine: Engine,
    clock: Clock,
    two_communes: dict[str, int],
    webhook: WebhookReceiver,  # noqa: F811
    process_log: ProcessLog,
) -> None:
    """Three channels of one handler, each with a password, a GET-parameter token and a custom
    header in its URL: one refused at the port (a connection error quotes the request's path and
    query), one answered 500 (retried), one answered 401 (broken for good, the administrators told),
    with the process log at DEBUG."""
    add_staff(engine, two_communes)
    secret_query = f"?-token={TOKEN}&+X-Api-Key={HEADER}"
    refused = f"json://motcua:{PASSWORD}@127.0.0.1:9/hook/refused{secret_query}"
    failing = webhook.url("/hook/failing").replace("json://", f"json://motcua:{PASSWORD}@") + secret_query
    refusing = webhook.url("/hook/refusing").replace("json://", f"json://motcua:{PASSWORD}@") + secret_query
    webhook.fixed.update({f"/hook/failing?token={TOKEN}": 500, f"/hook/refusing?token={TOKEN}": 401})
    set_urls(engine, {"CB-A1": [refused, failing, refusing]})
    config = AlertConfig(admins=Admins((webhook.url("/hook/admins"),)))

    jobs.tick(context(engine, clock, config), FRIDAY_10)

    tried = rows(engine, AlertAttempt)
    assert any("Connection error" in (row.error or "") and "token=****" in row.error for row in tried)
    assert any("error=500" in (row.error or "") for row in tried)
    broken = rows(engine, BrokenChannel)
    assert len(broken) == 1 and "motcua:****@" in broken[0].url and "-token=****" in broken[0].url
    requests = {hook.path.split("?")[0] for hook in webhook.received()}
    assert {"/hook/failing", "/hook/refusing", "/hook/admins"} <= requests  # they really went out
    assert any("attempt 1 via JSON" in line and "Connection error" in line for line in process_log.lines)

    stored = [
        str(tuple(row))
        for model in (AlertAttempt, AlertRow, BrokenChannel, AuditEntry)
        for row in rows(engine, model)
    ]
    for secret in (PASSWORD, TOKEN, HEADER):
        for line in process_log.lines:
            assert secret not in line, line
        for row in stored:
            assert secret not in row, row
    admins = [hook for hook in webhook.received() if hook.path == "/hook/admins"]
    assert admins and all(TOKEN not in hook.message and PASSWORD not in hook.message for hook in admins)


def test_apprise_s_debug_lines_never_reach_the_process_log(process_log: ProcessLog) -> None:
    """They quote the request's URL and the whole payload, acknowledgement link included."""
    from alerts.delivery import send
    from alerts.messages import Message

    result = send(
        f"json://127.0.0.1:9/hook?-token={TOKEN}",
        Message("Quá hạn: hồ sơ X", "Xác nhận đã nhận: http://x/alerts/ack/SIGNED-LINK"),
        alert_id=1,
        urgent=False,
        timeout=5,
    )

    assert not result.ok and "token=****" in (result.error or "")
    assert "SIGNED-LINK" not in (result.error or "")  # the payload line is not kept as the error
    assert not [line for line in process_log.lines if "logger=apprise" in line or "logger=urllib3" in line]


def test_an_attempt_stored_before_custom_values_were_masked_is_shown_masked(
    engine: Engine,
    clock: Clock,
    two_communes: dict[str, int],
    webhook: WebhookReceiver,  # noqa: F811
) -> None:
    set_urls(engine, {"CB-A1": [webhook.url("/hook/cb-a1")]})
    jobs.tick(context(engine, clock), FRIDAY_10)
    old_form = f"json://127.0.0.1:8080/hook?method=POST&%2BX-Api-Key={HEADER}&-token={TOKEN}"
    with engine.begin() as conn:
        first = conn.execute(select(AlertAttempt.id, AlertAttempt.alert_id).limit(1)).one()
        conn.execute(update(AlertAttempt).where(AlertAttempt.id == first.id).values(url=old_form))
        (shown,) = [e.url for e in alert_log.alert_attempts(conn, first.alert_id, scope=Scope.province())]

    assert shown == "json://127.0.0.1:8080/hook?method=POST&%2BX-Api-Key=****&-token=****"
