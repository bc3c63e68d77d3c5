"""Edits to the alert rules and the calendar overrides, in the audit trail (issue 5).

Both are files an operator edits on the server, not rows a page changes: the alert rules
(alerts/defaults.toml or ALERTS_CONFIG) decide who is told what and when, the calendar overrides
(queries/calendar_overrides.csv or CALENDAR_OVERRIDES) decide every deadline. So each process
that uses them checks them when it starts (the scheduler: `python -m alerts run` and `tick`; the
web app: gunicorn's master, `python -m dashboard`): the file's SHA-256 is compared with the one
the audit trail last recorded for it, and a different one (or the first sight of the file) is
recorded as `rules_changed` / `calendar_changed` by `system`, target the file (its path in the
repository, or its name when it lives elsewhere), detail:

    file, sha256, previous_sha256, process ("scheduler" or "web"), and
    rules:    values (every key: {"section.key": value}), added, removed (keys),
              changed ({key: [before, after]});
    calendar: overrides ({date: "off" | "work"}), added, removed (dates),
              changed ({date: [before, after]}).

The values of the last entry are what the next change is compared with, so the summary costs no
copy of the file. Never in a detail: the administrators' notification URLs (`admins.urls` is
recorded as a count), which carry tokens and passwords.

A database that refuses the write (a read-only replica, a read-only role) must not stop the web
app or the scheduler for this: the check logs one line and the process goes on.
"""

from __future__ import annotations

import hashlib
import io
import logging
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from queries import audit
from queries.db import describe, make_engine
from queries.settings import REPO_ROOT
from queries.workcalendar import CalendarError, parse_overrides

log = logging.getLogger(__name__)

ACTOR = "system"
#: An absent file (no calendar overrides yet) has this "hash", so creating it is a change too.
ABSENT = "absent"
#: Keys of the rules file whose values are never recorded (notification URLs hold secrets).
SECRET_KEYS = frozenset({"admins.urls"})
#: PostgreSQL advisory lock taken while comparing and recording: the web app and the scheduler
#: starting together record one change, not two.
_LOCK = 5_020_605


@dataclass(frozen=True)
class Watched:
    """A file whose edits are audited: the action, its path, and how to summarise its content."""

    action: str
    path: Path
    #: The content as a flat mapping to compare with the previous one (None: cannot be read).
    values: Callable[[bytes], dict[str, Any] | None]
    key: str  # the name of the mapping in the detail ("values", "overrides")


def rules_file(path: Path) -> Watched:
    return Watched("rules_changed", path, rule_values, "values")


def calendar_file(path: Path) -> Watched:
    return Watched("calendar_changed", path, calendar_values, "overrides")


def target(path: Path) -> str:
    """The file as the audit trail names it: its path in the repository, else its name."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return resolved.name


def sha256(content: bytes | None) -> str:
    return hashlib.sha256(content).hexdigest() if content is not None else ABSENT


def rule_values(content: bytes) -> dict[str, Any] | None:
    """Every key of a rules file, flattened ("overdue.apology_after_days": 1.0); secrets counted."""
    try:
        data = tomllib.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif prefix in SECRET_KEYS:
            count = len(value) if isinstance(value, list) else 1
            flat[prefix] = f"{count} URL(s), not recorded"
        else:
            flat[prefix] = value if isinstance(value, (str, int, float, bool, list)) else str(value)

    walk("", data)
    return flat


def calendar_values(content: bytes) -> dict[str, Any] | None:
    """The overrides as date -> "off" / "work" (the notes are not compared)."""
    try:
        text = content.decode("utf-8-sig")
        overrides = parse_overrides(io.StringIO(text, newline=""), "calendar overrides")
    except (CalendarError, UnicodeDecodeError):
        return None
    return {o.day.isoformat(): "work" if o.working else "off" for o in sorted(overrides, key=lambda o: o.day)}


def changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """What differs between two flat mappings: keys added, removed, and changed (before, after)."""
    if before is None or after is None:
        return {}
    return {
        "added": sorted(set(after) - set(before)),
        "removed": sorted(set(before) - set(after)),
        "changed": {
            k: [before[k], after[k]] for k in sorted(set(before) & set(after)) if before[k] != after[k]
        },
    }


def check(conn: Connection, watched: Watched, *, process: str) -> dict[str, Any] | None:
    """Record `watched` when its content differs from the last audited; returns the detail
    recorded, or None when the file is as last recorded. In the caller's transaction."""
    try:
        content: bytes | None = watched.path.read_bytes()
    except FileNotFoundError:
        content = None
    name = target(watched.path)
    digest = sha256(content)
    previous = audit.last_detail(conn, watched.action, name)
    if previous is not None and previous.get("sha256") == digest:
        return None
    values = watched.values(content) if content is not None else {}
    before = previous.get(watched.key) if previous else None
    detail: dict[str, Any] = {
        "file": name,
        "sha256": digest,
        "previous_sha256": previous.get("sha256") if previous else None,
        "process": process,
    }
    if values is not None:
        detail[watched.key] = values
        detail.update(changes(before, values))
    audit.record(conn, actor=ACTOR, action=watched.action, target=name, detail=detail)
    return detail


def check_all(engine: Engine, files: Sequence[Watched], *, process: str) -> list[str]:
    """Check every file in one transaction; returns the actions recorded. Never raises for the
    database or a file: one line is logged instead and the process goes on."""
    recorded: list[str] = []
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
            for watched in files:
                detail = check(conn, watched, process=process)
                if detail is not None:
                    recorded.append(watched.action)
                    log.info(
                        "%s: %s recorded in the audit trail",
                        detail["file"],
                        watched.action,
                        extra={"file": detail["file"], "sha256": detail["sha256"]},
                    )
    except (SQLAlchemyError, OSError) as exc:
        log.warning(
            "configuration files not checked against the audit trail: %s",
            describe(exc),
            extra={"component": process},
        )
        return []
    return recorded


def check_at_start(
    *, rules: Path, calendar: Path, process: str, database_url: str | None = None
) -> list[str]:
    """`check_all` on an engine of its own (DATABASE_URL by default), disposed afterwards: for a
    process that has none yet (gunicorn's master, before it forks its workers)."""
    try:
        engine = make_engine(database_url)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("configuration files not checked against the audit trail: %s", describe(exc))
        return []
    try:
        return check_all(engine, [rules_file(rules), calendar_file(calendar)], process=process)
    finally:
        engine.dispose()
