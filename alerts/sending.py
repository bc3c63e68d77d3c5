"""Deliver what is due: claim, render, send to each channel, record, retry, reroute.

Each alert is claimed by a conditional update, its attempt row committed before the message
leaves, and its outcome and next state written together; see docs/alerts.md for the one boundary
of exactly-once (the single message in flight when a sender dies).
"""

from __future__ import annotations

import logging
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from time import perf_counter
from typing import Any

from sqlalchemy import Connection

from alerts import metrics
from alerts.context import Context, Counts, enqueue
from alerts.delivery import ChannelResult, fingerprint, send
from alerts.evaluate import ADMINS, Directory, office_opens
from alerts.messages import DossierFacts, Message, broken_message, dossier_message, say, with_footer
from alerts.rules import DOSSIER_RULES, ESCALATIONS, Audience, Rule
from queries import outbox
from queries.ack_links import AckClaim, ack_url
from queries.alert_watch import Person, dossier_labels, dossier_sector, people, step_names
from queries.outbox import AlertState, Claimed, NewAlert

log = logging.getLogger("alerts")


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
            # A sender that died mid-send left an attempt row it never counted: number after it.
            tried = outbox.last_attempt_numbers(conn, [a.id for a in claimed])
            steps = step_names(
                conn,
                [(a.dossier_id, a.deadline) for a in claimed if a.rule == Rule.STEP_LATE and a.dossier_id],
            )
        for alert in claimed:
            alert = replace(alert, attempts=max(alert.attempts, tried.get(alert.id, 0)))
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
            remaining_days=ctx.clock.working_hours(now, alert.deadline) / ctx.clock.hours_per_day,
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
    enqueue(
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
            enqueue(conn, rows, now=now)
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


def _about(alert: Claimed, **more: Any) -> dict[str, Any]:
    """The fields of every log line about one alert (queries/logsetup.py writes them as fields):
    its id, which X-Alert-Id and "Mã cảnh báo" carry too, its rule, recipient and dossier code."""
    fields: dict[str, Any] = {"alert_id": alert.id, "rule": alert.rule, "recipient": alert.recipient_key}
    if alert.dossier_id is not None:
        fields["dossier"] = alert.subject
    return fields | more
