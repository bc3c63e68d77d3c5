"""The web side when something breaks: the database restarting under open pages, and a gunicorn
worker killed under load. Real parts only: gunicorn with two workers as `make serve` runs it, a
PostgreSQL server of the test's own (tests/pgserver.py) stopped with `-m immediate` and started
again, HTTP over 127.0.0.1.

What a reader sees while the database is away: pages and callbacks answer 200 with the outage
banner (the page retries by itself), /readyz answers 503 naming the database, the JSON API 503
with a JSON error and Retry-After; once the database is back, the same requests succeed with the
same gunicorn processes (pool_pre_ping replaces the pooled connections the restart killed).
"""

from __future__ import annotations

import http.client
import os
import signal
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from queries.db import make_engine
from queries.migrate import upgrade
from queries.sla import Clock
from tests.alert_fixtures import wait_until
from tests.factories import add_dossier, add_official, add_procedure, add_sector, add_unit
from tests.pgserver import PgServer, pg_server  # noqa: F401
from tests.web_process import WAIT, Answer, Web, ask, gunicorn

DOSSIER = "HS-0001"


def seed(engine: Engine, clock: Clock) -> None:
    """One commune with one open dossier: enough for a page, a callback and the API to read."""
    upgrade(engine)
    with engine.begin() as conn:
        unit = add_unit(conn, "10001", "Xã Thử")
        sector = add_sector(conn)
        procedure = add_procedure(conn, sector, "1.004194")
        handler = add_official(conn, unit, "CB-1", name="Nguyễn Văn An")
        add_dossier(
            conn,
            clock,
            code=DOSSIER,
            unit_id=unit,
            procedure_id=procedure,
            sector_id=sector,
            received_at=datetime(2026, 3, 16, 9),
            handler_id=handler,
        )
    engine.dispose()


def callback(outputs: list[tuple[str, str]], inputs: list[tuple[str, str, Any]]) -> dict[str, Any]:
    """A Dash callback POST body, as the browser sends it."""
    described = [{"id": i, "property": p} for i, p in outputs]
    return {
        "output": f"{outputs[0][0]}.{outputs[0][1]}"
        if len(outputs) == 1
        else ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": described[0] if len(outputs) == 1 else described,
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
        "state": [],
    }


# The dossier page as the browser asks for it: Dash renders a page's layout in its router
# callback, then the page's own callbacks fill it (here: the alerts about the dossier).
PAGE_LAYOUT = callback(
    [("_pages_content", "children"), ("_pages_store", "data")],
    [("_pages_location", "pathname", f"/dossier/{DOSSIER}"), ("_pages_location", "search", "")],
)
DOSSIER_ALERTS = callback([("dossier-alerts", "children")], [("dossier-code", "data", DOSSIER)])
API = "/api/v1/units/10001/kpis"


def everything(web: Web, lang: str | None = None) -> dict[str, Answer]:
    return {
        "page": ask(web, "GET", f"/dossier/{DOSSIER}", lang=lang),
        "layout": ask(web, "POST", "/_dash-update-component", PAGE_LAYOUT, lang=lang),
        "callback": ask(web, "POST", "/_dash-update-component", DOSSIER_ALERTS, lang=lang),
        "readyz": ask(web, "GET", "/readyz"),
        "api": ask(web, "GET", API),
    }


def assert_all_well(answers: dict[str, Answer]) -> None:
    assert {name: a.status for name, a in answers.items()} == dict.fromkeys(answers, 200)
    assert DOSSIER.encode() in answers["layout"].body, "the dossier page's layout"
    assert "sideUpdate" not in answers["layout"].json() and "sideUpdate" not in answers["callback"].json()
    assert answers["readyz"].json()["checks"]["database"] == {"status": "ok", "message": "reachable"}
    assert answers["api"].json()["unit"]["code"] == "10001"


def banner(answer: Answer) -> str:
    """The outage banner a callback answer opens: its text, flattened."""
    side = answer.json()["sideUpdate"]
    assert side["db-outage"]["is_open"] is True and side["db-retry"] == {"disabled": False}

    def text(node: Any) -> str:
        if isinstance(node, list):
            return "".join(text(n) for n in node)
        if isinstance(node, dict):
            return text(node.get("props", {}).get("children"))
        return "" if node is None else str(node)

    return text(side["db-outage"]["children"])


@pytest.mark.slow
def test_the_database_restarting_under_open_pages_gives_a_banner_then_recovers(
    pg_server: PgServer,  # noqa: F811
    clock: Clock,
    tmp_path: Path,
) -> None:
    url = pg_server.create_database()
    seed(make_engine(url), clock)
    with gunicorn(url, tmp_path, CACHE_TYPE="NullCache") as web:
        workers = web.workers()
        for _ in range(4):  # both workers hold pooled connections the restart will kill
            assert_all_well(everything(web))

        pg_server.stop("immediate")
        for _ in range(3):
            down = everything(web)
            assert down["page"].status == 200, "the page itself needs no database"
            for name in ("layout", "callback"):
                assert down[name].status == 200, down[name].body[:500]
                assert banner(down[name]) == (
                    "Không kết nối được cơ sở dữ liệu. Trang sẽ tự thử lại sau mỗi 15 giây và tải lại "
                    "khi kết nối được; số liệu không bị mất."
                )
                assert "error-toast" not in down[name].json()["sideUpdate"], "not the generic error"
            # The page stays blank under the banner; Dash's title store still gets a value, or its
            # own clientside callback throws in the browser's console.
            title = {"_pages_store": {"data": {"title": "Giám sát một cửa"}}}
            assert down["layout"].json()["response"] == title
            assert down["callback"].json()["response"] == {}
            readyz = down["readyz"].json()
            assert down["readyz"].status == 503 and readyz["status"] == "error"
            assert readyz["checks"]["database"]["status"] == "error"
            assert readyz["checks"]["database"]["message"].startswith("unreachable: OperationalError")
            assert down["api"].status == 503 and down["api"].headers["Retry-After"] == "15"
            assert down["api"].headers["Content-Type"].startswith("application/json")
            assert down["api"].json() == {
                "error": {
                    "param": None,
                    "value": None,
                    "message": "the database cannot be reached; try again shortly",
                }
            }
        english = ask(web, "POST", "/_dash-update-component", DOSSIER_ALERTS, lang="en")
        assert banner(english).startswith("The database cannot be reached. The page will retry every 15")
        # The banner's own timer pings the database: while it is away, the banner stays.
        retry = callback([("db-back", "data")], [("db-retry", "n_intervals", 1)])
        assert banner(ask(web, "POST", "/_dash-update-component", retry)).startswith("Không kết nối")

        pg_server.start()
        for _ in range(4):  # at once, on every worker and pooled connection: no restart, no wait
            assert_all_well(everything(web))
        back = ask(web, "POST", "/_dash-update-component", retry)
        assert back.status == 200 and back.json()["response"] == {"db-back": {"data": 1}}, "reloads the page"
        assert web.workers() == workers and web.process.poll() is None, "the same gunicorn, the same workers"
    log = web.log.read_text(errors="replace")
    assert "the database cannot be reached" in log
    assert "Traceback" not in log, "an outage is a line in the log, not a stack per request"


# --- a worker killed under load ------------------------------------------------------------------------


@dataclass
class Outcome:
    started: float
    ok: bool
    error: str = ""


@pytest.mark.slow
def test_a_worker_killed_under_load_is_replaced_and_only_its_requests_in_flight_fail(
    clock: Clock, tmp_path: Path
) -> None:
    """SIGKILL one of two workers while 8 clients keep asking; at most one request per client (the
    one in flight on the dead worker, if any) may fail, gunicorn boots a new worker, and everything
    asked after the kill succeeds. /metrics (multiprocess) still answers and still counts the dead
    worker's requests."""
    database = f"sqlite:///{tmp_path / 'dossiers.sqlite'}"
    seed(make_engine(database), clock)
    clients, paths = 8, ["/api/v1/units", API, "/healthz", "/readyz"]
    with gunicorn(database, tmp_path) as web:
        outcomes: list[Outcome] = []
        lock = threading.Lock()
        stop_at = time.monotonic() + 10.0  # the whole load is bounded, whatever happens

        def load(index: int) -> None:
            n = index
            while time.monotonic() < stop_at:
                started = time.monotonic()
                path = paths[n % len(paths)]
                n += 1
                try:
                    status = ask(web, "GET", path).status
                    outcome = Outcome(started, status == 200, "" if status == 200 else f"HTTP {status}")
                except (OSError, http.client.HTTPException) as error:  # the worker died mid-answer
                    outcome = Outcome(started, False, repr(error))
                with lock:
                    outcomes.append(outcome)

        threads = [threading.Thread(target=load, args=(i,), daemon=True) for i in range(clients)]
        for thread in threads:
            thread.start()
        time.sleep(2.0)
        before = web.workers()
        victim = min(before)
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        wait_until(
            lambda: len(web.workers()) == 2 and victim not in web.workers(),
            timeout=WAIT,
            what="gunicorn to replace the killed worker",
        )
        respawned_at = time.monotonic()
        for thread in threads:
            thread.join(timeout=WAIT)
        assert not any(thread.is_alive() for thread in threads)

        failures = [o for o in outcomes if not o.ok]
        assert len(outcomes) > 100, "the load really ran"
        assert len(failures) <= clients, failures
        assert all(o.started < killed_at for o in failures), "only requests sent before the kill fail"
        assert not [o for o in failures if o.error.startswith("HTTP")], "a dead worker is no 5xx"
        after = [o for o in outcomes if o.started > respawned_at]
        assert after and all(o.ok for o in after), "after the new worker booted, everything succeeds"
        assert web.process.poll() is None

        metrics = ask(web, "GET", "/metrics")
        assert metrics.status == 200
        served = sum(
            sample.value
            for family in text_string_to_metric_families(metrics.body.decode())
            if family.name == "dashboard_http_request_duration_seconds"
            for sample in family.samples
            if sample.name.endswith("_count") and sample.labels["status"] == "200"
        )
        assert served >= len([o for o in outcomes if o.ok]), "the dead worker's requests still count"
    assert "Traceback" not in web.log.read_text(errors="replace")
