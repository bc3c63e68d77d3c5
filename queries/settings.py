"""Settings read from the environment in one place.

Every helper fails loudly on a malformed value: a typo in a deployment's environment must stop
the process at start, not silently fall back to a default (healthchecks' hc/settings.py style).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import time
from functools import cached_property
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:///instance/dossiers.sqlite"
DEFAULT_OVERRIDES = REPO_ROOT / "queries" / "calendar_overrides.csv"


class SettingsError(ValueError):
    """A setting has a value the product cannot work with; the message names the variable."""


def env_str(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from exc


def env_int(name: str, default: int, *, low: int | None = None, high: int | None = None) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from exc
    if low is not None and value < low:
        raise SettingsError(f"{name} must be at least {low}, not {value}")
    if high is not None and value > high:
        raise SettingsError(f"{name} must be at most {high}, not {value}")
    return value


def env_time(name: str, default: time) -> time:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return time.fromisoformat(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a time like 08:00, not {raw!r}") from exc


def alert_snooze_hours() -> float:
    """How long "Snooze" on an acknowledgement page holds an alert back from climbing a level.

    Read when the web app starts, so a bad ALERT_SNOOZE_HOURS stops it there, not at a click.
    """
    hours = env_float("ALERT_SNOOZE_HOURS", 24.0)
    if not 0 < hours <= 720:
        raise SettingsError(f"ALERT_SNOOZE_HOURS must be above 0 and at most 720 (30 days), not {hours:g}")
    return hours


def database_url() -> str:
    """The dossier database; a relative SQLite path is taken from the repository root."""
    url = env_str("DATABASE_URL", DEFAULT_DATABASE_URL)
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite:///:memory:":
        url = prefix + str(REPO_ROOT / url[len(prefix) :])
    return url


@dataclass(frozen=True)
class ClockPolicy:
    """The conventions of the SLA clock that a province may need to change (docs/sla-clock.md).

    The defaults follow the issue and domain brief: office hours 08:00-12:00 and 13:00-17:00,
    same-day procedures cut off at 15:00, due-soon at one working day left or 75 % used.
    """

    morning: tuple[time, time] = (time(8, 0), time(12, 0))
    afternoon: tuple[time, time] = (time(13, 0), time(17, 0))
    same_day_cutoff: time = time(15, 0)
    due_soon_days: float = 1.0
    due_soon_share: float = 0.75
    # Decree 61 practice and most dashboards: an apology letter moves the working deadline, but a
    # dossier finished after its original appointment still counts late (domain.md 1.6 step 5).
    extension_counts_on_time: bool = False
    overrides_file: Path = field(default=DEFAULT_OVERRIDES)

    @cached_property
    def hours_per_day(self) -> float:
        return _hours(*self.morning) + _hours(*self.afternoon)

    @classmethod
    def from_env(cls) -> ClockPolicy:
        default = cls()
        policy = cls(
            morning=(
                env_time("SLA_MORNING_START", default.morning[0]),
                env_time("SLA_MORNING_END", default.morning[1]),
            ),
            afternoon=(
                env_time("SLA_AFTERNOON_START", default.afternoon[0]),
                env_time("SLA_AFTERNOON_END", default.afternoon[1]),
            ),
            same_day_cutoff=env_time("SLA_SAME_DAY_CUTOFF", default.same_day_cutoff),
            due_soon_days=env_float("SLA_DUE_SOON_DAYS", default.due_soon_days),
            due_soon_share=env_float("SLA_DUE_SOON_SHARE", default.due_soon_share),
            extension_counts_on_time=env_bool(
                "SLA_EXTENSION_COUNTS_ON_TIME", default.extension_counts_on_time
            ),
            overrides_file=Path(env_str("CALENDAR_OVERRIDES", str(default.overrides_file))),
        )
        policy.validate()
        return policy

    def validate(self) -> None:
        if not (self.morning[0] < self.morning[1] <= self.afternoon[0] < self.afternoon[1]):
            raise SettingsError("office hours must be ordered: morning start < end <= afternoon start < end")
        if not 0 < self.due_soon_share <= 1:
            raise SettingsError("SLA_DUE_SOON_SHARE must be in (0, 1]")
        if self.due_soon_days < 0:
            raise SettingsError("SLA_DUE_SOON_DAYS must not be negative")


def _hours(start: time, end: time) -> float:
    return (end.hour * 60 + end.minute - start.hour * 60 - start.minute) / 60


def secret_key() -> str:
    """The key that signs Dash callbacks and alert acknowledgement links.

    The web workers and the scheduler must share it, so without SECRET_KEY (or SECRET_KEY_FILE)
    one is made once in instance/secret_key, readable by its owner only.
    """
    if value := os.environ.get("SECRET_KEY", "").strip():
        return value
    path = Path(env_str("SECRET_KEY_FILE", str(REPO_ROOT / "instance" / "secret_key")))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    value = path.read_text(encoding="utf-8").strip()
    if not value:
        raise SettingsError(f"SECRET_KEY_FILE {path} is empty")
    return value
