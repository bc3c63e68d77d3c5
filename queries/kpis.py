"""Period figures for units: received, resolved and their timeliness, backlog, channels, ratings.

Aggregation happens in SQL (one statement per kind of figure, grouped by unit when asked); only
counts come back. Definitions (docs/kpis.md):
- received: accepted dossiers (not state 1 submitted or 3 refused) with received_at in the period;
- resolved: dossiers that finished (states 7-10) in the period, split early / on time / late by
  the clock's stored verdict; on-time rate = (early + on time) / resolved;
- open, overdue, due within the cut-off: the backlog now (not the period), overdue = running clock
  past the working deadline;
- online share, digitized components and online payment over received (payment over fee-bearing
  procedures), digitized results over resolved with a result;
- satisfaction: ratings of 4-5 over ratings given in the period.

Where the counts come from: the received, resolved and ratings figures and the weekly trends
are sums over the per-day rollups (queries/rollups.py) once they have been built, and straight
off `dossiers` and `ratings` before that (source="raw" forces the latter; tests/test_rollups.py
checks both give the same). Periods are whole days and every filter (unit, sector, procedure,
channel) is a key column of `daily_rollups`, so the rollups serve every view the filters
describe: `daily_unit_rollups` (per unit and day) when no sector, procedure or channel is
chosen, `daily_rollups` otherwise. The open set (backlog, in process at the period's end) is
always read from `dossiers`: it depends on "now", and the partial index on open dossiers keeps
the current backlog to a few percent of the table.

Who sees what (queries/scope.py): every query function takes the user's Scope, and
`scope_ids` is where it turns into SQL for all of them. A unit-bound scope (chairperson,
official) is narrowed to its unit; a supervisor limited to some sectors gets `sector_id IN
(...)` (so the per-unit rollup, which has no sector column, is not used for them); an official's
*lists* of dossiers (not the unit's totals) hold only the dossiers they hold. A filter naming a
unit, sector or procedure outside the scope raises OutOfScope, never an empty answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, Date, DateTime, and_, case, cast, func, literal, select
from sqlalchemy.sql import ColumnElement, Select

from queries.domain import OPEN_STATUSES, PAUSED_STATUSES, Status
from queries.filters import Filters
from queries.models import DailyRollup, DailyUnitRollup, Dossier, Official, Procedure, Rating, Sector, Unit
from queries.scope import OutOfScope, Scope

OPEN = [str(s) for s in OPEN_STATUSES]
RUNNING = [str(s) for s in OPEN_STATUSES - PAUSED_STATUSES]
NOT_ACCEPTED = [str(Status.SUBMITTED), str(Status.REFUSED)]
WITH_RESULT = [str(Status.COMPLETED), str(Status.RETURNED)]

#: Where period counts are read: "auto" = the rollup once built, else the raw tables.
Source = Literal["auto", "rollup", "raw"]


@dataclass
class Kpis:
    received: int = 0
    online: int = 0
    digitized_components: int = 0
    fee_bearing: int = 0
    paid_online: int = 0
    resolved: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    with_result: int = 0
    digitized_results: int = 0
    open: int = 0
    overdue: int = 0
    due_soon: int = 0
    paused: int = 0
    in_process_at_end: int = 0
    in_time_at_end: int = 0
    ratings: int = 0
    satisfied: int = 0
    dissatisfied: int = 0
    rating_sum: int = 0
    ratings_timely: int = 0
    rating_sum_timely: int = 0
    ratings_late: int = 0
    rating_sum_late: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.resolved_early + self.resolved_on_time, self.resolved)

    @property
    def online_share(self) -> float | None:
        return _ratio(self.online, self.received)

    @property
    def digitized_share(self) -> float | None:
        return _ratio(self.digitized_components, self.received)

    @property
    def digitized_result_share(self) -> float | None:
        return _ratio(self.digitized_results, self.with_result)

    @property
    def payment_share(self) -> float | None:
        return _ratio(self.paid_online, self.fee_bearing)

    @property
    def satisfaction(self) -> float | None:
        return _ratio(self.satisfied, self.ratings)

    @property
    def average_rating(self) -> float | None:
        return _ratio(self.rating_sum, self.ratings)

    @property
    def average_rating_timely(self) -> float | None:
        """Mean score of dossiers finished early or on time: beside the late ones, what lateness costs."""
        return _ratio(self.rating_sum_timely, self.ratings_timely)

    @property
    def average_rating_late(self) -> float | None:
        return _ratio(self.rating_sum_late, self.ratings_late)

    @property
    def late_rate(self) -> float | None:
        return _ratio(self.resolved_late, self.resolved)

    @property
    def progress_ratio(self) -> float | None:
        """National-index style: (finished on time + in process within deadline) / processed."""
        return _ratio(
            self.resolved_early + self.resolved_on_time + self.in_time_at_end,
            self.resolved + self.in_process_at_end,
        )

    def add(self, name: str, value: int) -> None:
        setattr(self, name, getattr(self, name) + int(value or 0))

    def as_dict(self) -> dict[str, Any]:
        plain = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in (
            "on_time_rate",
            "online_share",
            "digitized_share",
            "digitized_result_share",
            "payment_share",
            "satisfaction",
            "average_rating",
            "average_rating_timely",
            "average_rating_late",
            "late_rate",
            "progress_ratio",
        ):
            plain[name] = getattr(self, name)
        return plain


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class ScopeIds:
    """The filters and the user's scope resolved to ids, ready for `apply_scope`.

    `sector_ids` is a sector-limited supervisor's list (None: no limit); `handler_id` is set only
    for an official's lists of dossiers (their unit's totals stay whole). Unknown codes resolve
    to -1, which matches nothing, as before scopes existed.
    """

    unit_id: int | None
    sector_id: int | None
    procedure_id: int | None
    sector_ids: tuple[int, ...] | None = None
    handler_id: int | None = None


def no_period(unit: str | None = None) -> Filters:
    """Filters naming at most a unit, for what has no period (a dossier, an official, the export):
    apply_scope never reads the dates."""
    day = date(2000, 1, 1)
    return Filters(start=day, end=day, unit=unit)


def check_scope(conn: Connection, filters: Filters, scope: Scope) -> Filters:
    """The filters narrowed to the scope (a unit-bound user's unit filled in); OutOfScope for a
    unit, sector or procedure outside it. Unknown codes pass: they stay FilterError's business
    (check_codes) or match nothing."""
    filters = scope.restrict(filters)
    if scope.sectors and filters.procedure is not None:
        sector = conn.execute(
            select(Sector.code)
            .join(Procedure, Procedure.sector_id == Sector.id)
            .where(Procedure.code == filters.procedure)
        ).scalar()
        if sector is not None and not scope.allows_sector(sector):
            raise OutOfScope("procedure", filters.procedure)
    return filters


def scope_ids(conn: Connection, filters: Filters, scope: Scope, *, dossier_list: bool = False) -> ScopeIds:
    """The filters within the scope as ids (see ScopeIds); OutOfScope as check_scope.

    `dossier_list`: the statement lists dossiers (or counts such a list), so an official sees only
    the dossiers they hold; aggregates (cards, trends, backlog by sector) leave it False.
    """
    filters = check_scope(conn, filters, scope)

    def lookup(model: Any, code: str | None) -> int | None:
        if code is None:
            return None
        found = conn.execute(select(model.id).where(model.code == code)).scalar()
        return int(found) if found is not None else -1  # unknown: matches nothing

    sector_ids = None
    if scope.sectors and filters.sector is None:  # a sector filter is already one of them
        found = conn.execute(select(Sector.id).where(Sector.code.in_(scope.sectors))).scalars()
        sector_ids = tuple(sorted(int(i) for i in found)) or (-1,)
    handler_id = None
    if dossier_list and scope.own_dossiers_only:
        handler_id = lookup(Official, scope.official)
    return ScopeIds(
        lookup(Unit, filters.unit),
        lookup(Sector, filters.sector),
        lookup(Procedure, filters.procedure),
        sector_ids,
        handler_id,
    )


def apply_scope(stmt: Select, ids: ScopeIds, filters: Filters) -> Select:
    if ids.unit_id is not None:
        stmt = stmt.where(Dossier.unit_id == ids.unit_id)
    if ids.sector_id is not None:
        stmt = stmt.where(Dossier.sector_id == ids.sector_id)
    if ids.sector_ids is not None:
        stmt = stmt.where(Dossier.sector_id.in_(ids.sector_ids))
    if ids.procedure_id is not None:
        stmt = stmt.where(Dossier.procedure_id == ids.procedure_id)
    if ids.handler_id is not None:
        stmt = stmt.where(Dossier.handler_id == ids.handler_id)
    if filters.channel is not None:
        stmt = stmt.where(Dossier.channel == filters.channel)
    return stmt


def check_dossier(conn: Connection, code: str, scope: Scope) -> int | None:
    """The id of the dossier with this code; None when there is none; OutOfScope when the scope
    does not cover it (another unit, another sector, or, for an official, not theirs)."""
    if "\x00" in code:  # PostgreSQL refuses a NUL byte with an error, not a miss
        return None
    found = conn.execute(select(Dossier.id).where(Dossier.code == code)).scalar()
    if found is None:
        return None
    anywhere = no_period()
    ids = scope_ids(conn, anywhere, scope, dossier_list=True)
    visible = apply_scope(select(Dossier.id).where(Dossier.id == found), ids, anywhere)
    if conn.execute(visible).first() is None:
        raise OutOfScope("dossier", code)
    return int(found)


def check_official(conn: Connection, code: str, scope: Scope) -> int | None:
    """The id of the official with this code when the scope may see what they hold; None when
    the code is unknown; OutOfScope for another unit's official, or, for an official, a colleague
    (officials see their own workload, not their colleagues')."""
    if "\x00" in code:  # PostgreSQL refuses a NUL byte with an error, not a miss
        return None
    row = conn.execute(
        select(Official.id, Unit.code).join(Unit, Unit.id == Official.unit_id).where(Official.code == code)
    ).first()
    if row is None:
        return None
    if not scope.allows_unit(row[1]) or (scope.own_dossiers_only and code != scope.official):
        raise OutOfScope("official", code)
    return int(row[0])


def period_bounds(filters: Filters) -> tuple[datetime, datetime]:
    return datetime.combine(filters.start, time()), datetime.combine(filters.end + timedelta(days=1), time())


def kpis_by_unit(
    conn: Connection,
    filters: Filters,
    *,
    scope: Scope,
    now: datetime,
    due_cutoff: datetime,
    by_unit: bool = True,
    source: Source = "auto",
) -> dict[int | None, Kpis]:
    """Figures for the period, keyed by unit id (or one entry keyed None when by_unit is False).

    A unit is present when it received, resolved or rated something in the period, or has open
    dossiers or dossiers in process at the period's end: the same keys from either source.
    Only units and sectors of the scope count; an official gets their unit's whole figures.
    """
    ids = scope_ids(conn, filters, scope)
    period_end = min(period_bounds(filters)[1], now)
    result: dict[int | None, Kpis] = defaultdict(Kpis)
    key = Dossier.unit_id if by_unit else literal(None)

    def collect(stmt: Select, names: list[str]) -> None:
        for row in conn.execute(stmt):
            target = result[row[0]]
            for name, value in zip(names, row[1:], strict=True):
                target.add(name, value)

    if use_rollup(conn, source):
        collect(_rollup_period(filters, ids, by_unit), ROLLUP_PERIOD_COUNTS)
    else:
        _raw_period(filters, ids, key, collect)

    backlog = [
        func.count(),
        _count(and_(Dossier.status.in_(RUNNING), Dossier.due_at < now)),
        _count(and_(Dossier.status.in_(RUNNING), Dossier.due_at >= now, Dossier.due_at <= due_cutoff)),
        _count(Dossier.status.not_in(RUNNING)),
    ]
    stmt = select(key, *backlog).where(Dossier.finished_at.is_(None), Dossier.status.in_(OPEN)).group_by(key)
    collect(apply_scope(stmt, ids, filters), ["open", "overdue", "due_soon", "paused"])

    # In process at the end of the period, and within its deadline then (the index's "trong hạn").
    # Two statements, each on its own index (the open-dossier partial index, and finished_at), so
    # neither scans every dossier received before the period's end.
    before_end = Dossier.received_at < period_end
    still_open = select(key, func.count(), _count(Dossier.due_at >= period_end)).where(
        Dossier.finished_at.is_(None), Dossier.status.in_(OPEN), before_end
    )
    # The receipt test sits inside the counts: in the WHERE clause it tempts SQLite's planner onto
    # the (unit, received_at) index and a scan of nearly every dossier.
    finished_later = select(
        key, _count(before_end), _count(and_(before_end, Dossier.due_at >= period_end))
    ).where(Dossier.finished_at >= period_end, Dossier.status.not_in(NOT_ACCEPTED))
    for stmt in (still_open, finished_later):
        collect(apply_scope(stmt.group_by(key), ids, filters), ["in_process_at_end", "in_time_at_end"])

    return dict(result)


def total_kpis(
    conn: Connection,
    filters: Filters,
    *,
    scope: Scope,
    now: datetime,
    due_cutoff: datetime,
    source: Source = "auto",
) -> Kpis:
    """kpis_by_unit summed over the scope's units in one pass."""
    return kpis_by_unit(
        conn, filters, scope=scope, now=now, due_cutoff=due_cutoff, by_unit=False, source=source
    ).get(None, Kpis())


def use_rollup(conn: Connection, source: Source) -> bool:
    """Whether to read the period counts from the rollups (see the module docstring)."""
    if source != "auto":
        return source == "rollup"
    from queries.rollups import is_built  # rollups builds on this module's definitions

    return is_built(conn)


#: The Kpis fields the rollups hold, each a column of both rollup tables (queries/rollups.py).
ROLLUP_PERIOD_COUNTS = [
    "received",
    "online",
    "digitized_components",
    "fee_bearing",
    "paid_online",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "with_result",
    "digitized_results",
    "ratings",
    "satisfied",
    "dissatisfied",
    "rating_sum",
    "ratings_timely",
    "rating_sum_timely",
    "ratings_late",
    "rating_sum_late",
]
Rollup = type[DailyRollup] | type[DailyUnitRollup]


def rollup_table(filters: Filters, ids: ScopeIds) -> Rollup:
    """The per-unit rollup when no sector, procedure or channel narrows the view (a few rows per
    unit and day), else the one keyed by all of them (nearly a row per dossier, but every filter
    is a column of its key). A sector-limited scope narrows by sector too: the per-unit rollup
    has no sector column, so it would count the other sectors."""
    if ids.handler_id is not None:
        raise ValueError("the rollups have no handler: an official's own list is read from dossiers")
    if (
        filters.sector is None
        and filters.procedure is None
        and filters.channel is None
        and ids.sector_ids is None
    ):
        return DailyUnitRollup
    return DailyRollup


def _rollup_period(filters: Filters, ids: ScopeIds, by_unit: bool) -> Select:
    """Received, resolved and ratings figures of the period in one pass over a rollup.

    Rollup rows exist only where something happened, so a unit gets a row exactly when one of
    the raw statements would have returned one: the same keys as the raw queries.
    """
    r = rollup_table(filters, ids)
    key = r.unit_id if by_unit else literal(None)
    stmt = (
        select(key, *(func.sum(getattr(r, name)) for name in ROLLUP_PERIOD_COUNTS))
        .where(r.day >= filters.start, r.day <= filters.end)
        .group_by(key)
    )
    return rollup_scope(stmt, ids, filters)


def rollup_scope(stmt: Select, ids: ScopeIds, filters: Filters) -> Select:
    """apply_scope for the rollups: the key holds the dossier's unit, sector, procedure and
    channel (no sector or procedure = 0, which no id filter matches, as NULL matches none)."""
    r = rollup_table(filters, ids)
    if ids.unit_id is not None:
        stmt = stmt.where(r.unit_id == ids.unit_id)
    if r is DailyRollup:
        if ids.sector_id is not None:
            stmt = stmt.where(DailyRollup.sector_id == ids.sector_id)
        if ids.sector_ids is not None:
            stmt = stmt.where(DailyRollup.sector_id.in_(ids.sector_ids))
        if ids.procedure_id is not None:
            stmt = stmt.where(DailyRollup.procedure_id == ids.procedure_id)
        if filters.channel is not None:
            stmt = stmt.where(DailyRollup.channel == filters.channel)
    return stmt


def _raw_period(
    filters: Filters,
    ids: ScopeIds,
    key: ColumnElement[Any],
    collect: Callable[[Select, list[str]], None],
) -> None:
    """Received, resolved and ratings figures straight off the dossiers (the rollup's reference)."""
    start, end = period_bounds(filters)
    received = [
        func.count(),
        _count(Dossier.channel == "online"),
        _count(Dossier.digitized_components.is_(True)),
        _count(Procedure.fee > 0),
        _count(and_(Procedure.fee > 0, Dossier.paid_online.is_(True))),
    ]
    stmt = (
        select(key, *received)
        .select_from(Dossier)
        .outerjoin(Procedure, Procedure.id == Dossier.procedure_id)
        .where(Dossier.received_at >= start, Dossier.received_at < end, Dossier.status.not_in(NOT_ACCEPTED))
        .group_by(key)
    )
    collect(
        apply_scope(stmt, ids, filters),
        ["received", "online", "digitized_components", "fee_bearing", "paid_online"],
    )

    resolved = [
        func.count(),
        _count(Dossier.outcome == "early"),
        _count(Dossier.outcome == "on_time"),
        _count(Dossier.outcome == "late"),
        _count(Dossier.status.in_(WITH_RESULT)),
        _count(and_(Dossier.status.in_(WITH_RESULT), Dossier.digitized_result.is_(True))),
    ]
    stmt = (
        select(key, *resolved)
        .where(Dossier.finished_at >= start, Dossier.finished_at < end, Dossier.outcome.is_not(None))
        .group_by(key)
    )
    collect(
        apply_scope(stmt, ids, filters),
        [
            "resolved",
            "resolved_early",
            "resolved_on_time",
            "resolved_late",
            "with_result",
            "digitized_results",
        ],
    )

    timely, late = Dossier.outcome.in_(["early", "on_time"]), Dossier.outcome == "late"
    stmt = (
        select(
            key,
            func.count(),
            _count(Rating.score >= 4),
            _count(Rating.score <= 2),
            func.sum(Rating.score),
            _count(timely),
            func.sum(case((timely, Rating.score), else_=0)),
            _count(late),
            func.sum(case((late, Rating.score), else_=0)),
        )
        .select_from(Rating)
        .join(Dossier, Dossier.id == Rating.dossier_id)
        .where(Rating.rated_at >= start, Rating.rated_at < end)
        .group_by(key)
    )
    collect(
        apply_scope(stmt, ids, filters),
        [
            "ratings",
            "satisfied",
            "dissatisfied",
            "rating_sum",
            "ratings_timely",
            "rating_sum_timely",
            "ratings_late",
            "rating_sum_late",
        ],
    )


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def week_start(conn: Connection, column: Any) -> ColumnElement[Any]:
    """The Monday of the column's week, as a date, in either dialect."""
    if conn.dialect.name == "sqlite":
        return func.date(column, "weekday 0", "-6 days")
    return cast(func.date_trunc("week", column), Date)


@dataclass(frozen=True)
class WeekPoint:
    week: date
    received: int
    online: int
    resolved: int
    on_time: int
    ratings: int
    satisfied: int


def weekly_trend(
    conn: Connection,
    filters: Filters,
    *,
    scope: Scope,
    start: date,
    end: date,
    source: Source = "auto",
) -> list[WeekPoint]:
    """Week by week from `start` to `end` (inclusive) for the filters within the scope (their
    period is ignored)."""
    ids = scope_ids(conn, filters, scope)
    lo, hi = datetime.combine(start, time()), datetime.combine(end + timedelta(days=1), time())
    data: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def collect(stmt: Select, names: list[str], narrow: Callable[..., Select] = apply_scope) -> None:
        for row in conn.execute(narrow(stmt, ids, filters)):
            week = row[0] if isinstance(row[0], date) else date.fromisoformat(str(row[0])[:10])
            for name, value in zip(names, row[1:], strict=True):
                data[week][name] += int(value or 0)

    if use_rollup(conn, source):
        r = rollup_table(filters, ids)
        # date_trunc on PostgreSQL wants a timestamp; SQLite's date() reads the stored day as is.
        week = week_start(conn, r.day if conn.dialect.name == "sqlite" else cast(r.day, DateTime))
        collect(
            select(
                week,
                func.sum(r.received),
                func.sum(r.online),
                func.sum(r.resolved),
                func.sum(r.resolved_early + r.resolved_on_time),
                func.sum(r.ratings),
                func.sum(r.satisfied),
            )
            .where(r.day >= start, r.day <= end)
            .group_by(week),
            ["received", "online", "resolved", "on_time", "ratings", "satisfied"],
            rollup_scope,
        )
        return _weeks(data, start, end)

    week = week_start(conn, Dossier.received_at)
    collect(
        select(week, func.count(), _count(Dossier.channel == "online"))
        .where(Dossier.received_at >= lo, Dossier.received_at < hi, Dossier.status.not_in(NOT_ACCEPTED))
        .group_by(week),
        ["received", "online"],
    )
    week = week_start(conn, Dossier.finished_at)
    collect(
        select(week, func.count(), _count(Dossier.outcome.in_(["early", "on_time"])))
        .where(Dossier.finished_at >= lo, Dossier.finished_at < hi, Dossier.outcome.is_not(None))
        .group_by(week),
        ["resolved", "on_time"],
    )
    week = week_start(conn, Rating.rated_at)
    collect(
        select(week, func.count(), _count(Rating.score >= 4))
        .select_from(Rating)
        .join(Dossier, Dossier.id == Rating.dossier_id)
        .where(Rating.rated_at >= lo, Rating.rated_at < hi)
        .group_by(week),
        ["ratings", "satisfied"],
    )
    return _weeks(data, start, end)


def _weeks(data: dict[date, dict[str, int]], start: date, end: date) -> list[WeekPoint]:
    """Every week from start's Monday to end, zeros where nothing happened."""
    first = start - timedelta(days=start.weekday())
    weeks = [first + timedelta(weeks=i) for i in range((end - first).days // 7 + 1)]
    return [
        WeekPoint(
            week=w,
            received=data[w]["received"],
            online=data[w]["online"],
            resolved=data[w]["resolved"],
            on_time=data[w]["on_time"],
            ratings=data[w]["ratings"],
            satisfied=data[w]["satisfied"],
        )
        for w in weeks
    ]


@dataclass(frozen=True)
class BacklogCell:
    unit_id: int
    sector_id: int | None
    open: int
    overdue: int


def backlog_by_unit_sector(
    conn: Connection, filters: Filters, *, scope: Scope, now: datetime
) -> list[BacklogCell]:
    """Open and overdue dossiers per unit and sector of the scope (the province's heat map)."""
    ids = scope_ids(conn, filters, scope)
    stmt = (
        select(
            Dossier.unit_id,
            Dossier.sector_id,
            func.count(),
            _count(and_(Dossier.status.in_(RUNNING), Dossier.due_at < now)),
        )
        .where(Dossier.finished_at.is_(None), Dossier.status.in_(OPEN))
        .group_by(Dossier.unit_id, Dossier.sector_id)
    )
    return [BacklogCell(*row) for row in conn.execute(apply_scope(stmt, ids, filters))]


def combine(items: list[Kpis]) -> Kpis:
    """The sum of several units' figures (ratios recomputed from the sums, not averaged)."""
    total = Kpis()
    for item in items:
        for field in fields(Kpis):
            total.add(field.name, getattr(item, field.name))
    return total
