"""The alert outbox: enqueue once, claim once, record every attempt.

Exactly-once rests on the database, not on the process: enqueueing is INSERT ... ON CONFLICT DO
NOTHING on the alert's key (subject, rule, recipient, deadline), and a sender owns a row only
after a conditional UPDATE that matched exactly one row. A sender that dies keeps its claim until
the lease runs out; the next sender then retries the row (at-least-once for the one message that
was in flight, which carries the alert id so a receiver can drop the duplicate).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from queries.models import AlertAttempt, AlertRow, AlertTick, BrokenChannel


class AlertState(StrEnum):
    PENDING = "pending"  # waiting for its time (quiet hours, backoff)
    SENDING = "sending"  # claimed by a sender
    SENT = "sent"  # at least one of the recipient's channels accepted it
    FAILED = "failed"  # every attempt failed; shown on the dashboard and counted
    CANCELLED = "cancelled"  # the condition ended before it was sent (dossier finished, due moved)
    REROUTED = "rerouted"  # the recipient could not be reached; the next level up was told


@dataclass(frozen=True)
class NewAlert:
    subject: str
    rule: str
    recipient_key: str
    deadline: datetime
    level: int
    not_before: datetime
    dossier_id: int | None = None
    unit_id: int | None = None
    recipient_id: int | None = None
    language: str = "vi"
    parent_id: int | None = None
    reason: str | None = None
    title: str | None = None  # digests are written when enqueued; dossier alerts when sent
    body: str | None = None

    @property
    def condition(self) -> tuple[str, str, datetime]:
        return (self.subject, self.rule, self.deadline)


def enqueue(conn: Connection, alerts: Sequence[NewAlert], *, now: datetime) -> list[int]:
    """Insert the alerts not already in the outbox; returns the ids of the new rows.

    Each tick proposes every alert that holds, almost all of them known: they are filtered out
    with a read of the unique index first (cheaper than thousands of conflicting inserts); the
    insert still skips conflicts, for the row a second scheduler wrote in between.
    """
    known = _known_keys(conn, sorted({alert.subject for alert in alerts}))
    alerts = [a for a in alerts if (a.subject, a.rule, a.recipient_key, a.deadline) not in known]
    if not alerts:
        return []
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(AlertRow)
        .on_conflict_do_nothing(index_elements=["subject", "rule", "recipient_key", "deadline"])
        .returning(AlertRow.id)
    )
    rows = [
        {
            **vars(alert),  # shallow: asdict() deep-copies and was a third of a steady tick
            "state": str(AlertState.PENDING),
            "created_at": now,
            "next_attempt_at": alert.not_before,
            "attempts": 0,
        }
        for alert in alerts
    ]
    ids: list[int] = []
    for start in range(0, len(rows), 1000):
        ids.extend(conn.execute(stmt, rows[start : start + 1000]).scalars().all())
    return ids


def _known_keys(conn: Connection, subjects: list[str]) -> set[tuple[str, str, str, datetime]]:
    known: set[tuple[str, str, str, datetime]] = set()
    for start in range(0, len(subjects), 1000):
        stmt = select(AlertRow.subject, AlertRow.rule, AlertRow.recipient_key, AlertRow.deadline).where(
            AlertRow.subject.in_(subjects[start : start + 1000])
        )
        known.update((row[0], row[1], row[2], row[3]) for row in conn.execute(stmt))
    return known


def rules_of(conn: Connection, ids: Sequence[int]) -> dict[str, int]:
    """How many of these outbox rows each rule has (the metrics count new rows by rule)."""
    counts: dict[str, int] = {}
    for start in range(0, len(ids), 1000):
        stmt = (
            select(AlertRow.rule, func.count())
            .where(AlertRow.id.in_(ids[start : start + 1000]))
            .group_by(AlertRow.rule)
        )
        for rule, count in conn.execute(stmt):
            counts[rule] = counts.get(rule, 0) + count
    return counts


def written(conn: Connection, *, subject: str, rule: str, deadline: datetime) -> bool:
    """Whether any row of this kind exists already (the digests of a day are computed once)."""
    stmt = select(AlertRow.id).where(
        AlertRow.subject == subject, AlertRow.rule == rule, AlertRow.deadline == deadline
    )
    return conn.execute(stmt.limit(1)).first() is not None


@dataclass(frozen=True)
class Waiting:
    id: int
    subject: str
    rule: str
    deadline: datetime

    @property
    def condition(self) -> tuple[str, str, datetime]:
        return (self.subject, self.rule, self.deadline)


def waiting(conn: Connection, *, rules: Iterable[str]) -> list[Waiting]:
    """Alerts of these rules not yet sent: a few thousand at most, checked against the rules each tick."""
    stmt = select(AlertRow.id, AlertRow.subject, AlertRow.rule, AlertRow.deadline).where(
        AlertRow.state == str(AlertState.PENDING), AlertRow.rule.in_(list(rules))
    )
    return [Waiting(*row) for row in conn.execute(stmt)]


def cancel(conn: Connection, ids: Sequence[int], *, why: str) -> int:
    cancelled = 0
    for start in range(0, len(ids), 1000):
        cancelled += conn.execute(
            update(AlertRow)
            .where(AlertRow.id.in_(ids[start : start + 1000]), AlertRow.state == str(AlertState.PENDING))
            .values(state=str(AlertState.CANCELLED), last_error=why)
        ).rowcount
    return cancelled


@dataclass(frozen=True)
class Unanswered:
    id: int
    subject: str
    rule: str
    deadline: datetime
    level: int
    dossier_id: int | None
    unit_id: int | None
    sent_at: datetime

    @property
    def condition(self) -> tuple[str, str, datetime]:
        return (self.subject, self.rule, self.deadline)


def unanswered(
    conn: Connection, *, rules: Iterable[str], sent_before: datetime, now: datetime
) -> list[Unanswered]:
    """Sent alerts nobody acknowledged or snoozed past now, that have not climbed yet."""
    stmt = select(
        AlertRow.id,
        AlertRow.subject,
        AlertRow.rule,
        AlertRow.deadline,
        AlertRow.level,
        AlertRow.dossier_id,
        AlertRow.unit_id,
        AlertRow.sent_at,
    ).where(
        AlertRow.state == str(AlertState.SENT),
        AlertRow.rule.in_(list(rules)),
        AlertRow.acknowledged_at.is_(None),
        AlertRow.climbed_at.is_(None),
        AlertRow.sent_at <= sent_before,
        or_(AlertRow.snoozed_until.is_(None), AlertRow.snoozed_until <= now),
    )
    return [Unanswered(*row) for row in conn.execute(stmt)]


def mark_climbed(conn: Connection, ids: Sequence[int], *, now: datetime) -> None:
    for start in range(0, len(ids), 1000):
        conn.execute(
            update(AlertRow).where(AlertRow.id.in_(ids[start : start + 1000])).values(climbed_at=now)
        )


@dataclass(frozen=True)
class Claimed:
    id: int
    subject: str
    rule: str
    recipient_key: str
    recipient_id: int | None
    deadline: datetime
    dossier_id: int | None
    unit_id: int | None
    level: int
    language: str
    attempts: int
    reason: str | None
    created_at: datetime
    parent_id: int | None
    title: str | None
    body: str | None


def _claimable(now: datetime, lease_expired: datetime) -> Any:
    return or_(
        and_(
            AlertRow.state == str(AlertState.PENDING),
            AlertRow.not_before <= now,
            AlertRow.next_attempt_at <= now,
        ),
        and_(AlertRow.state == str(AlertState.SENDING), AlertRow.claimed_at < lease_expired),
    )


def claim(
    conn: Connection, *, worker: str, now: datetime, lease_expired: datetime, limit: int
) -> list[Claimed]:
    """Take up to `limit` due alerts for this worker: only the rows the conditional update hit.

    One UPDATE for the batch: on PostgreSQL a row another sender claimed meanwhile fails the
    re-checked WHERE and is skipped; SQLite serializes writers. The caller commits right after,
    so another sender sees the claims.
    """
    candidates = list(
        conn.execute(
            select(AlertRow.id)
            .where(_claimable(now, lease_expired))
            .order_by(AlertRow.level.desc(), AlertRow.next_attempt_at, AlertRow.id)
            .limit(limit)
        ).scalars()
    )
    if not candidates:
        return []
    conn.execute(
        update(AlertRow)
        .where(AlertRow.id.in_(candidates), _claimable(now, lease_expired))
        .values(state=str(AlertState.SENDING), claimed_by=worker, claimed_at=now)
    )
    mine = and_(
        AlertRow.id.in_(candidates),
        AlertRow.state == str(AlertState.SENDING),
        AlertRow.claimed_by == worker,
        AlertRow.claimed_at == now,
    )
    rows = conn.execute(
        select(
            AlertRow.id,
            AlertRow.subject,
            AlertRow.rule,
            AlertRow.recipient_key,
            AlertRow.recipient_id,
            AlertRow.deadline,
            AlertRow.dossier_id,
            AlertRow.unit_id,
            AlertRow.level,
            AlertRow.language,
            AlertRow.attempts,
            AlertRow.reason,
            AlertRow.created_at,
            AlertRow.parent_id,
            AlertRow.title,
            AlertRow.body,
        )
        .where(mine)
        .order_by(AlertRow.id)
    )
    return [Claimed(*row) for row in rows]


@dataclass(frozen=True)
class Parent:
    recipient_id: int | None
    sent_at: datetime | None


def parents(conn: Connection, ids: Sequence[int]) -> dict[int, Parent]:
    """Whom a climbed or rerouted alert was first meant for, to say so in the message."""
    if not ids:
        return {}
    rows = conn.execute(
        select(AlertRow.id, AlertRow.recipient_id, AlertRow.sent_at).where(AlertRow.id.in_(list(ids)))
    )
    return {row.id: Parent(row.recipient_id, row.sent_at) for row in rows}


def last_attempt_numbers(conn: Connection, ids: Sequence[int]) -> dict[int, int]:
    """The highest attempt number recorded per alert (a killed sender's attempt is recorded too)."""
    if not ids:
        return {}
    stmt = (
        select(AlertAttempt.alert_id, func.max(AlertAttempt.number))
        .where(AlertAttempt.alert_id.in_(list(ids)))
        .group_by(AlertAttempt.alert_id)
    )
    return {row[0]: row[1] for row in conn.execute(stmt)}


def begin_attempt(conn: Connection, *, alert_id: int, number: int, now: datetime) -> int:
    """An attempt is written (and committed by the caller) before the message leaves."""
    return conn.execute(
        AlertAttempt.__table__.insert()
        .values(alert_id=alert_id, number=number, started_at=now, permanent=False)
        .returning(AlertAttempt.id)
    ).scalar_one()


def end_attempt(conn: Connection, attempt_id: int, *, now: datetime, result: dict[str, Any]) -> None:
    """`result`: service, url (privacy form), ok, permanent, error."""
    conn.execute(update(AlertAttempt).where(AlertAttempt.id == attempt_id).values(finished_at=now, **result))


def _mine(alert_id: int, worker: str) -> Any:
    return and_(
        AlertRow.id == alert_id, AlertRow.state == str(AlertState.SENDING), AlertRow.claimed_by == worker
    )


def settle(conn: Connection, alert_id: int, *, worker: str, state: AlertState, **values: Any) -> bool:
    """Move a claimed alert to its next state; False when the claim was lost (lease expired)."""
    if state is not AlertState.PENDING:
        values.setdefault("claimed_by", worker)
    else:
        values.update(claimed_by=None, claimed_at=None)
    return (
        conn.execute(
            update(AlertRow).where(_mine(alert_id, worker)).values(state=str(state), **values)
        ).rowcount
        == 1
    )


def release_unstarted(conn: Connection, *, worker: str, claimed_at: datetime) -> int:
    """Give back the claims of a pass the database interrupted, for the alerts it never tried.

    A pass claims a batch, then sends one alert at a time, writing each attempt row (committed)
    before its message leaves. When the database goes away in the middle, the claims stay behind;
    a claim whose current attempt (number = attempts + 1) has no row was never handed to a channel,
    so it can go back to pending at once instead of waiting out the lease. A claim with that row
    may have been delivered: it keeps its lease (the one in-flight message of docs/alerts.md).
    Matched by worker and claim time, so another pass of the same process is never touched.
    """
    started = (
        select(AlertAttempt.id)
        .where(AlertAttempt.alert_id == AlertRow.id, AlertAttempt.number == AlertRow.attempts + 1)
        .exists()
    )
    return conn.execute(
        update(AlertRow)
        .where(
            AlertRow.state == str(AlertState.SENDING),
            AlertRow.claimed_by == worker,
            AlertRow.claimed_at == claimed_at,
            ~started,
        )
        .values(state=str(AlertState.PENDING), claimed_by=None, claimed_at=None)
    ).rowcount


def broken_fingerprints(conn: Connection) -> set[tuple[int, str]]:
    return {tuple(row) for row in conn.execute(select(BrokenChannel.official_id, BrokenChannel.fingerprint))}  # type: ignore[misc]


def mark_broken(
    conn: Connection, *, official_id: int, fingerprint: str, url: str, error: str, now: datetime
) -> bool:
    """Record a channel as broken; True when it was not already known (administrators are told once)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = (
        dialect.insert(BrokenChannel)
        .values(official_id=official_id, fingerprint=fingerprint, url=url, broken_at=now, error=error)
        .on_conflict_do_nothing(index_elements=["official_id", "fingerprint"])
        .returning(BrokenChannel.id)
    )
    return conn.execute(stmt).first() is not None


def clear_broken(conn: Connection, *, official_id: int) -> int:
    """Forget an official's broken channels (after the URLs were corrected)."""
    return conn.execute(
        BrokenChannel.__table__.delete().where(BrokenChannel.official_id == official_id)
    ).rowcount


class Answer(StrEnum):
    DONE = "done"
    ALREADY = "already"  # the link was used before: nothing changes
    UNKNOWN = "unknown"  # no such alert for this recipient


def acknowledge(conn: Connection, alert_id: int, *, recipient_key: str, by: str, now: datetime) -> Answer:
    hit = conn.execute(
        update(AlertRow)
        .where(
            AlertRow.id == alert_id,
            AlertRow.recipient_key == recipient_key,
            AlertRow.acknowledged_at.is_(None),
        )
        .values(acknowledged_at=now, acknowledged_by=by)
    ).rowcount
    return Answer.DONE if hit == 1 else _why_not(conn, alert_id, recipient_key)


def snooze(conn: Connection, alert_id: int, *, recipient_key: str, until: datetime) -> Answer:
    """Hold back the climb once: the recipient is on it but needs time."""
    hit = conn.execute(
        update(AlertRow)
        .where(
            AlertRow.id == alert_id,
            AlertRow.recipient_key == recipient_key,
            AlertRow.acknowledged_at.is_(None),
            AlertRow.snoozed_until.is_(None),
        )
        .values(snoozed_until=until)
    ).rowcount
    return Answer.DONE if hit == 1 else _why_not(conn, alert_id, recipient_key)


def _why_not(conn: Connection, alert_id: int, recipient_key: str) -> Answer:
    exists = conn.execute(
        select(AlertRow.id).where(AlertRow.id == alert_id, AlertRow.recipient_key == recipient_key)
    ).first()
    return Answer.ALREADY if exists else Answer.UNKNOWN


def begin_tick(conn: Connection, *, as_of: datetime, started_at: datetime, worker: str) -> int:
    return conn.execute(
        AlertTick.__table__.insert()
        .values(as_of=as_of, started_at=started_at, worker=worker, evaluated=0, enqueued=0, sent=0, failed=0)
        .returning(AlertTick.id)
    ).scalar_one()


def end_tick(conn: Connection, tick_id: int, *, finished_at: datetime, **counts: Any) -> None:
    conn.execute(update(AlertTick).where(AlertTick.id == tick_id).values(finished_at=finished_at, **counts))


def last_finished_tick(conn: Connection) -> datetime | None:
    """The scheduler's heartbeat: when its last pass finished (wall time, Vietnam)."""
    return conn.execute(select(func.max(AlertTick.finished_at)).where(AlertTick.error.is_(None))).scalar()
