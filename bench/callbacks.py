"""Time every data callback of the dashboard on the 1M-dossier demo province, SQLite or PostgreSQL.

usage: .venv/bin/python bench/callbacks.py [--database-url URL] [--build] [--repeat 7] [--until 2026-11-20]
                                          [--only TEXT] [--explain]
       .venv/bin/python bench/callbacks.py --database-url postgresql+psycopg://postgres@127.0.0.1:55432/bench_1m

The database (default: instance/bench-1m.sqlite) is filled with the default demo province first
(`python -m queries demo`, 95 communes, 18 months, ~1,026,000 dossiers, fixed seed, ending on
--until) when it is missing or empty, or always with --build, which deletes the SQLite file or
drops and re-creates the PostgreSQL database named in the URL.

Then, with "now" pinned to the demo's end (DASHBOARD_NOW = --until 17:30), the Flask cache off
(CACHE_TYPE=NullCache, so every call does its whole work) and the dashboard pointed at the database
(`services.use_engine`), every data callback of every page is called as a plain function inside
a request (`lang=vi` cookie), as tests/test_page_*.py do, with the arguments a browser would send:
one warm-up call, then --repeat timed calls. Page layouts, which also query, are timed too.

It prints the machine, the database, and a Markdown table: callback, arguments, median and p95
of the function's wall-clock time, the median time plotly's JSON encoder (what Dash uses to send
the answer) takes on the result, and what came back (rows, figure points, bytes of JSON). With
fewer than 20 repetitions the p95 (nearest rank) is the slowest call. Progress goes to stderr.
--only times the callbacks whose name or arguments contain TEXT; --explain adds, for each callback
over 1 s, its SQL statements replayed one by one on the raw driver and the slowest one's plan.
"""

from __future__ import annotations

import argparse
import base64
import io
import math
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_URL = f"sqlite:///{REPO / 'instance' / 'bench-1m.sqlite'}"
DEMO = {"communes": 95, "months": 18, "seed": 2025}  # the default `make run` province
SLOW_MS = 1000.0


@dataclass(frozen=True)
class Case:
    name: str  # module.function
    arguments: str  # what the call asks for, in words
    fn: Callable[..., Any]
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Timing:
    case: Case
    times_ms: list[float]
    json_ms: list[float]
    result: str

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def main() -> int:
    args = _parser().parse_args()
    url = args.database_url or DEFAULT_URL
    until = date.fromisoformat(args.until)
    build_seconds = ensure_demo(url, until=until, force=args.build)

    # Before the first import of `dashboard`: the cache object reads CACHE_TYPE when it is created.
    os.environ["CACHE_TYPE"] = "NullCache"
    warnings.filterwarnings("ignore", message="Flask-Caching: CACHE_TYPE is set to NullCache")
    from queries.demo import AS_OF_TIME

    moment = datetime.combine(until, AS_OF_TIME)
    os.environ["DASHBOARD_NOW"] = moment.isoformat()

    import dashboard.app
    from dashboard import services
    from queries.db import make_engine

    engine = make_engine(url)
    services.use_engine(engine)
    subjects = find_subjects(engine)
    print_header(engine, url, args, moment, build_seconds, subjects)
    _say(
        f"subjects: commune {subjects.unit} ({subjects.unit_name}), official {subjects.official}, "
        f"dossier {subjects.dossier}"
    )

    server = dashboard.app.server
    cases = list(build_cases(server, subjects, until))
    if args.only:
        cases = [c for c in cases if args.only in c.name or args.only in c.arguments]
    timings = []
    start_load = _load()
    started = time.perf_counter()
    for number, case in enumerate(cases, start=1):
        timing = measure(server, case, args.repeat)
        timings.append(timing)
        _say(
            f"[{number}/{len(cases)}] {case.name} ({case.arguments}): median {_ms(timing.median)} ms, "
            f"p95 {_ms(timing.p95)} ms; {timing.result}"
        )
    print_table(timings)
    print_slow(timings)
    print(
        f"\n_{len(cases)} calls × {args.repeat + 1} in {time.perf_counter() - started:,.0f} s; "
        f"load average at the end {_load()} (at the start {start_load})._"
    )
    if args.explain:
        explain_slow(server, engine, timings)
    services.use_engine(None)
    engine.dispose()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help=f"default: {DEFAULT_URL}")
    parser.add_argument("--build", action="store_true", help="rebuild the demo from scratch first")
    parser.add_argument("--repeat", type=int, default=7, help="timed calls per callback (after 1 warm-up)")
    parser.add_argument("--until", default="2026-11-20", help="the demo's last day, and 'now' (17:30)")
    parser.add_argument("--only", help="time only the callbacks whose name or arguments contain this")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="for each callback slower than 1 s: its statements replayed one by one, and the slowest's plan",
    )
    return parser


# --- the database ------------------------------------------------------------------------------------


def ensure_demo(url: str, *, until: date, force: bool) -> float | None:
    """Build the demo into `url` when it is missing or empty, or always with `force`; seconds taken."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not parsed.database or parsed.database == ":memory:":
            raise SystemExit("the benchmark needs a SQLite file, not an in-memory database")
        if force:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
        fresh = not path.exists()
    else:
        fresh = _ensure_postgres_database(parsed, force=force)
    if not fresh:
        from queries.migrate import is_empty

        probe = create_engine(url)
        try:
            fresh = is_empty(probe)
        finally:
            probe.dispose()
    if not fresh:
        _check_demo_end(url, until)
        return None
    command = [
        sys.executable, "-m", "queries", "--database-url", url, "demo",
        "--communes", str(DEMO["communes"]), "--months", str(DEMO["months"]),
        "--seed", str(DEMO["seed"]), "--until", until.isoformat(),
    ]  # fmt: skip
    _say(f"building the demo province into {_safe(url)} …")
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO, check=True)
    seconds = time.perf_counter() - started
    _say(f"demo built in {seconds:.1f} s")
    return seconds


def _ensure_postgres_database(url: URL, *, force: bool) -> bool:
    """Create the URL's database when missing (drop it first with `force`); True when created."""
    name = url.database
    if not name or name in {"postgres", "template0", "template1"}:
        raise SystemExit("name a database of its own for the benchmark, e.g. …/bench_1m")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
            if found and force:
                _say(f"dropping database {name}")
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
                found = None
            if not found:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
                return True
            return False
    finally:
        admin.dispose()


def _check_demo_end(url: str, until: date) -> None:
    probe = create_engine(url)
    try:
        with probe.connect() as conn:
            last = conn.execute(text("SELECT max(received_at) FROM dossiers")).scalar()
    finally:
        probe.dispose()
    last_day = str(last)[:10] if last is not None else None
    if last_day != until.isoformat():
        _say(
            f"warning: the database's last receipt is {last_day}, not --until {until}: "
            "'now' may not be the demo's end (use --build to rebuild)"
        )


@dataclass(frozen=True)
class Subjects:
    unit: str  # the busiest commune's code
    unit_name: str
    unit_dossiers: int
    official: str  # the official holding the most open dossiers
    official_open: int
    dossier: str  # a dossier with steps (and pauses and an apology letter when there is one)
    dossier_steps: int


def find_subjects(engine: Engine) -> Subjects:
    with engine.connect() as conn:
        unit = conn.execute(
            text(
                "SELECT u.code, u.name_vi, count(*) AS n FROM dossiers d JOIN units u ON u.id = d.unit_id "
                "WHERE u.level IN ('commune', 'ward', 'special_zone') "
                "GROUP BY u.code, u.name_vi ORDER BY n DESC, u.code LIMIT 1"
            )
        ).one()
        official = conn.execute(
            text(
                "SELECT o.code, count(*) AS n FROM dossiers d JOIN officials o ON o.id = d.handler_id "
                "WHERE d.finished_at IS NULL GROUP BY o.code ORDER BY n DESC, o.code LIMIT 1"
            )
        ).one()
        steps = "(SELECT count(*) FROM dossier_steps s WHERE s.dossier_id = d.id)"
        dossier = (
            conn.execute(
                text(
                    f"SELECT d.code, {steps} AS n FROM dossiers d "
                    "WHERE d.id IN (SELECT dossier_id FROM apology_letters) "
                    "AND EXISTS (SELECT 1 FROM dossier_pauses p WHERE p.dossier_id = d.id) "
                    f"AND {steps} > 0 ORDER BY n DESC, d.id DESC LIMIT 1"
                )
            ).first()
            or conn.execute(
                text(
                    f"SELECT d.code, {steps} AS n FROM dossiers d WHERE d.id = "
                    "(SELECT max(dossier_id) FROM dossier_steps)"
                )
            ).one()
        )
    return Subjects(
        unit[0], unit[1], int(unit[2]), official[0], int(official[1]), dossier[0], int(dossier[1])
    )


# --- what is timed -----------------------------------------------------------------------------------


@contextmanager
def in_province(server: Any) -> Iterator[None]:
    """A request as the callbacks see one, with the whole province as its scope: the benchmark
    times the queries, not the login (callbacks ask `current_scope()`, dashboard/access.py)."""
    from dashboard.access import use_scope
    from queries.scope import Scope

    with server.test_request_context("/", headers={"Cookie": "lang=vi"}):
        use_scope(Scope.province())
        yield


def build_cases(server: Any, s: Subjects, until: date) -> Iterator[Case]:
    from dashboard.components import atrisk
    from dashboard.pages import dossier, me, province, quality, unit
    from dashboard.services import engine, now
    from dashboard.urlstate import page_filters
    from queries.atrisk import count_open
    from queries.filters import preset_period
    from queries.quality import CHECKS, count_failing
    from queries.scope import Scope

    province_scope = Scope.province()

    def period(preset: str) -> str:
        start, end = preset_period(preset, until)
        return f"{preset} {start:%d/%m}–{end:%d/%m/%Y}"

    def in_request(fn: Callable[..., Any], *args: Any) -> Any:
        with in_province(server):
            return fn(*args)

    # Layouts run on every page load and query the catalog (and the dossier page one code).
    yield Case("province.layout", period("month"), lambda: province.layout(period="month"), ())
    yield Case("unit.layout", f"unit={s.unit}", lambda: unit.layout(code=s.unit, period="month"), ())
    yield Case("me.layout", f"official={s.official}", lambda: me.layout(official=s.official), ())
    yield Case("dossier.layout", s.dossier, lambda: dossier.layout(code=s.dossier), ())
    yield Case("quality.layout", period("month"), lambda: quality.layout(period="month"), ())

    # Province overview.
    for preset in ("month", "quarter", "year"):
        data, when = {"period": preset}, period(preset)
        yield Case("province.show_cards", when, province.show_cards, (data, None))
        yield Case("province.show_units_grid", when, province.show_units_grid, (data, None))
        for measure in ("open", "overdue"):
            args = (data, measure, None)
            yield Case("province.show_heatmap", f"{when}, {measure}", province.show_heatmap, args)
        yield Case("province.show_trends", f"{when}, province only", province.show_trends, (data, None, None))
        args = (data, s.unit, None)
        yield Case("province.show_trends", f"{when}, vs unit {s.unit}", province.show_trends, args)

    # The busiest commune: period figures for a month and a year, the backlog now once.
    for preset in ("month", "year"):
        data, when = {"period": preset, "unit": s.unit}, f"unit={s.unit}, {period(preset)}"
        yield Case("unit.show_cards", when, unit.show_cards, (data, None))
        yield Case("unit.show_flow", when, unit.show_flow, (data, None))
        yield Case("unit.show_satisfaction_trend", when, unit.show_satisfaction_trend, (data, None))
        yield Case("unit.show_timeliness", when, unit.show_timeliness, (data, None))
        yield Case("unit.show_low_ratings", when, unit.show_low_ratings, (data, None))
    data, when = {"period": "month", "unit": s.unit}, f"unit={s.unit} (backlog now)"
    for fn in (
        unit.show_at_risk,
        unit.show_sector_backlog,
        unit.show_ageing,
        unit.show_procedure_backlog,
        unit.show_workload,
    ):
        yield Case(f"unit.{fn.__name__}", when, fn, (data, None))

    # The at-risk grid (infinite row model) and its server-side exports, for the commune.
    unit_filters = in_request(page_filters, data)[0]
    unit_scope = atrisk.scope_of(unit_filters)
    columns = in_request(atrisk.at_risk_columns)
    with engine().connect() as conn:
        open_in_unit = count_open(conn, unit_filters, scope=province_scope)
    deep = max(0, (open_in_unit - 1) // atrisk.BLOCK * atrisk.BLOCK)
    first_block = {"startRow": 0, "endRow": atrisk.BLOCK}
    deep_block = {"startRow": deep, "endRow": deep + atrisk.BLOCK}
    where = f"unit={s.unit}, {open_in_unit:,} open"
    yield Case(
        "atrisk.serve_rows", f"{where}, rows 0–{atrisk.BLOCK}", atrisk.serve_rows, (first_block, unit_scope)
    )
    yield Case(
        "atrisk.serve_rows",
        f"{where}, rows {deep:,}–{deep + atrisk.BLOCK:,} (last block)",
        atrisk.serve_rows,
        (deep_block, unit_scope),
    )
    name = f"ho-so-can-chu-y-{s.unit}"
    yield Case("atrisk.export_csv", where, atrisk.export_csv, (1, unit_scope, columns, name))
    yield Case("atrisk.export_xlsx", where, atrisk.export_xlsx, (1, unit_scope, columns, name))

    # My dossiers: the official holding the most open dossiers.
    me_scope = {"official": s.official}
    who = f"official={s.official}, {s.official_open:,} open"
    yield Case("me.show_counts", who, me.show_counts, (me_scope,))
    yield Case("me.show_list", who, me.show_list, (me_scope,))
    handler_scope = atrisk.scope_of(handler=s.official)
    yield Case(
        "atrisk.serve_rows", f"{who}, rows 0–{atrisk.BLOCK}", atrisk.serve_rows, (first_block, handler_scope)
    )
    me_columns = in_request(lambda: atrisk.at_risk_columns(show_handler=False))
    export = (1, handler_scope, me_columns, f"ho-so-can-chu-y-{s.official}")
    yield Case("atrisk.export_csv", who, atrisk.export_csv, export)

    # One dossier.
    yield Case(
        "dossier.show_dossier", f"{s.dossier} ({s.dossier_steps} steps)", dossier.show_dossier, (s.dossier,)
    )

    # Data quality: the summary, then the list of the check with the most failing dossiers this year.
    year = {"period": "year"}
    year_filters = in_request(page_filters, year)[0]
    with engine().connect() as conn:
        failing = {
            c: count_failing(conn, year_filters, scope=province_scope, check=c, now=now()) for c in CHECKS
        }
    check = max(CHECKS, key=lambda c: (failing[c], c))
    for preset in ("month", "year"):
        data, when = {"period": preset}, period(preset)
        period_filters = in_request(page_filters, data)[0]
        with engine().connect() as conn:
            total = count_failing(conn, period_filters, scope=province_scope, check=check, now=now())
        yield Case("quality.show_summary", when, quality.show_summary, (data,))
        what = f"{when}, {check}, all units, {total:,} rows"
        yield Case("quality.show_count", what, quality.show_count, (check, None, data))
        first = {"startRow": 0, "endRow": quality.BLOCK, "sortModel": [], "filterModel": {}}
        yield Case(
            "quality.list_rows",
            f"{what}, rows 0–{quality.BLOCK}",
            quality.list_rows,
            (first, check, None, data),
        )
        deep = max(0, (total - 1) // quality.BLOCK * quality.BLOCK)
        last = {"startRow": deep, "endRow": deep + quality.BLOCK, "sortModel": [], "filterModel": {}}
        yield Case(
            "quality.list_rows",
            f"{what}, rows {deep:,}–{deep + quality.BLOCK:,} (last block)",
            quality.list_rows,
            (last, check, None, data),
        )
        by_code = {**first, "sortModel": [{"colId": "code", "sort": "desc"}]}
        yield Case(
            "quality.list_rows",
            f"{what}, rows 0–{quality.BLOCK} sorted by code desc",
            quality.list_rows,
            (by_code, check, None, data),
        )
        yield Case("quality.build_export", f"{what}, csv", quality.build_export, ("csv", check, None, data))


def measure(server: Any, case: Case, repeat: int) -> Timing:
    from plotly.io.json import to_json_plotly

    times, json_times, result = [], [], None
    for run in range(repeat + 1):
        with in_province(server):
            started = time.perf_counter()
            result = case.fn(*case.args)
            elapsed = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            payload = to_json_plotly(result)
            encoded = (time.perf_counter() - started) * 1000
        if run:  # the first call is the warm-up
            times.append(elapsed)
            json_times.append(encoded)
    return Timing(case, times, json_times, describe(result, len(payload.encode())))


# --- what came back ----------------------------------------------------------------------------------


def describe(result: Any, json_bytes: int) -> str:
    """Rows of grids and blocks, points of figures, rows of downloads, and the JSON size."""
    parts: list[str] = []
    if isinstance(result, dict) and "rowData" in result:
        parts.append(f"{len(result['rowData']):,} rows of {result.get('rowCount', 0):,}")
    elif isinstance(result, dict) and "filename" in result:
        content = result["content"]
        raw = base64.b64decode(content) if result.get("base64") else content.encode()
        parts.append(
            f"{result['filename']}: {_download_rows(result['filename'], raw):,} rows, {_size(len(raw))}"
        )
    else:
        grids, figures, points, infinite = 0, 0, 0, 0
        grid_rows = 0
        for node in _walk(result):
            if _is_figure(node):
                figures += 1
                points += _points(node)
            elif (
                getattr(node, "_type", None) == "AgGrid" and getattr(node, "rowModelType", None) == "infinite"
            ):
                infinite += 1
            elif getattr(node, "_type", None) == "AgGrid":
                grids += 1
                grid_rows += len(getattr(node, "rowData", None) or [])
        if grids:
            parts.append(f"{grids} grid{'s' if grids > 1 else ''}, {grid_rows:,} rows")
        if infinite:
            parts.append("infinite grid (rows on request)")
        if figures:
            parts.append(f"{figures} fig{'s' if figures > 1 else ''}, {points:,} points")
    parts.append(f"JSON {_size(json_bytes)}")
    return "; ".join(parts)


def _walk(node: Any) -> Iterator[Any]:
    from dash.development.base_component import Component

    yield node
    if _is_figure(node):
        return
    if isinstance(node, list | tuple):
        for child in node:
            yield from _walk(child)
    elif isinstance(node, dict):
        for child in node.values():
            yield from _walk(child)
    elif isinstance(node, Component):
        for prop in ("children", "figure"):
            child = getattr(node, prop, None)
            if child is not None and not isinstance(child, str | int | float):
                yield from _walk(child)


def _is_figure(node: Any) -> bool:
    import plotly.graph_objects as go

    return isinstance(node, go.Figure)


def _points(figure: Any) -> int:
    total = 0
    for trace in figure.data:
        z = getattr(trace, "z", None) if "z" in trace else None
        if z is not None:
            total += sum(len(row) for row in z)
            continue
        for axis in ("x", "y"):
            values = getattr(trace, axis, None)
            if values is not None:
                total += len(values)
                break
    return total


def _download_rows(filename: str, raw: bytes) -> int:
    if filename.endswith(".xlsx"):
        import pandas as pd

        return len(pd.read_excel(io.BytesIO(raw)))
    return max(0, raw.count(b"\n") - 1)


# --- why a callback is slow ---------------------------------------------------------------------


def explain_slow(server: Any, engine: Engine, timings: list[Timing], *, shown: int = 3) -> None:
    """Replay the statements of each slow callback on the raw driver; print the slowest and a plan."""
    slow = [t for t in timings if t.median >= SLOW_MS]
    if not slow:
        return
    print(f"\n## Where the callbacks slower than {SLOW_MS / 1000:g} s spend their time\n")
    print(
        "Every statement the callback runs, captured on one call and replayed once on the raw driver "
        f"(all rows fetched); the {shown} slowest over 20 ms, and the plan of the slowest "
        + (
            "(`EXPLAIN (ANALYZE, BUFFERS)`)."
            if engine.dialect.name == "postgresql"
            else "(`EXPLAIN QUERY PLAN`)."
        )
    )
    seen: dict[tuple[str, str], str] = {}
    for timing in slow:
        statements = _capture(server, engine, timing.case)
        replayed = [(*_replay(engine, sql, params), sql, params) for sql, params in statements]
        total = sum(ms for ms, _rows, _sql, _params in replayed)
        print(
            f"\n### `{timing.case.name}` ({timing.case.arguments}): median {_ms(timing.median)} ms\n\n"
            f"{len(statements)} statements, {_ms(total)} ms when replayed.\n"
        )
        ranked = sorted(replayed, key=lambda r: -r[0])
        for rank, (ms, rows, sql, params) in enumerate(ranked[:shown]):
            if ms < 20:
                break
            key = (sql, repr(params))
            if key in seen:
                print(f"- {_ms(ms)} ms, {rows:,} rows: the statement shown under {seen[key]}")
                continue
            seen[key] = f"`{timing.case.name}` ({timing.case.arguments})"
            print(f"- {_ms(ms)} ms, {rows:,} rows:\n\n```sql\n{_inline(sql, params)}\n```")
            if rank == 0:
                print(f"\n```\n{_plan(engine, sql, params)}\n```")
            print()


def _capture(server: Any, engine: Engine, case: Case) -> list[tuple[str, Any]]:
    from sqlalchemy import event

    statements: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, _many: bool) -> None:
        statements.append((sql, params))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with in_province(server):
            case.fn(*case.args)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements


def _replay(engine: Engine, sql: str, params: Any) -> tuple[float, int]:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        cursor.execute(sql, params)
        rows = len(cursor.fetchall()) if cursor.description else 0
        elapsed = (time.perf_counter() - started) * 1000
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return elapsed, rows


def _plan(engine: Engine, sql: str, params: Any) -> str:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines = [row[0] for row in cursor.fetchall()]
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            depth: dict[int, int] = {0: -1}
            lines = []
            for node, parent, _unused, detail in cursor.fetchall():
                depth[node] = depth.get(parent, -1) + 1
                lines.append("  " * depth[node] + detail)
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return "\n".join(lines[:60])


def _inline(sql: str, params: Any) -> str:
    """The statement with its parameters written in, for reading (never executed)."""

    def literal(value: Any) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool | int | float):
            return str(value)
        return "'" + str(value).replace("'", "''") + "'"

    if isinstance(params, dict):
        for name, value in params.items():
            sql = sql.replace(f"%({name})s", literal(value))
        return sql
    if isinstance(params, list | tuple) and params:
        pieces = sql.split("?")
        if len(pieces) == len(params) + 1:
            out = [pieces[0]]
            for value, piece in zip(params, pieces[1:], strict=True):
                out += [literal(value), piece]
            return "".join(out)
    return sql


# --- the report --------------------------------------------------------------------------------------


def print_header(
    engine: Engine, url: str, args: argparse.Namespace, moment: datetime, build_s: float | None, s: Subjects
) -> None:
    cpu = _cpuinfo("model name")
    memory = _meminfo("MemTotal")
    with engine.connect() as conn:
        counts = {
            table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("dossiers", "dossier_steps", "ratings")
        }
        open_ = conn.execute(text("SELECT count(*) FROM dossiers WHERE finished_at IS NULL")).scalar_one()
        if engine.dialect.name == "postgresql":
            server = conn.execute(text("SHOW server_version")).scalar_one()
            settings = ", ".join(
                f"{name}={conn.execute(text(f'SHOW {name}')).scalar_one()}"
                for name in (
                    "shared_buffers",
                    "work_mem",
                    "effective_cache_size",
                    "random_page_cost",
                    "max_parallel_workers_per_gather",
                    "jit",
                )
            )
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            postgres = f"{server} ({settings})"
        else:
            path = Path(make_url(url).database or "")
            size = sum(p.stat().st_size for p in path.parent.glob(f"{path.name}*") if p.is_file())
            postgres = "not used in this run"
    print("# Dashboard callbacks on the demo province\n")
    print(f"- machine: {len(os.sched_getaffinity(0))} CPUs ({cpu}), {memory}, {platform.platform()}")
    print(f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, PostgreSQL {postgres}")
    print(
        f"- {', '.join(f'{p} {_version(p)}' for p in ('dash', 'plotly', 'SQLAlchemy', 'psycopg', 'pandas'))}"
    )
    print(f"- code: {_git_state()}")
    print(f"- database: {_safe(url)}, {_size(size)} on disk")
    print(
        f"- {counts['dossiers']:,} dossiers ({open_:,} open), {counts['dossier_steps']:,} steps, "
        f"{counts['ratings']:,} ratings; demo {DEMO['communes']} communes × {DEMO['months']} months, "
        f"seed {DEMO['seed']}, until {args.until}"
        + (f" (built now in {build_s:.0f} s)" if build_s is not None else "")
    )
    print(
        f"- now pinned to {moment:%Y-%m-%d %H:%M} (DASHBOARD_NOW); cache off (CACHE_TYPE=NullCache); "
        f"lang=vi; 1 warm-up + {args.repeat} timed calls each"
    )
    print(
        f"- busiest commune {s.unit} {s.unit_name} ({s.unit_dossiers:,} dossiers); official {s.official} "
        f"holds {s.official_open:,} open dossiers; dossier {s.dossier} has {s.dossier_steps} steps\n"
    )


def print_table(timings: list[Timing]) -> None:
    print("| callback | arguments | median ms | p95 ms | JSON ms | result |")
    print("|---|---|---:|---:|---:|---|")
    for t in timings:
        median = f"**{_ms(t.median)}**" if t.median >= SLOW_MS else _ms(t.median)
        p95 = f"**{_ms(t.p95)}**" if t.p95 >= SLOW_MS else _ms(t.p95)
        json_ms = _ms(statistics.median(t.json_ms))
        print(f"| `{t.case.name}` | {t.case.arguments} | {median} | {p95} | {json_ms} | {t.result} |")


def print_slow(timings: list[Timing]) -> None:
    slow = [t for t in timings if t.median >= SLOW_MS or t.p95 >= SLOW_MS]
    print(f"\n**Slower than {SLOW_MS / 1000:g} s (median or p95):** " + ("none." if not slow else ""))
    for t in slow:
        print(f"- `{t.case.name}` ({t.case.arguments}): median {_ms(t.median)} ms, p95 {_ms(t.p95)} ms")


def _ms(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if n < 1024 or unit == "MiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    raise AssertionError


def _git_state() -> str:
    """The commit measured, and the tracked files changed since (the figures are for that code)."""
    try:
        head = subprocess.run(
            ["git", "log", "-1", "--format=%h %cd %s", "--date=format:%Y-%m-%d %H:%M"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    files = [line[3:] for line in changed if line.strip()]
    return f"commit {head}" + (f"; changed since: {', '.join(files)}" if files else "")


def _load() -> str:
    """The 1, 5 and 15 minute load averages: above the CPU count, other work competed for the CPUs."""
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def _cpuinfo(key: str) -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _meminfo(key: str) -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(key):
                return f"{int(line.split()[1]) / 2**20:.0f} GiB RAM"
    except OSError:
        pass
    return "RAM unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "-"


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
