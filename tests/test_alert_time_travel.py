"""Twelve days of ticks across a weekend and Tết 2026, delivered to a real webhook.

The scheduler is replaced by a loop over `now` (every 2 hours, plus 07:45, when the morning
digest job fires) from Fri 13 Feb to Tue 24 Feb 2026; Tết closes the offices from Sat 14 to
Sun 22 Feb (holidays Mon 16 - Fri 20). What matters is when each message *left* (sent_at):
warnings and digests only in office hours on working days, overdue escalations at once.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine, insert, update

from alerts import jobs
from alerts.config import AlertConfig, Overdue
from alerts.rules import ESCALATIONS
from queries.domain import Role
from queries.models import DossierStep, Official
from queries.sla import Clock
from tests.alert_fixtures import WebhookReceiver, context, in_office_hours, outbox_rows, webhook  # noqa: F401
from tests.factories import add_dossier, add_official, add_procedure, add_sector, add_unit

START, END = datetime(2026, 2, 13), datetime(2026, 2, 24, 22)
NEXT_OPENING = datetime(2026, 2, 25, 8)  # what came after Tuesday's close waits for Wednesday
WORKING_DAYS = {date(2026, 2, 13), date(2026, 2, 23), date(2026, 2, 24)}
WARNINGS = {"due_soon", "step_late", "daily_digest", "weekly_summary", "data_quality"}


def moments() -> list[datetime]:
    every_two_hours = [
        START + timedelta(hours=2 * i) for i in range(int((END - START).total_seconds() // 7200) + 1)
    ]
    mornings = [datetime.combine(day.date(), time(7, 45)) for day in every_two_hours if day.hour == 0]
    return sorted(every_two_hours + mornings)


@pytest.fixture
def tet_commune(engine: Engine, clock: Clock, webhook: WebhookReceiver) -> None:  # noqa: F811
    """One commune, a 3-working-day procedure, and dossiers due on each side of Tết.

    T1 is due Fri 13 Feb, T2 Mon 23 Feb, T3 Tue 24 Feb; T4's appraisal step was due Fri 13 at
    15:00 and T5's at 16:30 (after the last tick of the working week) and neither has ended.
    """
    with engine.begin() as conn:
        unit = add_unit(conn, "20001", "Xã Tân Xuân")
        civil = add_sector(conn, "HT", "Hộ tịch")
        procedure = add_procedure(conn, civil, "1.004194", value=3)
        handler = add_official(conn, unit, "CB-T1", name="Đỗ Văn Giang")
        add_official(conn, unit, "CT-T", role=Role.CHAIRPERSON, name="Hà Thị Hạnh")
        supervisor = add_official(conn, unit, "GS-T", role=Role.SUPERVISOR, name="Mai Văn Khoa")
        conn.execute(update(Official).where(Official.id == supervisor).values(sector_id=civil))
        conn.execute(update(Official).values(notify_urls=webhook.url("/hook")))
        received = {
            "T1": datetime(2026, 2, 10, 9),
            "T2": datetime(2026, 2, 11, 9),
            "T3": datetime(2026, 2, 12, 9),
            "T4": datetime(2026, 2, 12, 9),
            "T5": datetime(2026, 2, 12, 10),
        }
        ids = {
            code: add_dossier(
                conn,
                clock,
                code=code,
                unit_id=unit,
                procedure_id=procedure,
                sector_id=civil,
                received_at=at,
                handler_id=handler,
            )
            for code, at in received.items()
        }
        for code, due in (("T4", datetime(2026, 2, 13, 15)), ("T5", datetime(2026, 2, 13, 16, 30))):
            conn.execute(
                insert(DossierStep).values(
                    dossier_id=ids[code],
                    step="appraisal",
                    unit_id=unit,
                    handler_id=handler,
                    started_at=received[code],
                    due_at=due,
                )
            )


@pytest.mark.parametrize(
    ("engine", "immediate"),
    [("sqlite", True), ("postgresql", True), ("sqlite", False)],
    ids=["sqlite-overdue-at-once", "postgresql-overdue-at-once", "sqlite-overdue-waits"],
    indirect=["engine"],
)
def test_nothing_but_escalations_leaves_outside_office_hours_across_tet(
    engine: Engine,
    clock: Clock,
    tet_commune: None,
    webhook: WebhookReceiver,  # noqa: F811
    immediate: bool,
) -> None:
    ctx = context(engine, clock, AlertConfig(overdue=Overdue(immediate=immediate)))
    for now in moments():
        jobs.tick(ctx, now)
    rows = outbox_rows(engine)
    sent = [r for r in rows if r.sent_at is not None]
    unsent = {(r.state, r.not_before) for r in rows if r.sent_at is None}
    assert unsent <= {("cancelled", r.not_before) for r in rows} | {("pending", NEXT_OPENING)}

    waited = [r for r in sent if r.rule in WARNINGS or not immediate]
    assert len(waited) > 10
    off_hours = [
        f"{r.subject} {r.rule} {r.recipient_key} {r.sent_at}"
        for r in waited
        if not in_office_hours(clock, r.sent_at)
    ]
    assert not off_hours, "sent outside office hours:\n" + "\n".join(off_hours)
    escalations_off_hours = [
        r for r in sent if r.rule in ESCALATIONS and not clock.calendar.is_working_day(r.sent_at.date())
    ]
    if immediate:  # T1 fell overdue at midnight on Friday: its handler and chairperson heard at once
        assert {(r.subject, r.rule, r.recipient_key, r.sent_at) for r in escalations_off_hours} == {
            ("T1", "overdue", "official:CB-T1", datetime(2026, 2, 14)),
            ("T1", "overdue", "official:CT-T", datetime(2026, 2, 14)),
        }
    else:
        assert escalations_off_hours == []

    digests = Counter((r.recipient_key, r.sent_at.date()) for r in sent if r.rule == "daily_digest")
    assert set(digests.values()) == {1}, "one digest per person per working day"
    assert {day for _, day in digests} == WORKING_DAYS, "digests on working days only, never in Tết"
    assert {who for who, _ in digests} == {"official:CB-T1", "official:CT-T"}

    warned = {(r.subject, r.rule, r.recipient_key): r for r in sent if r.level == 0}
    # Due Mon 23 Feb: one working day was left only from Friday's close, so the warning waited
    # through the weekend and Tết for Monday's opening; due Tue 24: not due soon before Monday.
    assert warned["T2", "due_soon", "official:CB-T1"].sent_at == datetime(2026, 2, 23, 8)
    assert warned["T3", "due_soon", "official:CB-T1"].sent_at == datetime(2026, 2, 24, 8)
    assert warned["T3", "due_soon", "official:CB-T1"].created_at >= datetime(2026, 2, 23, 17)
    assert warned["T1", "due_soon", "official:CB-T1"].sent_at == datetime(2026, 2, 13, 8)
    assert warned["T4", "step_late", "official:CB-T1"].sent_at == datetime(2026, 2, 13, 16)
    assert warned["T5", "step_late", "official:CB-T1"].sent_at == datetime(2026, 2, 23, 8)

    # What the receiver got is what the outbox says left: every sent alert exactly once.
    received = Counter(hook.alert_id for hook in webhook.received())
    assert received == Counter(r.id for r in sent)
