"""The scheduler's jobs as plain functions of (context, now): callable from tests, cron and the CLI.

`evaluate` turns the open dossiers into outbox rows (and the digests when their hour has come),
`deliver` sends what is due, and `tick` does both and records a heartbeat. Each commits in small
transactions so that a kill at any point loses nothing (alerts/README in docs/alerts.md).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, time, timedelta
from time import perf_counter, sleep
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from alerts import digests, metrics
from alerts.config import AlertConfig
from alerts.delivery import ChannelResult, fingerprint, send
from alerts.evaluate import ADMINS, Directory, assess, climbs, office_opens, stale
from alerts.messages import (
    DossierFacts,
    Message,
    UnitChange,
    broken_message,
    dossier_message,
    say,
    with_footer,
)
from alerts.rules import DOSSIER_RULES, ESCALATIONS, Audience, Rule
from queries import catalog, outbox, rollups
from queries.ack_links import AckClaim, ack_url
from queries.alert_watch import Person, dossier_labels, dossier_sector, late_steps, people, step_names
from queries.clocking import clock_inputs
from queries.db import describe, is_unreachable
from queries.filters import Filters
from queries.kpis import kpis_by_unit
from queries.outbox import AlertState, Claimed, NewAlert
from queries.sla import Clock, judge
from queries.timeutil import vn_now

log = logging.getLogger("alerts")

# Waits (seconds) before each new attempt of a tick that lost the database (a restart, a failover):
# about half a minute in all, what a PostgreSQL restart or a managed failover takes. After the last
# the error stands and the next scheduled tick starts afresh.
TICK_RETRY_WAITS: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 15.0)


@dataclass(frozen=True)
class Context:
    engine: Engine
    config: AlertConfig
    clock: Clock
    secret: str
    worker: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    )


@dataclass
class Counts:
    evaluated: int = 0
    enqueued: int = 0
    cancelled: int = 0
    climbed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    rerouted: int = 0

    def add(self, other: Counts) -> Counts:
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)
        return self


def _enqueue(conn: Connection, rows: list[NewAlert], *, now: datetime) -> list[int]:
    """outbox.enqueue, with the rows it really inserted counted by rule for the metrics."""
    ids = outbox.enqueue(conn, rows, now=now)
    metrics.count_enqueued(conn, rows, ids)
    return ids


def evaluate(ctx: Context, now: datetime) -> Counts:
    """Judge every open dossier at `now` and bring the outbox in line with what holds now."""
    config, clock = ctx.config, ctx.clock
    counts = Counts()
    with ctx.engine.begin() as conn:
        judged = []
        for dossier in clock_inputs(conn, open_only=True):
            judged.append((dossier, judge(clock, dossier.inputs, now) if dossier.inputs else None))
        counts.evaluated = len(judged)
        metrics.observe_backlog(judged)
        directory = Directory.of(people(conn))
        evaluation = assess(judged, late_steps(conn, now=now), directory, config=config, clock=clock, now=now)
        counts.enqueued = len(_enqueue(conn, evaluation.alerts, now=now))
        waiting = outbox.waiting(conn, rules=DOSSIER_RULES)
        counts.cancelled = outbox.cancel(
            conn, stale(((w.id, w.condition) for w in waiting), evaluation.live), why="condition ended"
        )
        wait = timedelta(hours=config.acknowledge.climb_after_hours)
        ignored = outbox.unanswered(conn, rules=DOSSIER_RULES, sent_before=now - wait, now=now)
        new, climbed = climbs(
            ignored, evaluation.live, directory, evaluation.sectors, clock=clock, config=config, now=now
        )
        counts.enqueued += len(_enqueue(conn, new, now=now))
        outbox.mark_climbed(conn, climbed, now=now)
        counts.climbed = len(climbed)
        if _digest_due(clock, now, config.schedule.daily_digest_at):
            names = _names(conn)
            rows = digests.daily(evaluation, directory, now=now, base_url=config.links.base_url, **names)
            counts.enqueued += len(_enqueue(conn, _when_open(clock, now, rows), now=now))
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
            counts.enqueued += len(_enqueue(conn, _when_open(clock, now, rows), now=now))
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
        "procedures": {p.code: p for p in catalog.procedures(conn)},
        "units": {u.id: u for u in catalog.units(conn)},
    }


def weekly_changes(conn: Connection, *, now: datetime, lang_units: dict) -> list[UnitChange]:  # type: ignore[type-arg]
    """Units whose on-time rate fell from the week before last to last week, biggest fall first."""
    this_monday = now.date() - timedelta(days=now.weekday())
    last = Filters(start=this_monday - timedelta(days=7), end=this_monday - timedelta(days=1))
    before = Filters(start=this_monday - timedelta(days=14), end=this_monday - timedelta(days=8))
    cutoff = datetime.combine(last.end, datetime.max.time())
    after_kpis = kpis_by_unit(conn, last, now=now, due_cutoff=cutoff)
    before_kpis = kpis_by_unit(conn, before, now=now, due_cutoff=cutoff)
    changes = []
    for unit_id, kpis in after_kpis.items():
        old = before_kpis.get(unit_id)
        new_rate, old_rate = kpis.on_time_rate, old.on_time_rate if old else None
        if new_rate is not None and old_rate is not None and new_rate < old_rate:
            unit = lang_units.get(unit_id)
            name = unit.name_vi if unit else str(unit_id)
            changes.append(UnitChange(name, old_rate, new_rate, kpis.resolved, kpis.overdue))
    return sorted(changes, key=lambda c: (c.after or 0) - (c.before or 0))


def deliver(ctx: Context, now: datetime) -> Counts:
    """Send every alert that is due, a batch at a time, until none is left for this pass."""
    counts = Counts()
    lease = timedelta(minutes=ctx.config.delivery.lease_minutes)
    seen: set[int] = set()
    while True:
        with ctx.engine.begin() as conn:
            claimed = outbox.claim(
                conn,
                worker=ctx.worker,
                now=now,
                lease_expired=now - lease,
                limit=ctx.config.delivery.batch_size,
            )
        claimed = [alert for alert in claimed if alert.id not in seen]
        if not claimed:
            return counts
        seen.update(alert.id for alert in claimed)
        with ctx.engine.connect() as conn:
            directory = Directory.of(people(conn))
            broken = outbox.broken_fingerprints(conn)
            labels = dossier_labels(conn, [a.dossier_id for a in claimed if a.dossier_id is not None])
            parents = outbox.parents(conn, [a.parent_id for a in claimed if a.parent_id is not None])
            steps = step_names(
                conn,
                [(a.dossier_id, a.deadline) for a in claimed if a.rule == Rule.STEP_LATE and a.dossier_id],
            )
        for alert in claimed:
            plain = _render(ctx, alert, now, labels, parents, directory, steps)
            counts.add(_deliver_one(ctx, alert, plain, now, directory, broken))


def _render(  # type: ignore[type-arg]
    ctx: Context,
    alert: Claimed,
    now: datetime,
    labels: dict,
    parents: dict,
    directory: Directory,
    steps: dict,
) -> Message:
    lang = alert.language
    base = ctx.config.links.base_url
    if alert.title is not None and alert.body is not None:
        message = Message(alert.title, alert.body)
    else:
        label = labels.get(alert.dossier_id)
        parent = parents.get(alert.parent_id)
        about = directory.by_id.get(parent.recipient_id) if parent and parent.recipient_id else None
        facts = DossierFacts(
            rule=alert.rule,
            code=alert.subject,
            procedure=(label.procedure_en if lang == "en" else label.procedure_vi) or "—" if label else "—",
            unit=(label.unit_en if lang == "en" else label.unit_vi) if label else "—",
            due=alert.deadline,
            remaining_days=ctx.clock.working_hours(now, alert.deadline) / ctx.clock.policy.hours_per_day,
            apology_after_days=ctx.config.overdue.apology_after_days,
            step=steps.get((alert.dossier_id, alert.deadline)),
            reason=alert.reason,
            about=about.full_name if about else None,
            about_sent=parent.sent_at if parent else None,
        )
        message = dossier_message(lang, facts, dossier_url=f"{base}/dossier/{alert.subject}")
    return message


def _signed(ctx: Context, alert: Claimed, plain: Message, now: datetime) -> Message:
    """The message with this recipient's own acknowledgement link: it must never travel further."""
    expires = now + timedelta(days=ctx.config.acknowledge.link_valid_days)
    link = ack_url(ctx.config.links.base_url, ctx.secret, AckClaim(alert.id, alert.recipient_key, expires))
    return with_footer(alert.language, plain, ack_url=link, alert_id=alert.id)


def _urls(ctx: Context, alert: Claimed, directory: Directory, broken: set[tuple[int, str]]) -> list[str]:
    if alert.recipient_key == ADMINS:
        return list(ctx.config.admins.urls)
    person = directory.by_id.get(alert.recipient_id) if alert.recipient_id is not None else None
    if person is None:
        return []
    return [url for url in person.urls if (person.id, fingerprint(url)) not in broken]


def _deliver_one(
    ctx: Context,
    alert: Claimed,
    plain: Message,
    now: datetime,
    directory: Directory,
    broken: set[tuple[int, str]],
) -> Counts:
    counts = Counts()
    urls = _urls(ctx, alert, directory, broken)
    message = _signed(ctx, alert, plain, now)
    stored = {"title": message.title, "body": message.body}
    if not urls:
        person = directory.by_id.get(alert.recipient_id) if alert.recipient_id is not None else None
        if person and person.urls:  # every channel of theirs is broken: the next level up is told
            rerouted = _reroute(ctx, alert, now, directory, "channel_broken", stored, plain)
            return metrics.outcome(alert.rule, metrics.NONE, rerouted)
        # Nobody registered a channel (or no administrator URL is configured): failed, visibly.
        with ctx.engine.begin() as conn:
            outbox.settle(
                conn, alert.id, worker=ctx.worker, state=AlertState.FAILED, last_error="no_channel", **stored
            )
        counts.failed += 1
        log.warning("alert %s failed: no channel", alert.id, extra=_about(alert, error="no_channel"))
        return metrics.outcome(alert.rule, metrics.NONE, counts)
    number = alert.attempts + 1
    tried: list[tuple[int, str, ChannelResult]] = []
    for url in urls:
        with ctx.engine.begin() as conn:  # committed before the message leaves: a crash shows
            attempt = outbox.begin_attempt(conn, alert_id=alert.id, number=number, now=now)
        started = perf_counter()
        result = send(
            url,
            message,
            alert_id=alert.id,
            urgent=alert.rule in ESCALATIONS,
            timeout=ctx.config.delivery.timeout_seconds,
        )
        metrics.observe_send(
            result.service, ok=result.ok, permanent=result.permanent, seconds=perf_counter() - started
        )
        log.info(
            "alert %s attempt %s via %s: %s",
            alert.id,
            number,
            result.service,
            "ok" if result.ok else result.error,
            extra=_about(
                alert,
                attempt=number,
                channel=result.service,
                outcome="ok" if result.ok else "permanent" if result.permanent else "error",
                error=result.error,
            ),
        )
        tried.append((attempt, url, result))
    results = [result for _, _, result in tried]
    channel = metrics.delivered_via(results)
    errors = " | ".join(f"{r.url}: {r.error}" for r in results if not r.ok) or None
    rerouting = (
        not any(r.ok for r in results) and all(r.permanent for r in results) and alert.recipient_key != ADMINS
    )
    with ctx.engine.begin() as conn:  # the attempts' outcome and the alert's next state together
        for attempt, url, result in tried:
            outbox.end_attempt(conn, attempt, now=now, result=asdict(result))
            if result.permanent and alert.recipient_id is not None:
                _mark_broken(ctx, conn, alert, url, result, now, directory)
        if any(r.ok for r in results):
            channels = ",".join(sorted({r.service or "?" for r in results if r.ok}))
            outbox.settle(
                conn,
                alert.id,
                worker=ctx.worker,
                state=AlertState.SENT,
                sent_at=now,
                channels=channels,
                attempts=number,
                last_error=errors,
                **stored,
            )
            counts.sent += 1
        elif rerouting:
            pass  # below, once the attempts are recorded
        elif number >= ctx.config.delivery.max_attempts:
            outbox.settle(
                conn,
                alert.id,
                worker=ctx.worker,
                state=AlertState.FAILED,
                attempts=number,
                last_error=errors,
                **stored,
            )
            counts.failed += 1
            log.warning(
                "alert %s failed after %s attempts: %s",
                alert.id,
                number,
                errors,
                extra=_about(alert, attempt=number, error=errors),
            )
        else:
            retry_at = now + timedelta(minutes=ctx.config.delivery.backoff_minutes[number - 1])
            if alert.rule != Rule.CHANNEL_BROKEN and not (
                alert.rule in ESCALATIONS and ctx.config.overdue.immediate
            ):
                retry_at = office_opens(ctx.clock, retry_at)  # a warning's retry waits for office hours too
            outbox.settle(
                conn,
                alert.id,
                worker=ctx.worker,
                state=AlertState.PENDING,
                attempts=number,
                next_attempt_at=retry_at,
                last_error=errors,
                **stored,
            )
            counts.retried += 1
    if rerouting:
        rerouted = _reroute(
            ctx,
            alert,
            now,
            directory,
            "channel_broken",
            {**stored, "attempts": number, "last_error": errors},
            plain,
        )
        return metrics.outcome(alert.rule, channel, rerouted)
    return metrics.outcome(alert.rule, channel, counts)


def _mark_broken(
    ctx: Context,
    conn: Connection,
    alert: Claimed,
    url: str,
    result: ChannelResult,
    now: datetime,
    directory: Directory,
) -> None:
    """A channel refused for good: remember it and tell the administrators once."""
    assert alert.recipient_id is not None
    first = outbox.mark_broken(
        conn,
        official_id=alert.recipient_id,
        fingerprint=fingerprint(url),
        url=result.url,
        error=result.error or "",
        now=now,
    )
    if not first:
        return
    person = directory.by_id.get(alert.recipient_id)
    who = f"{person.full_name} ({person.code})" if person else str(alert.recipient_id)
    message = broken_message("vi", who=who, url=result.url, error=result.error or "")
    _enqueue(
        conn,
        [
            NewAlert(
                subject=person.code if person else str(alert.recipient_id),
                rule=str(Rule.CHANNEL_BROKEN),
                recipient_key=ADMINS,
                deadline=now,
                level=int(Audience.ADMINS),
                not_before=now,
                unit_id=person.unit_id if person else None,
                title=message.title,
                body=message.body,
            )
        ],
        now=now,
    )


def _reroute(  # type: ignore[type-arg]
    ctx: Context,
    alert: Claimed,
    now: datetime,
    directory: Directory,
    reason: str,
    stored: dict,
    plain: Message,
) -> Counts:
    """The recipient cannot be reached: the next person up the chain is told instead.

    A dossier alert is written afresh for its new reader (saying whom it was meant for); any
    other message (a digest) travels as it was, under a line saying why, and without the first
    recipient's acknowledgement link.
    """
    counts = Counts()
    sector = None
    if alert.dossier_id is not None:
        with ctx.engine.connect() as conn:
            sector = dossier_sector(conn, alert.dossier_id)
    first_person = directory.by_id.get(alert.recipient_id) if alert.recipient_id is not None else None
    first = first_person.full_name if first_person else alert.recipient_key
    if alert.level >= Audience.SUPERVISOR or alert.recipient_key == ADMINS:
        level, found = Audience.ADMINS, []
    else:
        level, found = directory.reach(
            Audience(alert.level + 1), unit_id=alert.unit_id, sector_id=sector, handler_id=None
        )
    rows = [
        NewAlert(
            # A forwarded digest is keyed by whom it was meant for: the reader has their own.
            subject=alert.subject
            if alert.rule in DOSSIER_RULES
            else f"{alert.subject}:{alert.recipient_key}",
            rule=alert.rule,
            recipient_key=person.key if person else ADMINS,
            deadline=alert.deadline,
            level=int(level),
            not_before=now,
            dossier_id=alert.dossier_id,
            unit_id=alert.unit_id,
            recipient_id=person.id if person else None,
            language=person.language if person else "vi",
            parent_id=alert.id,
            reason=reason,
            **({} if alert.rule in DOSSIER_RULES else _forwarded(plain, person, first, reason)),
        )
        for person in (found or [None])
    ]
    if alert.recipient_key == ADMINS:
        rows = []  # nobody above the administrators: the row fails visibly instead
    with ctx.engine.begin() as conn:
        if rows:
            _enqueue(conn, rows, now=now)
            outbox.settle(
                conn,
                alert.id,
                worker=ctx.worker,
                state=AlertState.REROUTED,
                **{**stored, "last_error": reason},
            )
            counts.rerouted += 1
        else:
            outbox.settle(
                conn, alert.id, worker=ctx.worker, state=AlertState.FAILED, **{**stored, "last_error": reason}
            )
            counts.failed += 1
    log.info(
        "alert %s %s: %s",
        alert.id,
        "rerouted one level up" if rows else "failed, nobody above",
        reason,
        extra=_about(alert, reason=reason, to=",".join(row.recipient_key for row in rows) or None),
    )
    return counts


def _forwarded(plain: Message, person: Person | None, first: str, reason: str) -> dict[str, str]:
    lang = person.language if person else "vi"
    return {
        "title": say(lang, "forwarded", title=plain.title),
        "body": "\n\n".join([say(lang, f"reason.{reason}", who=first, sent=""), plain.body]),
    }


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


def _about(alert: Claimed, **more: Any) -> dict[str, Any]:
    """The fields of every log line about one alert (queries/logsetup.py writes them as fields):
    its id, which X-Alert-Id and "Mã cảnh báo" carry too, its rule, recipient and dossier code."""
    fields: dict[str, Any] = {"alert_id": alert.id, "rule": alert.rule, "recipient": alert.recipient_key}
    if alert.dossier_id is not None:
        fields["dossier"] = alert.subject
    return fields | more


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
