"""The database restarting while a tick delivers: `python -m alerts tick` against a PostgreSQL server
of the test's own (tests/pgserver.py), a webhook receiver that holds one recipient's messages,
and the server stopped with `-m immediate` while a message is held, started again a moment later.

What is promised (alerts/jobs.py `tick`, docs/deploy.md "Faults"): the tick does not die of it; it
logs the lost database, waits and tries again at the same `now`, and the retry sends everything
the lost attempt had claimed but not tried, at once. The one message that was out when the
database went away may have arrived, so its alert keeps its claim until the lease runs out and
the next scheduled run sends it again under the same X-Alert-Id: the documented single in-flight
duplicate (tests/test_alert_faults.py proves the same boundary for a SIGKILL). Every other alert
arrives exactly once, and afterwards the outbox has no claim left and the heartbeat table tells
the story: the lost attempt's row with its error and "retried", then a clean one.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from alerts import jobs
from queries.db import make_engine
from queries.migrate import upgrade
from queries.models import AlertTick
from queries.sla import Clock
from tests.alert_fixtures import (  # noqa: F401
    REPO_ROOT,
    WAIT,
    WebhookReceiver,
    add_staff,
    alerts_env,
    attempts,
    context,
    outbox_rows,
    set_urls,
    spawned,
    wait_until,
    webhook,
)
from tests.pgserver import PgServer, pg_server  # noqa: F401

FRIDAY_10 = datetime(2026, 3, 20, 10)
STAFF = ("CB-A1", "CT-A", "GS-HT", "GS-DD", "CT-B")
STALL = 2.0  # seconds the slow receiver holds each message: time enough to stop the server


@pytest.fixture
def engine(pg_server: PgServer) -> Iterator[Engine]:  # noqa: F811
    """The throwaway server's database, in place of the suite's (the two-commune fixture uses it)."""
    database = make_engine(pg_server.create_database())
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def slow() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(stall=STALL)
    receiver.start()
    yield receiver
    receiver.close()


@pytest.mark.slow
def test_a_database_restart_in_mid_tick_is_retried_and_every_alert_arrives_once(
    engine: Engine,
    clock: Clock,
    two_communes: dict[str, int],
    pg_server: PgServer,  # noqa: F811
    webhook: WebhookReceiver,  # noqa: F811
    slow: WebhookReceiver,
    spawned: list[subprocess.Popen[bytes]],  # noqa: F811
    tmp_path: Path,
) -> None:
    add_staff(engine, two_communes)
    set_urls(engine, {code: [webhook.url(f"/hook/{code.lower()}")] for code in STAFF})
    # The chairperson's messages are held: hers go out before the handler's (a higher level is
    # claimed first), so when one of hers is out the handler's are claimed and not yet tried.
    set_urls(engine, {"CT-A": [slow.url("/hook/ct-a")]})
    log, out = tmp_path / "alerts.log", tmp_path / "alerts.out"
    with log.open("wb") as err_file, out.open("wb") as out_file:
        sender = subprocess.Popen(
            [sys.executable, "-m", "alerts", "tick", "--now", FRIDAY_10.isoformat()],
            cwd=REPO_ROOT,
            env=alerts_env(engine, LOG_FORMAT="json"),
            stdin=subprocess.DEVNULL,
            stdout=out_file,
            stderr=err_file,
        )
    spawned.append(sender)

    def logged() -> list[dict[str, object]]:
        return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]

    wait_until(lambda: len(slow.received()) >= 1, what="the first message to the chairperson")
    pg_server.stop("immediate")  # while that message is held
    held = slow.received()[0].alert_id
    wait_until(
        lambda: any("lost the database" in str(line["msg"]) for line in logged()),
        what="the tick to notice and log the lost database",
    )
    time.sleep(2.5)  # the retry after 1 s finds the server still down, too
    pg_server.start()
    assert sender.wait(timeout=WAIT * 3) == 0, log.read_text() + out.read_text()

    retries = [line for line in logged() if "lost the database" in str(line["msg"])]
    assert len(retries) >= 2, "the first attempt and at least one retry met the stopped server"
    assert all(line["level"] == "warning" for line in retries)
    assert [line["attempt"] for line in retries] == list(range(1, len(retries) + 1))
    assert all(str(line["error"]).startswith("OperationalError: ") for line in retries)
    assert any(str(line["msg"]).startswith("released ") for line in logged())

    rows = outbox_rows(engine)
    in_flight = [r for r in rows if r.state == "sending"]
    assert [r.id for r in in_flight] == [held], "only the message that was out keeps its claim"
    assert {r.state for r in rows if r.id != held} == {"sent"}, "the retry sent everything else at once"
    with engine.connect() as conn:
        ticks = conn.execute(select(AlertTick).order_by(AlertTick.id)).all()
    assert len(ticks) == 2, "an attempt whose start could not be written has no row, only its log line"
    lost, clean = ticks
    assert lost.finished_at is not None and "OperationalError" in lost.error
    assert lost.error.endswith(f"[attempt 1 of {len(jobs.TICK_RETRY_WAITS) + 1}; retried]")
    assert clean.error is None and clean.finished_at is not None and clean.sent >= 1

    # The next scheduled run after the lease: the held alert goes again, with the same id.
    ctx = context(engine, clock)
    later = FRIDAY_10 + timedelta(minutes=ctx.config.delivery.lease_minutes + 1)
    assert jobs.tick(ctx, later).sent == 1

    rows = outbox_rows(engine)
    assert {r.state for r in rows} == {"sent"}, "nothing lost, no claim left"
    received = Counter(h.alert_id for h in webhook.received() + slow.received())
    assert set(received) == {r.id for r in rows}
    assert {alert_id for alert_id, count in received.items() if count > 1} == {held}
    assert received[held] == 2, "the documented single in-flight duplicate, and nothing else"
    unfinished = [a for a in attempts(engine) if a.finished_at is None]
    assert [a.alert_id for a in unfinished] == [held], "the one attempt whose answer was never recorded"
    assert all(line.get("alert_id") for line in logged() if str(line["msg"]).startswith("alert "))


@pytest.mark.slow
def test_the_delivery_pass_between_ticks_also_outlives_a_database_restart(
    engine: Engine,
    clock: Clock,
    two_communes: dict[str, int],
    pg_server: PgServer,  # noqa: F811
    webhook: WebhookReceiver,  # noqa: F811
    slow: WebhookReceiver,
) -> None:
    """The scheduler's 60-second delivery job (jobs.deliver_between_ticks) retries like the tick."""
    import threading

    add_staff(engine, two_communes)
    set_urls(engine, {code: [webhook.url(f"/hook/{code.lower()}")] for code in STAFF})
    set_urls(engine, {"CT-A": [slow.url("/hook/ct-a")]})
    ctx = context(engine, clock)
    jobs.evaluate(ctx, FRIDAY_10)  # enqueued, not yet sent
    outcome: list[object] = []
    sender = threading.Thread(target=lambda: outcome.append(jobs.deliver_between_ticks(ctx, FRIDAY_10)))
    sender.start()
    wait_until(lambda: len(slow.received()) >= 1, what="the first message to the chairperson")
    pg_server.stop("immediate")
    held = slow.received()[0].alert_id
    time.sleep(2.5)  # the retry after 1 s finds the server still down, too
    pg_server.start()
    sender.join(timeout=WAIT * 3)
    assert not sender.is_alive() and outcome, "the pass finished after the restart"

    rows = outbox_rows(engine)
    assert [r.id for r in rows if r.state == "sending"] == [held], "only the message that was out waits"
    assert {r.state for r in rows if r.id != held} == {"sent"}
    received = Counter(h.alert_id for h in webhook.received() + slow.received())
    assert all(count == 1 for count in received.values()), "nothing twice"
