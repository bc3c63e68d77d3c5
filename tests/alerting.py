"""Outbox rows made the real way: one tick of the alerting process over the two communes.

The people around the two communes' dossiers are chosen so that one tick leaves every state the
dashboard must show (on SQLite and PostgreSQL alike):

- Nguyễn Văn An (CB-A1, handler in Xã A, English) has the demo inbox and a JSON hook nobody
  listens to: his alerts are *sent*, each with a failed attempt and its error;
- Trần Thị Chủ (CT-A, chairperson of Xã A) has a URL Apprise cannot parse: her alerts are
  *rerouted* to the supervisor, and the administrators, who have no URL, get a *failed* alert
  about her broken channel;
- Phạm Giám Sát (GS-1, provincial supervisor) has the demo inbox: the rerouted alerts and those
  of Phường B, which has no chairperson, reach him;
- Lê Văn Cường (CB-B1, handler in Phường B) has only the dead hook: his alerts are *waiting*
  for their next attempt;
- Đỗ Thị Hoa (CB-A2) has no dossier and gets nothing.

The demo inbox writes the messages as sent to a file, so tests take the acknowledgement links
from the messages themselves.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from alerts import jobs
from alerts.config import AlertConfig
from queries.models import AlertRow, Official, Procedure
from queries.sla import Clock
from tests.conftest import NOW
from tests.factories import add_dossier, add_official

SECRET = "alert-link-tests"
DEAD_HOOK = "json://127.0.0.1:9/"  # the discard port: refused at once, a transient failure
LINK = re.compile(r"/alerts/ack/(\S+)")
REFERENCE = re.compile(r"#(\d+)\s*$")


@dataclass(frozen=True)
class Alerted:
    engine: Engine
    inbox: Path

    def id(self, subject: str, rule: str, recipient: str) -> int:
        """The alert of (subject, rule, recipient code or "admins")."""
        key = recipient if recipient == "admins" else f"official:{recipient}"
        with self.engine.connect() as conn:
            return conn.execute(
                select(AlertRow.id).where(
                    AlertRow.subject == subject, AlertRow.rule == rule, AlertRow.recipient_key == key
                )
            ).scalar_one()

    def messages(self) -> list[dict[str, str]]:
        return [json.loads(line) for line in self.inbox.read_text(encoding="utf-8").splitlines()]

    def token(self, alert_id: int) -> str:
        """The acknowledgement token in the message that alert was sent as."""
        for message in self.messages():
            reference = REFERENCE.search(message["body"])
            if reference and int(reference.group(1)) == alert_id:
                found = LINK.search(message["body"])
                assert found, message["body"]
                return found.group(1)
        raise AssertionError(f"alert {alert_id} was not delivered to the demo inbox")

    def outbox(self) -> list[tuple[object, ...]]:
        """Every column of every alert: equal before and after means nothing changed."""
        with self.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(select(AlertRow.__table__).order_by(AlertRow.id))]


def run_tick(engine: Engine, clock: Clock, now: datetime, *, secret: str = SECRET) -> jobs.Counts:
    context = jobs.Context(engine=engine, config=AlertConfig(), clock=clock, secret=secret)
    return jobs.tick(context, now)


@pytest.fixture
def alerted(
    engine: Engine,
    two_communes: dict[str, int],
    clock: Clock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Alerted:
    inbox = tmp_path / "demo-inbox.jsonl"
    monkeypatch.setenv("DEMO_INBOX", str(inbox))
    monkeypatch.setenv("SECRET_KEY", SECRET)
    a, b = two_communes["a"], two_communes["b"]
    with engine.begin() as conn:
        add_official(conn, a, "CT-A", role="chairperson", name="Trần Thị Chủ")
        add_official(conn, a, "GS-1", role="supervisor", name="Phạm Giám Sát")
        add_official(conn, a, "CB-A2", name="Đỗ Thị Hoa")
        handler_b = add_official(conn, b, "CB-B1", name="Lê Văn Cường")
        for code, urls, language in (
            ("CB-A1", f"demo://CB-A1 {DEAD_HOOK}", "en"),
            ("CT-A", "bogus://nothing", "vi"),
            ("GS-1", "demo://GS-1", "vi"),
            ("CB-B1", DEAD_HOOK, "vi"),
        ):
            conn.execute(
                update(Official).where(Official.code == code).values(notify_urls=urls, language=language)
            )
        procedure = conn.execute(select(Procedure.id).where(Procedure.code == "1.004194")).scalar_one()
        add_dossier(  # 3 working days from Tue 10/3: due Fri 13/3, overdue on 20/3
            conn,
            clock,
            code="B3",
            unit_id=b,
            procedure_id=procedure,
            sector_id=two_communes["civil"],
            received_at=datetime(2026, 3, 10, 9),
            handler_id=handler_b,
        )
    run_tick(engine, clock, NOW)
    return Alerted(engine, inbox)
