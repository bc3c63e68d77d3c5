"""Citizens' ratings for a unit: the weekly trend, the latest low ratings, and what lateness costs.

Ratings are 1-5; satisfied = 4 or 5, dissatisfied ("low") = 1 or 2, as in the period figures
(queries/kpis.py, domain.md 3.2). A rating belongs to the period in which it was given
(`rated_at`), and to the unit, sector, procedure and channel of its dossier. Figures follow the
user's scope like the cards; the list of low ratings is a list of dossiers, so an official's
holds only ratings of the dossiers they hold.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection, and_, case, func, select
from sqlalchemy.sql import ColumnElement

from queries.filters import Filters
from queries.kpis import apply_scope, period_bounds, scope_ids, week_start
from queries.models import Dossier, Procedure, Rating
from queries.scope import Scope

SATISFIED_FROM = 4
LOW_UP_TO = 2
TIMELY = ("early", "on_time")


@dataclass(frozen=True)
class LowRating:
    dossier_code: str
    procedure_code: str | None
    procedure_name_vi: str | None
    procedure_name_en: str | None
    score: int
    rated_at: datetime
    comment: str | None
    channel: str | None

    def procedure_name(self, lang: str) -> str | None:
        return self.procedure_name_en if lang == "en" else self.procedure_name_vi


@dataclass(frozen=True)
class RatingSummary:
    ratings: int = 0
    satisfied: int = 0
    score_sum: int = 0

    @property
    def average(self) -> float | None:
        return self.score_sum / self.ratings if self.ratings else None

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.ratings if self.ratings else None


@dataclass(frozen=True)
class RatingWeek:
    week: date  # Monday
    ratings: int
    satisfied: int
    low: int
    score_sum: int

    @property
    def average(self) -> float | None:
        return self.score_sum / self.ratings if self.ratings else None

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.ratings if self.ratings else None


@dataclass(frozen=True)
class TimelinessSatisfaction:
    """Ratings of dossiers finished in time (early or on time) beside those finished late."""

    procedure_code: str | None  # None: the whole scope
    procedure_name_vi: str | None
    procedure_name_en: str | None
    timely: RatingSummary
    late: RatingSummary

    def procedure_name(self, lang: str) -> str | None:
        return self.procedure_name_en if lang == "en" else self.procedure_name_vi

    @property
    def average_gap(self) -> float | None:
        """How much lower late dossiers are rated on average (positive: lateness costs)."""
        if self.timely.average is None or self.late.average is None:
            return None
        return self.timely.average - self.late.average

    @property
    def satisfaction_gap(self) -> float | None:
        if self.timely.satisfaction is None or self.late.satisfaction is None:
            return None
        return self.timely.satisfaction - self.late.satisfaction


def combine_timeliness(entries: list[TimelinessSatisfaction]) -> TimelinessSatisfaction:
    """The whole scope from its per-procedure entries (one query instead of two)."""

    def total(side: str) -> RatingSummary:
        parts = [getattr(e, side) for e in entries]
        return RatingSummary(
            sum(p.ratings for p in parts), sum(p.satisfied for p in parts), sum(p.score_sum for p in parts)
        )

    return TimelinessSatisfaction(None, None, None, timely=total("timely"), late=total("late"))


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sum_if(condition: ColumnElement[bool], value: ColumnElement[int]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def low_ratings(
    conn: Connection, filters: Filters, *, scope: Scope, up_to: int = LOW_UP_TO, limit: int = 20
) -> list[LowRating]:
    """The latest ratings of at most `up_to` in the period, newest first, with their comments."""
    start, end = period_bounds(filters)
    stmt = (
        select(
            Dossier.code,
            Procedure.code,
            Procedure.name_vi,
            Procedure.name_en,
            Rating.score,
            Rating.rated_at,
            Rating.comment,
            Rating.channel,
        )
        .select_from(Rating)
        .join(Dossier, Dossier.id == Rating.dossier_id)
        .outerjoin(Procedure, Procedure.id == Dossier.procedure_id)
        .where(Rating.rated_at >= start, Rating.rated_at < end, Rating.score <= up_to)
        .order_by(Rating.rated_at.desc(), Dossier.code)
        .limit(max(1, limit))
    )
    stmt = apply_scope(stmt, scope_ids(conn, filters, scope, dossier_list=True), filters)
    return [LowRating(*row) for row in conn.execute(stmt)]


def weekly_ratings(
    conn: Connection, filters: Filters, *, scope: Scope, start: date, end: date
) -> list[RatingWeek]:
    """Week by week from `start` to `end` (inclusive), every week present (zeros when no rating)."""
    lo, hi = datetime.combine(start, time()), datetime.combine(end + timedelta(days=1), time())
    week = week_start(conn, Rating.rated_at)
    stmt = (
        select(
            week,
            func.count(),
            _count(Rating.score >= SATISFIED_FROM),
            _count(Rating.score <= LOW_UP_TO),
            func.sum(Rating.score),
        )
        .select_from(Rating)
        .where(Rating.rated_at >= lo, Rating.rated_at < hi)
        .group_by(week)
    )
    ids = scope_ids(conn, filters, scope)
    if ids.unit_id is not None:
        # One unit's dossiers (its index), then their ratings (the (dossier, rated_at) key): a
        # join lets the planner walk half a year of the province's ratings instead (10x slower
        # at 1M dossiers on SQLite).
        stmt = stmt.where(Rating.dossier_id.in_(apply_scope(select(Dossier.id), ids, filters)))
    else:
        stmt = apply_scope(stmt.join(Dossier, Dossier.id == Rating.dossier_id), ids, filters)
    found: dict[date, tuple[int, ...]] = defaultdict(lambda: (0, 0, 0, 0))
    for row in conn.execute(stmt):
        monday = row[0] if isinstance(row[0], date) else date.fromisoformat(str(row[0])[:10])
        found[monday] = tuple(int(v or 0) for v in row[1:])
    first = start - timedelta(days=start.weekday())
    weeks = [first + timedelta(weeks=i) for i in range((end - first).days // 7 + 1)]
    return [RatingWeek(w, *found[w]) for w in weeks]


def satisfaction_by_timeliness(
    conn: Connection, filters: Filters, *, scope: Scope, by_procedure: bool = False
) -> list[TimelinessSatisfaction]:
    """Ratings given in the period to finished dossiers, split by the dossier's verdict.

    One entry for the whole scope, or one per procedure (most rated first) when `by_procedure`.
    Ratings of dossiers that are still open or could not be clocked have no verdict and are left
    out of both sides.
    """
    start, end = period_bounds(filters)
    timely = Dossier.outcome.in_(TIMELY)
    late = Dossier.outcome == "late"
    satisfied = Rating.score >= SATISFIED_FROM
    measures = [
        _count(timely),
        _count(and_(timely, satisfied)),
        _sum_if(timely, Rating.score),
        _count(late),
        _count(and_(late, satisfied)),
        _sum_if(late, Rating.score),
    ]
    identity = (Procedure.code, Procedure.name_vi, Procedure.name_en) if by_procedure else ()
    stmt = (
        select(*identity, *measures)
        .select_from(Rating)
        .join(Dossier, Dossier.id == Rating.dossier_id)
        .where(Rating.rated_at >= start, Rating.rated_at < end, Dossier.outcome.is_not(None))
    )
    if by_procedure:
        stmt = stmt.outerjoin(Procedure, Procedure.id == Dossier.procedure_id).group_by(*identity)
    result = []
    for row in conn.execute(apply_scope(stmt, scope_ids(conn, filters, scope), filters)):
        names = tuple(row[: len(identity)]) if by_procedure else (None, None, None)
        values = [int(v or 0) for v in row[len(identity) :]]
        entry = TimelinessSatisfaction(
            *names, timely=RatingSummary(*values[:3]), late=RatingSummary(*values[3:])
        )
        if entry.timely.ratings or entry.late.ratings or not by_procedure:
            result.append(entry)
    result.sort(key=lambda e: (-(e.timely.ratings + e.late.ratings), e.procedure_code or ""))
    return result
