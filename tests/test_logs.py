"""Structured logs (queries/logsetup.py): one line per event, key=value or JSON, for both processes.

The promise an operator relies on: a line is always exactly one event (a traceback stays inside
its line), every line of the scheduler about an alert names it (`alert_id`, the same number as the
message's X-Alert-Id and "Mã cảnh báo"), and LOG_FORMAT=json makes every line of the scheduler and
of gunicorn (its workers and its access log included) a JSON object a log shipper can read.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from queries.logsetup import LineFormatter
from queries.sla import Clock
from tests.alert_fixtures import (  # noqa: F401
    REPO_ROOT,
    WebhookReceiver,
    add_staff,
    alerts_env,
    outbox_rows,
    set_urls,
    webhook,
)
from tests.web_process import ask, gunicorn

FRIDAY_10 = datetime(2026, 3, 20, 10)


def record(msg: str, *args: object, name: str = "alerts", **extra: object) -> logging.LogRecord:
    made = logging.LogRecord(name, logging.WARNING, __file__, 1, msg, args or None, None)
    made.__dict__.update(extra)
    return made


def test_a_record_is_one_line_of_key_value_pairs_with_its_extra_fields() -> None:
    line = LineFormatter().format(
        record("alert %s failed: %s", 7, 'said "no"\nthen hung up', alert_id=7, dossier="HS 1", ok=False)
    )
    assert "\n" not in line
    fields = line.split(" ", 3)
    assert fields[0].startswith("ts=") and fields[0].endswith("+07:00"), "Vietnam time, with its offset"
    assert fields[1:3] == ["level=warning", "logger=alerts"]
    assert fields[3] == (
        r'msg="alert 7 failed: said \"no\"\nthen hung up" alert_id=7 dossier="HS 1" ok=false'
    )


def test_terminal_colours_and_other_control_characters_are_escaped() -> None:
    line = LineFormatter().format(record("\x1b[31mWARNING\x1b[0m: dev server", name="werkzeug"))
    assert line.endswith(r'msg="\x1b[31mWARNING\x1b[0m: dev server"')


def test_a_traceback_stays_inside_its_line_and_json_round_trips() -> None:
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        failed = record("tick failed", alert_id=3)
        failed.exc_info = sys.exc_info()
    kv = LineFormatter().format(failed)
    assert "\n" not in kv and 'exc="Traceback (most recent call last):\\n' in kv
    parsed = json.loads(LineFormatter(json_lines=True).format(failed))
    assert parsed["msg"] == "tick failed" and parsed["alert_id"] == 3
    assert parsed["exc"].startswith("Traceback") and parsed["exc"].endswith("ValueError: bad\nvalue")


def test_gunicorns_access_log_becomes_fields() -> None:
    atoms = {
        "m": "GET",
        "U": "/api/v1/units",
        "q": "",
        "s": "200",
        "B": 118,
        "L": "0.004211",
        "h": "127.0.0.1",
    }
    access = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(h)s %(r)s", (atoms,), None)
    line = json.loads(LineFormatter(json_lines=True).format(access))
    assert {k: v for k, v in line.items() if k != "ts"} == {
        "level": "info",
        "logger": "gunicorn.access",
        "msg": "request",
        "method": "GET",
        "path": "/api/v1/units",
        "status": "200",
        "bytes": 118,
        "seconds": "0.004211",
        "remote": "127.0.0.1",
    }


def test_a_bad_log_format_stops_the_process_naming_the_variable(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "alerts", "check-config"],
        cwd=REPO_ROOT,
        env=alerts_env(None, LOG_FORMAT="xml"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "alerts: configuration error: LOG_FORMAT must be one of kv, json, not 'xml'"
    )


def test_a_tick_with_log_format_json_writes_one_json_object_per_line_naming_each_alert(
    engine: Engine,
    clock: Clock,
    two_communes: dict[str, int],
    webhook: WebhookReceiver,  # noqa: F811
    tmp_path: Path,
) -> None:
    add_staff(engine, two_communes)
    set_urls(engine, {code: [webhook.url(f"/hook/{code.lower()}")] for code in ("CB-A1", "CT-A", "CT-B")})
    result = subprocess.run(
        [sys.executable, "-m", "alerts", "tick", "--now", FRIDAY_10.isoformat()],
        cwd=REPO_ROOT,
        env=alerts_env(engine, LOG_FORMAT="json"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]  # every line, or it raises
    assert lines and all(
        isinstance(line, dict) and {"ts", "level", "logger", "msg"} <= line.keys() for line in lines
    )
    rows = {row.id: row for row in outbox_rows(engine)}
    sent = [line for line in lines if line.get("channel") and line.get("outcome") == "ok"]
    assert sorted(line["alert_id"] for line in sent) == sorted(rows), "one line per delivered alert"
    for line in sent:
        row = rows[line["alert_id"]]
        assert (line["rule"], line["recipient"], line["attempt"]) == (row.rule, row.recipient_key, 1)
        assert line.get("dossier") == (row.subject if row.dossier_id is not None else None)
    assert {line["dossier"] for line in sent if "dossier" in line} == {"A4", "A5"}
    [evaluated] = [line for line in lines if line["msg"].startswith("evaluated ")]
    assert (evaluated["as_of"], evaluated["enqueued"]) == (FRIDAY_10.isoformat(), len(rows))


@pytest.mark.slow
def test_gunicorn_with_log_format_json_writes_only_json_lines(tmp_path: Path) -> None:
    database = tmp_path / "dossiers.sqlite"
    subprocess.run(
        [sys.executable, "-m", "queries", "--database-url", f"sqlite:///{database}", "init"],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )
    with gunicorn(f"sqlite:///{database}", tmp_path, LOG_FORMAT="json") as web:
        assert ask(web, "GET", "/api/v1/units").status == 200
        assert ask(web, "GET", "/api/v1/nothing-here").status == 404
    lines = [json.loads(line) for line in web.log.read_text().splitlines()]
    loggers = Counter(line["logger"] for line in lines)
    assert loggers["gunicorn.error"] >= 3, "the master and its workers"
    requests = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert {(r["method"], r["path"], r["status"]) for r in requests} >= {
        ("GET", "/api/v1/units", "200"),
        ("GET", "/api/v1/nothing-here", "404"),
    }
