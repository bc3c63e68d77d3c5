"""Query results shared by all workers for a minute (Flask-Caching memoize around queries/).

Keys are the filter set, the user's scope and the minute, so a wall screen refreshing every few
minutes and a room of chairpersons opening the same view cost one query each minute, not one per
tab, while one user's scoped figures are never served to another (the Scope is part of the key:
Flask-Caching keys on the arguments' repr, and a Scope's repr names its role, unit, official and
sectors). Results are plain dataclasses (picklable); page modules never hold them between requests.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.services import cache, due_cutoff, engine, now
from queries.filters import Filters
from queries.kpis import Kpis, kpis_by_unit
from queries.scope import Scope


@dataclass(frozen=True)
class PeriodFigures:
    current: dict[int | None, Kpis]
    previous: dict[int | None, Kpis]


def minute() -> str:
    return now().strftime("%Y-%m-%dT%H:%M")


@cache.memoize()
def period_figures(filters: Filters, scope: Scope, as_of_minute: str) -> PeriodFigures:
    """This period and the previous one of the same length, for every unit in the scope."""
    moment, cutoff = now(), due_cutoff()
    with engine().connect() as conn:
        current = kpis_by_unit(conn, filters, scope=scope, now=moment, due_cutoff=cutoff)
        previous = kpis_by_unit(conn, filters.previous(), scope=scope, now=moment, due_cutoff=cutoff)
    return PeriodFigures(current, previous)
