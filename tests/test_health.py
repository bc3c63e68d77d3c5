"""/healthz and /readyz on both databases: what a load balancer and an operator are told.

The heartbeat is wall-clock time (the scheduler stamps its ticks with the real Vietnam time, not
DASHBOARD_NOW), so the ticks here are written relative to the real now.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, insert

import dashboard.app
from dashboard import health, services
from queries.db import make_engine
from queries.migrate import downgrade
from queries.models import AlertTick
from queries.settings import SettingsError
from queries.timeutil import vn_now


@pytest.fixture
def client(dashboard_db: Engine) -> Iterator[FlaskClient]:
    config = dashboard.app.server.config
    saved = {key: config[key] for key in ("READY_TICK_MAX_AGE", "READY_REQUIRE_SCHEDULER")}
    config.update(READY_TICK_MAX_AGE=900.0, READY_REQUIRE_SCHEDULER=True)
    yield dashboard.app.server.test_client()
    config.update(saved)


def tick_finished(engine: Engine, ago: timedelta, *, error: str | None = None) -> None:
    finished = vn_now() - ago
    with engine.begin() as conn:
        conn.execute(
            insert(AlertTick).values(
                as_of=finished,
                started_at=finished - timedelta(seconds=2),
                finished_at=finished,
                worker="test",
                error=error,
            )
        )


def ready(client: FlaskClient) -> tuple[int, dict[str, Any]]:
    response = client.get("/readyz")
    assert response.content_type == "application/json; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    return response.status_code, response.get_json()


def statuses(body: dict[str, Any]) -> dict[str, str]:
    return {name: check["status"] for name, check in body["checks"].items()}


def test_healthz_says_the_process_is_alive_without_the_database() -> None:
    services.use_engine(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    try:
        response = dashboard.app.server.test_client().get("/healthz")
    finally:
        services.use_engine(None)
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_ready_when_the_database_is_at_head_and_the_scheduler_ticked_a_minute_ago(
    client: FlaskClient, dashboard_db: Engine
) -> None:
    tick_finished(dashboard_db, timedelta(seconds=60))
    status, body = ready(client)
    assert status == 200, body
    assert body["status"] == "ok"
    assert statuses(body) == {"database": "ok", "schema": "ok", "scheduler": "ok"}
    # Real seconds pass between writing the tick and asking (a loaded CI machine: a few).
    assert re.search(r"last alert tick finished 6[0-9] s ago", body["checks"]["scheduler"]["message"])


def test_a_stale_heartbeat_is_503_with_the_reason(client: FlaskClient, dashboard_db: Engine) -> None:
    """Also: the age is real time, not DASHBOARD_NOW (pinned in March 2026 by the fixture)."""
    tick_finished(dashboard_db, timedelta(minutes=20))
    tick_finished(dashboard_db, timedelta(minutes=1), error="RuntimeError('database gone')")  # not a success
    status, body = ready(client)
    assert status == 503
    assert body["status"] == "error"
    assert statuses(body) == {"database": "ok", "schema": "ok", "scheduler": "error"}
    message = body["checks"]["scheduler"]["message"]
    assert re.search(r"120[0-9] s ago", message) and "READY_TICK_MAX_AGE=900 s" in message


def test_no_tick_at_all_is_503_unless_no_scheduler_is_required(client: FlaskClient) -> None:
    status, body = ready(client)
    assert status == 503
    assert "no alert tick has finished yet" in body["checks"]["scheduler"]["message"]
    dashboard.app.server.config["READY_REQUIRE_SCHEDULER"] = False
    status, body = ready(client)
    assert status == 200
    assert statuses(body) == {"database": "ok", "schema": "ok", "scheduler": "unknown"}


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_schema_behind_the_code_is_503_naming_both_revisions(client: FlaskClient, engine: Engine) -> None:
    tick_finished(engine, timedelta(seconds=10))
    downgrade(engine, "-1")
    status, body = ready(client)
    assert status == 503
    assert statuses(body) == {"database": "ok", "schema": "error", "scheduler": "unknown"}
    message = body["checks"]["schema"]["message"]
    assert "database at revision" in message and "python -m queries init" in message


def test_an_unreachable_database_is_503_and_nothing_else_is_checked() -> None:
    services.use_engine(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    try:
        response = dashboard.app.server.test_client().get("/readyz")
    finally:
        services.use_engine(None)
    body = response.get_json()
    assert response.status_code == 503
    assert statuses(body) == {"database": "error", "schema": "unknown", "scheduler": "unknown"}
    assert body["checks"]["database"]["message"].startswith("unreachable: OperationalError:")


def test_the_heartbeat_age_defaults_to_three_evaluation_intervals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("READY_TICK_MAX_AGE", raising=False)
    monkeypatch.delenv("ALERTS_CONFIG", raising=False)
    assert health.ready_tick_max_age() == 900  # the shipped 5 minutes
    config = tmp_path / "alerts.toml"
    config.write_text("[schedule]\nevaluate_every_minutes = 2\n", encoding="utf-8")
    monkeypatch.setenv("ALERTS_CONFIG", str(config))
    assert health.ready_tick_max_age() == 360
    monkeypatch.setenv("READY_TICK_MAX_AGE", "120")
    assert health.ready_tick_max_age() == 120


@pytest.mark.parametrize("bad", ["soon", "-5", "0"])
def test_a_bad_heartbeat_age_stops_the_app_naming_the_variable(
    bad: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READY_TICK_MAX_AGE", bad)
    with pytest.raises(SettingsError, match="READY_TICK_MAX_AGE"):
        health.ready_tick_max_age()


def test_a_broken_alert_configuration_is_named_when_it_gives_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("READY_TICK_MAX_AGE", raising=False)
    config = tmp_path / "alerts.toml"
    config.write_text("[schedule]\nevaluate_every_minute = 2\n", encoding="utf-8")
    monkeypatch.setenv("ALERTS_CONFIG", str(config))
    with pytest.raises(SettingsError, match="READY_TICK_MAX_AGE is not set .* evaluate_every_minute"):
        health.ready_tick_max_age()
