"""The scheduler's jobs as plain functions of (context, now): callable from tests, cron and the CLI.

`evaluate` turns the open dossiers into outbox rows (and the digests when their hour has come),
`deliver` (alerts/sending.py) sends what is due, and `tick` does both and records a heartbeat.
Each commits in small transactions so that a kill at any point loses nothing (docs/alerts.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from time import perf_counter, sleep

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from alerts import digests, metrics
from alerts.context import Context, Counts, enqueue
from alerts.evaluate import Directory, assess, climbs, office_opens, stale
from alerts.messages import (
    UnitChange,
)
from alerts.rules import DOSSIER_RULES, Rule
from alerts.sending import deliver
from queries import catalog, outbox, rollups
from queries.alert_watch import late_steps, people
from queries.clocking import clock_inputs
from queries.db import describe, is_unreachable
from queries.filters import Filters
from queries.kpis import kpis_by_unit
from queries.outbox import NewAlert
from queries.scope import Scope
from queries.sla import Clock, judge, memoised
from queries.timeutil import vn_now

log = logging.getLogger("alerts")

#: The scheduler reads the whole province: it decides who is told, it shows nothing to a user.
PROVINCE = Scope.province()

# Waits (seconds) before each new attempt of a tick that lost the database (a restart, a failover):
# about half a minute in all, what a PostgreSQL restart or a managed failover takes. After the last
# the error stands and the next scheduled tick starts afresh.
TICK_RETRY_WAITS: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 15.0)


def evaluate(ctx: Context, now: datetime) -> Counts:
    """Judge every open dossier at `now` and bring the outbox in line with what holds now."""
    config, clock = ctx.config, ctx.clock
    counts = Counts()
    with ctx.engine.begin() as conn:
        judged, judging = [], memoised(clock)
        for dossier in clock_inputs(conn, open_only=True):
            judged.append((dossier, judge(judging, dossier.inputs, now) if dossier.inputs else None))
        counts.evaluated = len(judged)
        metrics.observe_backlog(judged)
        directory = Directory.of(people(conn))
        evaluation = assess(judged, late_steps(conn, now=now), directory, config=config, clock=clock, now=now)
        counts.enqueued = len(enqueue(conn, evaluation.alerts, now=now))
        waiting = outbox.waiting(conn, rules=DOSSIER_RULES)
        counts.cancelled = outbox.cancel(
            conn, stale(((w.id, w.condition) for w in waiting), evaluation.live), why="condition ended"
        )
        wait = timedelta(hours=config.acknowledge.climb_after_hours)
        ignored = outbox.unanswered(conn, rules=DOSSIER_RULES, sent_before=now - wait, now=now)
        new, climbed = climbs(
            ignored, evaluation.live, directory, evaluation.sectors, clock=clock, config=config, now=now
        )
        counts.enqueued += len(enqueue(conn, new, now=now))
        outbox.mark_climbed(conn, climbed, now=now)
        counts.climbed = len(climbed)
        if _digest_due(clock, now, config.schedule.daily_digest_at):
            names = _names(conn)
            rows = digests.daily(evaluation, directory, now=now, base_url=config.links.base_url, **names)
            counts.enqueued += len(enqueue(conn, _when_open(clock, now, rows), now=now))
        today = datetime.combine(now.date(), time())  # a summary is keyed by its day
        if _weekly_due(clock, now, config.schedule.weekly_summary_at) and not outbox.written(
            conn, subject="weekly", rule=Rule.WEEKLY_SUMMARY, deadline=today
        ):
            rows = digests.weekly(
                weekly_changes(conn, now=now, lang_units=_names(conn)["units"]),
                directory.supervisors,
                now=now,
                week=f"{now.isocalendar().week}/{now.isocalendar().year}",
                base_url=config.links.base_url,
            )
            counts.enqueued += len(enqueue(conn, _when_open(clock, now, rows), now=now))
    log.info(
        "evaluated %s open dossiers, %s new alerts",
        counts.evaluated,
        counts.enqueued,
        extra={"as_of": now.isoformat(), **vars(counts)},
    )
    return counts


def _when_open(clock: Clock, now: datetime, rows: list[NewAlert]) -> list[NewAlert]:
    """Digests are written at their hour (07:45 by default) but, like warnings, leave in office hours."""
    opens = office_opens(clock, now)
    return [replace(row, not_before=max(row.not_before, opens)) for row in rows]


def _digest_due(clock: Clock, now: datetime, at: object) -> bool:
    return clock.calendar.is_working_day(now.date()) and now.time() >= at  # type: ignore[operator]


def _weekly_due(clock: Clock, now: datetime, at: object) -> bool:
    """The first working day of the ISO week (Monday, or Tuesday after a Monday holiday)."""
    monday = now.date() - timedelta(days=now.weekday())
    first = clock.calendar.first_working_day_from(monday)
    return now.date() == first and now.time() >= at  # type: ignore[operator]


def _names(conn: Connection) -> dict[str, dict]:  # type: ignore[type-arg]
    return {
        "procedures": {p.code: p for p in catalog.procedures(conn, scope=PROVINCE)},
        "units": {u.id: u for u in catalog.units(conn, scope=PROVINCE)},
    }


def weekly_changes(conn: Connection, *, now: datetime, lang_units: dict) -> list[UnitChange]:  # type: ignore[type-arg]
    """Units whose on-time rate fell from the week before last to last week, biggest fall first."""
    this_monday = now.date() - timedelta(days=now.weekday())
    last = Filters(start=this_monday - timedelta(days=7), end=this_monday - timedelta(days=1))
    before = Filters(start=this_monday - timedelta(days=14), end=this_monday - timedelta(days=8))
    cutoff = datetime.combine(last.end, datetime.max.time())
    after_kpis = kpis_by_unit(conn, last, scope=PROVINCE, now=now, due_cutoff=cutoff)
    before_kpis = kpis_by_unit(conn, before, scope=PROVINCE, now=now, due_cutoff=cutoff)
    changes = []
    for unit_id, kpis in after_kpis.items():
        old = before_kpis.get(unit_id)
        new_rate, old_rate = kpis.on_time_rate, old.on_time_rate if old else None
        if new_rate is not None and old_rate is not None and new_rate < old_rate:
            unit = lang_units.get(unit_id)
            name = unit.name_vi if unit else str(unit_id)
            changes.append(UnitChange(name, old_rate, new_rate, kpis.resolved, kpis.overdue))
    return sorted(changes, key=lambda c: (c.after or 0) - (c.before or 0))


def refresh_rollups(ctx: Context) -> None:
    """Keep the dashboard's per-day rollups current with what other writers changed (issue 7)."""
    with ctx.engine.begin() as conn:
        report = rollups.refresh_changed(conn)
    log.info("rollups refreshed: %s", report)


def rebuild_rollups(ctx: Context) -> None:
    """Nightly: recompute the rollups from scratch (deleted rows, back-dated changes)."""
    with ctx.engine.begin() as conn:
        report = rollups.rebuild(conn)
    log.info("rollups rebuilt: %s", report)


def deliver_between_ticks(ctx: Context, now: datetime) -> Counts:
    """The scheduler's delivery pass between ticks, retried like a tick when the database drops.

    On each retry the claims the lost pass never tried go back to pending first (the one whose
    message may have left keeps its lease), so a database blip does not hold them for the lease.
    """
    for attempt, wait in enumerate((*TICK_RETRY_WAITS, None), start=1):
        try:
            if attempt > 1:
                with ctx.engine.begin() as conn:
                    outbox.release_unstarted(conn, worker=ctx.worker, claimed_at=now)
            return deliver(ctx, now)
        except SQLAlchemyError as exc:
            if wait is None or not is_unreachable(exc):
                raise
            fields = {"as_of": now.isoformat(), "attempt": attempt, "retry_in": wait, "error": describe(exc)}
            log.warning("delivery pass %s lost the database; retrying", attempt, extra=fields)
            sleep(wait)
    raise AssertionError("unreachable")  # the last attempt returns or raises


@dataclass(frozen=True)
class _Unclosed:
    """A heartbeat row whose failure could not be written because the database was away."""

    tick_id: int
    finished_at: datetime
    error: str


def tick(ctx: Context, now: datetime) -> Counts:
    """One full pass: evaluate, enqueue, deliver; its heartbeat row says when and what.

    A pass that loses the database (`queries.db.is_unreachable`: a restart, a failover) runs again
    at the same `now` after each of TICK_RETRY_WAITS, logged with the error. Nothing is repeated:
    enqueueing is idempotent and what was sent is settled; the claims the lost pass never tried
    are released at once, and the one alert whose message may have left keeps its lease (the
    in-flight duplicate of docs/alerts.md). Each attempt has its own alert_ticks row; a lost one
    ends with its error and "retried" (written by the next attempt when the database was still
    away). Any other error, or the last attempt's, is raised as before.
    """
    unclosed: list[_Unclosed] = []
    attempts = len(TICK_RETRY_WAITS) + 1
    for attempt in range(1, attempts):
        try:
            return _tick_once(ctx, now, attempt=attempt, of=attempts, unclosed=unclosed)
        except SQLAlchemyError as exc:
            if not is_unreachable(exc):
                raise
            wait = TICK_RETRY_WAITS[attempt - 1]
            fields = {"as_of": now.isoformat(), "attempt": attempt, "retry_in": wait, "error": describe(exc)}
            log.warning("tick attempt %s of %s lost the database; retrying", attempt, attempts, extra=fields)
            sleep(wait)
    return _tick_once(ctx, now, attempt=attempts, of=attempts, unclosed=unclosed)


def _tick_once(ctx: Context, now: datetime, *, attempt: int, of: int, unclosed: list[_Unclosed]) -> Counts:
    started, timer = vn_now(), perf_counter()
    with ctx.engine.begin() as conn:
        for row in unclosed:
            outbox.end_tick(conn, row.tick_id, finished_at=row.finished_at, error=row.error)
        released = outbox.release_unstarted(conn, worker=ctx.worker, claimed_at=now) if attempt > 1 else 0
        tick_id = outbox.begin_tick(conn, as_of=now, started_at=started, worker=ctx.worker)
    unclosed.clear()
    if released:
        log.info("released %s alerts the lost attempt had claimed but not tried", released)
    try:
        counts = evaluate(ctx, now).add(deliver(ctx, now))
    except Exception as exc:
        metrics.tick_finished(perf_counter() - timer, ok=False)
        retried = attempt < of and is_unreachable(exc)
        error = repr(exc)[:1900] + (f" [attempt {attempt} of {of}; retried]" if retried else "")
        finished = vn_now()
        try:
            with ctx.engine.begin() as conn:
                outbox.end_tick(conn, tick_id, finished_at=finished, error=error)
        except SQLAlchemyError:
            unclosed.append(_Unclosed(tick_id, finished, error))  # the next attempt writes it
        raise
    with ctx.engine.begin() as conn:
        outbox.end_tick(
            conn,
            tick_id,
            finished_at=vn_now(),
            evaluated=counts.evaluated,
            enqueued=counts.enqueued,
            sent=counts.sent,
            failed=counts.failed,
        )
    metrics.tick_finished(perf_counter() - timer, ok=True)
    return counts
