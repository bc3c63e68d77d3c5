"""The alerts process itself: `python -m alerts run|tick|check-config` as separate processes.

Two senders at once (two ticks, or two schedulers started by mistake) must still deliver every
alert exactly once: the outbox's claim does it, not the scheduler. The scheduler process must
catch up at once on start, drop jobs its job table kept from an older version, and stop cleanly
on SIGTERM.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, MetaData, Table, select, text

from alerts.scheduler import JOB_TABLE
from queries.models import AlertTick
from queries.sla import Clock
from queries.timeutil import VN, vn_now
from tests.alert_fixtures import (  # noqa: F401
    WAIT,
    WebhookReceiver,
    add_overdue,
    add_staff,
    alerts_process,
    database_url,
    outbox_rows,
    run_alerts,
    set_urls,
    spawned,
    wait_until,
    webhook,
)

FRIDAY_10 = datetime(2026, 3, 20, 10)
STAFF = ("CB-A1", "CT-A", "GS-HT", "GS-DD", "CT-B")
WANTED_JOBS = {"tick", "deliver", "morning_digest", "weekly_summary", "rollups_refresh", "rollups_rebuild"}


@pytest.fixture
def province(engine: Engine, clock: Clock, two_communes: dict[str, int], webhook: WebhookReceiver) -> None:  # noqa: F811
    """Everyone on the webhook; five more long-overdue dossiers so that there is a lot to send."""
    add_staff(engine, two_communes)
    add_overdue(engine, clock, two_communes, ["A7", "K1", "K2", "K3", "K4"], datetime(2026, 3, 2, 9))
    # A read timeout above the receiver's hold (see `together`), so a held request does not fail.
    set_urls(engine, {code: [webhook.url(f"/hook/{code.lower()}", rto="30")] for code in STAFF})


def small_batches(tmp_path: Path, schedule: str = "") -> str:
    """A configuration whose senders claim two alerts at a time, so that two of them interleave."""
    config = tmp_path / "alerts.toml"
    config.write_text(f"[delivery]\nbatch_size = 2\n{schedule}", encoding="utf-8")
    return str(config)


@pytest.fixture
def no_job_table(engine: Engine) -> Iterator[None]:
    """The scheduler's job table is APScheduler's, not in our metadata: the PostgreSQL database
    the tests share would keep it (and its jobs) from one test to the next."""
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {JOB_TABLE}"))
    yield
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {JOB_TABLE}"))


def ticks(engine: Engine) -> list[AlertTick]:
    with engine.connect() as conn:
        return list(conn.execute(select(AlertTick).order_by(AlertTick.id)))  # type: ignore[arg-type]


def scheduler_jobs(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        table = Table(JOB_TABLE, MetaData(), autoload_with=conn)
        return set(conn.execute(select(table.c.id)).scalars())


def assert_each_sent_alert_arrived_once(engine: Engine, webhook: WebhookReceiver) -> None:  # noqa: F811
    sent = [r.id for r in outbox_rows(engine) if r.state == "sent"]
    received = Counter(hook.alert_id for hook in webhook.received())
    assert sent and received == Counter(sent), "every alert exactly once"


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_two_ticks_at_the_same_moment_deliver_each_alert_once(
    engine: Engine,
    province: None,
    webhook: WebhookReceiver,  # noqa: F811
    spawned: list[subprocess.Popen[bytes]],  # noqa: F811
    tmp_path: Path,
) -> None:
    webhook.together = 2  # the first message waits until the other process sends too
    webhook.stall = 0.02
    config = small_batches(tmp_path)
    logs = [tmp_path / f"tick-{i}.log" for i in (1, 2)]
    spawned += [
        alerts_process(engine, "tick", "--now", FRIDAY_10.isoformat(), log=log, ALERTS_CONFIG=config)
        for log in logs
    ]
    for process, log in zip(spawned, logs, strict=True):
        assert process.wait(timeout=60) == 0, log.read_text()
    assert webhook.max_in_flight == 2, "the two passes overlapped"
    rows = outbox_rows(engine)
    assert len(rows) == 26 and {r.state for r in rows} == {"sent"}
    assert len({r.claimed_by for r in rows}) == 2, "both processes sent"
    assert_each_sent_alert_arrived_once(engine, webhook)


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_two_schedulers_running_at_once_deliver_each_alert_once(
    engine: Engine,
    no_job_table: None,
    province: None,
    webhook: WebhookReceiver,  # noqa: F811
    spawned: list[subprocess.Popen[bytes]],  # noqa: F811
    tmp_path: Path,
) -> None:
    """Two `python -m alerts run` started together, ticking every 1.2 s, delivering every second,
    two alerts a claim.

    They judge at the wall clock's now (Nov 2026 when this was written: every open dossier of the
    fixture is long overdue, and escalations go at once, day or night). The test stops them once
    each has finished two ticks and nothing due is left unsent.
    """
    webhook.together = 2
    config = small_batches(tmp_path, "[schedule]\nevaluate_every_minutes = 0.02\ndeliver_every_seconds = 1\n")
    logs = [tmp_path / f"run-{i}.log" for i in (1, 2)]
    spawned += [alerts_process(engine, "run", log=log, ALERTS_CONFIG=config) for log in logs]

    def settled() -> bool:
        assert all(p.poll() is None for p in spawned), "\n".join(log.read_text() for log in logs)
        finished = Counter(t.worker for t in ticks(engine) if t.finished_at is not None)
        due = [r for r in outbox_rows(engine) if r.state != "sent" and r.not_before <= vn_now()]
        return len(finished) == 2 and min(finished.values()) >= 2 and not due

    wait_until(settled, timeout=45, what="both schedulers to tick twice and send everything due")
    for process in spawned:
        process.send_signal(signal.SIGTERM)
    for process, log in zip(spawned, logs, strict=True):
        assert process.wait(timeout=WAIT) == 0, log.read_text()
    assert webhook.max_in_flight == 2, "the two schedulers overlapped"
    assert_each_sent_alert_arrived_once(engine, webhook)
    assert len(webhook.received()) >= 20


def test_the_scheduler_catches_up_at_once_drops_stale_jobs_and_stops_on_sigterm(
    engine: Engine,
    no_job_table: None,
    spawned: list[subprocess.Popen[bytes]],  # noqa: F811
    tmp_path: Path,
) -> None:
    # A job an older version persisted, due already: it must be removed before it can fire.
    store = SQLAlchemyJobStore(url=database_url(engine), tablename=JOB_TABLE)
    store.start(BlockingScheduler(timezone=VN), "default")  # creates the table, as a scheduler would
    store.add_job(
        Job(
            store._scheduler,
            id="old_sweep",
            func="alerts.scheduler:deliver",
            trigger=IntervalTrigger(hours=1, timezone=VN),
            executor="default",
            args=(),
            kwargs={},
            name="old_sweep",
            misfire_grace_time=3600,
            coalesce=True,
            max_instances=1,
            next_run_time=datetime.now(VN) - timedelta(minutes=1),
        )
    )
    store.shutdown()
    assert scheduler_jobs(engine) == {"old_sweep"}

    log = tmp_path / "run.log"
    started = time.monotonic()
    process = alerts_process(engine, "run", log=log)
    spawned.append(process)

    def caught_up() -> bool:
        assert process.poll() is None, log.read_text()
        return any(t.finished_at is not None and t.error is None for t in ticks(engine))

    wait_until(caught_up, what="the catch-up tick's heartbeat")
    assert time.monotonic() - started < WAIT
    assert scheduler_jobs(engine) == WANTED_JOBS
    assert "removing stale persisted job old_sweep" in log.read_text()
    assert "interval[1:00:00]" not in log.read_text(), "the stale job never ran"

    process.send_signal(signal.SIGTERM)
    stopped = time.monotonic()
    assert process.wait(timeout=WAIT) == 0, log.read_text()
    assert time.monotonic() - stopped < 10
    assert "signal 15: stopping the scheduler" in log.read_text()
    assert "Traceback" not in log.read_text()


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_sigterm_while_the_scheduler_starts_still_exits_cleanly(
    engine: Engine,
    no_job_table: None,
    spawned: list[subprocess.Popen[bytes]],  # noqa: F811
    tmp_path: Path,
) -> None:
    log = tmp_path / "run.log"
    process = alerts_process(engine, "run", log=log)
    spawned.append(process)
    deadline = time.monotonic() + WAIT
    while "starting" not in log.read_text() and time.monotonic() < deadline:  # handlers are set by then
        assert process.poll() is None, log.read_text()
        time.sleep(0.002)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=WAIT) == 0, log.read_text()
    assert "Traceback" not in log.read_text()


def test_check_config_with_a_bad_file_exits_2_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "alerts.toml"
    config.write_text("[delivery]\nbackof_minutes = [1, 2]\n", encoding="utf-8")
    log = tmp_path / "check.log"
    assert run_alerts(None, "check-config", log=log, ALERTS_CONFIG=str(config)) == 2
    assert "alerts: configuration error: unknown key delivery.backof_minutes" in log.read_text()
