"""Per-day rollups of the period figures: what makes a year of the province cheap to count.

Two tables (queries/models.py) hold the additive counts behind the period figures of
queries/kpis.py (dossiers received that day, dossiers resolved that day with their verdicts,
ratings given that day), under kpis.py's definitions:
- `daily_rollups`, per day, unit, sector, procedure and channel: every filter is a key column,
  so every filtered view can be served; at this grain a province has almost as many rows as
  dossiers (0.8 per dossier in the demo), so it serves the filtered views only;
- `daily_unit_rollups`, the same summed per day and unit: what the unfiltered views read (a
  year of the province: ~25,000 rows instead of a million dossiers).
The open set (backlog, in process at a period's end) stays read from `dossiers`: it depends on
"now", and the partial index on open dossiers keeps it to a few percent of the table.
tests/test_rollups.py checks that the rollups give exactly the raw queries' answers.

Keeping them current, all in SQL (INSERT ... SELECT ... GROUP BY):
- `rebuild(conn)` recomputes every row from the dossier tables; the demo generator ends with
  one, `python -m queries rollups rebuild` runs one, and so does a procedures import that turns
  a procedure's fee on or off (fee-bearing counts are stored, with the fee of the day).
- `refresh(conn, dossier_ids=..., since=..., slices=...)` recomputes only the (unit, day)
  slices the given dossiers touch: the days they were received and finished on, and the days
  their ratings were given. Whole slices are recomputed from the dossiers (then the unit
  table's rows from those), never patched with deltas, so a refresh cannot drift from a
  rebuild. The CSV importer runs one in its own transaction for the dossiers and ratings it
  wrote, passing also the slices those dossiers occupied before the import: for imports the
  rollups are always exact.
- `refresh_changed(conn)` is the periodic safety net for other writers (the one-stop system
  writing to the shared database, a hand fix): it refreshes the dossiers whose `updated_at` is
  past the watermark kept in `rollup_state` (less REFRESH_OVERLAP, for transactions that
  committed late) and the ratings whose id is past the last one seen. The alert scheduler
  calls it every few minutes.

What a since/updated_at refresh cannot see (a nightly `rebuild` repairs all of it):
- a corrected date or unit on a dossier: the refresh recomputes the slices the dossier occupies
  *now*; the slice it has left (the old finish day, say) keeps counting it until a rebuild. The
  importer avoids this by reading the old slices before it writes; other writers cannot;
- deleted dossiers or ratings, a rating edited in place (ratings have no updated_at), a writer
  that leaves `updated_at` NULL or stamps it in the past, one whose transaction stayed open
  longer than the overlap, a procedure's fee changed other than by the importer.

Until the first rebuild (`rollup_state` has no row) the dashboard reads the raw tables, and a
refresh turns itself into the rebuild: a partly filled rollup would undercount.
"""

from __future__ import annotations

import time as _time
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Integer,
    MetaData,
    Table,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    tuple_,
    union,
    union_all,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.sql import ColumnElement, Select

from queries.kpis import NOT_ACCEPTED, ROLLUP_PERIOD_COUNTS, WITH_RESULT
from queries.models import (
    DailyRollup,
    DailyUnitRollup,
    Dossier,
    LocalDateTime,
    Procedure,
    Rating,
    RollupState,
)
from queries.timeutil import vn_now

NAME = "daily_rollups"  # its row in rollup_state (for both tables: they are built together)
#: How far before the watermark `refresh_changed` looks again: a writer stamps updated_at when
#: it writes but becomes visible when it commits, possibly after a later writer's stamp was seen.
REFRESH_OVERLAP = timedelta(minutes=10)
#: Above this many (unit, day) slices a refresh rebuilds instead: one pass over the dossiers is
#: then cheaper than thousands of slice look-ups (a big import, a first refresh after months).
REBUILD_ABOVE_SLICES = 20_000
#: Likewise above this many dossiers to refresh: finding their slices alone would cost about
#: what a rebuild does.
REBUILD_ABOVE_DOSSIERS = 100_000
#: Dossier ids per look-up: below both databases' bound-parameter limits.
CHUNK = 5000
#: PostgreSQL advisory lock that serialises writers of the rollups (an import and a scheduler tick
#: recomputing the same slice would otherwise both insert it). SQLite serialises writers itself.
LOCK_KEY = 7_004_001

TIMELY = ["early", "on_time"]
#: The counts both tables carry; each is the Kpis field of the same name.
COUNTS = ROLLUP_PERIOD_COUNTS
KEY = ["day", "unit_id", "sector_id", "procedure_id", "channel"]
UNIT_KEY = ["day", "unit_id"]

Slice = tuple[int, date]  # (unit_id, day)

# The slices a refresh recomputes, in a temporary table the event statements join: one statement
# per kind of event then finds each slice's dossiers through the (unit_id, received_at) or
# (unit_id, finished_at) index, however many slices there are.
_SLICES = Table(
    "rollup_slices",
    MetaData(),
    Column("unit_id", Integer, nullable=False),
    Column("day", Date, nullable=False),
    Column("lo", LocalDateTime, nullable=False),
    Column("hi", LocalDateTime, nullable=False),
    prefixes=["TEMPORARY"],
)


@dataclass(frozen=True)
class RollupReport:
    """What a rebuild or refresh did (the CLI prints it, the scheduler may log it)."""

    rebuilt: bool
    slices: int  # (unit, day) slices recomputed; 0 for a rebuild
    rows: int  # daily_rollups rows written
    seconds: float
    skipped: bool = False  # refresh_changed only: another writer held the rollups, nothing done

    def summary(self) -> str:
        if self.skipped:
            return "rollups: another transaction is writing them; skipped"
        what = "rebuilt" if self.rebuilt else f"{self.slices:,} (unit, day) slices refreshed"
        return f"rollups: {what}, {self.rows:,} rows written in {self.seconds:.2f} s"


# --- state -------------------------------------------------------------------------------------------
def is_built(conn: Connection) -> bool:
    """True once a rebuild has filled the rollups: only then may readers rely on them."""
    found = conn.execute(select(RollupState.rebuilt_at).where(RollupState.name == NAME)).first()
    return found is not None and found[0] is not None


def _state(conn: Connection) -> Row[Any] | None:
    """The rollups' row of `rollup_state` (rebuilt_at, dossiers_through, ratings_through...)."""
    return conn.execute(select(RollupState.__table__).where(RollupState.name == NAME)).first()


def _save_state(conn: Connection, **values: Any) -> None:
    """Update the rollups' state row, inserting it the first time."""
    table = RollupState.__table__
    if conn.execute(update(table).where(table.c.name == NAME).values(**values)).rowcount == 0:
        conn.execute(insert(table).values(name=NAME, **({"ratings_through": 0} | values)))


def _marks(conn: Connection) -> tuple[datetime | None, int]:
    """The newest dossier change and rating id now: read *before* recomputing, so whatever
    commits meanwhile is past the watermark and seen by the next refresh."""
    through = conn.execute(select(func.max(Dossier.updated_at))).scalar()
    return through, _last_rating(conn)


def _last_rating(conn: Connection) -> int:
    return int(conn.execute(select(func.max(Rating.id))).scalar() or 0)


def _changed_since(conn: Connection, since: datetime | None) -> tuple[list[int], datetime | None]:
    """Ids of the dossiers updated after `since` (all stamped ones for None), and their newest
    stamp: one pass over `dossiers` (updated_at has no index), then the slices go by id."""
    which = Dossier.updated_at > since if since is not None else Dossier.updated_at.is_not(None)
    rows = conn.execute(select(Dossier.id, Dossier.updated_at).where(which)).all()
    return [row.id for row in rows], max((row.updated_at for row in rows), default=None)


def _lock(conn: Connection, *, wait: bool = True) -> bool:
    """Serialise rollup writers on PostgreSQL until the transaction ends; False if busy (no wait)."""
    if conn.dialect.name != "postgresql":
        return True
    if wait:
        conn.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))
        return True
    return bool(conn.execute(select(func.pg_try_advisory_xact_lock(LOCK_KEY))).scalar())


# --- the counted events ------------------------------------------------------------------------------
def day_of(conn: Connection, column: Any) -> ColumnElement[date]:
    """The calendar day of a naive local time, as a date, in either dialect."""
    if conn.dialect.name == "sqlite":
        return func.date(column, type_=Date)
    return cast(column, Date)


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _events(conn: Connection, slices: Table | None, days: Sequence[date] = ()) -> list[Select]:
    """One grouped statement per kind of event, each with the fine key and all the counts.

    The conditions are kpis.py's raw ones: received = accepted (not submitted or refused), by
    receipt day; resolved = finished with a verdict, by finish day; ratings by their own day,
    under their dossier. With `slices`, each keeps only the events in those (unit, day) slices.
    A missing time gives a NULL day, dropped by the caller: a `received_at IS NOT NULL` here
    would lead SQLite onto the received_at index and a row look-up per dossier (+30 %).
    `days` (the slices' days) bound the ratings by constants on PostgreSQL: its planner cannot
    tell how few ratings a temporary table's day ranges select, and joined them by hashing every
    dossier (1.2 s instead of 0.1 s for a hundred slices at 1M). SQLite starts from the slices.
    """
    zero = literal_column("0")
    sector = func.coalesce(Dossier.sector_id, 0)
    procedure = func.coalesce(Dossier.procedure_id, 0)
    # The fee as a set of procedure ids, looked up once, not joined per dossier (SQLite: -30 %).
    fee = Dossier.procedure_id.in_(select(Procedure.id).where(Procedure.fee > 0))
    timely, late = Dossier.outcome.in_(TIMELY), Dossier.outcome == "late"
    with_result = Dossier.status.in_(WITH_RESULT)

    def statement(moment: Any, counts: dict[str, ColumnElement[Any]], source: Any, *where: Any) -> Select:
        day = day_of(conn, moment)
        columns = [
            day.label("day"),
            Dossier.unit_id,
            sector.label("sector_id"),
            procedure.label("procedure_id"),
        ]
        columns.append(Dossier.channel)
        # As integers: PostgreSQL sums bigints (what count() gives) into slow, wide numerics.
        columns += [cast(counts.get(name, zero), Integer).label(name) for name in COUNTS]
        if slices is not None:
            source = source.join(
                slices, and_(slices.c.unit_id == Dossier.unit_id, moment >= slices.c.lo, moment < slices.c.hi)
            )
        if days and moment is Rating.rated_at and conn.dialect.name == "postgresql":
            where = (*where, or_(*(and_(moment >= lo, moment < hi) for lo, hi in _runs(days))))
        return (
            select(*columns)
            .select_from(source)
            .where(*where)
            .group_by(day, Dossier.unit_id, sector, procedure, Dossier.channel)
        )

    dossiers = Dossier.__table__
    received = statement(
        Dossier.received_at,
        {
            "received": func.count(),
            "online": _flag(Dossier.channel == "online"),
            "digitized_components": _flag(Dossier.digitized_components.is_(True)),
            "fee_bearing": _flag(fee),
            "paid_online": _flag(and_(fee, Dossier.paid_online.is_(True))),
        },
        dossiers,
        Dossier.status.not_in(NOT_ACCEPTED),
    )
    resolved = statement(
        Dossier.finished_at,
        {
            "resolved": func.count(),
            "resolved_early": _flag(Dossier.outcome == "early"),
            "resolved_on_time": _flag(Dossier.outcome == "on_time"),
            "resolved_late": _flag(late),
            "with_result": _flag(with_result),
            "digitized_results": _flag(and_(with_result, Dossier.digitized_result.is_(True))),
        },
        dossiers,
        Dossier.outcome.is_not(None),
    )
    rated = statement(
        Rating.rated_at,
        {
            "ratings": func.count(),
            "satisfied": _flag(Rating.score >= 4),
            "dissatisfied": _flag(Rating.score <= 2),
            "rating_sum": func.sum(Rating.score),
            "ratings_timely": _flag(timely),
            "rating_sum_timely": func.sum(case((timely, Rating.score), else_=0)),
            "ratings_late": _flag(late),
            "rating_sum_late": func.sum(case((late, Rating.score), else_=0)),
        },
        Rating.__table__.join(dossiers, Dossier.id == Rating.dossier_id),
    )
    return [received, resolved, rated]


def _fill(conn: Connection, slices: Table | None, days: Sequence[date] = ()) -> int:
    """INSERT the fine rows of every event (or of the slices' events), then the unit rows from
    them; the number of fine rows written."""
    events = union_all(*_events(conn, slices, days)).subquery("events")
    summed = (
        select(*(events.c[name] for name in KEY), *(func.sum(events.c[name]).label(name) for name in COUNTS))
        .where(events.c.day.is_not(None))  # no receipt or finish time: no day to count on
        .group_by(*(events.c[name] for name in KEY))
    )
    fine = DailyRollup.__table__
    conn.execute(insert(fine).from_select([*KEY, *COUNTS], summed))
    per_unit = select(
        fine.c.day, fine.c.unit_id, *(func.sum(fine.c[name]).label(name) for name in COUNTS)
    ).group_by(fine.c.day, fine.c.unit_id)
    if slices is not None:
        per_unit = per_unit.where(_in_slices(fine, slices))
    conn.execute(insert(DailyUnitRollup.__table__).from_select([*UNIT_KEY, *COUNTS], per_unit))
    # Counted, not taken from rowcount: psycopg reports none for INSERT ... SELECT through Core.
    counted = select(func.count()).select_from(fine)
    if slices is not None:
        counted = counted.where(_in_slices(fine, slices))
    return int(conn.execute(counted).scalar_one())


def _in_slices(table: Table, slices: Table) -> ColumnElement[bool]:
    return tuple_(table.c.unit_id, table.c.day).in_(select(slices.c.unit_id, slices.c.day))


# --- rebuild and refresh -----------------------------------------------------------------------------
def rebuild(conn: Connection, *, now: datetime | None = None) -> RollupReport:
    """Recompute both rollup tables from the dossier tables, in the caller's transaction."""
    started, moment = _time.perf_counter(), now or vn_now()
    _lock(conn)
    through, ratings = _marks(conn)
    conn.execute(delete(DailyUnitRollup.__table__))
    conn.execute(delete(DailyRollup.__table__))
    rows = _fill(conn, None)
    _save_state(
        conn, rebuilt_at=moment, refreshed_at=moment, dossiers_through=through, ratings_through=ratings
    )
    for table in (DailyRollup, DailyUnitRollup):  # a planner that knows their size
        conn.execute(text(f"ANALYZE {table.__tablename__}"))
    return RollupReport(rebuilt=True, slices=0, rows=rows, seconds=_time.perf_counter() - started)


def refresh(
    conn: Connection,
    *,
    dossier_ids: Collection[int] | None = None,
    since: datetime | None = None,
    slices: Iterable[Slice] = (),
    now: datetime | None = None,
) -> RollupReport:
    """Recompute the (unit, day) slices touched by some dossiers, in the caller's transaction.

    The dossiers are `dossier_ids`, and/or those with `updated_at` after `since`; a slice is a
    unit's day on which one of them was received, finished, or rated. `slices` adds slices
    known from elsewhere: the importer passes those its dossiers occupied before it changed
    them, which the dossiers' new values cannot name (see the module docstring). Never built
    yet: a rebuild instead, and one too when the dossiers or slices are many (REBUILD_ABOVE_*).
    """
    started = _time.perf_counter()
    _lock(conn)
    if not is_built(conn):
        return rebuild(conn, now=now)
    ids = set(dossier_ids or ())
    if since is not None:
        ids |= set(_changed_since(conn, since)[0])
    if len(ids) > REBUILD_ABOVE_DOSSIERS:
        return rebuild(conn, now=now)
    return _recompute(conn, set(slices) | slices_of(conn, ids), now=now, started=started)


def refresh_changed(
    conn: Connection, *, since: datetime | None = None, now: datetime | None = None
) -> RollupReport:
    """The periodic refresh (the alert scheduler's job): whatever changed since the last one.

    Changed = dossiers whose updated_at is after `since`, plus ratings added since the last
    refresh (by id). By default `since` is the watermark (the newest updated_at the last rebuild
    or refresh_changed saw) less REFRESH_OVERLAP, for writers that stamped before it but
    committed after that read; once the last read is more than the overlap past the
    watermark, those have all committed and `since` is the watermark itself, so a quiet tick
    recomputes nothing. Advances the watermark.
    On PostgreSQL it skips (report.skipped) rather than wait while another transaction writes
    the rollups (typically an import, which refreshes its own dossiers anyway). Builds the
    rollups when they were never built. Run it in a transaction of its own:
    `with engine.begin() as conn: refresh_changed(conn)`.
    """
    started, moment = _time.perf_counter(), now or vn_now()
    if not _lock(conn, wait=False):
        return RollupReport(rebuilt=False, slices=0, rows=0, seconds=0.0, skipped=True)
    state = _state(conn)
    if state is None or state.rebuilt_at is None:
        return rebuild(conn, now=moment)
    if since is None and state.dossiers_through is not None:
        since = state.dossiers_through - REFRESH_OVERLAP
        if state.refreshed_at is not None:  # stamped before (last read - overlap): committed, seen
            since = max(since, min(state.dossiers_through, state.refreshed_at - REFRESH_OVERLAP))
    ratings = _last_rating(conn)  # before the dossiers: a rating added meanwhile is seen next time
    ids, through = _changed_since(conn, since)
    if len(ids) > REBUILD_ABOVE_DOSSIERS:
        return rebuild(conn, now=moment)
    touched = slices_of(conn, ids)
    if ratings > state.ratings_through:
        touched |= _rating_slices(conn, Rating.id > state.ratings_through)
    report = _recompute(conn, touched, now=moment, started=started)
    if not report.rebuilt:  # a rebuild has stored its own marks
        newest = max((m for m in (state.dossiers_through, through) if m is not None), default=None)
        _save_state(
            conn,
            refreshed_at=moment,
            dossiers_through=newest,
            ratings_through=max(ratings, state.ratings_through),
        )
    return report


def slices_of(conn: Connection, dossier_ids: Collection[int]) -> set[Slice]:
    """The (unit, day) slices these dossiers count in now (the importer's "before" picture)."""
    found: set[Slice] = set()
    ids = sorted(set(dossier_ids))
    for start in range(0, len(ids), CHUNK):
        found |= _slices_of(conn, Dossier.id.in_(ids[start : start + CHUNK]))
    return found


def _slices_of(conn: Connection, which: ColumnElement[bool]) -> set[Slice]:
    """Slices of the dossiers matching `which`: receipt and finish days, and their ratings' days."""
    days = [
        select(Dossier.unit_id, day_of(conn, moment).label("day")).where(which, moment.is_not(None))
        for moment in (Dossier.received_at, Dossier.finished_at)
    ]
    days.append(
        select(Dossier.unit_id, day_of(conn, Rating.rated_at).label("day"))
        .select_from(Rating)
        .join(Dossier, Dossier.id == Rating.dossier_id)
        .where(which)
    )
    return {(int(unit), _as_date(day)) for unit, day in conn.execute(union(*days))}


def _rating_slices(conn: Connection, which: ColumnElement[bool]) -> set[Slice]:
    stmt = (
        select(Dossier.unit_id, day_of(conn, Rating.rated_at))
        .select_from(Rating)
        .join(Dossier, Dossier.id == Rating.dossier_id)
        .where(which)
        .distinct()
    )
    return {(int(unit), _as_date(day)) for unit, day in conn.execute(stmt)}


def _as_date(value: Any) -> date:
    """A day as read back from a union (SQLite returns the text, whatever the column type says)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _recompute(
    conn: Connection, touched: set[Slice], *, now: datetime | None, started: float
) -> RollupReport:
    """Delete the slices' rows from both tables and insert them again (or rebuild if many)."""
    if len(touched) > REBUILD_ABOVE_SLICES:
        return rebuild(conn, now=now)
    rows = 0
    if touched:
        # A temporary table lives as long as the connection: drop one a failed refresh left behind.
        conn.execute(text(f"DROP TABLE IF EXISTS {_SLICES.name}"))
        _SLICES.create(conn)
        for chunk in _chunked(sorted(touched)):
            conn.execute(insert(_SLICES), [_slice_row(unit, day) for unit, day in chunk])
        if conn.dialect.name == "sqlite":  # so the planner starts from the slices, not the dossiers
            conn.execute(text(f"ANALYZE temp.{_SLICES.name}"))
        for table in (DailyUnitRollup.__table__, DailyRollup.__table__):
            conn.execute(delete(table).where(_in_slices(table, _SLICES)))
        rows = _fill(conn, _SLICES, sorted({day for _, day in touched}))
        _SLICES.drop(conn)
    return RollupReport(rebuilt=False, slices=len(touched), rows=rows, seconds=_time.perf_counter() - started)


def _slice_row(unit: int, day: date) -> dict[str, Any]:
    lo = datetime.combine(day, time())
    return {"unit_id": unit, "day": day, "lo": lo, "hi": lo + timedelta(days=1)}


def _runs(days: Sequence[date], most: int = 50) -> list[tuple[datetime, datetime]]:
    """Sorted days as few [start, end) ranges of consecutive days; one range over all of them
    when that would still be more than `most`."""
    runs: list[list[date]] = []
    for day in days:
        if runs and day <= runs[-1][1] + timedelta(days=1):
            runs[-1][1] = max(runs[-1][1], day)
        else:
            runs.append([day, day])
    if len(runs) > most:
        runs = [[days[0], days[-1]]]
    return [
        (datetime.combine(lo, time()), datetime.combine(hi + timedelta(days=1), time())) for lo, hi in runs
    ]


def _chunked(items: list[Slice]) -> Iterator[list[Slice]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
