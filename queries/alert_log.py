"""The alert log: who was told what, when, through which channel, and whether they acknowledged.

Read-only views of the tables the alerting process owns (`alert_outbox`, `alert_attempts`), for
the dashboard's alert log, the dossier and official pages and the acknowledgement page. The log
is an audit record a province shows in an inspection, so nothing here summarises away a row:
every alert keeps its recipient, its state, its channels and its acknowledgement.

The display states fold the outbox's six into what a reader asks about: *waiting* is pending or
sending (quiet hours, backoff, or a sender at work), *acknowledged* and *unacknowledged* split
the sent ones by the recipient's answer. Periods apply to when an alert was created (the moment
the rule fired), in Vietnam local time like every timestamp in the database.

Every function takes the reader's scope (queries/scope.py) and reads only the alerts it covers:
a chairperson the alerts of their unit, an official only the alerts addressed to them, a
supervisor limited to some sectors the alerts about dossiers of those sectors and those
addressed to them. Asking for an alert, a unit, an official or a dossier outside the scope
raises OutOfScope rather than answering "nothing": the log is evidence, and an empty answer
would read as "never alerted".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select

from queries.kpis import check_dossier, check_official
from queries.models import AlertAttempt, AlertRow, Dossier, Official, Sector, Unit
from queries.notify_urls import without_custom_values
from queries.outbox import AlertState
from queries.scope import OutOfScope, Scope

#: The state filter's values, in the order a reader meets them.
STATE_FILTERS = ("waiting", "sent", "unacknowledged", "acknowledged", "failed", "rerouted", "cancelled")
WAITING = (str(AlertState.PENDING), str(AlertState.SENDING))
MAX_PAGE = 1000  # never answer more rows than this in one page, whatever the caller asks


@dataclass(frozen=True)
class AlertEntry:
    """One alert as the log shows it; `attempts` counts the recorded attempts over all channels."""

    id: int
    created_at: datetime
    sent_at: datetime | None
    state: str
    rule: str
    level: int
    subject: str  # dossier code, official code (broken channel) or "digest"
    dossier_code: str | None  # set when the alert is about a dossier that still exists
    unit_code: str | None
    unit_name_vi: str | None
    unit_name_en: str | None
    recipient_key: str  # "official:<code>" or "admins"
    recipient_code: str | None
    recipient_name: str | None
    channels: str | None  # the services that accepted it, comma-separated
    attempts: int
    last_error: str | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    snoozed_until: datetime | None
    climbed_at: datetime | None
    reason: str | None  # why it was sent to this level: no_recipient, channel_broken, unacknowledged
    parent_id: int | None
    deadline: datetime
    title: str | None
    language: str


@dataclass(frozen=True)
class AttemptEntry:
    number: int  # the delivery round; one round tries each of the recipient's channels
    started_at: datetime
    finished_at: datetime | None
    service: str | None
    url: str | None  # Apprise's privacy form: no secrets
    ok: bool | None  # None: the sender died before the channel answered
    permanent: bool
    error: str | None


@dataclass(frozen=True)
class AlertMessage:
    """What the recipient was told; None parts: the alert was never rendered (still waiting)."""

    title: str | None
    body: str | None


@dataclass(frozen=True)
class LogQuery:
    """Which alerts the log shows: a creation period (inclusive days) and optional filters."""

    start: date | None = None
    end: date | None = None
    unit_code: str | None = None
    state: str | None = None  # one of STATE_FILTERS
    official_code: str | None = None  # alerts sent to this official
    dossier_code: str | None = None


@dataclass(frozen=True)
class StateCounts:
    """The summary above the log: every alert counts once in its state."""

    waiting: int = 0
    sent: int = 0
    failed: int = 0
    rerouted: int = 0
    cancelled: int = 0
    acknowledged: int = 0  # of any state (a rerouted alert can still be acknowledged by its link)
    unacknowledged: int = 0  # sent and not acknowledged

    @property
    def total(self) -> int:
        return self.waiting + self.sent + self.failed + self.rerouted + self.cancelled


#: Sortable columns of the log (the grid's column ids); the default is the newest first.
SORTABLE: dict[str, Any] = {
    "created_at": AlertRow.created_at,
    "sent_at": AlertRow.sent_at,
    "state": AlertRow.state,
    "rule": AlertRow.rule,
    "level": AlertRow.level,
    "subject": AlertRow.subject,
    "unit": Unit.name_vi,
    "recipient": Official.full_name,
    "acknowledged_at": AlertRow.acknowledged_at,
}


def _entries() -> Select[Any]:
    return (
        select(
            AlertRow.id,
            AlertRow.created_at,
            AlertRow.sent_at,
            AlertRow.state,
            AlertRow.rule,
            AlertRow.level,
            AlertRow.subject,
            Dossier.code,
            Unit.code,
            Unit.name_vi,
            Unit.name_en,
            AlertRow.recipient_key,
            Official.code,
            Official.full_name,
            AlertRow.channels,
            AlertRow.last_error,
            AlertRow.acknowledged_at,
            AlertRow.acknowledged_by,
            AlertRow.snoozed_until,
            AlertRow.climbed_at,
            AlertRow.reason,
            AlertRow.parent_id,
            AlertRow.deadline,
            AlertRow.title,
            AlertRow.language,
        )
        .outerjoin(Dossier, Dossier.id == AlertRow.dossier_id)
        .outerjoin(Unit, Unit.id == AlertRow.unit_id)
        .outerjoin(Official, Official.id == AlertRow.recipient_id)
    )


def _fetch(conn: Connection, stmt: Select[Any]) -> list[AlertEntry]:
    """Run an _entries() statement and add each alert's attempt count (one grouped query)."""
    rows = conn.execute(stmt).all()
    counts = attempt_counts(conn, [row[0] for row in rows])
    return [
        AlertEntry(
            *row[:14],
            channels=row[14],
            attempts=counts.get(row[0], 0),
            last_error=row[15],
            acknowledged_at=row[16],
            acknowledged_by=row[17],
            snoozed_until=row[18],
            climbed_at=row[19],
            reason=row[20],
            parent_id=row[21],
            deadline=row[22],
            title=row[23],
            language=row[24],
        )
        for row in rows
    ]


def attempt_counts(conn: Connection, alert_ids: Sequence[int]) -> dict[int, int]:
    """How many delivery attempts each alert has, for a page of ids (indexed by alert id)."""
    counts: dict[int, int] = {}
    ids = list(alert_ids)
    for start in range(0, len(ids), 1000):
        stmt = (
            select(AlertAttempt.alert_id, func.count())
            .where(AlertAttempt.alert_id.in_(ids[start : start + 1000]))
            .group_by(AlertAttempt.alert_id)
        )
        counts.update({alert_id: int(count) for alert_id, count in conn.execute(stmt)})
    return counts


def _newest_first(stmt: Select[Any]) -> Select[Any]:
    return stmt.order_by(AlertRow.created_at.desc(), AlertRow.id.desc())


#: The dossier an alert is about, apart from the one _entries() joins (no accidental correlation).
_ABOUT = aliased(Dossier)


def _id_of(conn: Connection, model: Any, code: str | None) -> int:
    found = conn.execute(select(model.id).where(model.code == code)).scalar() if code else None
    return int(found) if found is not None else -1  # unknown: matches nothing


def _visible(conn: Connection, scope: Scope) -> list[ColumnElement[bool]]:
    """The conditions that keep to the alerts the scope covers (none: the whole log)."""
    if scope.own_dossiers_only:
        return [AlertRow.recipient_id == _id_of(conn, Official, scope.official)]
    if scope.unit is not None:
        return [AlertRow.unit_id == _id_of(conn, Unit, scope.unit)]
    if scope.sectors:
        sector_ids = list(conn.execute(select(Sector.id).where(Sector.code.in_(scope.sectors))).scalars())
        about = exists().where(_ABOUT.id == AlertRow.dossier_id, _ABOUT.sector_id.in_(sector_ids or [-1]))
        if scope.official is None:
            return [about]
        return [or_(about, AlertRow.recipient_id == _id_of(conn, Official, scope.official))]
    return []


def _check_alert(conn: Connection, alert_id: int, scope: Scope) -> None:
    """OutOfScope when the alert exists and the scope does not cover it (unknown ids pass)."""
    visible = _visible(conn, scope)
    if not visible:
        return
    if conn.execute(select(AlertRow.id).where(AlertRow.id == alert_id, *visible)).first() is not None:
        return
    if conn.execute(select(AlertRow.id).where(AlertRow.id == alert_id)).first() is not None:
        raise OutOfScope("alert", str(alert_id))


def dossier_alerts(conn: Connection, code: str, *, scope: Scope) -> list[AlertEntry]:
    """Every alert about one dossier the scope covers, newest first (a dossier gathers a handful,
    never thousands); OutOfScope for a dossier outside the scope."""
    dossier = check_dossier(conn, code, scope)
    if dossier is None:
        return []
    stmt = _entries().where(AlertRow.dossier_id == dossier, *_visible(conn, scope))
    return _fetch(conn, _newest_first(stmt))


def official_alerts(conn: Connection, code: str, *, scope: Scope, limit: int = 50) -> list[AlertEntry]:
    """The latest alerts sent to one official, newest first; OutOfScope for an official outside
    the scope (queries.kpis.check_official)."""
    official = check_official(conn, code, scope)
    if official is None:
        return []
    stmt = _entries().where(AlertRow.recipient_id == official, *_visible(conn, scope))
    return _fetch(conn, _newest_first(stmt).limit(max(1, limit)))


def alert_entry(conn: Connection, alert_id: int, *, scope: Scope) -> AlertEntry | None:
    """One alert; None when there is no such alert; OutOfScope when the scope does not cover it."""
    _check_alert(conn, alert_id, scope)
    found = _fetch(conn, _entries().where(AlertRow.id == alert_id))
    return found[0] if found else None


def alert_message(conn: Connection, alert_id: int, *, scope: Scope) -> AlertMessage | None:
    """What the alert said, as alert_entry for its scope."""
    _check_alert(conn, alert_id, scope)
    row = conn.execute(select(AlertRow.title, AlertRow.body).where(AlertRow.id == alert_id)).first()
    return AlertMessage(row.title, row.body) if row else None


def alert_attempts(conn: Connection, alert_id: int, *, scope: Scope) -> list[AttemptEntry]:
    """Every attempt of one alert, in the order they were made; OutOfScope as alert_entry."""
    _check_alert(conn, alert_id, scope)
    stmt = (
        select(
            AlertAttempt.number,
            AlertAttempt.started_at,
            AlertAttempt.finished_at,
            AlertAttempt.service,
            AlertAttempt.url,
            AlertAttempt.ok,
            AlertAttempt.permanent,
            AlertAttempt.error,
        )
        .where(AlertAttempt.alert_id == alert_id)
        .order_by(AlertAttempt.number, AlertAttempt.id)
    )
    # Rows written before custom header and parameter values were masked (queries/notify_urls.py)
    # are masked on the way out.
    entries = [AttemptEntry(*row) for row in conn.execute(stmt)]
    return [replace(e, url=without_custom_values(e.url)) if e.url else e for e in entries]


def _state_condition(state: str) -> ColumnElement[bool]:
    if state == "waiting":
        return AlertRow.state.in_(WAITING)
    if state == "acknowledged":
        return AlertRow.acknowledged_at.is_not(None)
    if state == "unacknowledged":
        return and_(AlertRow.state == str(AlertState.SENT), AlertRow.acknowledged_at.is_(None))
    if state in ("sent", "failed", "rerouted", "cancelled"):
        return AlertRow.state == state
    raise ValueError(f"unknown alert state filter {state!r} (known: {', '.join(STATE_FILTERS)})")


def _where(
    conn: Connection, query: LogQuery, scope: Scope, *, with_state: bool = True
) -> list[ColumnElement[bool]]:
    """The query's conditions within the scope; OutOfScope for a unit, official or dossier outside it."""
    if query.unit_code is not None:
        scope.check_unit(query.unit_code)
    if query.official_code is not None:
        check_official(conn, query.official_code, scope)
    if query.dossier_code is not None:
        check_dossier(conn, query.dossier_code, scope)
    conditions: list[ColumnElement[bool]] = _visible(conn, scope)
    if query.start is not None:
        conditions.append(AlertRow.created_at >= datetime.combine(query.start, time.min))
    if query.end is not None:
        conditions.append(AlertRow.created_at < datetime.combine(query.end + timedelta(days=1), time.min))
    if query.unit_code is not None:
        unit = select(Unit.id).where(Unit.code == query.unit_code).scalar_subquery()
        conditions.append(AlertRow.unit_id == unit)
    if query.official_code is not None:
        official = select(Official.id).where(Official.code == query.official_code).scalar_subquery()
        conditions.append(AlertRow.recipient_id == official)
    if query.dossier_code is not None:
        dossier = select(Dossier.id).where(Dossier.code == query.dossier_code).scalar_subquery()
        conditions.append(AlertRow.dossier_id == dossier)
    if with_state and query.state is not None:
        conditions.append(_state_condition(query.state))
    return conditions


def alert_log(
    conn: Connection,
    query: LogQuery,
    *,
    scope: Scope,
    sort: Sequence[tuple[str, bool]] = (),
    offset: int = 0,
    limit: int = 100,
) -> list[AlertEntry]:
    """One page of the log in a stable order.

    `sort` is a list of (column, descending) with columns from SORTABLE (others are ignored);
    the default is the newest first. The alert id breaks ties, so pages never overlap.
    """
    order: list[Any] = []
    for name, descending in sort:
        column = SORTABLE.get(name)
        if column is None:
            continue
        # NULLs last in both directions and both dialects (they sort differently by default).
        order += [column.is_(None), column.desc() if descending else column.asc()]
    if not order:
        order = [AlertRow.created_at.desc()]
    stmt = (
        _entries()
        .where(*_where(conn, query, scope))
        .order_by(*order, AlertRow.id.desc())
        .offset(max(0, offset))
        .limit(max(1, min(limit, MAX_PAGE)))
    )
    return _fetch(conn, stmt)


def count_alerts(conn: Connection, query: LogQuery, *, scope: Scope) -> int:
    stmt = select(func.count()).select_from(AlertRow).where(*_where(conn, query, scope))
    return int(conn.execute(stmt).scalar_one())


def counts_by_state(conn: Connection, query: LogQuery, *, scope: Scope) -> StateCounts:
    """How many alerts of the query (its state filter aside) and the scope are in each state."""
    stmt = (
        select(AlertRow.state, func.count(), func.count(AlertRow.acknowledged_at))
        .where(*_where(conn, query, scope, with_state=False))
        .group_by(AlertRow.state)
    )
    by_state: dict[str, int] = {}
    acknowledged = unacknowledged = 0
    for state, count, acked in conn.execute(stmt):
        by_state[state] = by_state.get(state, 0) + int(count)
        acknowledged += int(acked)
        if state == AlertState.SENT:
            unacknowledged += int(count) - int(acked)
    return StateCounts(
        waiting=sum(by_state.get(state, 0) for state in WAITING),
        sent=by_state.get(str(AlertState.SENT), 0),
        failed=by_state.get(str(AlertState.FAILED), 0),
        rerouted=by_state.get(str(AlertState.REROUTED), 0),
        cancelled=by_state.get(str(AlertState.CANCELLED), 0),
        acknowledged=acknowledged,
        unacknowledged=unacknowledged,
    )


def official_name(conn: Connection, code: str, *, scope: Scope) -> str | None:
    """The name of an official, active or not: alerts outlive the people they were sent to.
    None for an unknown code; OutOfScope for an official outside the scope."""
    if check_official(conn, code, scope) is None:
        return None
    return conn.execute(select(Official.full_name).where(Official.code == code)).scalar()
