"""Dashboard and API filters: a period and optional unit, sector, procedure and channel codes.

Parsing is strict: a bad value raises FilterError with a message naming the parameter, so a
wrong link gives a clear message on the page (or a 400 from the API), never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import Connection, select

from queries.domain import Channel
from queries.models import Procedure, Sector, Unit

PRESETS = ("week", "month", "quarter", "year", "custom")
MAX_PERIOD_DAYS = 366 * 5


class FilterError(ValueError):
    """A filter value the product cannot use; `param` names the offending parameter."""

    def __init__(self, param: str, value: str, reason: str) -> None:
        super().__init__(f"{param}={value!r}: {reason}")
        self.param, self.value, self.reason = param, value, reason


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    preset: str = "custom"
    unit: str | None = None
    sector: str | None = None
    procedure: str | None = None
    channel: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Filters:
        """The period of the same length just before this one (for the change on each card)."""
        return replace(self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1))

    def with_unit(self, unit: str | None) -> Filters:
        return replace(self, unit=unit)

    def query(self) -> dict[str, str]:
        """The URL query-string form, so that a link shows the same view."""
        values = {"period": self.preset}
        if self.preset == "custom":
            values |= {"from": self.start.isoformat(), "to": self.end.isoformat()}
        for key in ("unit", "sector", "procedure", "channel"):
            if getattr(self, key):
                values[key] = getattr(self, key)
        return values


def preset_period(preset: str, today: date) -> tuple[date, date]:
    """This week / month / quarter / year up to today (Vietnam date)."""
    if preset == "week":
        return today - timedelta(days=today.weekday()), today
    if preset == "month":
        return today.replace(day=1), today
    if preset == "quarter":
        return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if preset == "year":
        return date(today.year, 1, 1), today
    raise FilterError("period", preset, f"must be one of {', '.join(PRESETS)}")


def parse_filters(
    params: Mapping[str, str | list[str]], *, today: date, default_preset: str = "month"
) -> Filters:
    """Filters from a query string; unknown keys are ignored, bad values raise FilterError."""

    def get(key: str) -> str | None:
        value = params.get(key)
        if isinstance(value, list):
            value = value[-1] if value else None
        value = (value or "").strip()
        return value or None

    start_text, end_text = get("from"), get("to")
    preset = get("period") or ("custom" if start_text or end_text else default_preset)
    if preset not in PRESETS:
        raise FilterError("period", preset, f"must be one of {', '.join(PRESETS)}")
    if preset == "custom":
        start = _date("from", start_text) if start_text else today.replace(day=1)
        end = _date("to", end_text) if end_text else today
        if end < start:
            raise FilterError("to", end.isoformat(), "must not be before 'from'")
        if (end - start).days > MAX_PERIOD_DAYS:
            raise FilterError("from", start.isoformat(), "period longer than five years")
    else:
        start, end = preset_period(preset, today)
    channel = get("channel")
    if channel is not None:
        try:
            channel = str(Channel.parse(channel))
        except ValueError:
            raise FilterError("channel", channel, "must be counter, online or postal") from None
    return Filters(
        start=start,
        end=end,
        preset=preset,
        unit=_code("unit", get("unit")),
        sector=_code("sector", get("sector")),
        procedure=_code("procedure", get("procedure")),
        channel=channel,
    )


def check_codes(conn: Connection, filters: Filters) -> None:
    """Raise FilterError for a unit, sector or procedure code the database does not know."""
    for param, model, value in (
        ("unit", Unit, filters.unit),
        ("sector", Sector, filters.sector),
        ("procedure", Procedure, filters.procedure),
    ):
        if value is not None and conn.execute(select(model.id).where(model.code == value)).first() is None:
            raise FilterError(param, value, "unknown code")


def _date(param: str, text: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, re.ASCII):
        raise FilterError(param, text, "must be a date YYYY-MM-DD")
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise FilterError(param, text, "must be a date YYYY-MM-DD") from None
    if not 2000 <= value.year <= 2100:
        raise FilterError(param, text, "year out of range")
    return value


def _code(param: str, value: str | None) -> str | None:
    if value is None:
        return None
    if len(value) > 64 or not all(ch.isalnum() or ch in ".-_" for ch in value):
        raise FilterError(param, value[:64], "not a valid code")
    return value
