"""The naive approach a Dash tutorial takes: read the whole table with pandas, then group in pandas.

Why: issue 7 asks each callback to be >= 20x faster than this. A tutorial's callback runs
`pd.read_sql("SELECT * FROM dossiers", engine)` (and the ratings for satisfaction figures) on
every call and filters and groups the frame. The read dominates and is the same for every
aggregate, so it is timed once per run and each aggregate's pandas work separately; the naive time
of an aggregate is the median read(s) plus the median of its own pandas work (p95 likewise).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from bench.duckdb_limit import NEEDS_RATINGS, Params
from queries.kpis import NOT_ACCEPTED, WITH_RESULT

DATES = ["received_at", "finished_at", "due_at", "updated_at", "statutory_due_at", "appointment_due_at"]


def read_dossiers(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql("SELECT * FROM dossiers", conn, parse_dates=DATES)


def read_ratings(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql("SELECT * FROM ratings", conn, parse_dates=["rated_at"])


def _kpis(d: pd.DataFrame, r: pd.DataFrame, p: Params, unit: int | None) -> pd.DataFrame:
    if unit is not None:
        d = d[d.unit_id == unit]
    rec = d[(d.received_at >= p.start) & (d.received_at < p.end) & ~d.status.isin(NOT_ACCEPTED)]
    received = rec.groupby("unit_id").agg(
        received=("id", "size"),
        online=("channel", lambda s: (s == "online").sum()),
        digitized=("digitized_components", "sum"),
    )
    res = d[(d.finished_at >= p.start) & (d.finished_at < p.end) & d.outcome.notna()]
    resolved = (
        res.assign(
            early=res.outcome == "early",
            on_time=res.outcome == "on_time",
            late=res.outcome == "late",
            with_result=res.status.isin(WITH_RESULT),
        )
        .groupby("unit_id")[["early", "on_time", "late", "with_result"]]
        .sum()
    )
    rat = r[(r.rated_at >= p.start) & (r.rated_at < p.end)].merge(
        d[["id", "unit_id"]], left_on="dossier_id", right_on="id"
    )
    ratings = (
        rat.assign(satisfied=rat.score >= 4)
        .groupby("unit_id")
        .agg(ratings=("score", "size"), satisfied=("satisfied", "sum"), score_sum=("score", "sum"))
    )
    return received.join(resolved, how="outer").join(ratings, how="outer")


def _weekly(d: pd.DataFrame, p: Params) -> pd.DataFrame:
    rec = d[(d.received_at >= p.start) & (d.received_at < p.end) & ~d.status.isin(NOT_ACCEPTED)]
    res = d[(d.finished_at >= p.start) & (d.finished_at < p.end) & d.outcome.notna()]
    a = rec.groupby(rec.received_at.dt.to_period("W")).size()
    b = res.groupby([res.finished_at.dt.to_period("W"), "outcome"]).size().unstack(fill_value=0)
    return b.join(a.rename("received"), how="outer")


def _open(d: pd.DataFrame) -> pd.DataFrame:
    return d[d.finished_at.isna() & d.received_at.notna()]


def _backlog(d: pd.DataFrame, p: Params, unit: int | None) -> pd.DataFrame:
    o = _open(d)
    if unit is not None:
        o = o[o.unit_id == unit]
    return (
        o.assign(overdue=o.due_at < p.now)
        .groupby(["unit_id", "sector_id"])
        .agg(open=("id", "size"), overdue=("overdue", "sum"))
    )


def _list(d: pd.DataFrame, column: str, value: int, limit: int) -> pd.DataFrame:
    o = _open(d)
    return o[o[column] == value].sort_values(["due_at", "id"]).head(limit)


GROUPS: dict[str, Callable[[pd.DataFrame, pd.DataFrame, Params], Any]] = {
    "units_kpis": lambda d, r, p: _kpis(d, r, p, None),
    "province_kpis": lambda d, r, p: _kpis(d, r, p, None).sum(),
    "unit_kpis": lambda d, r, p: _kpis(d, r, p, p.unit),
    "weekly_trend": lambda d, r, p: _weekly(d, p),
    "backlog_by_unit": lambda d, r, p: _backlog(d, p, None),
    "unit_backlog": lambda d, r, p: _backlog(d, p, p.unit),
    "at_risk": lambda d, r, p: _list(d, "unit_id", p.unit, 50),
    "official_open": lambda d, r, p: _list(d, "handler_id", p.handler, 200),
}


class Naive:
    """Times the reads `repeat` times, then each aggregate's pandas work on the frames read."""

    def __init__(self, engine: Engine, repeat: int) -> None:
        self.reads: dict[str, list[float]] = {"dossiers": [], "ratings": []}
        frames: dict[str, pd.DataFrame] = {}
        for _ in range(repeat):
            for name, read in (("dossiers", read_dossiers), ("ratings", read_ratings)):
                started = time.perf_counter()
                frames[name] = read(engine)
                self.reads[name].append((time.perf_counter() - started) * 1000)
        self.d, self.r = frames["dossiers"], frames["ratings"]
        self.repeat = repeat

    def time(self, aggregate: str, params: Params) -> tuple[list[float], list[float]]:
        """(read ms per run, group ms per run) for this aggregate."""
        group = []
        for _ in range(self.repeat):
            started = time.perf_counter()
            GROUPS[aggregate](self.d, self.r, params)
            group.append((time.perf_counter() - started) * 1000)
        reads = [
            a + (b if aggregate in NEEDS_RATINGS else 0.0)
            for a, b in zip(self.reads["dossiers"], self.reads["ratings"], strict=True)
        ]
        return reads, group
