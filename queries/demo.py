"""A realistic demo province for an empty database (`python -m queries demo`).

Why it looks the way it does (calibration from ../shared/domain.md §5.4 and §6):
- ~600 dossiers per commune per month; commune sizes lognormal, urban wards busiest.
- Dossiers arrive on working days only (the real calendar, overrides included), in office hours,
  with a Monday peak, a pre-Tết rush and an almost empty week after Tết, the start-of-school-year
  certification peak (Aug-Sep), the wedding season before Tết, and a surge in land dossiers after
  the 1 July 2025 merger.
- Online share grows from ~20 % to ~45 %; postal is small.
- Most dossiers finish early or on time; a few communes are clearly struggling. 5-15 % get a
  supplement request (the clock pauses), < 1 % two (counted late), land dossiers may wait for tax
  payment (suspension). Most late dossiers carry an apology letter (Mẫu 04), deliberately not all,
  and a handful have an appointment later than the statutory due (hidden delay): both are
  data-quality signals the dashboard must surface.
- The backlog at `until` (the demo's "today", 17:30) is a few percent: mostly on track, some due
  soon, some overdue, some paused.
- Every dossier has an applicant (personal data, shown masked to most users): a Vietnamese name,
  a 12-digit CCCD starting with a plausible province code, a mobile number (a few have none), an
  address "Thôn/Tổ ..., <commune>, <province>" in the dossier's commune.

How it stays fast (../shared/performance-limits.md §1-2): every column is generated with numpy,
chunk by chunk; SLA columns are computed by `VectorClock`, a column-wise replica of
`queries.clocking.derive` (tests compare the two on every dossier); rows go in with the raw
driver (SQLite executemany with synchronous=OFF, PostgreSQL COPY) in one transaction, with the
secondary indexes dropped during the load and rebuilt after. Explicit ids link child rows.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import numpy as np
from sqlalchemy import Engine

from queries import demo_catalog as catalog
from queries import rollups
from queries.domain import Channel, Outcome, Role, Status, Step, TimeUnit, UnitLevel
from queries.sla import Clock

CHUNK_SIZE = 100_000
DOSSIERS_PER_COMMUNE_MONTH = 600
#: The demo's "now" on the `until` day: after office hours, so the whole day has happened.
AS_OF_TIME = time(17, 30)
MERGER_DAY = np.datetime64("2025-07-01", "D")

# Small integer codes used inside the generator; the database stores the names.
TIME_UNIT_CODES = {
    TimeUnit.WORKING_DAYS: 0,
    TimeUnit.CALENDAR_DAYS: 1,
    TimeUnit.WORKING_HOURS: 2,
    TimeUnit.SAME_DAY: 3,
}
WD, CD, WH, SD = 0, 1, 2, 3
CHANNELS = np.array([str(Channel.COUNTER), str(Channel.ONLINE), str(Channel.POSTAL)], dtype=object)
LEVELS = (UnitLevel.COMMUNE, UnitLevel.WARD, UnitLevel.SPECIAL_ZONE)
STATUS_NAMES = np.array([str(s) for s in Status], dtype=object)
S = {status: index for index, status in enumerate(Status)}
STEP_NAMES = (Step.RECEPTION, Step.TRANSFER, Step.APPRAISAL, Step.APPROVAL, Step.RETURN)
OUTCOME_NAMES = np.array([None, str(Outcome.EARLY), str(Outcome.ON_TIME), str(Outcome.LATE)], dtype=object)
NAT = np.datetime64("NaT", "s")
DAY_SECONDS = 86_400
END_OF_DAY = np.timedelta64(DAY_SECONDS - 1, "s")


@dataclass(frozen=True)
class DemoSummary:
    """Rows written per table and how long it took."""

    units: int
    sectors: int
    procedures: int
    officials: int
    dossiers: int
    status_changes: int
    steps: int
    pauses: int
    apology_letters: int
    ratings: int
    seconds: float
    applicants: int = 0

    @property
    def rows(self) -> int:
        return (
            self.units
            + self.sectors
            + self.procedures
            + self.officials
            + self.dossiers
            + self.status_changes
            + self.steps
            + self.pauses
            + self.apology_letters
            + self.ratings
            + self.applicants
        )


def generate(
    engine: Engine,
    *,
    clock: Clock,
    communes: int = 95,
    months: int = 18,
    dossiers: int | None = None,
    seed: int = 2025,
    until: date,
    progress: Callable[[str], None] = lambda _m: None,
) -> DemoSummary:
    """Fill an empty, migrated database with a demo province; same arguments, same content.

    1. Reference data (units, sectors, procedures, officials) from the catalog and `seed`.
    2. An arrival plan: how many dossiers each commune receives on each working day, and when.
    3. Chunk by chunk: each dossier's life (steps, pauses, letters, ratings) up to `until` 17:30,
       its derived SLA columns, then the rows, written in one transaction.
    4. The per-day rollups rebuilt from those rows (queries/rollups.py).
    """
    started = _time.perf_counter()
    if communes < 1 or months < 1 or (dossiers is not None and dossiers < 0):
        raise ValueError("communes and months must be at least 1, dossiers not negative")
    total = communes * months * DOSSIERS_PER_COMMUNE_MONTH if dossiers is None else dossiers
    vclock = VectorClock.of(clock)
    as_of = np.datetime64(datetime.combine(until, AS_OF_TIME), "s")
    reference = build_reference(communes, seed)
    plan = plan_arrivals(
        reference, vclock, total=total, start=_months_before(until, months), until=until, seed=seed
    )
    progress(
        f"demo: {reference.summary()}; {total:,} dossiers received {plan.first_day} .. {plan.last_day}, "
        f"as of {until} {AS_OF_TIME:%H:%M}"
    )
    counts: dict[str, int] = {}
    with Loader(engine) as loader:
        for table, columns, data in reference.tables():
            loader.insert(table, columns, data)
            counts[table] = len(data[0])
        ids = IdCounters()
        for number, lo in enumerate(range(0, total, CHUNK_SIZE)):
            hi = min(total, lo + CHUNK_SIZE)
            batch = simulate(reference, plan, vclock, lo=lo, hi=hi, as_of=as_of, seed=seed, chunk=number)
            for table, columns, data in batch.tables(ids):
                loader.insert(table, columns, data)
                counts[table] = counts.get(table, 0) + len(data[0])
            child = sum(v for k, v in counts.items() if k not in _REFERENCE_TABLES and k != "dossiers")
            progress(
                f"demo: {hi:,}/{total:,} dossiers ({hi / max(total, 1):.0%}), {child:,} child rows, "
                f"{_time.perf_counter() - started:.1f} s"
            )
        loader.finish(progress)
    with engine.begin() as conn:  # the dashboard's period figures read the rollup
        built = rollups.rebuild(conn)
    progress(f"demo: {built.summary()}")
    summary = DemoSummary(
        units=counts.get("units", 0),
        sectors=counts.get("sectors", 0),
        procedures=counts.get("procedures", 0),
        officials=counts.get("officials", 0),
        dossiers=counts.get("dossiers", 0),
        status_changes=counts.get("dossier_status_history", 0),
        steps=counts.get("dossier_steps", 0),
        pauses=counts.get("dossier_pauses", 0),
        apology_letters=counts.get("apology_letters", 0),
        ratings=counts.get("ratings", 0),
        seconds=round(_time.perf_counter() - started, 2),
        applicants=counts.get("dossier_applicants", 0),
    )
    progress(f"demo: done, {summary.rows:,} rows in {summary.seconds:.1f} s")
    return summary


_REFERENCE_TABLES = frozenset({"units", "sectors", "procedures", "officials"})


def _months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (clamped to the month's length)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


# =====================================================================================================
# The SLA clock, column-wise
# =====================================================================================================


@dataclass(frozen=True)
class VectorClock:
    """`queries.sla.Clock` over numpy columns (datetime64[s]), float for float.

    Each method mirrors the scalar method of the same name, with the same floating-point
    operations in the same order, so the results are identical, not merely close; a per-row
    `judge()` over a million dossiers would take minutes (performance-limits.md §0 point 4).
    """

    workdays: np.ndarray
    per_day: float
    morning: tuple[int, int]  # minutes after midnight
    afternoon: tuple[int, int]
    cutoff: int  # seconds after midnight
    extension_counts_on_time: bool

    @classmethod
    def of(cls, clock: Clock) -> VectorClock:
        policy = clock.policy
        return cls(
            workdays=clock.calendar.workdays,
            per_day=policy.hours_per_day,
            morning=(_minute_of(policy.morning[0]), _minute_of(policy.morning[1])),
            afternoon=(_minute_of(policy.afternoon[0]), _minute_of(policy.afternoon[1])),
            cutoff=_minute_of(policy.same_day_cutoff) * 60 + policy.same_day_cutoff.second,
            extension_counts_on_time=policy.extension_counts_on_time,
        )

    # --- calendar ------------------------------------------------------------------------------
    def index(self, days: np.ndarray) -> np.ndarray:
        """Working days strictly before each day (WorkCalendar.index)."""
        return np.searchsorted(self.workdays, days.astype("datetime64[D]"), side="left")

    def is_working(self, days: np.ndarray, index: np.ndarray | None = None) -> np.ndarray:
        days = days.astype("datetime64[D]")
        index = self.index(days) if index is None else index
        capped = np.minimum(index, len(self.workdays) - 1)
        return (index < len(self.workdays)) & (self.workdays[capped] == days)

    # --- the working-hour line -------------------------------------------------------------------
    def position(self, moments: np.ndarray) -> np.ndarray:
        """Clock.position: office hours from the calendar's start to each moment."""
        days = moments.astype("datetime64[D]")
        index = self.index(days)
        tod = (moments - days).astype(np.int64)
        minutes = ((tod // 3600) * 60 + (tod % 3600) // 60).astype(np.float64) + (tod % 60) / 60
        hours = _overlap(minutes, *self.morning) + _overlap(minutes, *self.afternoon)
        before = index * self.per_day
        return np.where(self.is_working(days, index), before + hours, before)

    def instant(self, positions: np.ndarray) -> np.ndarray:
        """Clock.instant: the earliest moment at each position (a day boundary is 17:00)."""
        index = np.floor(positions / self.per_day + 1e-9).astype(np.int64)
        rest = positions - index * self.per_day
        boundary = (rest < 1e-9) & (index > 0)
        days = self.workdays[np.where(boundary, index - 1, index)].astype("datetime64[s]")
        morning_span = (self.morning[1] - self.morning[0]) / 60
        in_morning = rest <= morning_span
        base = np.where(in_morning, self.morning[0], self.afternoon[0]) * 60
        offset = np.where(in_morning, rest, rest - morning_span)
        seconds = np.where(boundary, self.afternoon[1] * 60, base + _timedelta_seconds(offset))
        return days + seconds.astype("timedelta64[s]")

    # --- due dates ---------------------------------------------------------------------------------
    def statutory_due(self, received: np.ndarray, units: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Clock.statutory_due for every dossier (units are the generator's WD/CD/WH/SD codes)."""
        days = received.astype("datetime64[D]")
        index = self.index(days)
        working = self.is_working(days, index)
        tod = (received - days).astype(np.int64)
        whole = np.ceil(values).astype(np.int64)
        result = np.full(len(received), NAT)
        hourly = units == WH
        if hourly.any():
            result[hourly] = self.instant(self.position(received[hourly]) + values[hourly])
        calendar = units == CD
        if calendar.any():
            target = days[calendar] + whole[calendar].astype("timedelta64[D]")
            result[calendar] = _end_of(self.workdays[self.index(target)])
        same_day = (units == SD) | ((units == WD) & (whole <= 0))
        next_index = np.where(working & (tod < self.cutoff), index, np.where(working, index + 1, index))
        result[same_day] = _end_of(self.workdays[next_index[same_day]])
        counted = (units == WD) & (whole > 0)
        start = index + working.astype(np.int64)
        result[counted] = _end_of(self.workdays[(start + whole - 1)[counted]])
        return result

    def paused_hours(self, spans: Sequence[tuple[np.ndarray, np.ndarray]], moment: np.ndarray) -> np.ndarray:
        """Clock.paused_hours over closed pauses clipped at `moment`.

        `spans` must be chronological and non-overlapping per dossier (the generator makes them
        so), which is what Clock's merge step would produce; the sum runs in the same order.
        """
        total = np.zeros(len(moment))
        for start, end in spans:
            closed = ~np.isnat(start) & ~np.isnat(end)
            clipped = np.where(closed, np.minimum(end, moment), moment)
            valid = closed & (start < end) & (clipped > start)
            if valid.any():
                hours = self.position(clipped[valid]) - self.position(start[valid])
                total[valid] += np.maximum(0.0, hours)
        return total

    def shift(self, due: np.ndarray, hours: np.ndarray) -> np.ndarray:
        """Clock.shift: later by working hours; an end-of-day due stays end-of-day."""
        result = due.copy()
        move = hours > 0
        if move.any():
            moved = self.instant(self.position(due[move]) + hours[move])
            end_of_day = (due[move] - due[move].astype("datetime64[D]")) == END_OF_DAY
            result[move] = np.where(end_of_day, _end_of(moved.astype("datetime64[D]")), moved)
        return result

    # --- event times for the generator (not part of the clock) ------------------------------------
    def moment_at(self, positions: np.ndarray) -> np.ndarray:
        """A moment at each position inside office hours; NaT for +inf (never happens)."""
        finite = np.isfinite(positions)
        safe = np.where(finite, positions, 0.0)
        index = np.floor(safe / self.per_day).astype(np.int64)
        rest = safe - index * self.per_day
        morning_span = (self.morning[1] - self.morning[0]) / 60
        seconds = np.where(
            rest < morning_span,
            self.morning[0] * 60 + rest * 3600,
            self.afternoon[0] * 60 + (rest - morning_span) * 3600,
        ).astype(np.int64)
        days = self.workdays[np.minimum(index, len(self.workdays) - 1)].astype("datetime64[s]")
        return np.where(finite, days + seconds.astype("timedelta64[s]"), NAT)


def _minute_of(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _overlap(minutes: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return np.maximum(0.0, np.minimum(minutes, float(hi)) - float(lo)) / 60


def _timedelta_seconds(hours: np.ndarray) -> np.ndarray:
    """Whole seconds of `timedelta(hours=h)`: CPython rounds the fraction half-even to a microsecond."""
    fraction, whole = np.modf(hours)
    micros = whole * 3_600_000_000 + np.rint(fraction * 3_600_000_000.0)
    return (micros // 1_000_000).astype(np.int64)


def _end_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[s]") + END_OF_DAY


@dataclass(frozen=True)
class Derived:
    statutory_due_at: np.ndarray
    appointment_due_at: np.ndarray
    due_at: np.ndarray
    base_due: np.ndarray  # appointment plus closed pauses: the yardstick for lateness
    outcome: np.ndarray  # 0 none (open), 1 early, 2 on time, 3 late


def derive_columns(
    vclock: VectorClock,
    *,
    statutory: np.ndarray,
    appointment: np.ndarray,
    received: np.ndarray,
    finished_at: np.ndarray,
    spans: Sequence[tuple[np.ndarray, np.ndarray]],
    extension: np.ndarray,
    supplement_count: np.ndarray,
) -> Derived:
    """queries.clocking.derive for whole columns (`finished_at` NaT = not finished).

    derive() judges an open dossier at the end of its last closed pause (or its receipt), so the
    stored due counts every closed pause; this mirrors that.
    """
    finished = ~np.isnat(finished_at)
    last_resume = received
    for _start, end in spans:
        last_resume = np.maximum(last_resume, np.where(np.isnat(end), received, end))
    moment = np.where(finished, finished_at, last_resume)
    base = vclock.shift(appointment, vclock.paused_hours(spans, moment))
    has_extension = ~np.isnat(extension)
    effective = np.where(has_extension, np.maximum(base, _end_of(extension)), base)
    yardstick = effective if vclock.extension_counts_on_time else base
    late = (supplement_count > 1) | (finished_at > yardstick)
    early = finished_at.astype("datetime64[D]") < yardstick.astype("datetime64[D]")
    outcome = np.where(late, 3, np.where(early, 1, 2))
    return Derived(statutory, appointment, effective, base, np.where(finished, outcome, 0))


# =====================================================================================================
# Reference data
# =====================================================================================================


@dataclass
class Reference:
    """Units, sectors, procedures and officials: rows to insert and arrays the generator samples."""

    units: list[tuple[Any, ...]]
    sectors: list[tuple[Any, ...]]
    procedures: list[tuple[Any, ...]]
    officials: list[tuple[Any, ...]]
    # communes (index c), aligned arrays
    commune_ids: np.ndarray
    commune_codes: list[str]
    commune_level: np.ndarray  # index into LEVELS
    commune_weight: np.ndarray
    struggling: np.ndarray
    receivers: list[np.ndarray]
    handlers: list[np.ndarray]
    leader: np.ndarray
    chair: np.ndarray
    # procedures (index p), aligned arrays
    proc_sector: np.ndarray  # sector index
    proc_unit: np.ndarray  # WD/CD/WH/SD
    proc_value: np.ndarray
    proc_fee: np.ndarray  # 0 = free
    proc_online: np.ndarray  # online affinity 0..1.3
    proc_pause_on_payment: np.ndarray
    sector_heavy: np.ndarray
    specs: tuple[catalog.ProcedureSpec, ...] = field(default=catalog.PROCEDURES)
    people: ApplicantPools | None = None  # what applicants are drawn from

    def summary(self) -> str:
        levels = {level: int((self.commune_level == i).sum()) for i, level in enumerate(LEVELS)}
        return (
            f"1 province, {levels[UnitLevel.COMMUNE]} communes, {levels[UnitLevel.WARD]} wards, "
            f"{levels[UnitLevel.SPECIAL_ZONE]} special zones, {len(catalog.DEPARTMENTS)} departments, "
            f"{len(self.sectors)} sectors, {len(self.procedures)} procedures, "
            f"{len(self.officials)} officials, {int(self.struggling.sum())} struggling communes"
        )

    def tables(self) -> Iterator[tuple[str, tuple[str, ...], list[list[Any]]]]:
        yield "units", ("id", "code", "level", "parent_id", "name_vi", "name_en"), _columns(self.units)
        yield "sectors", ("id", "code", "name_vi", "name_en", "heavy"), _columns(self.sectors)
        yield (
            "procedures",
            (
                "id",
                "code",
                "name_vi",
                "name_en",
                "sector_id",
                "level",
                "time_value",
                "time_unit",
                "online_level",
                "fee",
                "pause_on_payment",
            ),
            _columns(self.procedures),
        )
        yield (
            "officials",
            ("id", "code", "full_name", "unit_id", "role", "sector_id", "notify_urls", "language", "active"),
            _columns(self.officials),
        )


def _columns(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    return [list(column) for column in zip(*rows, strict=True)]


ONLINE_AFFINITY = {"full": 1.3, "partial": 0.75, "none": 0.0}


def build_reference(communes: int, seed: int) -> Reference:
    """The province, its communes and departments, the catalog, and everyone who handles dossiers."""
    rng = np.random.default_rng([seed, 0])
    names = _commune_names(communes, rng)
    level = _commune_levels(communes, rng)
    weight = rng.lognormal(0.0, 0.5, communes) * np.array([1.0, 1.8, 0.45])[level]
    struggling = _struggling(communes, level, rng)
    codes = _commune_codes(communes, rng)
    province_code, province_vi, province_en = catalog.PROVINCE
    units: list[tuple[Any, ...]] = [
        (1, province_code, str(UnitLevel.PROVINCE), None, province_vi, province_en)
    ]
    commune_ids = np.arange(2, communes + 2)
    prefix = {0: ("Xã", "Commune"), 1: ("Phường", "Ward"), 2: ("Đặc khu", "Special Zone")}
    for c in range(communes):
        vi_prefix, en_suffix = prefix[int(level[c])]
        name = names[c]
        units.append(
            (
                int(commune_ids[c]),
                codes[c],
                str(LEVELS[level[c]]),
                1,
                f"{vi_prefix} {name}",
                f"{catalog.strip_diacritics(name)} {en_suffix}",
            )
        )
    department_ids = {}
    for offset, (code, name_vi, name_en, sector) in enumerate(catalog.DEPARTMENTS):
        unit_id = communes + 2 + offset
        department_ids[code] = (unit_id, sector)
        units.append((unit_id, code, str(UnitLevel.DEPARTMENT), 1, name_vi, name_en))
    sector_index = {spec.code: i for i, spec in enumerate(catalog.SECTORS)}
    sectors = [(i + 1, s.code, s.name_vi, s.name_en, s.heavy) for i, s in enumerate(catalog.SECTORS)]
    procedures = [
        (
            i + 1,
            p.code,
            p.name_vi,
            p.name_en,
            sector_index[p.sector] + 1,
            "commune",
            p.time_value,
            p.time_unit,
            p.online_level,
            p.fee,
            p.pause_on_payment,
        )
        for i, p in enumerate(catalog.PROCEDURES)
    ]
    staff = _officials(rng, commune_ids, codes, weight, department_ids, sector_index)
    specs = catalog.PROCEDURES
    return Reference(
        units=units,
        sectors=sectors,
        procedures=procedures,
        officials=staff.rows,
        commune_ids=commune_ids,
        commune_codes=codes,
        commune_level=level,
        commune_weight=weight,
        struggling=struggling,
        receivers=staff.receivers,
        handlers=staff.handlers,
        leader=np.array(staff.leader),
        chair=np.array(staff.chair),
        proc_sector=np.array([sector_index[p.sector] for p in specs]),
        proc_unit=np.array([TIME_UNIT_CODES[TimeUnit(p.time_unit)] for p in specs]),
        proc_value=np.array([float(p.time_value) for p in specs]),
        proc_fee=np.array([p.fee or 0 for p in specs]),
        proc_online=np.array([ONLINE_AFFINITY[p.online_level] for p in specs]),
        proc_pause_on_payment=np.array([p.pause_on_payment for p in specs]),
        sector_heavy=np.array([s.heavy for s in catalog.SECTORS]),
        people=ApplicantPools.of([str(unit[4]) for unit in units[1 : communes + 1]], level),
    )


def _commune_names(count: int, rng: np.random.Generator) -> list[str]:
    """Distinct two-syllable place names; the last one or two become island special zones."""
    pairs = [f"{a} {b}" for a in catalog.PLACE_FIRST for b in catalog.PLACE_SECOND if a != b]
    if count > len(pairs):
        raise ValueError(f"the demo names at most {len(pairs)} communes")
    chosen = [pairs[i] for i in rng.permutation(len(pairs))[:count]]
    zones = _special_zone_count(count)
    return chosen[: count - zones] + list(catalog.SPECIAL_ZONES[:zones])


def _special_zone_count(count: int) -> int:
    return 0 if count < 3 else (2 if count >= 60 else 1)


def _commune_levels(count: int, rng: np.random.Generator) -> np.ndarray:
    """About a fifth wards, one or two special zones (the tail), the rest communes."""
    zones = _special_zone_count(count)
    level = np.zeros(count, dtype=np.int64)
    wards = max(1, round(0.22 * count)) if count >= 2 else 0
    ward_index = rng.choice(count - zones, size=min(wards, count - zones), replace=False)
    level[ward_index] = 1
    level[count - zones :] = 2
    return level


def _struggling(count: int, level: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """3-5 communes that are clearly worse (late 10-20 %) in a full province; none in tiny demos."""
    wanted = 0 if count < 8 else min(5, max(1, round(count * 0.045)))
    candidates = np.flatnonzero(level != 2)
    flags = np.zeros(count, dtype=bool)
    flags[rng.choice(candidates, size=min(wanted, len(candidates)), replace=False)] = True
    return flags


def _commune_codes(count: int, rng: np.random.Generator) -> list[str]:
    """Five-digit codes in steps of mostly 3, as real commune codes run (26002, 26005, ...)."""
    steps = rng.choice([3, 3, 3, 6, 9], size=count)
    return [f"{26000 + int(v):05d}" for v in np.cumsum(steps) - 1]


@dataclass
class _Staff:
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    receivers: list[np.ndarray] = field(default_factory=list)
    handlers: list[np.ndarray] = field(default_factory=list)
    leader: list[int] = field(default_factory=list)
    chair: list[int] = field(default_factory=list)


def _officials(
    rng: np.random.Generator,
    commune_ids: np.ndarray,
    codes: list[str],
    weight: np.ndarray,
    departments: dict[str, tuple[int, str | None]],
    sector_index: dict[str, int],
) -> _Staff:
    """Per commune a chairperson, a leader (PASC director), 1-2 receivers, 3-8 handlers by size."""
    staff = _Staff()
    rank = weight.argsort().argsort() / max(len(weight) - 1, 1)
    next_id = 1

    def add(unit_id: int, unit_code: str, number: int, role: Role, sector: str | None = None) -> int:
        nonlocal next_id
        sector_id = sector_index[sector] + 1 if sector else None
        name = _person_name(rng)
        staff.rows.append(
            # demo:// is the demo inbox channel (alerts/demo_inbox.py): real Apprise, a local file.
            (
                next_id,
                f"{unit_code}.{number:02d}",
                name,
                unit_id,
                str(role),
                sector_id,
                f"demo://{unit_code}.{number:02d}",
                "vi",
                True,
            )
        )
        next_id += 1
        return next_id - 1

    province_code = catalog.PROVINCE[0]
    for number, sector in enumerate(catalog.PROVINCE_SUPERVISOR_SECTORS, start=1):
        add(1, province_code, number, Role.SUPERVISOR, sector)
    for code, (unit_id, sector) in departments.items():
        add(unit_id, code, 1, Role.SUPERVISOR, sector)
    for c, unit_id in enumerate(commune_ids.tolist()):
        code = codes[c]
        staff.chair.append(add(unit_id, code, 1, Role.CHAIRPERSON))
        staff.leader.append(add(unit_id, code, 2, Role.LEADER))
        receivers = 2 if rank[c] >= 0.5 else 1
        handlers = 3 + round(5 * rank[c])
        staff.receivers.append(np.array([add(unit_id, code, 3 + k, Role.RECEIVER) for k in range(receivers)]))
        start = 3 + receivers
        staff.handlers.append(
            np.array([add(unit_id, code, start + k, Role.HANDLER) for k in range(handlers)])
        )
    return staff


_FAMILY = [name for name, _ in catalog.FAMILY_NAMES]
_FAMILY_P = np.array([share for _, share in catalog.FAMILY_NAMES]) / sum(
    share for _, share in catalog.FAMILY_NAMES
)


def _person_name(rng: np.random.Generator) -> str:
    family = _FAMILY[int(rng.choice(len(_FAMILY), p=_FAMILY_P))]
    if rng.random() < 0.5:
        middle, given = catalog.MIDDLE_MALE, catalog.GIVEN_MALE
    else:
        middle, given = catalog.MIDDLE_FEMALE, catalog.GIVEN_FEMALE
    return f"{family} {middle[int(rng.integers(len(middle)))]} {given[int(rng.integers(len(given)))]}"


@dataclass(frozen=True)
class ApplicantPools:
    """Everything an applicant is drawn from, built once: drawing a chunk's applicants is then a
    handful of vectorised index look-ups (a name or an address per dossier costs no Python call)."""

    male_names: np.ndarray  # object: every family x middle x given name
    female_names: np.ndarray
    addresses: np.ndarray  # object: each commune's addresses, commune after commune
    address_start: np.ndarray  # per commune: first index in `addresses`
    address_count: np.ndarray
    cccd_province: np.ndarray  # int codes (26 for "026") and their probabilities
    cccd_p: np.ndarray
    mobile_prefix: np.ndarray  # int prefixes (32 for "032") and their probabilities
    mobile_p: np.ndarray

    @classmethod
    def of(cls, commune_names: list[str], level: np.ndarray) -> ApplicantPools:
        province = catalog.PROVINCE[1]
        pools = [
            [
                f"{place}, {name}, {province}"
                for place in (catalog.WARD_GROUPS if lvl == 1 else catalog.HAMLETS)
            ]
            for name, lvl in zip(commune_names, level.tolist(), strict=True)
        ]
        counts = np.array([len(pool) for pool in pools])
        return cls(
            male_names=_names(catalog.MIDDLE_MALE, catalog.GIVEN_MALE),
            female_names=_names(catalog.MIDDLE_FEMALE, catalog.GIVEN_FEMALE),
            addresses=np.array([address for pool in pools for address in pool], dtype=object),
            address_start=np.concatenate([[0], np.cumsum(counts)[:-1]]),
            address_count=counts,
            cccd_province=np.array([int(code) for code, _ in catalog.CCCD_PROVINCES]),
            cccd_p=_shares(catalog.CCCD_PROVINCES),
            mobile_prefix=np.array([int(prefix) for prefix, _ in catalog.MOBILE_PREFIXES]),
            mobile_p=_shares(catalog.MOBILE_PREFIXES),
        )

    def draw(self, ids: np.ndarray, commune: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
        """One applicant per dossier `ids` (commune index of each), as the rows' columns."""
        n = len(ids)
        female = rng.random(n) < 0.52
        family = rng.choice(len(_FAMILY), size=n, p=_FAMILY_P)
        middle, given = rng.integers(0, 10**6, n), rng.integers(0, 10**6, n)
        male = self.male_names[_pick(family, middle, given, catalog.MIDDLE_MALE, catalog.GIVEN_MALE)]
        woman = self.female_names[_pick(family, middle, given, catalog.MIDDLE_FEMALE, catalog.GIVEN_FEMALE)]
        names = np.where(female, woman, male)
        # CCCD: province (3 digits), century and sex (0/1 born 19xx, 2/3 born 20xx), year (2), 6 more.
        born = rng.integers(1945, 2008, n)
        century = np.where(born >= 2000, 2, 0) + female
        province = rng.choice(self.cccd_province, size=n, p=self.cccd_p)
        cccd = province * 10**9 + century * 10**8 + (born % 100) * 10**6 + rng.integers(0, 10**6, n)
        mobile = rng.choice(self.mobile_prefix, size=n, p=self.mobile_p) * 10**7 + rng.integers(0, 10**7, n)
        phones = np.char.zfill(mobile.astype("U10"), 10).astype(object)
        phones[rng.random(n) < 0.03] = None  # left blank at the counter
        where = self.address_start[commune] + (rng.random(n) * self.address_count[commune]).astype(np.int64)
        return {
            "dossier_id": ids,
            "full_name": names,
            "id_number": np.char.zfill(cccd.astype("U12"), 12),
            "phone": phones,
            "address": self.addresses[where],
        }


def _names(middle: tuple[str, ...], given: tuple[str, ...]) -> np.ndarray:
    """Every full name of one sex, family-major: index = (family * len(middle) + m) * len(given) + g."""
    return np.array([f"{f} {m} {g}" for f in _FAMILY for m in middle for g in given], dtype=object)


def _pick(
    family: np.ndarray,
    middle: np.ndarray,
    given: np.ndarray,
    middles: tuple[str, ...],
    givens: tuple[str, ...],
) -> np.ndarray:
    return (family * len(middles) + middle % len(middles)) * len(givens) + given % len(givens)


def _shares(weighted: tuple[tuple[str, float], ...]) -> np.ndarray:
    weights = np.array([weight for _, weight in weighted])
    return weights / weights.sum()


# =====================================================================================================
# Arrivals: which commune receives how many dossiers on which working day, and when
# =====================================================================================================


@dataclass(frozen=True)
class Plan:
    days: np.ndarray  # the working days of the demo (datetime64[D])
    day: np.ndarray  # per dossier (sorted by receipt): index into days
    commune: np.ndarray  # per dossier: commune index
    received: np.ndarray  # per dossier: datetime64[s]
    sequence: np.ndarray  # per dossier: number within its commune and day, from 1
    procedure_cdf: np.ndarray  # (level, day, procedure) cumulative procedure mix
    online_target: np.ndarray  # per day: the province's online share

    @property
    def first_day(self) -> str:
        return str(self.days[0]) if len(self.days) else "-"

    @property
    def last_day(self) -> str:
        return str(self.days[-1]) if len(self.days) else "-"


def plan_arrivals(
    reference: Reference, vclock: VectorClock, *, total: int, start: date, until: date, seed: int
) -> Plan:
    """Distribute `total` dossiers over communes and working days, then give each a receipt time."""
    rng = np.random.default_rng([seed, 1])
    workdays = vclock.workdays
    days = workdays[(workdays >= np.datetime64(start, "D")) & (workdays <= np.datetime64(until, "D"))]
    if len(days) == 0:
        raise ValueError(f"no working day between {start} and {until}")
    mix = _procedure_mix(reference, days, workdays)  # (level, day, procedure) relative demand
    volume = _day_factor(days, workdays) * mix.mean(axis=0).sum(axis=1)
    cells = np.outer(volume / volume.sum(), reference.commune_weight / reference.commune_weight.sum())
    counts = rng.multinomial(total, cells.ravel()).reshape(cells.shape)
    day_index, commune = np.nonzero(counts)
    repeat = counts[day_index, commune]
    day_of = np.repeat(day_index, repeat)
    commune_of = np.repeat(commune, repeat)
    seconds = _receipt_seconds(rng, len(day_of))
    order = np.lexsort((commune_of, seconds, day_of))
    day_of, commune_of, seconds = day_of[order], commune_of[order], seconds[order]
    received = days[day_of].astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    cdf = np.cumsum(mix / mix.sum(axis=2, keepdims=True), axis=2)
    online = 0.20 + 0.25 * np.linspace(0.0, 1.0, len(days))
    return Plan(days, day_of, commune_of, received, _sequence(day_of, commune_of), cdf, online)


def _sequence(day: np.ndarray, commune: np.ndarray) -> np.ndarray:
    """1, 2, 3 ... within each (commune, day), in receipt order (rows are sorted by receipt)."""
    order = np.lexsort((np.arange(len(day)), commune, day))
    key = day[order] * 100_000 + commune[order]
    starts = np.r_[True, key[1:] != key[:-1]] if len(key) else np.array([], dtype=bool)
    group_start = np.maximum.accumulate(np.where(starts, np.arange(len(key)), 0)) if len(key) else key
    result = np.empty(len(day), dtype=np.int64)
    result[order] = np.arange(len(key)) - group_start + 1
    return result


def _receipt_seconds(rng: np.random.Generator, count: int) -> np.ndarray:
    """Seconds after midnight: mostly 07:30-11:30 and 13:30-16:30, a morning peak, a few at the edges."""
    blocks = rng.choice(6, size=count, p=[0.05, 0.57, 0.02, 0.01, 0.33, 0.02])
    hour = np.empty(count)
    simple = {0: (7.5, 8.0), 2: (11.5, 12.0), 3: (13.0, 13.5), 5: (16.5, 17.0)}
    for block, (lo, hi) in simple.items():
        mask = blocks == block
        hour[mask] = rng.uniform(lo, hi, mask.sum())
    mask = blocks == 1
    hour[mask] = rng.triangular(8.0, 9.25, 11.5, mask.sum())
    mask = blocks == 4
    hour[mask] = rng.triangular(13.5, 14.5, 16.5, mask.sum())
    return np.minimum((hour * 3600).astype(np.int64), 17 * 3600 - 1)


def _tet_breaks(workdays: np.ndarray) -> list[tuple[int, int]]:
    """(last working day before, first after) index pairs of each Tết break: the long Jan/Feb gap."""
    gaps = np.diff(workdays).astype(np.int64)
    after = workdays[1:]
    months = after.astype("datetime64[M]").astype(np.int64) % 12 + 1
    found = np.flatnonzero((gaps >= 7) & (months <= 2))
    return [(int(i), int(i) + 1) for i in found]


def _day_factor(days: np.ndarray, workdays: np.ndarray) -> np.ndarray:
    """Relative volume per working day: Monday peak, slow growth, the Tết rush and the empty week after."""
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    factor = np.array([1.22, 1.05, 1.0, 0.97, 0.92, 0.6, 0.6])[weekday]
    factor = factor * (0.92 + 0.16 * np.linspace(0.0, 1.0, len(days)))
    position = np.searchsorted(workdays, days)
    after_tet = np.array([0.12, 0.2, 0.35, 0.55, 0.75, 0.9])
    for before, after in _tet_breaks(workdays):
        rush = (position > before - 9) & (position <= before)
        factor[rush] *= 1.3
        for k, share in enumerate(after_tet):
            factor[position == after + k] *= share
    return factor


def _procedure_mix(reference: Reference, days: np.ndarray, workdays: np.ndarray) -> np.ndarray:
    """Relative demand (level, day, procedure): sector shares with their seasons and surges."""
    sectors = {spec.code: i for i, spec in enumerate(catalog.SECTORS)}
    share = np.array([spec.share for spec in catalog.SECTORS])
    by_sector = np.tile(share, (len(days), 1))
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    day_of_month = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    school = (month == 8) | ((month == 9) & (day_of_month <= 15)) | ((month == 7) & (day_of_month >= 20))
    by_sector[school, sectors["CHUNGTHUC"]] *= 1.5
    position = np.searchsorted(workdays, days)
    for before, _after in _tet_breaks(workdays):
        weddings = (position > before - 25) & (position <= before)
        by_sector[weddings, sectors["HOTICH"]] *= 1.35
    since_merger = (days - MERGER_DAY).astype(np.int64)
    merged = since_merger >= 0
    by_sector[merged, sectors["DATDAI"]] *= 1.5 + 1.5 * np.exp(-since_merger[merged] / 90)
    by_sector[merged, sectors["XAYDUNG"]] *= 1.3
    weights = np.array([spec.weight for spec in reference.specs])
    mix = by_sector[:, reference.proc_sector] * weights
    for p, spec in enumerate(reference.specs):
        if spec.peak_months:
            mix[np.isin(month, spec.peak_months), p] *= spec.peak_factor
        if spec.since:
            mix[days < np.datetime64(spec.since, "D"), p] = 0.0
    # urban wards: more business, less land and poverty work; special zones: fewer land transfers
    level_factor = np.ones((len(LEVELS), len(reference.specs)))
    for p, spec in enumerate(reference.specs):
        ward = {"DKKD": 2.0, "DATDAI": 0.6, "GIAMNGHEO": 0.3, "LDVL": 0.4, "CUTRU": 1.3}.get(spec.sector, 1.0)
        zone = {"DATDAI": 0.7, "DKKD": 0.7}.get(spec.sector, 1.0)
        level_factor[1, p], level_factor[2, p] = ward, zone
    return mix[None, :, :] * level_factor[:, None, :]


# =====================================================================================================
# Simulation of one chunk of dossiers
# =====================================================================================================


@dataclass
class IdCounters:
    """The next explicit id per child table, carried from chunk to chunk."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str, count: int) -> np.ndarray:
        start = self.next.get(table, 1)
        self.next[table] = start + count
        return np.arange(start, start + count)


@dataclass
class Batch:
    """One chunk's rows, column-wise, ready for the loader."""

    dossiers: dict[str, Any]
    history: dict[str, np.ndarray]
    steps: dict[str, np.ndarray]
    pauses: dict[str, np.ndarray]
    letters: dict[str, np.ndarray]
    ratings: dict[str, np.ndarray]
    applicants: dict[str, Any] = field(default_factory=dict)  # keyed by dossier: no id of their own

    def tables(self, ids: IdCounters) -> Iterator[tuple[str, tuple[str, ...], list[list[Any]]]]:
        d = self.dossiers
        yield (
            "dossiers",
            tuple(d),
            [d[name] if isinstance(d[name], list) else _sql_values(d[name]) for name in d],
        )
        if self.applicants:
            yield (
                "dossier_applicants",
                tuple(self.applicants),
                [_sql_values(v) for v in self.applicants.values()],
            )
        for table, columns in (
            ("dossier_status_history", self.history),
            ("dossier_steps", self.steps),
            ("dossier_pauses", self.pauses),
            ("apology_letters", self.letters),
            ("ratings", self.ratings),
        ):
            count = len(columns["dossier_id"])
            if count == 0:
                continue
            data = [ids.take(table, count).tolist()] + [_sql_values(v) for v in columns.values()]
            yield table, ("id", *columns), data


def _sql_values(column: np.ndarray) -> list[Any]:
    """A numpy column as the Python values both drivers accept ('YYYY-MM-DD HH:MM:SS' text for times)."""
    if column.dtype.kind == "M":
        return _time_strings(column)
    return column.tolist()


def _time_strings(column: np.ndarray) -> list[str | None]:
    """LocalDateTime's SQLite storage format (also valid PostgreSQL input); NaT becomes NULL."""
    unit = "D" if column.dtype == np.dtype("datetime64[D]") else "s"
    text = np.datetime_as_string(column, unit=unit)
    missing = np.isnat(column)
    if unit == "s" and len(text):
        chars = text.view(np.uint32).reshape(len(text), -1)
        chars[~missing, 10] = ord(" ")
    values: list[str | None] = text.tolist()
    for i in np.flatnonzero(missing).tolist():
        values[i] = None
    return values


def simulate(
    reference: Reference,
    plan: Plan,
    vclock: VectorClock,
    *,
    lo: int,
    hi: int,
    as_of: np.datetime64,
    seed: int,
    chunk: int,
) -> Batch:
    """The lives of dossiers lo..hi-1 (plan order = id order) up to `as_of`, and their rows."""
    rng = np.random.default_rng([seed, 2, chunk])
    life = _Life.start(reference, plan, vclock, rng, lo=lo, hi=hi, as_of=as_of)
    with np.errstate(invalid="ignore"):  # inf - inf: an event after one that never happens
        life.draw_timeline()
    life.cut_at_as_of()
    life.letters_and_dues()
    batch = life.batch()
    if reference.people is not None:  # a stream of its own: the dossiers stay what they were
        batch.applicants = reference.people.draw(
            life.ids, life.commune, np.random.default_rng([seed, 3, chunk])
        )
    return batch


@dataclass
class _Life:
    """All per-dossier arrays of one chunk; the methods fill them in order (see simulate)."""

    ref: Reference
    plan: Plan
    vc: VectorClock
    rng: np.random.Generator
    as_of: np.datetime64
    ids: np.ndarray
    commune: np.ndarray
    day: np.ndarray
    received: np.ndarray
    procedure: np.ndarray
    channel: np.ndarray
    cols: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def start(
        cls,
        reference: Reference,
        plan: Plan,
        vclock: VectorClock,
        rng: np.random.Generator,
        *,
        lo: int,
        hi: int,
        as_of: np.datetime64,
    ) -> _Life:
        commune = plan.commune[lo:hi]
        day = plan.day[lo:hi]
        level = reference.commune_level[commune]
        cdf = plan.procedure_cdf[level, day]
        procedure = (cdf < rng.random(hi - lo)[:, None]).sum(axis=1)
        procedure = np.minimum(procedure, cdf.shape[1] - 1)
        affinity = reference.proc_online[procedure]
        online = rng.random(hi - lo) < np.minimum(0.95, plan.online_target[day] * affinity / _MEAN_AFFINITY)
        postal_share = np.where(reference.sector_heavy[reference.proc_sector[procedure]], 0.04, 0.015)
        postal = ~online & (rng.random(hi - lo) < postal_share) & (reference.proc_unit[procedure] != SD)
        channel = np.where(online, 1, np.where(postal, 2, 0))
        life = cls(
            reference,
            plan,
            vclock,
            rng,
            as_of,
            np.arange(lo + 1, hi + 1),
            commune,
            day,
            plan.received[lo:hi],
            procedure,
            channel,
        )
        return life

    # --- convenience ------------------------------------------------------------------------------
    @property
    def n(self) -> int:
        return len(self.ids)

    def uniform(self, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
        return self.rng.uniform(lo, hi, self.n)

    def chance(self, p: np.ndarray | float) -> np.ndarray:
        return self.rng.random(self.n) < p

    def pick(self, pools: list[np.ndarray]) -> np.ndarray:
        """One official per dossier from its commune's pool (receivers or handlers)."""
        sizes = np.array([len(pool) for pool in pools])[self.commune]
        offsets = np.cumsum([0] + [len(pool) for pool in pools])[self.commune]
        flat = np.concatenate(pools)
        return flat[offsets + np.minimum((self.uniform() * sizes).astype(np.int64), sizes - 1)]

    # --- the timeline, on the working-hour line -----------------------------------------------------
    def draw_timeline(self) -> None:
        """Event positions (office hours since the calendar start; inf = never) for every dossier.

        received -> reception end (e1) -> processing (e2) -> [supplement pauses] -> approval (e3)
        -> [payment suspension] -> completed (cf) -> returned (rt); or withdrawn/rejected at wf.
        """
        c = self.cols
        self._facts()
        ended_early = self._closings()
        self._supplements(ended_early)
        suspend = ~ended_early & self.ref.proc_pause_on_payment[self.procedure] & self.chance(0.55)
        decision = self._decision()
        ss = np.where(suspend, decision, np.inf)
        se = ss + self._citizen_hours(0.18)
        completed = np.where(suspend, se + self.vc.per_day * self.uniform(0.05, 0.4), decision)
        self._processing(decision, ss, ended_early)
        never = np.full(self.n, np.inf)
        c["cf"] = np.where(ended_early, never, completed)
        c["ss"] = np.where(ended_early, never, ss)
        c["se"] = np.where(ended_early, never, se)
        c["rt"] = c["cf"] + self._return_hours()

    def _facts(self) -> None:
        """What the procedure and the commune say about each dossier, and its legal allowance."""
        c, ref, vc = self.cols, self.ref, self.vc
        c["unit"] = ref.proc_unit[self.procedure]
        c["value"] = ref.proc_value[self.procedure]
        c["sector"] = ref.proc_sector[self.procedure]
        c["heavy"] = ref.sector_heavy[c["sector"]]
        c["struggling"] = ref.struggling[self.commune]
        c["statutory"] = vc.statutory_due(self.received, c["unit"], c["value"])
        c["appointment"] = self._hidden_delays(c["statutory"], c["unit"])
        c["p0"] = vc.position(self.received)
        c["due_pos"] = vc.position(c["appointment"])
        c["age"] = int(vc.index(np.array([self.as_of]))[0]) - vc.index(self.received)  # working days
        c["quick"] = (c["unit"] == SD) | (c["unit"] == WH)  # "four on the spot": no transfer step

    def _closings(self) -> np.ndarray:
        """0.1-0.5 % withdrawn by the citizen or rejected (more rejections in heavy sectors)."""
        c = self.cols
        draw = self.rng.random(self.n)
        c["withdrawn"] = draw < 0.002
        c["rejected"] = ~c["withdrawn"] & (draw < np.where(c["heavy"], 0.012, 0.0032))
        return c["withdrawn"] | c["rejected"]

    def _supplements(self, ended_early: np.ndarray) -> None:
        """Supplement requests (5-15 % of dossiers, rare for same-day ones), < 1 % twice; some citizens
        never come back (mostly recent ones, so the backlog has paused dossiers)."""
        c, per_day = self.cols, self.vc.per_day
        p = np.where(c["quick"], np.where(c["unit"] == WH, 0.0, 0.012), 0.15)
        p = p * np.where(c["heavy"], 1.4, 1.0) * np.where(c["struggling"], 1.3, 1.0)
        first = ~ended_early & self.chance(p)
        abandoned = first & self.chance(0.015 + 0.12 * np.exp(-c["age"] / 40.0))
        second = first & ~abandoned & self.chance(0.06)
        ps1 = c["p0"] + self.uniform(0.1, 0.5) * np.maximum(c["due_pos"] - c["p0"], 0.25)
        pe1 = ps1 + self._citizen_hours(0.28)
        ps2 = pe1 + per_day * self.uniform(0.5, 2.5)
        pe2 = ps2 + self._citizen_hours(0.3)
        pe1 = np.where(abandoned, np.inf, pe1)
        paused = np.where(first, pe1 - ps1, 0.0) + np.where(second, pe2 - ps2, 0.0)
        paused = np.where(np.isfinite(paused), paused, 0.0)
        c["base_pos"] = c["due_pos"] + _round_up(paused, per_day, c["unit"])
        c["resume"] = np.where(second, pe2, np.where(first, pe1, c["p0"]))
        never = np.full(self.n, np.inf)
        c["ps1"], c["pe1"] = np.where(first, ps1, never), np.where(first, pe1, never)
        c["ps2"], c["pe2"] = np.where(second, ps2, never), np.where(second, pe2, never)
        c["supplemented"] = first

    def _processing(self, decision: np.ndarray, ss: np.ndarray, ended_early: np.ndarray) -> None:
        """Reception end, processing start and approval start, as shares of the active stretches."""
        c, per_day = self.cols, self.vc.per_day
        p0 = c["p0"]
        first_stop = np.where(c["supplemented"], c["ps1"], np.where(np.isfinite(ss), ss, decision))
        first_stop = np.where(np.isfinite(first_stop), first_stop, c["base_pos"] + per_day)
        c["e1"] = p0 + 0.08 * (first_stop - p0)
        c["e2"] = np.where(c["quick"], c["e1"], p0 + 0.2 * (first_stop - p0))
        resume = np.where(c["supplemented"], c["resume"], c["e2"])
        e3 = resume + 0.75 * (decision - resume)
        stuck_in_approval = resume + per_day * self.uniform(0.5, 3)
        e3 = np.where(np.isfinite(e3), e3, np.where(self.chance(0.5), np.inf, stuck_in_approval))
        c["e3"] = np.where(ended_early, np.inf, e3)
        room = np.maximum(c["due_pos"] - c["e2"], 0.5)
        c["wf"] = np.where(ended_early, c["e2"] + self.uniform(0.1, 0.9) * room, np.inf)

    def _hidden_delays(self, statutory: np.ndarray, unit: np.ndarray) -> np.ndarray:
        """A handful of appointments set later than the law allows (a data-quality signal)."""
        hidden = ((unit == WD) | (unit == CD)) & self.chance(0.0006)
        if not hidden.any():
            return statutory
        index = self.vc.index(statutory[hidden]) + self.rng.integers(2, 9, int(hidden.sum()))
        moved = statutory.copy()
        moved[hidden] = _end_of(self.vc.workdays[index])
        return moved

    def _citizen_hours(self, p: float) -> np.ndarray:
        """How long a citizen takes to act (supplement, pay): working days, geometric, in hours."""
        days = self.rng.geometric(p, self.n) - 1 + self.uniform(0.15, 0.95)
        return days * self.vc.per_day

    def _decision(self) -> np.ndarray:
        """When the result is decided: mostly well before the due, a fifth of multi-day dossiers on the
        due day, a few late, and some never (stuck in appraisal or approval at `until`)."""
        c, per_day = self.cols, self.vc.per_day
        base, resume, unit = c["base_pos"], c["resume"], c["unit"]
        multi_day = ((unit == WD) & (c["value"] >= 2)) | (unit == CD)
        speed = np.where(multi_day, self.rng.beta(2.2, 2.0, self.n), self.rng.beta(1.4, 3.2, self.n))
        in_time = resume + speed * np.maximum(base - resume, 0.25)
        on_due_day = np.maximum(base - per_day * self.uniform(0.05, 0.95), resume + 0.1)
        late_days = 1 + self.rng.poisson(0.25 * np.where(unit == WD, c["value"], 1.0) + 0.4)
        late = np.maximum(base, resume) + (late_days - 1 + self.uniform(0.05, 0.95)) * per_day
        late = np.where(unit == WH, base + 0.1 + self.rng.exponential(3.0, self.n), late)
        decision = np.where(multi_day & self.chance(0.22), on_due_day, in_time)
        decision = np.where(self.chance(self._late_share()), late, decision)
        return np.where(self.chance(self._stuck_share()), np.inf, decision)

    def _late_share(self) -> np.ndarray:
        """~1.4 % late, ~15 % in struggling communes; heavy sectors twice as often, more so in the
        three months after the July 2025 merger; same-day work is rarely late."""
        c = self.cols
        day = self.plan.days[self.day]
        after_merger = (day >= MERGER_DAY) & (day < MERGER_DAY + np.timedelta64(92, "D"))
        share = np.where(c["struggling"], 0.15, 0.014) * np.where(c["heavy"], 2.2, 1.0)
        share = share * np.where(c["unit"] == SD, 0.6, 1.0) * np.where(after_merger & c["heavy"], 1.8, 1.0)
        return np.minimum(share, 0.6)

    def _stuck_share(self) -> np.ndarray:
        """Dossiers nobody finishes by `until`: mostly recent ones, land and struggling communes."""
        c = self.cols
        share = (0.0015 + 0.025 * np.exp(-c["age"] / 30.0)) * np.where(c["unit"] == SD, 0.1, 1.0)
        return share * np.where(c["heavy"], 3.0, 1.0) * np.where(c["struggling"], 3.0, 1.0)

    def _return_hours(self) -> np.ndarray:
        """From result to citizen: e-results at once, counters the same day or when collected, post later."""
        per_day = self.vc.per_day
        counter = np.where(
            self.chance(0.6),
            per_day * self.uniform(0.01, 0.3),
            per_day * (self.rng.geometric(0.35, self.n) - 1 + self.uniform(0.1, 0.9)),
        )
        online = per_day * self.uniform(0.002, 0.05)
        postal = per_day * (1 + self.rng.integers(0, 3, self.n) + self.uniform(0.1, 0.9))
        hours = np.choose(self.channel, [counter, online, postal])
        return np.where(self.chance(0.004), np.inf, hours)

    # --- what has happened by as_of ----------------------------------------------------------------------
    def cut_at_as_of(self) -> None:
        """Turn positions into moments and keep only what happened by `as_of` (NaT = not yet)."""
        c = self.cols
        for name in ("e1", "e2", "e3", "cf", "rt", "wf", "ps1", "pe1", "ps2", "pe2", "ss", "se"):
            moments = self.vc.moment_at(c[name])
            c[name + "_at"] = np.where(moments <= self.as_of, moments, NAT)
        done = ~np.isnat(c["wf_at"]) | ~np.isnat(c["cf_at"])
        status = np.full(self.n, S[Status.RECEIVED])
        status[~np.isnat(c["e2_at"])] = S[Status.PROCESSING]
        for start, end, state in _PAUSE_EVENTS:
            status[~np.isnat(c[start + "_at"]) & np.isnat(c[end + "_at"])] = S[state]
        status[~np.isnat(c["cf_at"])] = S[Status.COMPLETED]
        status[~np.isnat(c["rt_at"])] = S[Status.RETURNED]
        ended = ~np.isnat(c["wf_at"])
        status[ended & c["withdrawn"]] = S[Status.WITHDRAWN]
        status[ended & c["rejected"]] = S[Status.REJECTED]
        c["status"] = status
        c["finished_at"] = np.where(ended, c["wf_at"], c["cf_at"])
        c["done"] = done
        c["supplements"] = (~np.isnat(c["ps1_at"])).astype(np.int64) + ~np.isnat(c["ps2_at"])

    def spans(self) -> list[tuple[np.ndarray, np.ndarray]]:
        c = self.cols
        return [(c["ps1_at"], c["pe1_at"]), (c["ps2_at"], c["pe2_at"]), (c["ss_at"], c["se_at"])]

    # --- letters and the derived columns -------------------------------------------------------------------
    def letters_and_dues(self) -> None:
        """Apology letters for (nearly) late dossiers, then the clock's derived columns."""
        c, vc = self.cols, self.vc
        moment = np.where(c["done"], c["finished_at"], self.as_of)
        true_base = vc.shift(c["appointment"], vc.paused_hours(self.spans(), moment))
        self._letters(true_base)
        derived = derive_columns(
            vc,
            statutory=c["statutory"],
            appointment=c["appointment"],
            received=self.received,
            finished_at=c["finished_at"],
            spans=self.spans(),
            extension=c["letter_new"],
            supplement_count=c["supplements"],
        )
        c["due_at"] = derived.due_at
        c["outcome"] = derived.outcome

    def _letters(self, true_base: np.ndarray) -> None:
        """Mẫu 04 letters about a day before the due: for most dossiers finished late (fewer in
        struggling communes, and deliberately not all: a data-quality signal), most open overdue
        ones and some due today. The new date is mostly kept; 4 % get a second letter although the
        law allows re-scheduling once (another signal; the clock uses the first)."""
        c, vc, per_day = self.cols, self.vc, self.vc.per_day
        as_of_pos = float(vc.position(np.array([self.as_of]))[0])
        finished = ~np.isnat(c["cf_at"])
        latest = np.where(finished, vc.position(np.where(finished, c["cf_at"], self.as_of)), as_of_pos)
        latest = np.minimum(latest, as_of_pos)
        issue = np.minimum(vc.position(true_base) - per_day * self.uniform(0.3, 1.3), latest - 0.01)
        issue = np.maximum(issue, c["p0"] + 0.02)
        wanted = self.chance(self._letter_share(true_base, as_of_pos)) & (issue < latest)
        new_index = self._new_date_index(true_base, finished)
        c["letter_at"] = np.where(wanted, vc.moment_at(issue), NAT)
        c["letter_new"] = np.where(wanted, vc.workdays[new_index], np.datetime64("NaT", "D"))
        second_issue = issue + per_day * self.uniform(1.0, 3.0)
        second = wanted & self.chance(0.04) & (second_issue < latest)
        c["letter2_at"] = np.where(second, vc.moment_at(second_issue), NAT)
        second_index = np.minimum(new_index + self.rng.integers(2, 6, self.n), len(vc.workdays) - 1)
        c["letter2_new"] = np.where(second, vc.workdays[second_index], np.datetime64("NaT", "D"))

    def _letter_share(self, true_base: np.ndarray, as_of_pos: float) -> np.ndarray:
        c = self.cols
        late_finished = ~np.isnat(c["cf_at"]) & (c["cf_at"] > true_base)
        paused = (c["status"] == S[Status.AWAITING_SUPPLEMENT]) | (c["status"] == S[Status.SUSPENDED])
        waiting = ~c["done"] & ~paused
        overdue = waiting & (self.as_of > true_base)
        due_today = waiting & ~overdue & (as_of_pos >= self.vc.position(true_base) - self.vc.per_day)
        return np.where(c["struggling"], 0.7, 0.92) * late_finished + 0.7 * overdue + 0.3 * due_today

    def _new_date_index(self, true_base: np.ndarray, finished: np.ndarray) -> np.ndarray:
        """Finished: mostly a date the result met (kept), else one it missed (broken); open: 2-8 days on."""
        vc = self.vc
        base_index = vc.index(true_base)
        finish_index = vc.index(np.where(finished, self.cols["cf_at"], true_base))
        kept = finish_index + self.rng.integers(0, 3, self.n)
        gap = np.maximum(finish_index - base_index - 1, 0)
        broken = base_index + 1 + (self.uniform() * gap).astype(np.int64)
        promised = np.where(self.chance(0.85) | (gap == 0), kept, broken)
        return np.where(
            finished, np.maximum(promised, base_index + 1), base_index + self.rng.integers(2, 9, self.n)
        )

    # --- rows ----------------------------------------------------------------------------------------------
    def batch(self) -> Batch:
        return Batch(
            dossiers=self._dossier_columns(),
            history=self._history(),
            steps=self._steps(),
            pauses=self._pauses(),
            letters=self._letter_rows(),
            ratings=self._ratings(),
        )

    def _dossier_columns(self) -> dict[str, Any]:
        c, ref = self.cols, self.ref
        status = c["status"]
        # Heavy-sector dossiers (land, construction, planning, business) go to each commune's first
        # handler, its land-and-construction officer; the rest are shared among the handlers.
        handler = self.pick(ref.handlers)
        specialist = np.array([pool[0] for pool in ref.handlers])[self.commune]
        handler = np.where(c["heavy"], specialist, handler)
        c["handler"] = handler
        assigned = status != S[Status.RECEIVED]
        fee = ref.proc_fee[self.procedure] > 0
        share = (self.day / max(len(self.plan.days) - 1, 1)).astype(np.float64)
        online = self.channel == 1
        digitized = np.where(online, self.chance(0.96), self.chance(0.3 + 0.45 * share))
        finished_ok = (status == S[Status.COMPLETED]) | (status == S[Status.RETURNED])
        e_result = finished_ok & self.chance(np.minimum(0.4 + 0.45 * share + 0.1 * online, 0.98))
        paid = fee & np.where(online, self.chance(0.75), self.chance(0.05 + 0.15 * share))
        current = self._current_step(status)
        updated = self.received.copy()
        for name in (*_HISTORY_TIMES, "letter_at", "letter2_at"):
            updated = np.where(np.isnat(c[name]), updated, np.maximum(updated, c[name]))
        codes = self._codes()
        return {
            "id": self.ids.tolist(),
            "code": codes,
            "unit_id": self.ref.commune_ids[self.commune].tolist(),
            "procedure_id": (self.procedure + 1).tolist(),
            "sector_id": (c["sector"] + 1).tolist(),
            "channel": CHANNELS[self.channel],
            "received_at": self.received,
            "statutory_due_at": c["statutory"],
            "appointment_due_at": c["appointment"],
            "due_at": c["due_at"],
            "status": STATUS_NAMES[status],
            "finished_at": c["finished_at"],
            "returned_at": c["rt_at"],
            "outcome": OUTCOME_NAMES[c["outcome"]],
            "current_step": current,
            "handler_id": _nullable_ids(np.where(assigned, handler, 0)),
            "supplement_count": c["supplements"],
            "digitized_components": digitized,
            "digitized_result": e_result,
            "paid_online": paid,
            "updated_at": updated,
        }

    def _codes(self) -> list[str]:
        """<commune code>-<yymmdd>-<sequence>, as receipts (Mẫu 01) number them."""
        days = np.datetime_as_string(self.plan.days[self.day], unit="D")
        prefix = np.array(self.ref.commune_codes, dtype=object)[self.commune]
        sequence = self.plan.sequence[self.ids - 1]
        return [
            f"{p}-{d[2:4]}{d[5:7]}{d[8:10]}-{s:04d}"
            for p, d, s in zip(prefix.tolist(), days.tolist(), sequence.tolist(), strict=True)
        ]

    def _current_step(self, status: np.ndarray) -> np.ndarray:
        c = self.cols
        step = np.full(self.n, None, dtype=object)
        open_ = ~c["done"]
        step[open_] = str(Step.APPROVAL)
        step[open_ & np.isnat(c["e3_at"])] = str(Step.APPRAISAL)
        step[open_ & np.isnat(c["e2_at"])] = str(Step.TRANSFER)
        step[open_ & np.isnat(c["e1_at"])] = str(Step.RECEPTION)
        step[status == S[Status.COMPLETED]] = str(Step.RETURN)
        return step

    def _history(self) -> dict[str, np.ndarray]:
        c = self.cols
        withdrawn_or_rejected = np.where(c["withdrawn"], S[Status.WITHDRAWN], S[Status.REJECTED])
        events = [
            (np.full(self.n, S[Status.RECEIVED]), self.received),
            (np.full(self.n, S[Status.PROCESSING]), c["e2_at"]),
            (np.full(self.n, S[Status.AWAITING_SUPPLEMENT]), c["ps1_at"]),
            (np.full(self.n, S[Status.PROCESSING]), c["pe1_at"]),
            (np.full(self.n, S[Status.AWAITING_SUPPLEMENT]), c["ps2_at"]),
            (np.full(self.n, S[Status.PROCESSING]), c["pe2_at"]),
            (np.full(self.n, S[Status.SUSPENDED]), c["ss_at"]),
            (np.full(self.n, S[Status.PROCESSING]), c["se_at"]),
            (np.full(self.n, S[Status.COMPLETED]), c["cf_at"]),
            (np.full(self.n, S[Status.RETURNED]), c["rt_at"]),
            (withdrawn_or_rejected, c["wf_at"]),
        ]
        dossier, order, status, moment = [], [], [], []
        for k, (states, times) in enumerate(events):
            happened = ~np.isnat(times)
            dossier.append(self.ids[happened])
            order.append(np.full(int(happened.sum()), k))
            status.append(states[happened])
            moment.append(times[happened])
        return _sorted_rows(
            dossier, order, {"status": (status, lambda v: STATUS_NAMES[v]), "changed_at": (moment, None)}
        )

    def _steps(self) -> dict[str, np.ndarray]:
        c, ref, vc = self.cols, self.ref, self.vc
        receiver = self.pick(ref.receivers)
        signer = np.where(
            self.chance(np.where(c["heavy"], 0.7, 0.35)), ref.chair[self.commune], ref.leader[self.commune]
        )
        unit_id = ref.commune_ids[self.commune]
        p0, allowance = c["p0"], np.maximum(c["due_pos"] - c["p0"], 0.25)
        has_transfer = c["unit"] != SD
        has_transfer &= c["unit"] != WH
        appraisal_end = np.where(~np.isnat(c["wf_at"]), c["wf_at"], c["e3_at"])
        steps = [
            (Step.RECEPTION, self.received, c["e1_at"], receiver, 0.05, np.ones(self.n, dtype=bool)),
            (Step.TRANSFER, c["e1_at"], c["e2_at"], receiver, 0.10, has_transfer),
            (Step.APPRAISAL, c["e2_at"], appraisal_end, c["handler"], 0.70, np.ones(self.n, dtype=bool)),
            (Step.APPROVAL, c["e3_at"], c["cf_at"], signer, 0.90, np.ones(self.n, dtype=bool)),
            (Step.RETURN, c["cf_at"], c["rt_at"], receiver, 1.0, np.ones(self.n, dtype=bool)),
        ]
        dossier, order, name, unit, handler, begun, ended, due = [], [], [], [], [], [], [], []
        for k, (step, start, end, who, share, applies) in enumerate(steps):
            happened = applies & ~np.isnat(start)
            count = int(happened.sum())
            dossier.append(self.ids[happened])
            order.append(np.full(count, k))
            name.append(np.full(count, STEP_NAMES.index(step)))
            unit.append(unit_id[happened])
            handler.append(who[happened])
            begun.append(start[happened])
            ended.append(end[happened])
            step_due = c["due_at"] if step is Step.RETURN else vc.moment_at(p0 + share * allowance)
            due.append(step_due[happened])
        names = np.array([str(s) for s in STEP_NAMES], dtype=object)
        return _sorted_rows(
            dossier,
            order,
            {
                "step": (name, lambda v: names[v]),
                "unit_id": (unit, None),
                "handler_id": (handler, None),
                "started_at": (begun, None),
                "ended_at": (ended, None),
                "due_at": (due, None),
            },
        )

    def _pauses(self) -> dict[str, np.ndarray]:
        c = self.cols
        reasons = np.array(list(catalog.SUPPLEMENT_REASONS) + [catalog.SUSPENSION_REASON], dtype=object)
        supplement_reason = self.rng.integers(0, len(catalog.SUPPLEMENT_REASONS), self.n)
        land = c["sector"] == [s.code for s in catalog.SECTORS].index("DATDAI")
        supplement_reason = np.where(
            land & self.chance(0.6), len(catalog.SUPPLEMENT_REASONS) - 1, supplement_reason
        )
        slots = [
            ("supplement", c["ps1_at"], c["pe1_at"], supplement_reason),
            (
                "supplement",
                c["ps2_at"],
                c["pe2_at"],
                (supplement_reason + 1) % len(catalog.SUPPLEMENT_REASONS),
            ),
            ("suspension", c["ss_at"], c["se_at"], np.full(self.n, len(reasons) - 1)),
        ]
        kinds = np.array(["supplement", "suspension"], dtype=object)
        dossier, order, kind, begun, ended, why = [], [], [], [], [], []
        for k, (name, start, end, reason) in enumerate(slots):
            happened = ~np.isnat(start)
            count = int(happened.sum())
            dossier.append(self.ids[happened])
            order.append(np.full(count, k))
            kind.append(np.full(count, 0 if name == "supplement" else 1))
            begun.append(start[happened])
            ended.append(end[happened])
            why.append(reason[happened])
        return _sorted_rows(
            dossier,
            order,
            {
                "kind": (kind, lambda v: kinds[v]),
                "started_at": (begun, None),
                "ended_at": (ended, None),
                "reason": (why, lambda v: reasons[v]),
            },
        )

    def _letter_rows(self) -> dict[str, np.ndarray]:
        c = self.cols
        reasons = np.array(catalog.APOLOGY_REASONS, dtype=object)
        why = self.rng.integers(0, len(reasons), self.n)
        dossier, order, issued, new_date, reason = [], [], [], [], []
        for k, (at, new) in enumerate(
            ((c["letter_at"], c["letter_new"]), (c["letter2_at"], c["letter2_new"]))
        ):
            happened = ~np.isnat(at)
            dossier.append(self.ids[happened])
            order.append(np.full(int(happened.sum()), k))
            issued.append(at[happened])
            new_date.append(new[happened])
            reason.append(((why + k) % len(reasons))[happened])
        return _sorted_rows(
            dossier,
            order,
            {
                "issued_at": (issued, None),
                "new_due_date": (new_date, None),
                "reason": (reason, lambda v: reasons[v]),
            },
        )

    def _ratings(self) -> dict[str, np.ndarray]:
        """~30 % of returned dossiers are rated: mean ≈ 4.2, clearly lower when late."""
        c = self.cols
        returned = c["status"] == S[Status.RETURNED]
        rated = returned & self.chance(np.choose(self.channel, [0.36, 0.26, 0.15]))
        late = c["outcome"] == 3
        u = self.uniform()
        good = np.searchsorted(np.cumsum([0.03, 0.05, 0.10, 0.30]), u, side="right")
        bad = np.searchsorted(np.cumsum([0.15, 0.20, 0.25, 0.25]), u, side="right")
        score = 1 + np.where(late, bad, good)
        score = np.where(c["struggling"] & (score > 1) & self.chance(0.2), score - 1, score)
        channel_names = np.array(["kiosk", "online", "sms"], dtype=object)
        sms = self.chance(np.choose(self.channel, [0.35, 0.15, 1.0]))
        channel = np.where(sms, 2, np.where(self.channel == 1, 1, 0))
        returned_at = c["rt_at"]
        evening = returned_at.astype("datetime64[D]").astype("datetime64[s]") + np.timedelta64(20 * 3600, "s")
        evening = np.where(evening > returned_at, evening, evening + np.timedelta64(DAY_SECONDS, "s"))
        delay = np.choose(
            channel,
            [
                self.rng.integers(30, 900, self.n),
                self.rng.integers(120, 2 * DAY_SECONDS, self.n),
                self.rng.integers(0, 3600, self.n),
            ],
        ).astype("timedelta64[s]")
        rated_at = np.where(channel == 2, evening, returned_at) + delay
        rated &= rated_at <= self.as_of
        comments = self._comments(score)
        idx = np.flatnonzero(rated)
        return {
            "dossier_id": self.ids[idx],
            "score": score[idx],
            "channel": channel_names[channel[idx]],
            "rated_at": rated_at[idx],
            "comment": comments[idx],
        }

    def _comments(self, score: np.ndarray) -> np.ndarray:
        """Vietnamese comments on most low ratings, a few on middling and top ones."""
        comments = np.full(self.n, None, dtype=object)
        pools = (
            (score <= 2, 0.6, catalog.LOW_RATING_COMMENTS),
            (score == 3, 0.15, catalog.MIDDLE_RATING_COMMENTS),
            (score == 5, 0.03, catalog.HIGH_RATING_COMMENTS),
        )
        for mask, p, texts in pools:
            chosen = mask & self.chance(p)
            pick = self.rng.integers(0, len(texts), self.n)
            comments[chosen] = np.array(texts, dtype=object)[pick[chosen]]
        return comments


_PAUSE_EVENTS = (
    ("ps1", "pe1", Status.AWAITING_SUPPLEMENT),
    ("ps2", "pe2", Status.AWAITING_SUPPLEMENT),
    ("ss", "se", Status.SUSPENDED),
)
_HISTORY_TIMES = (
    "e2_at",
    "ps1_at",
    "pe1_at",
    "ps2_at",
    "pe2_at",
    "ss_at",
    "se_at",
    "cf_at",
    "rt_at",
    "wf_at",
)
_MEAN_AFFINITY = float(
    sum(
        spec.share
        * sum(p.weight * ONLINE_AFFINITY[p.online_level] for p in catalog.PROCEDURES if p.sector == spec.code)
        / sum(p.weight for p in catalog.PROCEDURES if p.sector == spec.code)
        for spec in catalog.SECTORS
    )
    / sum(spec.share for spec in catalog.SECTORS)
)


def _round_up(hours: np.ndarray, per_day: float, unit: np.ndarray) -> np.ndarray:
    """Pause hours as the clock adds them to an end-of-day due: whole working days, rounded up."""
    days = np.ceil(hours / per_day - 1e-9) * per_day
    return np.where(unit == WH, hours, days)


def _nullable_ids(values: np.ndarray) -> list[int | None]:
    """Ids with 0 meaning NULL."""
    result: list[int | None] = values.tolist()
    for i in np.flatnonzero(values == 0).tolist():
        result[i] = None
    return result


def _sorted_rows(
    dossier: list[np.ndarray],
    order: list[np.ndarray],
    columns: dict[str, tuple[list[np.ndarray], Callable[[np.ndarray], np.ndarray] | None]],
) -> dict[str, np.ndarray]:
    """Concatenate per-event parts and sort them by (dossier, event order): rows go in id order."""
    ids = np.concatenate(dossier)
    sort = np.lexsort((np.concatenate(order), ids))
    result: dict[str, np.ndarray] = {"dossier_id": ids[sort]}
    for name, (parts, mapping) in columns.items():
        values = np.concatenate(parts)[sort]
        result[name] = mapping(values) if mapping is not None else values
    return result


# =====================================================================================================
# Loading
# =====================================================================================================


class Loader:
    """Bulk insert through the raw driver in one transaction, secondary indexes rebuilt at the end.

    SQLite: executemany with foreign-key checks and fsync off during the load (the generator
    links ids itself; the tests check referential integrity). PostgreSQL: COPY. On an error the
    transaction rolls back, dropped indexes included, and the connection settings are restored.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.raw: Any = None
        self.indexes: list[tuple[str, str]] = []
        self.saved_pragmas: dict[str, Any] = {}
        self.foreign_keys: list[tuple[str, str, str]] = []

    def __enter__(self) -> Loader:
        self.raw = self.engine.raw_connection()
        driver = self.raw.driver_connection
        if self.dialect == "sqlite":
            if driver.in_transaction:
                driver.commit()
            for name, value in _SQLITE_LOAD_PRAGMAS.items():
                self.saved_pragmas[name] = driver.execute(f"PRAGMA {name}").fetchone()[0]
                driver.execute(f"PRAGMA {name}={value}")
            driver.execute("BEGIN")
        self.indexes = self._secondary_indexes()
        self.foreign_keys = self._foreign_keys()
        cursor = self.raw.cursor()
        for table, name, _definition in self.foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _definition in self.indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.close()
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            if error is not None:
                self.raw.driver_connection.rollback()
        finally:
            driver = self.raw.driver_connection
            for name, value in self.saved_pragmas.items():
                driver.execute(f"PRAGMA {name}={value}")
            self.raw.close()

    def _secondary_indexes(self) -> list[tuple[str, str]]:
        """(name, CREATE statement) of every index not backing a primary key or unique constraint."""
        cursor = self.raw.cursor()
        tables = ", ".join(f"'{table}'" for table in _LOADED_TABLES)
        if self.dialect == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master"
                f" WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({tables})"
            )
        else:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes"
                f" WHERE schemaname = current_schema() AND tablename IN ({tables})"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid ="
                " (quote_ident(schemaname) || '.' || quote_ident(indexname))::regclass)"
            )
        rows = [(str(name), str(sql)) for name, sql in cursor.fetchall()]
        cursor.close()
        return sorted(rows)

    def _foreign_keys(self) -> list[tuple[str, str, str]]:
        """PostgreSQL: (table, name, definition) of the foreign keys, re-added (and validated in one
        pass each) after the load; checked row by row during COPY they cost more than the load itself.
        SQLite turns its checks off with a pragma instead."""
        if self.dialect == "sqlite":
            return []
        tables = ", ".join(f"'{table}'" for table in _LOADED_TABLES)
        cursor = self.raw.cursor()
        cursor.execute(
            "SELECT t.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k"
            " JOIN pg_class t ON t.oid = k.conrelid WHERE k.contype = 'f'"
            f" AND t.relnamespace = current_schema()::regnamespace AND t.relname IN ({tables})"
        )
        rows = [(str(table), str(name), str(definition)) for table, name, definition in cursor.fetchall()]
        cursor.close()
        return sorted(rows)

    def insert(self, table: str, columns: Sequence[str], data: list[list[Any]]) -> None:
        if not data or not data[0]:
            return
        names = ", ".join(columns)
        if self.dialect == "sqlite":
            marks = ", ".join("?" * len(columns))
            self.raw.driver_connection.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})", zip(*data, strict=True)
            )
            return
        with (
            self.raw.driver_connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in zip(*data, strict=True):
                copy.write_row(row)

    def finish(self, progress: Callable[[str], None]) -> None:
        """Rebuild the indexes, fix the id sequences, commit, and refresh the planner statistics."""
        started = _time.perf_counter()
        cursor = self.raw.cursor()
        for _name, definition in self.indexes:
            cursor.execute(definition)
        for table, name, definition in self.foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        if self.dialect != "sqlite":
            for table in _SERIAL_TABLES:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false)"
                    f" FROM {table}"
                )
        self.raw.driver_connection.commit()
        cursor.execute("ANALYZE")
        self.raw.driver_connection.commit()
        cursor.close()
        seconds = _time.perf_counter() - started
        progress(
            f"demo: {len(self.indexes)} indexes and {len(self.foreign_keys)} foreign keys rebuilt, "
            f"statistics refreshed in {seconds:.1f} s"
        )


# Foreign keys are checked by the tests instead; fsync is pointless for a throwaway load; a 1 GiB
# page cache keeps the unique indexes (codes, history events) in memory while they grow.
_SQLITE_LOAD_PRAGMAS = {"foreign_keys": "OFF", "synchronous": "OFF", "cache_size": "-1048576"}
_SERIAL_TABLES = (
    "units",
    "sectors",
    "procedures",
    "officials",
    "dossiers",
    "dossier_status_history",
    "dossier_steps",
    "dossier_pauses",
    "apology_letters",
    "ratings",
)
#: Every table the demo fills: its secondary indexes and foreign keys are set aside during the load.
_LOADED_TABLES = (*_SERIAL_TABLES, "dossier_applicants")
