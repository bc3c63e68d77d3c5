"""The metrics both processes expose, read from the process's own registry.

Counters are process-wide, so every test compares before and after. The alert counters must
agree with the outbox the same tick wrote (one alert, one outcome, its rule and channel), the web
histograms must label by route pattern and callback output, and no label anywhere may carry a
dossier code: a label per dossier would grow without bound and copy case numbers into monitoring.
"""

from __future__ import annotations

import re
import socket
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from prometheus_client import REGISTRY
from sqlalchemy import Engine, select, update

from alerts import jobs
from alerts import metrics as alert_metrics
from alerts.config import AlertConfig
from dashboard import metrics as web_metrics
from queries.domain import Role
from queries.models import AlertAttempt, AlertRow, Dossier, Official, Procedure
from queries.sla import Clock
from tests.alert_fixtures import run_alerts
from tests.factories import add_dossier, add_official
from tests.login import signed_in_client

FRIDAY_9 = datetime(2026, 3, 20, 9)  # A4 overdue since Tue 17/3, A5 (land, 20 WD) due Mon 23/3
DEAD_HOOK = "json://127.0.0.1:9/"  # the discard port: refused at once, a transient failure
OURS = ("alerts_", "sla_", "dashboard_")

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples() -> Samples:
    """Every sample of our metrics in this process, keyed by name and labels."""
    found: Samples = {}
    for family in REGISTRY.collect():
        for sample in family.samples:
            if sample.name.startswith(OURS):
                found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def moved(before: Samples, name: str) -> Counter[frozenset[tuple[str, str]]]:
    """How much each labelled series of `name` grew since `before` (series that did not move left out)."""
    after = samples()
    grown: Counter[frozenset[tuple[str, str]]] = Counter()
    for (sample, labels), value in after.items():
        if sample == name and value != before.get((sample, labels), 0.0):
            grown[labels] = value - before.get((sample, labels), 0.0)
    return grown


def by(grown: Counter[frozenset[tuple[str, str]]], *names: str) -> Counter[tuple[str, ...]]:
    """Sum a delta over every label but `names`."""
    total: Counter[tuple[str, ...]] = Counter()
    for labels, value in grown.items():
        as_dict = dict(labels)
        total[tuple(as_dict[n] for n in names)] += value
    return +total


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# --- the alerts process ---------------------------------------------------------------------------


@pytest.fixture
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "inbox.jsonl"
    monkeypatch.setenv("DEMO_INBOX", str(path))
    return path


@pytest.fixture
def ctx(engine: Engine, clock: Clock, two_communes: dict[str, int], inbox: Path) -> jobs.Context:
    """Every outcome at once: the handler has the demo inbox and a dead hook (sent, one failed
    attempt), the chairperson an unusable URL (rerouted up, the administrators, who have no URL,
    told in vain: failed), Phường B's handler only the dead hook for his overdue B3 (retried later)."""
    with engine.begin() as conn:
        add_official(conn, two_communes["a"], "CT-A", role=Role.CHAIRPERSON, name="Trần Thị Chủ Tịch")
        supervisor = add_official(conn, two_communes["a"], "GS-DD", role=Role.SUPERVISOR, name="Lê Giám Sát")
        handler_b = add_official(conn, two_communes["b"], "CB-B1", name="Lê Văn Cường")
        conn.execute(update(Official).where(Official.id == supervisor).values(sector_id=two_communes["land"]))
        procedure = conn.execute(select(Procedure.id).where(Procedure.code == "1.004194")).scalar_one()
        add_dossier(  # 3 working days from Tue 10/3: due Fri 13/3, overdue on 20/3
            conn,
            clock,
            code="B3",
            unit_id=two_communes["b"],
            procedure_id=procedure,
            sector_id=two_communes["civil"],
            received_at=datetime(2026, 3, 10, 9),
            handler_id=handler_b,
        )
        for code, urls in (
            ("CB-A1", f"demo://CB-A1 {DEAD_HOOK}"),
            ("CT-A", "bogus://nothing"),
            ("GS-DD", "demo://GS-DD"),
            ("CB-B1", DEAD_HOOK),
        ):
            conn.execute(update(Official).where(Official.code == code).values(notify_urls=urls))
    return jobs.Context(engine=engine, config=AlertConfig(), clock=clock, secret="metrics-tests")


def expected_outcomes(engine: Engine) -> dict[str, Counter[tuple[str, str]]]:
    """What the counters must say, from the outbox and its attempts: outcome -> (rule, channel)."""
    with engine.connect() as conn:
        rows = list(conn.execute(select(AlertRow)))
        tries = list(conn.execute(select(AlertAttempt)))
    services: dict[tuple[int, int], list[str | None]] = {}
    for attempt in tries:
        services.setdefault((attempt.alert_id, attempt.number), []).append(attempt.service)
    outcomes: dict[str, Counter[tuple[str, str]]] = {k: Counter() for k in ("sent", "failed", "retried")}
    outcomes["rerouted"] = Counter()
    for row in rows:
        tried = alert_metrics.channel_label(services.get((row.id, row.attempts), []))
        if row.state == "sent":
            outcomes["sent"][(row.rule, row.channels)] += 1
        elif row.state == "pending" and row.attempts:
            outcomes["retried"][(row.rule, tried)] += 1
        elif row.state in ("failed", "rerouted"):
            outcomes[row.state][(row.rule, tried)] += 1
    return outcomes


def test_a_tick_counts_each_alert_once_by_rule_and_channel_as_the_outbox_says(ctx: jobs.Context) -> None:
    before = samples()
    started = time.time()
    counts = jobs.tick(ctx, FRIDAY_9)
    expected = expected_outcomes(ctx.engine)
    assert all(expected[outcome] for outcome in expected), f"the fixture must give every outcome: {expected}"
    for outcome, sent in expected.items():
        assert by(moved(before, f"alerts_{outcome}_total"), "rule", "channel") == sent, outcome
    assert (counts.sent, counts.failed, counts.retried, counts.rerouted) == tuple(
        sum(expected[k].values()) for k in ("sent", "failed", "retried", "rerouted")
    )
    with ctx.engine.connect() as conn:
        rules = Counter(conn.execute(select(AlertRow.rule)).scalars())
        tries = list(conn.execute(select(AlertAttempt)))
    assert by(moved(before, "alerts_enqueued_total"), "rule") == {(r,): n for r, n in rules.items()}
    outcomes = Counter(
        (alert_metrics.channel_label([a.service]), "ok" if a.ok else "permanent" if a.permanent else "error")
        for a in tries
    )
    assert by(moved(before, "alerts_delivery_attempts_total"), "channel", "outcome") == outcomes
    assert sum(moved(before, "alerts_delivery_latency_seconds_count").values()) == len(tries)
    assert by(moved(before, "alerts_delivery_attempts_total"), "outcome").keys() == {
        ("ok",),
        ("error",),
        ("permanent",),
    }
    assert sum(moved(before, "alerts_tick_duration_seconds_count").values()) == 1
    assert started <= value("alerts_last_successful_tick_timestamp_seconds") <= time.time()


def test_a_second_tick_enqueues_and_sends_nothing_new_and_counts_nothing(ctx: jobs.Context) -> None:
    jobs.tick(ctx, FRIDAY_9)
    before = samples()
    jobs.tick(ctx, FRIDAY_9 + timedelta(seconds=30))  # before the first retry (1 minute) is due
    for name in ("alerts_enqueued_total", "alerts_sent_total", "alerts_failed_total", "alerts_retried_total"):
        assert not moved(before, name), name


def test_the_backlog_gauges_are_the_ticks_own_verdicts_per_unit(ctx: jobs.Context) -> None:
    jobs.tick(ctx, FRIDAY_9)
    # Xã A: A4 overdue, A5 due soon, A6 paused; Phường B: B2 on track, B3 overdue.
    assert value("sla_open_dossiers", unit="10001") == 3
    assert value("sla_overdue_dossiers", unit="10001") == 1
    assert value("sla_due_soon_dossiers", unit="10001") == 1
    assert value("sla_open_dossiers", unit="10002") == 2
    assert value("sla_overdue_dossiers", unit="10002") == 1
    assert value("sla_due_soon_dossiers", unit="10002") == 0
    with ctx.engine.begin() as conn:  # Xã A's last open dossiers are finished
        conn.execute(
            update(Dossier)
            .where(Dossier.code.in_(["A4", "A5", "A6"]))
            .values(status="completed", finished_at=FRIDAY_9)
        )
    jobs.tick(ctx, FRIDAY_9 + timedelta(hours=1))
    assert value("sla_open_dossiers", unit="10001") == 0, "a unit with nothing open reads 0, not absent"
    assert value("sla_overdue_dossiers", unit="10001") == 0


def test_a_failed_tick_is_counted_and_leaves_the_heartbeat_alone(
    ctx: jobs.Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs.tick(ctx, FRIDAY_9)
    heartbeat = value("alerts_last_successful_tick_timestamp_seconds")
    errors = value("alerts_tick_errors_total")

    def broken(_ctx: jobs.Context, _now: datetime) -> jobs.Counts:
        raise RuntimeError("database gone")

    monkeypatch.setattr(jobs, "evaluate", broken)
    with pytest.raises(RuntimeError):
        jobs.tick(ctx, FRIDAY_9 + timedelta(hours=1))
    assert value("alerts_tick_errors_total") == errors + 1
    assert value("alerts_last_successful_tick_timestamp_seconds") == heartbeat


def test_the_heartbeat_gauge_starts_from_the_last_tick_in_the_database() -> None:
    alert_metrics.heartbeat_from(datetime(2026, 3, 20, 7, 0))  # Vietnam time, UTC+7
    assert (
        value("alerts_last_successful_tick_timestamp_seconds")
        == datetime.fromisoformat("2026-03-20T00:00:00+00:00").timestamp()
    )


def test_the_metrics_port_and_the_multiprocess_directory_are_checked_at_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from queries.settings import SettingsError

    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    monkeypatch.delenv("ALERTS_METRICS_PORT", raising=False)
    assert alert_metrics.endpoint_from_env() == alert_metrics.Endpoint("127.0.0.1", 9108)
    monkeypatch.setenv("ALERTS_METRICS_PORT", "91o8")
    with pytest.raises(SettingsError, match="ALERTS_METRICS_PORT"):
        alert_metrics.endpoint_from_env()
    monkeypatch.setenv("ALERTS_METRICS_PORT", "0")
    assert alert_metrics.serve(alert_metrics.endpoint_from_env()) is None
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/tmp/somewhere")
    with pytest.raises(SettingsError, match="PROMETHEUS_MULTIPROC_DIR"):
        alert_metrics.endpoint_from_env()


def test_the_scheduler_refuses_the_web_workers_multiprocess_directory(tmp_path: Path) -> None:
    log = tmp_path / "alerts.log"
    assert run_alerts(None, "run", log=log, PROMETHEUS_MULTIPROC_DIR=str(tmp_path)) == 2
    assert "PROMETHEUS_MULTIPROC_DIR is set" in log.read_text()


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_taken_metrics_port_stops_the_scheduler_naming_the_setting(engine: Engine, tmp_path: Path) -> None:
    log = tmp_path / "alerts.log"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        assert run_alerts(engine, "run", log=log, ALERTS_METRICS_PORT=port) == 2
    assert f"cannot serve metrics on 127.0.0.1:{port} (ALERTS_METRICS_HOST/PORT)" in log.read_text()


# --- the web process --------------------------------------------------------------------------------


@pytest.fixture
def client(dashboard_db: Engine, two_communes: dict[str, int]) -> FlaskClient:
    return signed_in_client(dashboard_db)


KIOSK = {
    "output": "..navbar.className...page.className..",
    "outputs": [{"id": "navbar", "property": "className"}, {"id": "page", "property": "className"}],
    "inputs": [{"id": "url", "property": "search", "value": "?kiosk=1"}],
    "changedPropIds": ["url.search"],
    "state": [],
}


def test_a_callback_post_is_timed_under_its_output(client: FlaskClient) -> None:
    before = samples()
    response = client.post("/_dash-update-component", json=KIOSK)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert moved(before, "dashboard_callback_duration_seconds_count") == {
        frozenset({("output", KIOSK["output"])}): 1
    }
    assert moved(before, "dashboard_http_request_duration_seconds_count") == {
        frozenset({("method", "POST"), ("route", "/_dash-update-component"), ("status", "200")}): 1
    }


def test_a_callback_the_app_does_not_have_is_one_bounded_label(client: FlaskClient) -> None:
    before = samples()
    for n in range(3):
        client.post("/_dash-update-component", json={**KIOSK, "output": f"made-up-{n}.children"})
    assert moved(before, "dashboard_callback_duration_seconds_count") == {
        frozenset({("output", web_metrics.UNKNOWN)}): 3
    }


def test_requests_are_labelled_by_route_pattern_and_queries_by_kind(client: FlaskClient) -> None:
    before = samples()
    assert client.get("/dossier/A4").status_code == 200
    assert client.get("/unit/10001").status_code == 200
    assert client.get("/api/v1/units/10001/kpis?from=2026-03-01&to=2026-03-31").status_code == 200
    assert client.post("/dossier/A4").status_code == 405
    routes = by(moved(before, "dashboard_http_request_duration_seconds_count"), "method", "route", "status")
    assert routes == {
        ("GET", "/dossier/<code>", "200"): 1,
        ("GET", "/unit/<code>", "200"): 1,
        ("GET", "/api/v1/units/<code>/kpis", "200"): 1,
        ("POST", web_metrics.UNMATCHED, "405"): 1,
    }
    assert by(moved(before, "dashboard_db_query_duration_seconds_count"), "operation")[("select",)] >= 1


def test_metrics_are_served_as_prometheus_text(client: FlaskClient) -> None:
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type == "text/plain; version=0.0.4; charset=utf-8"
    text = response.get_data(as_text=True)
    assert "# TYPE dashboard_http_request_duration_seconds histogram" in text
    assert 'route="/healthz"' in text


def test_an_acknowledgement_is_counted_by_rule_and_channel() -> None:
    before = samples()
    web_metrics.count_acknowledged("overdue", "Demo inbox")
    web_metrics.count_acknowledged("overdue", "Demo inbox")
    web_metrics.count_acknowledged("A4; drop table", None)
    assert by(moved(before, "alerts_acknowledged_total"), "rule", "channel") == {
        ("overdue", "Demo inbox"): 2,
        ("other", "none"): 1,
    }


# --- cardinality ------------------------------------------------------------------------------------


@pytest.fixture
def every_metric_moved(ctx: jobs.Context, dashboard_db: Engine) -> Iterator[list[str]]:
    """A tick and a round of pages, callbacks and API calls about each dossier; yields the codes."""
    jobs.tick(ctx, FRIDAY_9)
    client = signed_in_client(dashboard_db)
    with ctx.engine.connect() as conn:
        codes = list(conn.execute(select(Dossier.code)).scalars())
    for code in codes:
        client.get(f"/dossier/{code}")
        client.get(f"/api/v1/dossiers/{code}")
        client.get(f"/alerts/ack/{code}")
        client.post("/_dash-update-component", json={**KIOSK, "output": f"{code}.children"})
    yield codes


def test_no_label_value_carries_a_dossier_code(every_metric_moved: list[str]) -> None:
    labels = {value for (_name, pairs) in samples() for _label, value in pairs}
    assert labels, "the metrics were exercised"
    for code in every_metric_moved:
        pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(code)}(?![A-Za-z0-9])")
        assert not [label for label in labels if pattern.search(label)], code
