"""Edits to the alert rules and the calendar overrides reach the audit trail when a process starts
(queries/config_audit.py), on SQLite and PostgreSQL; a database that refuses the write costs one
log line, never the start."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from alerts.config import DEFAULT_FILE
from queries import audit, config_audit
from queries.db import make_engine
from queries.settings import DEFAULT_OVERRIDES, REPO_ROOT
from tests.alert_fixtures import alerts_env, database_url
from tests.web_process import gunicorn

SECRET = "hook-s3cret-7781"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of the shipped rules and calendar overrides, to edit."""
    rules, calendar = tmp_path / "alerts.toml", tmp_path / "calendar_overrides.csv"
    shutil.copy(DEFAULT_FILE, rules)
    shutil.copy(DEFAULT_OVERRIDES, calendar)
    return rules, calendar


def check(engine: Engine, rules: Path, calendar: Path, process: str = "scheduler") -> list[str]:
    return config_audit.check_all(
        engine, [config_audit.rules_file(rules), config_audit.calendar_file(calendar)], process=process
    )


def changes(engine: Engine, action: str) -> list[audit.AuditRow]:
    with engine.connect() as conn:
        return list(reversed(audit.entries(conn, action=action)))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_first_start_records_both_files_and_an_unchanged_restart_records_nothing(
    engine: Engine, files: tuple[Path, Path]
) -> None:
    rules, calendar = files

    assert check(engine, rules, calendar) == ["rules_changed", "calendar_changed"]
    assert check(engine, rules, calendar, process="web") == []

    (first,) = changes(engine, "rules_changed")
    assert (first.actor, first.target) == ("system", "alerts.toml")  # outside the repository: its name
    assert first.detail["sha256"] == config_audit.sha256(rules.read_bytes())
    assert first.detail["previous_sha256"] is None and first.detail["process"] == "scheduler"
    assert first.detail["values"]["overdue.apology_after_days"] == 1.0
    (calendar_entry,) = changes(engine, "calendar_changed")
    assert calendar_entry.detail["overrides"] == {"2026-01-02": "off", "2026-01-10": "work"}


def test_a_changed_rule_is_recorded_with_the_keys_that_changed(
    engine: Engine, files: tuple[Path, Path]
) -> None:
    rules, calendar = files
    check(engine, rules, calendar)
    before = config_audit.sha256(rules.read_bytes())

    edit(rules, "apology_after_days = 1.0", "apology_after_days = 2.0")
    edit(
        rules, "[links]", "[links]\nsupport_url = 'http://127.0.0.1/help'"
    )  # not a real key: added all the same
    assert check(engine, rules, calendar) == ["rules_changed"]

    latest = changes(engine, "rules_changed")[-1]
    assert latest.detail["previous_sha256"] == before
    assert latest.detail["sha256"] == config_audit.sha256(rules.read_bytes()) != before
    assert latest.detail["changed"] == {"overdue.apology_after_days": [1.0, 2.0]}
    assert latest.detail["added"] == ["links.support_url"] and latest.detail["removed"] == []
    assert check(engine, rules, calendar) == []


def test_a_changed_calendar_is_recorded_with_the_dates_added_removed_and_changed(
    engine: Engine, files: tuple[Path, Path]
) -> None:
    rules, calendar = files
    check(engine, rules, calendar)

    calendar.write_text(
        "date,kind,note\n"
        '2026-01-02,work,"hoán đổi bị hủy"\n'  # was off
        "2026-04-24,off,Nghỉ bù\n",  # new; 2026-01-10 removed
        encoding="utf-8",
    )
    assert check(engine, rules, calendar, process="web") == ["calendar_changed"]

    latest = changes(engine, "calendar_changed")[-1]
    assert (latest.actor, latest.target, latest.detail["process"]) == ("system", calendar.name, "web")
    assert latest.detail["added"] == ["2026-04-24"] and latest.detail["removed"] == ["2026-01-10"]
    assert latest.detail["changed"] == {"2026-01-02": ["off", "work"]}


def test_a_calendar_file_deleted_or_unreadable_is_still_recorded_by_its_hash(
    engine: Engine, files: tuple[Path, Path]
) -> None:
    rules, calendar = files
    check(engine, rules, calendar)

    calendar.write_text("ngay,loai\nnot a calendar\n", encoding="utf-8")
    assert check(engine, rules, calendar) == ["calendar_changed"]
    assert "overrides" not in changes(engine, "calendar_changed")[-1].detail  # nothing to compare

    calendar.unlink()
    assert check(engine, rules, calendar) == ["calendar_changed"]
    assert changes(engine, "calendar_changed")[-1].detail["sha256"] == config_audit.ABSENT


def test_the_administrators_notification_urls_are_counted_never_recorded(
    engine: Engine, files: tuple[Path, Path]
) -> None:
    rules, calendar = files
    edit(rules, "urls = []", f'urls = ["json://127.0.0.1:9/hook?-token={SECRET}"]')

    check(engine, rules, calendar)

    detail = changes(engine, "rules_changed")[-1].detail
    assert detail["values"]["admins.urls"] == "1 URL(s), not recorded"
    assert SECRET not in json.dumps(detail)


def test_files_in_the_repository_are_named_by_their_path_in_it(engine: Engine) -> None:
    check(engine, DEFAULT_FILE, DEFAULT_OVERRIDES)

    assert changes(engine, "rules_changed")[-1].target == "alerts/defaults.toml"
    assert changes(engine, "calendar_changed")[-1].target == "queries/calendar_overrides.csv"


def test_a_read_only_database_costs_one_log_line_not_the_start(
    engine: Engine, files: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    read_only = make_engine(database_url(engine))

    @event.listens_for(read_only, "connect")
    def refuse_writes(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        if read_only.dialect.name == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET default_transaction_read_only = on")
        cursor.close()
        if read_only.dialect.name != "sqlite":
            dbapi_connection.commit()

    with caplog.at_level(logging.INFO, logger="queries.config_audit"):
        assert check(read_only, *files) == []
    read_only.dispose()

    lines = [r for r in caplog.records if r.name == "queries.config_audit"]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING
    assert lines[0].getMessage().startswith("configuration files not checked against the audit trail")
    assert changes(engine, "rules_changed") == []


def test_a_web_start_on_a_read_only_postgresql_goes_on(
    files: tuple[Path, Path], postgres_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """What gunicorn's master and `python -m dashboard` call, on a server that refuses every write."""
    url = make_url(database_url(postgres_engine)).update_query_dict(
        {"options": "-c default_transaction_read_only=on"}
    )
    with caplog.at_level(logging.INFO, logger="queries.config_audit"):
        recorded = config_audit.check_at_start(
            rules=files[0],
            calendar=files[1],
            process="web",
            database_url=url.render_as_string(hide_password=False),
        )

    assert recorded == []
    assert "read-only transaction" in caplog.text


def test_the_scheduler_records_the_files_it_starts_with(
    engine: Engine, files: tuple[Path, Path], tmp_path: Path
) -> None:
    rules, calendar = files
    edit(rules, "batch_size = 200", "batch_size = 100")
    env = alerts_env(engine, ALERTS_CONFIG=str(rules), CALENDAR_OVERRIDES=str(calendar))

    tick = [sys.executable, "-m", "alerts", "tick", "--now", "2026-03-20T10:00"]
    for _ in range(2):
        done = subprocess.run(tick, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr

    (rules_entry,) = changes(engine, "rules_changed")  # the second start found nothing new
    (calendar_entry,) = changes(engine, "calendar_changed")
    assert rules_entry.detail["process"] == calendar_entry.detail["process"] == "scheduler"
    assert rules_entry.detail["values"]["delivery.batch_size"] == 100
    assert calendar_entry.target == "calendar_overrides.csv"


def test_the_web_app_records_the_files_when_gunicorn_starts(
    engine: Engine, files: tuple[Path, Path], tmp_path: Path
) -> None:
    rules, calendar = files
    with gunicorn(
        database_url(engine),
        tmp_path,
        sign_in_as=None,
        ALERTS_CONFIG=str(rules),
        CALENDAR_OVERRIDES=str(calendar),
    ) as web:
        assert len(web.workers()) == 2

    # Once, by the master: not once per worker.
    assert [e.detail["process"] for e in changes(engine, "rules_changed")] == ["web"]
    assert [e.detail["process"] for e in changes(engine, "calendar_changed")] == ["web"]
