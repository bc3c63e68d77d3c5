"""Query results shared by all workers (Flask-Caching memoize around queries/).

Keys hold the filter set, the user's scope, the minute and the data's version
(queries/freshness.py): a wall screen refreshing every few minutes and a room of chairpersons
opening the same view cost one query, not one per tab; a result expires when its minute ends
(overdue counts move with the clock) or as soon as the data behind it changes (an import); and
one user's scoped figures are never served to another (the Scope is part of the key:
Flask-Caching keys on the arguments' repr, and a Scope's repr names its role, unit, official
and sectors). The backend is the filesystem by default, shared by every gunicorn worker on the
machine; CACHE_TYPE=RedisCache with CACHE_REDIS_URL shares it across machines (docs/deploy.md).
Results are plain dataclasses (picklable); page modules never hold them between requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import g, has_request_context

from dashboard.services import cache, due_cutoff, engine, now
from queries import catalog
from queries.filters import Filters
from queries.freshness import data_version
from queries.kpis import BacklogCell, Kpis, WeekPoint, backlog_by_unit_sector, kpis_by_unit, weekly_trend
from queries.ratings import RatingWeek, TimelinessSatisfaction, satisfaction_by_timeliness, weekly_ratings
from queries.scope import Scope


@dataclass(frozen=True)
class PeriodFigures:
    current: dict[int | None, Kpis]
    previous: dict[int | None, Kpis]


def minute() -> str:
    return now().strftime("%Y-%m-%dT%H:%M")


def version() -> str:
    """The data's version, read once per request (every cached call of the request shares it)."""
    if has_request_context() and "data_version" in g:
        return str(g.data_version)
    with engine().connect() as conn:
        found = data_version(conn)
    if has_request_context():
        g.data_version = found
    return found


def period_figures(filters: Filters, scope: Scope, as_of_minute: str) -> PeriodFigures:
    """This period and the previous one of the same length, for every unit in the scope."""
    return _period_figures(filters, scope, as_of_minute, version())


@cache.memoize()
def _period_figures(filters: Filters, scope: Scope, as_of_minute: str, data: str) -> PeriodFigures:
    moment, cutoff = now(), due_cutoff()
    with engine().connect() as conn:
        current = kpis_by_unit(conn, filters, scope=scope, now=moment, due_cutoff=cutoff)
        previous = kpis_by_unit(conn, filters.previous(), scope=scope, now=moment, due_cutoff=cutoff)
    return PeriodFigures(current, previous)


def trend(filters: Filters, scope: Scope, start: date, end: date) -> list[WeekPoint]:
    """Week by week received and resolved (the province page's and a unit's trend)."""
    return _trend(filters, scope, start, end, minute(), version())


@cache.memoize()
def _trend(filters: Filters, scope: Scope, start: date, end: date, as_of: str, data: str) -> list[WeekPoint]:
    with engine().connect() as conn:
        return weekly_trend(conn, filters, scope=scope, start=start, end=end)


def unit_sector_backlog(filters: Filters, scope: Scope) -> list[BacklogCell]:
    """Open and overdue dossiers per unit and sector (the province heatmap)."""
    return _unit_sector_backlog(filters, scope, minute(), version())


@cache.memoize()
def _unit_sector_backlog(filters: Filters, scope: Scope, as_of: str, data: str) -> list[BacklogCell]:
    with engine().connect() as conn:
        return backlog_by_unit_sector(conn, filters, scope=scope, now=now())


@dataclass(frozen=True)
class Catalog:
    units: list[catalog.Named]
    sectors: list[catalog.Named]
    procedures: list[catalog.Named]


def catalog_of(scope: Scope) -> Catalog:
    """The units, sectors and procedures the scope may filter by (every page layout reads them)."""
    return _catalog_of(scope, version())


@cache.memoize()
def _catalog_of(scope: Scope, data: str) -> Catalog:
    with engine().connect() as conn:
        return Catalog(
            catalog.units(conn, scope=scope),
            catalog.sectors(conn, scope=scope),
            catalog.procedures(conn, scope=scope),
        )


def rating_weeks(filters: Filters, scope: Scope, start: date, end: date) -> list[RatingWeek]:
    """Ratings week by week (a unit's satisfaction chart)."""
    return _rating_weeks(filters, scope, start, end, version())


@cache.memoize()
def _rating_weeks(filters: Filters, scope: Scope, start: date, end: date, data: str) -> list[RatingWeek]:
    with engine().connect() as conn:
        return weekly_ratings(conn, filters, scope=scope, start=start, end=end)


def timeliness_ratings(filters: Filters, scope: Scope) -> list[TimelinessSatisfaction]:
    """Ratings of timely and of late dossiers, per procedure (a unit's "what lateness costs")."""
    return _timeliness_ratings(filters, scope, version())


@cache.memoize()
def _timeliness_ratings(filters: Filters, scope: Scope, data: str) -> list[TimelinessSatisfaction]:
    with engine().connect() as conn:
        return satisfaction_by_timeliness(conn, filters, scope=scope, by_procedure=True)
