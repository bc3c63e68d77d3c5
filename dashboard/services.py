"""What callbacks share: the engine, the clock, the cache, and "now" in Vietnam.

The cache is Flask-Caching on the filesystem, so all gunicorn workers (and every open wall
screen) share one result per filter set for a minute instead of each querying the database.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from functools import lru_cache

from flask_caching import Cache
from sqlalchemy import Engine

from dashboard import metrics
from queries.db import make_engine
from queries.settings import REPO_ROOT, ClockPolicy
from queries.sla import END_OF_DAY, Clock
from queries.timeutil import vn_now
from queries.workcalendar import load_calendar

cache = Cache(
    config={
        "CACHE_TYPE": os.environ.get("CACHE_TYPE", "FileSystemCache"),
        "CACHE_DIR": os.environ.get("CACHE_DIR", str(REPO_ROOT / "instance" / "cache")),
        "CACHE_DEFAULT_TIMEOUT": int(os.environ.get("CACHE_SECONDS", "60")),
        "CACHE_THRESHOLD": 2000,
    }
)


_engines: dict[str, Engine] = {}


def engine() -> Engine:
    """The engine for DATABASE_URL, created on first use so each gunicorn worker has its own pool."""
    if "current" not in _engines:
        _engines["current"] = metrics.watch(make_engine())
    return _engines["current"]


def use_engine(replacement: Engine | None) -> None:
    """Point the dashboard at another database (tests, the benchmark); None forgets it."""
    _engines.pop("current", None)
    if replacement is not None:
        _engines["current"] = metrics.watch(replacement)
    cache.clear()


@lru_cache(maxsize=1)
def _policy() -> ClockPolicy:
    return ClockPolicy.from_env()


def clock() -> Clock:
    policy = _policy()
    return Clock(load_calendar(policy.overrides_file), policy)


def now() -> datetime:
    """Now in Vietnam; DASHBOARD_NOW pins it (demos frozen in time, screenshots, tests)."""
    pinned = os.environ.get("DASHBOARD_NOW")
    return datetime.fromisoformat(pinned) if pinned else vn_now()


def today() -> date:
    return now().date()


def due_cutoff(working_days: int = 2) -> datetime:
    """The end of the Nth working day after today: the 'due within N working days' boundary."""
    day = clock().calendar.nth_working_day_after(today(), working_days)
    return datetime.combine(day, END_OF_DAY)
