"""Vietnam's working-day calendar: the `holidays` package plus a checked-in override file.

The package knows Tết, Hùng Kings, National Day, observed days and the swaps its maintainers have
encoded (with their make-up Saturdays). Swaps the government announces later go in
`queries/calendar_overrides.csv` (`date,kind,note`, kind `off` or `work`): no code change needed.

The calendar is held as one sorted array of working days, so "the Nth working day after" and
"how many working days between" are array look-ups, and whole columns can be clocked at once.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import holidays
import numpy as np

FIRST_YEAR = 2015
LAST_YEAR = 2040
FIRST_DAY = date(FIRST_YEAR, 1, 1)
LAST_DAY = date(LAST_YEAR, 12, 31)


class CalendarError(ValueError):
    """The override file is malformed; the message names the line."""


@dataclass(frozen=True)
class Override:
    day: date
    working: bool
    note: str


@dataclass(frozen=True)
class WorkCalendar:
    """Working days between FIRST_YEAR and LAST_YEAR, as sorted datetime64[D].

    Scalar look-ups go through plain dicts built once (the clock makes several per dossier, and
    numpy's per-call overhead dominated imports and exports); the array serves vectorised code.
    """

    workdays: np.ndarray
    holiday_names: dict[date, str]
    _before: dict[date, int] = field(init=False, repr=False, compare=False)
    _days: list[date] = field(init=False, repr=False, compare=False)
    _working: frozenset[date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        days = [d.astype(date) for d in self.workdays]
        before, count, position = {}, 0, FIRST_DAY
        working = frozenset(days)
        while position <= LAST_DAY:
            before[position] = count
            count += position in working
            position += timedelta(days=1)
        object.__setattr__(self, "_before", before)
        object.__setattr__(self, "_days", days)
        object.__setattr__(self, "_working", working)

    def index(self, day: date) -> int:
        """How many working days fall strictly before `day`."""
        try:
            return self._before[day]
        except KeyError:
            raise CalendarError(f"{day} is outside the calendar ({FIRST_YEAR}-{LAST_YEAR})") from None

    def locate(self, day: date) -> tuple[int, bool]:
        """`index(day)` and `is_working_day(day)` in one look-up (the clock's hot path)."""
        return self.index(day), day in self._working

    def is_working_day(self, day: date) -> bool:
        self.index(day)  # range check
        return day in self._working

    def day_at(self, index: int) -> date:
        if not 0 <= index < len(self._days):
            raise CalendarError(f"date outside the calendar ({FIRST_YEAR}-{LAST_YEAR})")
        return self._days[index]

    def first_working_day_from(self, day: date) -> date:
        """`day` itself when it is a working day, otherwise the next working day."""
        return self.day_at(self.index(day))

    def nth_working_day_after(self, day: date, n: int) -> date:
        """The Nth working day after `day`, not counting `day` (n >= 1)."""
        start = self.index(day) + (1 if self.is_working_day(day) else 0)
        return self.day_at(start + n - 1)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative with the same count when end < start."""
        if end < start:
            return -self.working_days_between(end, start)
        return self.index(end + timedelta(days=1)) - self.index(start + timedelta(days=1))


def read_overrides(path: Path) -> list[Override]:
    """Parse the override file; any bad line stops with its line number."""
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return parse_overrides(handle, str(path))


def parse_overrides(lines: Iterable[str], source: str) -> list[Override]:
    """The overrides in CSV `lines` (date,kind,note); errors name `source` and the line."""
    result: list[Override] = []
    reader = csv.DictReader(lines)
    if reader.fieldnames is None or not {"date", "kind"} <= set(reader.fieldnames):
        raise CalendarError(f"{source}: header must be date,kind,note")
    for line, row in enumerate(reader, start=2):
        try:
            day = date.fromisoformat((row.get("date") or "").strip())
        except ValueError:
            raise CalendarError(f"{source}:{line}: date must be YYYY-MM-DD") from None
        kind = (row.get("kind") or "").strip().lower()
        if kind not in {"off", "work"}:
            raise CalendarError(f"{source}:{line}: kind must be 'off' or 'work', not {kind!r}")
        result.append(Override(day, kind == "work", (row.get("note") or "").strip()))
    return result


def build_calendar(overrides: list[Override], language: str = "vi") -> WorkCalendar:
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    vn = holidays.country_holidays("VN", years=years, language=language)
    working = {
        FIRST_DAY + timedelta(days=offset) for offset in range((date(LAST_YEAR, 12, 31) - FIRST_DAY).days + 1)
    }
    working = {d for d in working if d.weekday() < 5 and d not in vn}
    working |= {d for d in vn.weekend_workdays if FIRST_YEAR <= d.year <= LAST_YEAR}
    names = {d: str(name) for d, name in vn.items()}
    for override in overrides:
        if override.working:
            working.add(override.day)
            names.pop(override.day, None)
        else:
            working.discard(override.day)
            names[override.day] = override.note or "override"
    array = np.array(sorted(working), dtype="datetime64[D]")
    return WorkCalendar(workdays=array, holiday_names=names)


@lru_cache(maxsize=4)
def _cached(path: str, mtime: float) -> WorkCalendar:
    return build_calendar(read_overrides(Path(path)))


def load_calendar(path: Path) -> WorkCalendar:
    """The calendar with the override file applied; rebuilt when the file changes."""
    mtime = path.stat().st_mtime if path.exists() else 0.0
    return _cached(str(path), mtime)
