"""The one long-running scheduler process (`python -m alerts run`); never started in gunicorn.

All periodic jobs are declared in JOBS. Jobs persist in the database (table
alert_scheduler_jobs) so a run missed during downtime still happens once after a restart
(coalesce, explicit misfire grace); jobs in the table that are no longer in JOBS are removed at
start. A one-off catch-up tick runs at once, so nothing that fell due while the scheduler was
down waits for the next slot. Exactly-once delivery does not depend on any of this: the outbox
does it, so two schedulers started by mistake still send each alert once.
"""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass
from typing import Any

from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import IntegrityError, ProgrammingError

from alerts import jobs, metrics
from alerts.config import AlertConfig
from queries import outbox
from queries.timeutil import VN, vn_now

log = logging.getLogger("alerts.scheduler")
JOB_TABLE = "alert_scheduler_jobs"
_context: jobs.Context | None = None  # set once by run(); the job functions below read it


def tick() -> None:
    assert _context is not None
    jobs.tick(_context, vn_now())


def deliver() -> None:
    assert _context is not None
    jobs.deliver_between_ticks(_context, vn_now())


def refresh_rollups() -> None:
    assert _context is not None
    jobs.refresh_rollups(_context)


def rebuild_rollups() -> None:
    assert _context is not None
    jobs.rebuild_rollups(_context)


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str  # "module:function", so the persisted job survives a restart of the code
    trigger: Any


def job_list(config: AlertConfig) -> list[JobSpec]:
    """Every periodic job of the product, in one list."""
    schedule = config.schedule
    digest, weekly, rebuild = (
        schedule.daily_digest_at,
        schedule.weekly_summary_at,
        schedule.rollups_rebuild_at,
    )
    return [
        JobSpec(
            "tick",
            "alerts.scheduler:tick",
            IntervalTrigger(minutes=schedule.evaluate_every_minutes, timezone=VN),
        ),
        JobSpec(
            "deliver",
            "alerts.scheduler:deliver",
            IntervalTrigger(seconds=schedule.deliver_every_seconds, timezone=VN),
        ),
        # The digest and weekly jobs run a full tick at their hour; the tick itself decides whether
        # today is a working day and whether the digest is due, so a catch-up tick does it too.
        JobSpec(
            "morning_digest",
            "alerts.scheduler:tick",
            CronTrigger(hour=digest.hour, minute=digest.minute, timezone=VN),
        ),
        JobSpec(
            "weekly_summary",
            "alerts.scheduler:tick",
            CronTrigger(hour=weekly.hour, minute=weekly.minute, timezone=VN),
        ),
        JobSpec(
            "rollups_refresh",
            "alerts.scheduler:refresh_rollups",
            IntervalTrigger(minutes=schedule.rollups_every_minutes, timezone=VN),
        ),
        JobSpec(
            "rollups_rebuild",
            "alerts.scheduler:rebuild_rollups",
            CronTrigger(hour=rebuild.hour, minute=rebuild.minute, timezone=VN),
        ),
    ]


def build(context: jobs.Context) -> BlockingScheduler:
    global _context
    _context = context
    config = context.config
    store = SQLAlchemyJobStore(engine=context.engine, tablename=JOB_TABLE)
    try:
        store.jobs_t.create(context.engine, checkfirst=True)
    except (IntegrityError, ProgrammingError):
        pass  # a second scheduler created the table at the same moment (PostgreSQL): it is there
    scheduler = BlockingScheduler(
        jobstores={
            "default": store,
            "once": MemoryJobStore(),
        },
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(config.schedule.misfire_grace_minutes * 60),
        },
        timezone=VN,
    )
    wanted = job_list(config)
    for spec in wanted:
        scheduler.add_job(spec.func, spec.trigger, id=spec.id, name=spec.id, replace_existing=True)
    scheduler.add_job(tick, "date", run_date=vn_now().replace(tzinfo=VN), id="catch_up", jobstore="once")

    def reconcile(_event: Any) -> None:
        """Jobs persisted by an older version that are not in the list any more must not fire."""
        keep = {spec.id for spec in wanted} | {"catch_up"}
        for job in scheduler.get_jobs():
            if job.id not in keep:
                log.warning("removing stale persisted job %s", job.id)
                job.remove()

    scheduler.add_listener(reconcile, EVENT_SCHEDULER_STARTED)
    return scheduler


def run(context: jobs.Context, metrics_endpoint: metrics.Endpoint | None = None) -> None:
    """Run until SIGTERM/SIGINT, serving /metrics beside the jobs (ALERTS_METRICS_PORT)."""
    server = metrics.serve(metrics_endpoint) if metrics_endpoint is not None else None
    with context.engine.connect() as conn:
        metrics.heartbeat_from(outbox.last_finished_tick(conn))
    scheduler = build(context)
    stopping = threading.Event()

    def stop(signum: int, _frame: Any) -> None:
        log.info("signal %s: stopping the scheduler", signum)
        stopping.set()
        if scheduler.running:
            scheduler.shutdown(wait=False)

    def stop_if_asked(_event: Any) -> None:
        """A signal that came while the scheduler was starting (shutdown() raises until then)."""
        if stopping.is_set() and scheduler.running:
            scheduler.shutdown(wait=False)

    scheduler.add_listener(stop_if_asked, EVENT_SCHEDULER_STARTED)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler %s starting", context.worker)
    try:
        scheduler.start()
    finally:
        if server is not None:
            server.shutdown()
