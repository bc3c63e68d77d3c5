"""The audit trail: logins, exports, acknowledgements, changes to users, rules, notification
URLs and the calendar. Append-only: this module only inserts, and the database refuses UPDATE
and DELETE on the table (migration 0006).

`detail` is a small JSON object. Callers never put a password, a token or a whole notification
URL in it (notification URLs are recorded by their Apprise privacy form or fingerprint).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from queries.models import AuditEntry
from queries.timeutil import vn_now

#: Every action the application records, for the audit page's filter and the docs.
ACTIONS = (
    "login",
    "login_failed",
    "login_locked",
    "login_throttled",
    "logout",
    "export",
    "alert_acknowledged",
    "alert_snoozed",
    "user_added",
    "user_disabled",
    "user_enabled",
    "password_reset",
    "notify_urls_changed",
    "rules_changed",
    "calendar_changed",
    "access_denied",
)


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any]
    address: str | None


def record(
    conn: Connection,
    *,
    actor: str,
    action: str,
    target: str | None = None,
    detail: Mapping[str, Any] | None = None,
    address: str | None = None,
    at: datetime | None = None,
) -> None:
    """Append one event; in the caller's transaction, so it stands or falls with the change."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    conn.execute(
        insert(AuditEntry).values(
            at=at or vn_now(),
            actor=actor[:80],
            action=action,
            target=target[:200] if target else None,
            detail=json.dumps(dict(detail), ensure_ascii=False, default=str) if detail else None,
            address=address[:64] if address else None,
        )
    )


def entries(
    conn: Connection,
    *,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    offset: int = 0,
    limit: int = 200,
) -> list[AuditRow]:
    """The newest events first, optionally of one action or actor and within a time range."""
    stmt = select(*AuditEntry.__table__.c).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    stmt = _where(stmt, action=action, actor=actor, since=since, until=until)
    rows = conn.execute(stmt.offset(max(0, offset)).limit(max(1, min(limit, 5000))))
    return [
        AuditRow(r.id, r.at, r.actor, r.action, r.target, json.loads(r.detail) if r.detail else {}, r.address)
        for r in rows
    ]


def count(
    conn: Connection,
    *,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    stmt = _where(
        select(func.count()).select_from(AuditEntry), action=action, actor=actor, since=since, until=until
    )
    return int(conn.execute(stmt).scalar_one())


def actors(conn: Connection, *, limit: int = 500) -> list[str]:
    """Who appears in the trail, most recently active first (the audit page's actor choices)."""
    stmt = (
        select(AuditEntry.actor)
        .group_by(AuditEntry.actor)
        .order_by(func.max(AuditEntry.at).desc(), AuditEntry.actor)
        .limit(limit)
    )
    return list(conn.execute(stmt).scalars())


def failures_from(conn: Connection, address: str, *, since: datetime) -> int:
    """Failed logins from one address since a moment: the per-address brake on guessing."""
    stmt = select(func.count()).where(
        AuditEntry.action.in_(("login_failed", "login_locked")),
        AuditEntry.address == address,
        AuditEntry.at >= since,
    )
    return int(conn.execute(stmt).scalar_one())


def last_detail(conn: Connection, action: str, target: str) -> dict[str, Any] | None:
    """The detail of the newest event of this action on this target (e.g. a file's last hash)."""
    row = conn.execute(
        select(AuditEntry.detail)
        .where(AuditEntry.action == action, AuditEntry.target == target)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return json.loads(row[0]) if row[0] else {}


def _where(stmt: Any, **given: Any) -> Any:
    if given["action"]:
        stmt = stmt.where(AuditEntry.action == given["action"])
    if given["actor"]:
        stmt = stmt.where(AuditEntry.actor == given["actor"])
    if given["since"] is not None:
        stmt = stmt.where(AuditEntry.at >= given["since"])
    if given["until"] is not None:
        stmt = stmt.where(AuditEntry.at < given["until"])
    return stmt
