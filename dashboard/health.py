"""Liveness (`/healthz`) and readiness (`/readyz`) for systemd, the reverse proxy and Prometheus.

Two endpoints because they answer different questions. `/healthz` says the worker answers HTTP
and touches nothing else: a supervisor that restarts on its failure must not restart every worker
because the database is down. `/readyz` says this deployment can do its job, each check named in
the JSON body with its status and a message an operator can act on, and 503 when one fails:

- database: a round trip to DATABASE_URL;
- schema: the database is at the Alembic head this code expects (a deploy that skipped
  `python -m queries init` shows here, not as errors on some pages);
- scheduler: the alert scheduler's heartbeat (the last tick that finished without error, table
  alert_ticks) is at most READY_TICK_MAX_AGE seconds old (default three evaluation intervals of
  ALERTS_CONFIG: 900 s with the shipped 5 minutes). With READY_REQUIRE_SCHEDULER=false (a
  deployment without alerting) a missing or old heartbeat is reported as "unknown" and does not
  fail the check.

A check that cannot run because an earlier one failed says "unknown" and why. Both settings are
read once when the app starts (a bad value stops it, naming the variable) and live in the Flask
config, where tests can change them.
"""

from __future__ import annotations

import json
import logging
import os
from functools import cache
from typing import Any

from flask import Blueprint, current_app
from flask.blueprints import BlueprintSetupState
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from dashboard.services import engine
from queries.db import ping
from queries.migrate import code_heads, database_heads
from queries.outbox import last_finished_tick
from queries.settings import SettingsError, env_bool, env_float
from queries.timeutil import vn_now

log = logging.getLogger(__name__)

health = Blueprint("health", __name__)

OK, ERROR, UNKNOWN = "ok", "error", "unknown"
HEADERS = {"Cache-Control": "no-store"}


@health.record_once
def _read_settings(state: BlueprintSetupState) -> None:
    state.app.config.setdefault("READY_TICK_MAX_AGE", ready_tick_max_age())
    state.app.config.setdefault("READY_REQUIRE_SCHEDULER", env_bool("READY_REQUIRE_SCHEDULER", True))


def ready_tick_max_age() -> float:
    """READY_TICK_MAX_AGE in seconds; unset, three of the scheduler's evaluation intervals.

    Three, so that one slow or failed tick does not take the site out of the load balancer, while
    a scheduler that stopped shows within a quarter of an hour.
    """
    if os.environ.get("READY_TICK_MAX_AGE", "").strip():
        seconds = env_float("READY_TICK_MAX_AGE", 0.0)
    else:
        from alerts.config import ConfigError, load

        try:
            seconds = 3 * load().schedule.evaluate_every_minutes * 60
        except ConfigError as exc:
            raise SettingsError(
                f"READY_TICK_MAX_AGE is not set and the alert configuration it defaults from is bad: {exc}"
            ) from exc
    if seconds <= 0:
        raise SettingsError(f"READY_TICK_MAX_AGE must be a number of seconds above 0, not {seconds:g}")
    return seconds


@cache
def _expected_heads() -> frozenset[str]:
    return frozenset(code_heads())


@health.get("/healthz")
def healthz() -> Response:
    return _json({"status": OK}, 200)


@health.get("/readyz")
def readyz() -> Response:
    names = ("database", "schema", "scheduler")
    checks = {name: _check(UNKNOWN, "not checked") for name in names}
    stage = "database"
    try:
        with engine().connect() as conn:
            ping(conn)
            checks["database"] = _check(OK, "reachable")
            stage = "schema"
            checks["schema"] = _schema(conn)
            stage = "scheduler"
            if checks["schema"]["status"] == OK:
                checks["scheduler"] = _scheduler(conn)
            else:
                checks["scheduler"] = _check(UNKNOWN, "not checked: the schema is not at its head")
    except SQLAlchemyError as exc:
        log.warning("readiness: the %s check failed: %s", stage, _reason(exc), extra={"check": stage})
        checks[stage] = _check(ERROR, ("unreachable: " if stage == "database" else "") + _reason(exc))
        for later in names[names.index(stage) + 1 :]:
            checks[later] = _check(UNKNOWN, f"not checked: the {stage} check failed")
    failing = any(check["status"] == ERROR for check in checks.values())
    return _json({"status": ERROR if failing else OK, "checks": checks}, 503 if failing else 200)


def _schema(conn: Connection) -> dict[str, str]:
    expected = sorted(_expected_heads())
    found = sorted(database_heads(conn))
    if found == expected:
        return _check(OK, f"at head {', '.join(found)}")
    if not found:
        return _check(ERROR, "not migrated: run `python -m queries init` against DATABASE_URL")
    return _check(
        ERROR,
        f"database at revision {', '.join(found)}, this code expects {', '.join(expected)}: "
        "run `python -m queries init` (or deploy the code that matches the database)",
    )


def _scheduler(conn: Connection) -> dict[str, str]:
    max_age = float(current_app.config["READY_TICK_MAX_AGE"])
    required = bool(current_app.config["READY_REQUIRE_SCHEDULER"])
    missing = ERROR if required else UNKNOWN
    last = last_finished_tick(conn)
    if last is None:
        return _check(missing, "no alert tick has finished yet: is `python -m alerts run` running?")
    age = (vn_now() - last).total_seconds()
    when = f"last alert tick finished {age:.0f} s ago ({last:%Y-%m-%d %H:%M:%S} Vietnam time)"
    if age > max_age:
        return _check(missing, f"{when}, more than READY_TICK_MAX_AGE={max_age:g} s: is the scheduler stuck?")
    return _check(OK, when)


def _check(status: str, message: str) -> dict[str, str]:
    return {"status": status, "message": message}


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's own first line, without SQLAlchemy's statement dump and link."""
    original: Any = getattr(exc, "orig", None) or exc
    lines = str(original).strip().splitlines()
    return f"{type(original).__name__}: {lines[0][:200] if lines else ''}"


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
        headers=HEADERS,
    )
