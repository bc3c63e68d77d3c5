"""The limit of a columnar scan: the dashboard's aggregates run straight off the dossiers in DuckDB.

Why: a callback that answers from rollups and partial indexes should not be slower than the best
an engine can do by scanning the raw rows. DuckDB (vectorised, multi-threaded, columnar) scanning
the columns the aggregate needs is that reference; bench/suite.py divides our median by its median.

How the data gets there (both timed apart from the queries and never counted in the ratio):
DuckDB's `sqlite_scanner` extension is downloaded on first use, which this machine cannot do
(offline), so the columns below are exported once per database to Parquet: from SQLite with
pandas `read_sql` in chunks written by pyarrow, from PostgreSQL with `COPY (SELECT …) TO STDOUT`
(CSV) converted by DuckDB. The Parquet files are then loaded into in-memory DuckDB tables (all
cores: DuckDB's default threads) and only the aggregate queries are timed.

The reference SQL here is the bench's own (issue 7 allows it): the same filters and counts as
queries/kpis.py and queries/atrisk.py, minus the procedure-fee join (one small dimension table).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from queries.kpis import NOT_ACCEPTED, WITH_RESULT

DOSSIER_COLUMNS = (
    "id",
    "unit_id",
    "sector_id",
    "handler_id",
    "channel",
    "status",
    "received_at",
    "finished_at",
    "due_at",
    "outcome",
    "digitized_components",
    "digitized_result",
)
RATING_COLUMNS = ("dossier_id", "score", "rated_at")
TIMESTAMPS = ("received_at", "finished_at", "due_at", "rated_at")


def _in(values: list[str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# --- the aggregates, in DuckDB's SQL -------------------------------------------------------------------
# $start/$end: the period's bounds (end exclusive); $now; $unit: a unit id; $handler: an official id.
_KPIS = f"""
WITH rec AS (
  SELECT unit_id, count(*) AS received, count(*) FILTER (channel = 'online') AS online,
         count(*) FILTER (digitized_components) AS digitized
  FROM d WHERE received_at >= $start AND received_at < $end AND status NOT IN {_in(NOT_ACCEPTED)}
  {{scope}} GROUP BY unit_id),
res AS (
  SELECT unit_id, count(*) AS resolved, count(*) FILTER (outcome = 'early') AS early,
         count(*) FILTER (outcome = 'on_time') AS on_time, count(*) FILTER (outcome = 'late') AS late,
         count(*) FILTER (status IN {_in(WITH_RESULT)}) AS with_result,
         count(*) FILTER (status IN {_in(WITH_RESULT)} AND digitized_result) AS digitized_results
  FROM d WHERE finished_at >= $start AND finished_at < $end AND outcome IS NOT NULL
  {{scope}} GROUP BY unit_id),
rat AS (
  SELECT d.unit_id, count(*) AS ratings, count(*) FILTER (score >= 4) AS satisfied,
         count(*) FILTER (score <= 2) AS dissatisfied, sum(score) AS score_sum
  FROM r JOIN d ON d.id = r.dossier_id WHERE rated_at >= $start AND rated_at < $end
  {{scope}} GROUP BY d.unit_id)
SELECT * FROM rec FULL JOIN res USING (unit_id) FULL JOIN rat USING (unit_id)
"""
AGGREGATES: dict[str, str] = {
    # province page grid, GET /api/v1/units/kpis
    "units_kpis": _KPIS.format(scope=""),
    # province page cards, GET /api/v1/province/kpis: the same three scans, summed
    "province_kpis": "SELECT sum(received), sum(resolved), sum(ratings) FROM ("
    + _KPIS.format(scope="")
    + ")",
    # a commune's cards, flow, timeliness; GET /api/v1/units/<code>/kpis
    "unit_kpis": _KPIS.format(scope="AND d.unit_id = $unit"),
    # province page trends: received and resolved per week
    "weekly_trend": f"""
      SELECT 'received' AS what, date_trunc('week', received_at) AS week, count(*) AS n FROM d
      WHERE received_at >= $start AND received_at < $end AND status NOT IN {_in(NOT_ACCEPTED)}
      GROUP BY week
      UNION ALL
      SELECT 'resolved_' || outcome, date_trunc('week', finished_at) AS week, count(*) FROM d
      WHERE finished_at >= $start AND finished_at < $end AND outcome IS NOT NULL GROUP BY ALL""",
    # province heat map: open and overdue dossiers per unit and sector, now
    "backlog_by_unit": """
      SELECT unit_id, sector_id, count(*) AS open, count(*) FILTER (due_at < $now) AS overdue
      FROM d WHERE finished_at IS NULL AND received_at IS NOT NULL GROUP BY ALL""",
    # a commune's backlog sections
    "unit_backlog": """
      SELECT sector_id, count(*) AS open, count(*) FILTER (due_at < $now) AS overdue,
             count(*) FILTER (due_at >= $now AND due_at < $now + INTERVAL 2 DAY) AS due_soon
      FROM d WHERE finished_at IS NULL AND received_at IS NOT NULL AND unit_id = $unit GROUP BY ALL""",
    # the at-risk grid of a commune, GET /api/v1/units/<code>/at-risk: first block by due time
    "at_risk": """
      SELECT id, handler_id, due_at FROM d
      WHERE finished_at IS NULL AND received_at IS NOT NULL AND unit_id = $unit
      ORDER BY due_at NULLS LAST, id LIMIT 50""",
    # "my dossiers": an official's open dossiers, counted and listed
    "official_open": """
      SELECT id, unit_id, due_at, count(*) OVER () AS n FROM d
      WHERE finished_at IS NULL AND received_at IS NOT NULL AND handler_id = $handler
      ORDER BY due_at NULLS LAST, id LIMIT 200""",
}
NEEDED: dict[str, tuple[str, ...]] = {
    "units_kpis": ("start", "end"),
    "province_kpis": ("start", "end"),
    "unit_kpis": ("start", "end", "unit"),
    "weekly_trend": ("start", "end"),
    "backlog_by_unit": ("now",),
    "unit_backlog": ("now", "unit"),
    "at_risk": ("unit",),
    "official_open": ("handler",),
}
NEEDS_RATINGS = {"units_kpis", "province_kpis", "unit_kpis"}


@dataclass(frozen=True)
class Params:
    """What the aggregates are asked for: a period (end exclusive), a moment, a unit, an official."""

    start: datetime
    end: datetime
    now: datetime
    unit: int
    handler: int

    def for_(self, aggregate: str) -> dict[str, Any]:
        return {name: getattr(self, name) for name in NEEDED[aggregate]}


# --- the export ---------------------------------------------------------------------------------------


def export(url: str, folder: Path) -> dict[str, Path]:
    """Write dossiers.parquet and ratings.parquet for `url` into `folder` (kept: done once per size)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"d": folder / "dossiers.parquet", "r": folder / "ratings.parquet"}
    if all(p.exists() for p in paths.values()):
        return paths
    backend = make_url(url).get_backend_name()
    for key, table, columns in (("d", "dossiers", DOSSIER_COLUMNS), ("r", "ratings", RATING_COLUMNS)):
        if backend == "sqlite":
            _export_sqlite(url, table, columns, paths[key])
        else:
            _export_postgres(url, table, columns, paths[key])
    return paths


def _export_sqlite(url: str, table: str, columns: tuple[str, ...], path: Path) -> None:
    """pandas read_sql in chunks, dates parsed, written by pyarrow (the scanner extension is offline)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    engine = create_engine(url)
    writer = None
    try:
        with engine.connect() as conn:
            chunks = pd.read_sql(text(f"SELECT {', '.join(columns)} FROM {table}"), conn, chunksize=200_000)
            for chunk in chunks:
                for column in set(columns) & set(TIMESTAMPS):
                    chunk[column] = pd.to_datetime(chunk[column], format="ISO8601").astype("datetime64[us]")
                for column in ("digitized_components", "digitized_result"):
                    if column in chunk:
                        chunk[column] = chunk[column].astype(bool)
                for column in ("sector_id", "handler_id"):
                    if column in chunk:
                        chunk[column] = chunk[column].astype("Int64")
                arrow = pa.Table.from_pandas(chunk, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(path, arrow.schema)
                writer.write_table(arrow.cast(writer.schema))
    finally:
        if writer is not None:
            writer.close()
        engine.dispose()


def _export_postgres(url: str, table: str, columns: tuple[str, ...], path: Path) -> None:
    """COPY … TO STDOUT as CSV, then DuckDB reads the CSV and writes Parquet."""
    import duckdb

    engine = create_engine(url)
    scratch = path.with_suffix(".csv")
    try:
        raw = engine.raw_connection()
        try:
            cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
            sql = f"COPY (SELECT {', '.join(columns)} FROM {table}) TO STDOUT WITH (FORMAT csv, HEADER)"
            with scratch.open("wb") as out, cursor.copy(sql) as copy:
                for block in copy:
                    out.write(block)
        finally:
            raw.close()
        types = {c: "TIMESTAMP" for c in columns if c in TIMESTAMPS}
        types |= {c: "BOOLEAN" for c in ("digitized_components", "digitized_result") if c in columns}
        con = duckdb.connect()
        con.execute(
            f"COPY (SELECT * FROM read_csv('{scratch}', header=true, types={types!r})) "
            f"TO '{path}' (FORMAT parquet)"
        )
        con.close()
    finally:
        scratch.unlink(missing_ok=True)
        engine.dispose()


# --- the timing ---------------------------------------------------------------------------------------


class DuckLimit:
    """The exported columns in in-memory DuckDB tables `d` and `r`; times one aggregate at a time."""

    def __init__(self, paths: dict[str, Path]) -> None:
        import duckdb

        self.con = duckdb.connect()
        for name, path in paths.items():
            self.con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet('{path}')")

    def run(self, aggregate: str, params: Params) -> list[tuple[Any, ...]]:
        return self.con.execute(AGGREGATES[aggregate], params.for_(aggregate)).fetchall()

    def time(self, aggregate: str, params: Params, repeat: int) -> list[float]:
        """Milliseconds of `repeat` runs after one warm-up (the first run plans and pages in)."""
        return time_calls(lambda: self.run(aggregate, params), repeat)

    def close(self) -> None:
        self.con.close()


def time_calls(fn: Callable[[], Any], repeat: int, *, warm_up: bool = True) -> list[float]:
    if warm_up:
        fn()
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out
