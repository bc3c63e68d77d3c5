"""The metrics as Prometheus sees them: both real processes, promtool, and a real Prometheus server.

The web side is gunicorn with two workers and a multiprocess directory (as `make serve` runs it),
the alerting side `python -m alerts run` ticking every second against the same SQLite file. Their
expositions must pass `promtool check metrics` (names, suffixes, help, units); a Prometheus server
on 127.0.0.1 scraping both every second must return our series from its query API and load the
operator rules (prometheus/rules.yml, whose own unit tests `promtool test rules` runs).

promtool and prometheus come from Debian's `prometheus` package. Locally these tests skip with a
reason when it is missing; with REQUIRE_PROMETHEUS=1 (set by `.ci/run`) they fail instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from queries.db import make_engine
from queries.domain import Role
from queries.migrate import upgrade
from queries.models import Official
from queries.settings import REPO_ROOT
from queries.sla import Clock
from queries.timeutil import vn_now
from tests.alert_fixtures import free_port
from tests.factories import add_dossier, add_official, add_procedure, add_sector, add_unit
from tests.web_process import sign_in

RULES_DIR = REPO_ROOT / "prometheus"
DOSSIER = "000.00.10.H56-250101-0042"  # a dossier code in the national format, to look for in labels
UNIT = "10001"
WAIT = 20.0  # seconds: the longest any wait here lasts
SECRET = "prometheus-tests"


def tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    if os.environ.get("REQUIRE_PROMETHEUS") == "1":
        pytest.fail(f"REQUIRE_PROMETHEUS=1 but {name} is not installed (apt-get install prometheus)")
    pytest.skip(f"{name} not installed (apt-get install prometheus); .ci/run installs it")


@pytest.fixture(scope="module")
def promtool() -> str:
    return tool("promtool")


@pytest.fixture(scope="module")
def prometheus_bin() -> str:
    return tool("prometheus")


def wait_for(what: str, probe: Callable[[], Any], *, timeout: float = WAIT, log: Path | None = None) -> Any:
    """Poll `probe` until it returns something truthy; fail after `timeout` seconds, with the log."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = probe()
        except (OSError, ValueError, KeyError):
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{tail}")
        time.sleep(0.2)


def get(url: str, **headers: str) -> str:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=WAIT)


# --- the two processes ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory, clock: Clock) -> str:
    """One commune, one official on the demo inbox, one dossier overdue by weeks (wall-clock now:
    the scheduler process judges at the real time)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('prometheus-db') / 'dossiers.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        unit = add_unit(conn, UNIT, "Xã Thử")
        sector = add_sector(conn, "HT", "Hộ tịch")
        procedure = add_procedure(conn, sector, "1.004194", value=3)
        handler = add_official(conn, unit, "CB-1", name="Nguyễn Văn An")
        add_official(conn, unit, "CT-1", role=Role.CHAIRPERSON, name="Trần Thị Bình")
        conn.execute(update(Official).values(notify_urls="demo://" + Official.code))
        add_dossier(
            conn,
            clock,
            code=DOSSIER,
            unit_id=unit,
            procedure_id=procedure,
            sector_id=sector,
            received_at=(vn_now() - timedelta(days=30)).replace(hour=9, minute=0, second=0),
            time_value=3,
            handler_id=handler,
        )
    engine.dispose()
    return url


def base_env(database: str, tmp: Path) -> dict[str, str]:
    """Nothing inherited that would point the processes elsewhere."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ALERTS_", "DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR", "READY_", "DASHBOARD_"))
    }
    env.update(
        DATABASE_URL=database,
        SECRET_KEY=SECRET,
        DEMO_INBOX=str(tmp / "inbox.jsonl"),
        CACHE_DIR=str(tmp / "cache"),
        PYTHONUNBUFFERED="1",
    )
    return env


@dataclass(frozen=True)
class Server:
    address: str  # host:port
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.address}"


@pytest.fixture(scope="module")
def scheduler(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`python -m alerts run`: a tick every ~1 s, deliveries every second, metrics on a free port."""
    tmp = tmp_path_factory.mktemp("scheduler")
    config = tmp / "alerts.toml"
    config.write_text(
        "[schedule]\nevaluate_every_minutes = 0.02\ndeliver_every_seconds = 1\n", encoding="utf-8"
    )
    port = free_port()
    log = tmp / "alerts.log"
    env = base_env(database, tmp) | {"ALERTS_CONFIG": str(config), "ALERTS_METRICS_PORT": str(port)}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "alerts", "run"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"127.0.0.1:{port}", log)
    try:
        wait_for(
            "the scheduler's first successful tick and delivery",
            lambda: process.poll() is None and "alerts_sent_total{" in get(server.url + "/metrics"),
            log=log,
        )
        yield server
    finally:
        stop(process)


@pytest.fixture(scope="module")
def web(database: str, tmp_path_factory: pytest.TempPathFactory, scheduler: Server) -> Iterator[Server]:
    """gunicorn with two workers sharing a multiprocess directory, after a round of real requests."""
    tmp = tmp_path_factory.mktemp("web")
    metrics_dir = tmp / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999.db").write_bytes(b"left over")  # on_starting must remove it
    port = free_port()
    log = tmp / "gunicorn.log"
    env = base_env(database, tmp) | {
        "BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": "2",
        "WEB_THREADS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "dashboard.app:server"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"127.0.0.1:{port}", log)
    try:
        wait_for(
            "gunicorn", lambda: process.poll() is None and get(server.url + "/healthz"), timeout=60, log=log
        )
        for _ in range(10):
            get(server.url + "/healthz")
        get(server.url + "/readyz")
        session = sign_in(server.url, database)
        get(server.url + f"/dossier/{DOSSIER}", Cookie=session)
        get(server.url + f"/api/v1/units/{UNIT}/kpis", Cookie=session)
        callback = json.dumps(
            {
                "output": "..navbar.className...page.className..",
                "outputs": [
                    {"id": "navbar", "property": "className"},
                    {"id": "page", "property": "className"},
                ],
                "inputs": [{"id": "url", "property": "search", "value": "?kiosk=1"}],
                "changedPropIds": ["url.search"],
                "state": [],
            }
        ).encode()
        request = urllib.request.Request(
            server.url + "/_dash-update-component",
            data=callback,
            headers={"Content-Type": "application/json", "Cookie": session},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        yield server
    finally:
        stop(process)


def families(text: str) -> dict[str, Any]:
    return {family.name: family for family in text_string_to_metric_families(text)}


def check_metrics(promtool: str, text: str) -> None:
    result = subprocess.run(
        [promtool, "check", "metrics"], input=text.encode(), capture_output=True, timeout=WAIT
    )
    findings = (result.stdout + result.stderr).decode()
    assert (result.returncode, findings) == (0, ""), findings


def test_the_web_exposition_sums_the_workers_and_passes_promtool(promtool: str, web: Server) -> None:
    text = get(web.url + "/metrics")
    check_metrics(promtool, text)
    found = families(text)
    assert {
        "dashboard_http_request_duration_seconds",
        "dashboard_callback_duration_seconds",
        "dashboard_db_query_duration_seconds",
    } <= found.keys()
    healthz = [
        s.value
        for s in found["dashboard_http_request_duration_seconds"].samples
        if s.name.endswith("_count") and s.labels.get("route") == "/healthz"
    ]
    assert sum(healthz) >= 11, "every worker's requests are in one exposition"
    assert_no_dossier_code(text)


def test_the_scheduler_exposition_passes_promtool(promtool: str, scheduler: Server) -> None:
    text = get(scheduler.url + "/metrics")
    check_metrics(promtool, text)
    found = families(text)
    assert {
        "alerts_enqueued",
        "alerts_sent",
        "alerts_delivery_attempts",
        "alerts_delivery_latency_seconds",
        "alerts_tick_duration_seconds",
        "alerts_last_successful_tick_timestamp_seconds",
        "sla_open_dossiers",
        "sla_overdue_dossiers",
        "sla_due_soon_dossiers",
    } <= found.keys()
    overdue = {s.labels["unit"]: s.value for s in found["sla_overdue_dossiers"].samples}
    assert overdue == {UNIT: 1}
    assert time.time() - found["alerts_last_successful_tick_timestamp_seconds"].samples[0].value < 60
    assert_no_dossier_code(text)


def assert_no_dossier_code(text: str) -> None:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            assert not [v for v in sample.labels.values() if DOSSIER in v], sample


def test_the_operator_rules_pass_their_unit_tests(promtool: str) -> None:
    for args in (
        ["check", "rules", "rules.yml"],
        ["check", "config", "prometheus.yml"],
        ["test", "rules", "rules_test.yml"],
    ):
        result = subprocess.run([promtool, *args], cwd=RULES_DIR, capture_output=True, timeout=WAIT)
        assert result.returncode == 0, (args, result.stdout.decode(), result.stderr.decode())


# --- a real Prometheus server -------------------------------------------------------------------------


def test_a_prometheus_server_scrapes_both_processes_and_loads_the_rules(
    prometheus_bin: str, web: Server, scheduler: Server, tmp_path: Path
) -> None:
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        f"rule_files:\n  - {RULES_DIR / 'rules.yml'}\n"
        "scrape_configs:\n"
        f"  - job_name: motcua-web\n    static_configs:\n      - targets: ['{web.address}']\n"
        f"  - job_name: motcua-alerts\n    static_configs:\n      - targets: ['{scheduler.address}']\n",
        encoding="utf-8",
    )
    port = free_port()
    log = tmp_path / "prometheus.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                prometheus_bin,
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    api = f"http://127.0.0.1:{port}/api/v1"

    def query(expr: str) -> list[dict[str, Any]]:
        body = json.loads(get(f"{api}/query?" + urllib.parse.urlencode({"query": expr})))
        assert body["status"] == "success", body
        return list(body["data"]["result"])

    try:
        wait_for("Prometheus to answer", lambda: get(f"{api}/status/buildinfo"), log=log)
        for expr in (
            'up{job="motcua-web"} == 1',
            'up{job="motcua-alerts"} == 1',
            "dashboard_http_request_duration_seconds_count",
            "alerts_last_successful_tick_timestamp_seconds",
            f'sla_overdue_dossiers{{unit="{UNIT}"}}',
        ):
            assert wait_for(f"{expr} in Prometheus", lambda expr=expr: query(expr), log=log)
        [overdue] = query(f'sla_overdue_dossiers{{unit="{UNIT}"}}')
        assert overdue["metric"]["job"] == "motcua-alerts" and overdue["value"][1] == "1"
        stale = query("time() - max(alerts_last_successful_tick_timestamp_seconds)")
        assert float(stale[0]["value"][1]) < 60

        def rules_evaluated() -> list[dict[str, Any]] | None:
            groups = json.loads(get(f"{api}/rules"))["data"]["groups"]
            rules = [rule for group in groups for rule in group["rules"]]
            return rules if rules and all(rule["health"] == "ok" for rule in rules) else None

        rules = wait_for("every operator rule evaluated without error", rules_evaluated, log=log)
        assert {rule["name"] for rule in rules} >= {
            "AlertSchedulerStale",
            "AlertDeliveryFailuresRising",
            "UnitOverdueSpike",
        }
        assert not [rule["name"] for rule in rules if rule["state"] == "firing"], "all is well"
    finally:
        stop(process)
