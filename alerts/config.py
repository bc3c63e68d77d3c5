"""The alerting rules and thresholds, read from one TOML file and checked at start.

The file is edited by people, so a typo must stop the scheduler with the key's name rather than
silently fall back to a default (alerts/defaults.toml documents every key).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from datetime import time
from pathlib import Path
from typing import Any

DEFAULT_FILE = Path(__file__).with_name("defaults.toml")


class ConfigError(ValueError):
    """A key of the alerting configuration is missing, unknown or has a bad value."""


@dataclass(frozen=True)
class DueSoon:
    days_left: float = 1.0
    share_used: float = 0.75


@dataclass(frozen=True)
class Overdue:
    apology_after_days: float = 1.0
    supervisor_after_days: float = 5.0
    immediate: bool = True


@dataclass(frozen=True)
class Acknowledge:
    climb_after_hours: float = 4.0
    link_valid_days: int = 7


@dataclass(frozen=True)
class Delivery:
    backoff_minutes: tuple[float, ...] = (1, 2, 5, 10, 30, 60, 120, 240)
    timeout_seconds: float = 30.0
    lease_minutes: float = 10.0
    batch_size: int = 200

    @property
    def max_attempts(self) -> int:
        return len(self.backoff_minutes) + 1


@dataclass(frozen=True)
class Schedule:
    evaluate_every_minutes: float = 5.0
    deliver_every_seconds: float = 60.0
    daily_digest_at: time = time(7, 45)
    weekly_summary_at: time = time(8, 0)
    misfire_grace_minutes: float = 120.0
    rollups_every_minutes: float = 5.0
    rollups_rebuild_at: time = time(2, 0)


@dataclass(frozen=True)
class Links:
    base_url: str = "http://127.0.0.1:8050"


@dataclass(frozen=True)
class Admins:
    urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlertConfig:
    due_soon: DueSoon = field(default_factory=DueSoon)
    procedures: dict[str, DueSoon] = field(default_factory=dict)  # per-procedure due-soon overrides
    overdue: Overdue = field(default_factory=Overdue)
    acknowledge: Acknowledge = field(default_factory=Acknowledge)
    delivery: Delivery = field(default_factory=Delivery)
    schedule: Schedule = field(default_factory=Schedule)
    links: Links = field(default_factory=Links)
    admins: Admins = field(default_factory=Admins)

    def due_soon_for(self, procedure_code: str | None) -> DueSoon:
        return self.procedures.get(procedure_code or "", self.due_soon)


SECTIONS = {
    "due_soon": DueSoon,
    "overdue": Overdue,
    "acknowledge": Acknowledge,
    "delivery": Delivery,
    "schedule": Schedule,
    "links": Links,
    "admins": Admins,
}


def config_path(path: Path | None = None) -> Path:
    """The file the configuration is read from: `path`, else ALERTS_CONFIG, else the defaults."""
    return path or Path(os.environ.get("ALERTS_CONFIG", "").strip() or DEFAULT_FILE)


def load(path: Path | None = None) -> AlertConfig:
    """The configuration from `path`, else ALERTS_CONFIG, else the shipped defaults."""
    path = config_path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"alert configuration file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path.name}: not valid TOML: {exc}") from exc
    config = parse(data)
    admin_urls = os.environ.get("ALERTS_ADMIN_URLS", "").split()
    if admin_urls:
        config = AlertConfig(**{**_as_kwargs(config), "admins": Admins(tuple(admin_urls))})
    return config


def parse(data: dict[str, Any]) -> AlertConfig:
    unknown = set(data) - set(SECTIONS)
    if unknown:
        raise ConfigError(f"unknown section [{sorted(unknown)[0]}] (known: {', '.join(SECTIONS)})")
    due_soon_data = dict(data.get("due_soon", {}))
    overrides = due_soon_data.pop("procedures", {})
    if not isinstance(overrides, dict):
        raise ConfigError("due_soon.procedures must be a table of procedure codes")
    kwargs: dict[str, Any] = {
        name: _section(name, cls, due_soon_data if name == "due_soon" else data.get(name, {}))
        for name, cls in SECTIONS.items()
    }
    kwargs["procedures"] = {
        str(code): _section(
            f"due_soon.procedures.{code}", DueSoon, {**_as_kwargs(kwargs["due_soon"]), **values}
        )
        for code, values in overrides.items()
    }
    config = AlertConfig(**kwargs)
    _check_ranges(config)
    return config


def _section(name: str, cls: type, values: Any) -> Any:
    if not isinstance(values, dict):
        raise ConfigError(f"[{name}] must be a table")
    defaults = cls()
    known = {f.name for f in fields(cls)}
    for key in values:
        if key not in known:
            raise ConfigError(f"unknown key {name}.{key} (known: {', '.join(sorted(known))})")
    return cls(**{key: _coerce(f"{name}.{key}", getattr(defaults, key), values[key]) for key in values})


def _coerce(key: str, default: Any, value: Any) -> Any:
    """Check a value against the type of its default, the one place types are enforced."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{key} must be true or false, not {_shown(key, value)}")
    if isinstance(default, int | float):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return type(default)(value)
        raise ConfigError(f"{key} must be a number, not {_shown(key, value)}")
    if isinstance(default, time):
        try:
            return time.fromisoformat(str(value))
        except ValueError as exc:
            raise ConfigError(f'{key} must be a time like "07:45", not {_shown(key, value)}') from exc
    if isinstance(default, tuple):
        if not isinstance(value, list):
            raise ConfigError(f"{key} must be a list, not {_shown(key, value)}")
        inner = default[0] if default else ""
        return tuple(_coerce(f"{key}[{i}]", inner, item) for i, item in enumerate(value))
    if isinstance(default, str):
        if isinstance(value, str) and value.strip():
            return value.strip()
        raise ConfigError(f"{key} must be a non-empty text, not {_shown(key, value)}")
    raise ConfigError(f"{key}: unsupported value {_shown(key, value)}")


def _shown(key: str, value: Any) -> str:
    """A bad value as an error may quote it: notification URLs carry secrets, never quoted."""
    return "(hidden: notification URLs carry secrets)" if key.startswith("admins.urls") else repr(value)


def _check_ranges(config: AlertConfig) -> None:
    for name, soon in [
        ("due_soon", config.due_soon),
        *((f"due_soon.procedures.{c}", s) for c, s in config.procedures.items()),
    ]:
        if soon.days_left < 0:
            raise ConfigError(f"{name}.days_left must not be negative")
        if not 0 < soon.share_used <= 1:
            raise ConfigError(f"{name}.share_used must be above 0 and at most 1")
    checks = {
        "overdue.apology_after_days": config.overdue.apology_after_days >= 0,
        "overdue.supervisor_after_days": config.overdue.supervisor_after_days >= 0,
        "acknowledge.climb_after_hours": config.acknowledge.climb_after_hours > 0,
        "acknowledge.link_valid_days": config.acknowledge.link_valid_days > 0,
        "delivery.backoff_minutes": all(m > 0 for m in config.delivery.backoff_minutes),
        "delivery.timeout_seconds": config.delivery.timeout_seconds > 0,
        "delivery.lease_minutes": config.delivery.lease_minutes > 0,
        "delivery.batch_size": config.delivery.batch_size > 0,
        "schedule.evaluate_every_minutes": config.schedule.evaluate_every_minutes > 0,
        "schedule.deliver_every_seconds": config.schedule.deliver_every_seconds > 0,
        "schedule.misfire_grace_minutes": config.schedule.misfire_grace_minutes > 0,
        "schedule.rollups_every_minutes": config.schedule.rollups_every_minutes > 0,
    }
    for key, ok in checks.items():
        if not ok:
            raise ConfigError(f"{key} must be positive")
    if not config.links.base_url.startswith(("http://", "https://")):
        raise ConfigError("links.base_url must start with http:// or https://")


def _as_kwargs(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in fields(obj)}
