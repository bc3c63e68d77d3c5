"""The web process's Prometheus metrics: defined once here, served at /metrics by every worker.

Why these: a slow page is either a slow route, a slow Dash callback or a slow query, and the
operator must be able to tell which without a profiler. So each request is timed by its route
*pattern* (`/dossier/<code>`, never `/dossier/H12.3-2026-00017`: a label per dossier would grow
without bound and put case numbers in the monitoring system), each callback POST by the output it
names (`..navbar.className...page.className..`, only ids the app really has), and each SQL
statement by its kind (select, insert, ...) through SQLAlchemy's cursor events.

Under gunicorn every worker is a process: with PROMETHEUS_MULTIPROC_DIR set (gunicorn.conf.py and
`make serve` do it) the values go to files in that directory and /metrics builds a fresh registry
per request that sums all workers, dead ones included, as prometheus_client's multiprocess mode
prescribes. Without it (`python -m dashboard`, tests) the default registry of the one process is
served.

`alerts_acknowledged_total` lives here because acknowledging happens on the web side, through the
link every alert message ends with (dashboard/ack.py calls `count_acknowledged`).
"""

from __future__ import annotations

import os
import re
import threading
from time import perf_counter
from typing import Any

import dash
from dash import Dash
from flask import g, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from sqlalchemy import Engine, event
from werkzeug.wrappers import Response

REQUEST_SECONDS = Histogram(
    "dashboard_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route pattern and status code.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
CALLBACK_SECONDS = Histogram(
    "dashboard_callback_duration_seconds",
    "Time to answer one Dash callback POST, by the callback's output id.",
    ["output"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
QUERY_SECONDS = Histogram(
    "dashboard_db_query_duration_seconds",
    "Time one SQL statement took at the database driver, by statement kind.",
    ["operation"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ACKNOWLEDGED = Counter(
    "alerts_acknowledged_total",
    "Alerts acknowledged through the link in their message, by rule and the channel that delivered it.",
    ["rule", "channel"],
)

UNMATCHED = "<unmatched>"  # no route: a 404 or 405 before any view ran
UNKNOWN = "<unknown>"  # a callback output the app does not have (a hand-made or stale POST)
CALLBACK_RULE = "/_dash-update-component"
CATCH_ALL = "/<path:path>"  # Dash's rule for every page path
OPERATIONS = frozenset({"select", "insert", "update", "delete", "with"})
_RULE_NAME = re.compile(r"[a-z_]{1,40}")
_STARTED = "_metrics_started"


def install(app: Dash) -> None:
    """Time every request and callback of this app and serve /metrics on its Flask server."""
    server = app.server
    pages = _PageRoutes()

    def start() -> None:
        g.setdefault(_STARTED, perf_counter())

    def observe(response: Response) -> Response:
        _observe(app, pages, response.status_code)
        return response

    def observe_failure(error: BaseException | None) -> None:
        if error is not None and _STARTED in g:  # after_request did not run: an unhandled error
            _observe(app, pages, 500)

    server.before_request(start)
    server.after_request(observe)
    server.teardown_request(observe_failure)
    server.add_url_rule("/metrics", "metrics", serve)


def _observe(app: Dash, pages: _PageRoutes, status: int) -> None:
    started = g.pop(_STARTED, None)
    if started is None:
        return
    seconds = perf_counter() - started
    rule = request.url_rule.rule if request.url_rule is not None else UNMATCHED
    route = pages.template(request.path) if rule == CATCH_ALL else rule
    REQUEST_SECONDS.labels(request.method, route, str(status)).observe(seconds)
    if rule.endswith(CALLBACK_RULE) and request.method == "POST":
        CALLBACK_SECONDS.labels(_callback_output(app)).observe(seconds)


def _callback_output(app: Dash) -> str:
    """The callback's output as Dash keys it (`page.children`, `..a.b...c.d..`), if the app has it."""
    body = request.get_json(silent=True)
    output = body.get("output") if isinstance(body, dict) else None
    return output if isinstance(output, str) and output in app.callback_map else UNKNOWN


class _PageRoutes:
    """Map a page path to its registered pattern: `/dossier/A4` to `/dossier/<code>`."""

    def __init__(self) -> None:
        self._patterns: list[tuple[str, re.Pattern[str]]] | None = None
        self._lock = threading.Lock()

    def template(self, path: str) -> str:
        for template, pattern in self._compiled():
            if pattern.fullmatch(path):
                return template
        return CATCH_ALL

    def _compiled(self) -> list[tuple[str, re.Pattern[str]]]:
        with self._lock:
            if self._patterns is None:
                patterns = []
                for page in dash.page_registry.values():
                    template = page.get("path_template") or page["path"]
                    parts = re.split(r"<[^>/]+>", template)
                    patterns.append((template, re.compile("[^/]+".join(re.escape(p) for p in parts))))
                self._patterns = patterns
            return self._patterns


def watch(engine: Engine) -> Engine:
    """Time every statement of this engine (idempotent: a second call adds nothing)."""
    if not event.contains(engine, "before_cursor_execute", _before_cursor_execute):
        event.listen(engine, "before_cursor_execute", _before_cursor_execute)
        event.listen(engine, "after_cursor_execute", _after_cursor_execute)
    return engine


def _before_cursor_execute(
    _conn: Any, _cursor: Any, _statement: str, _parameters: Any, context: Any, _executemany: bool
) -> None:
    if context is not None:
        context._metrics_started = perf_counter()


def _after_cursor_execute(
    _conn: Any, _cursor: Any, statement: str, _parameters: Any, context: Any, _executemany: bool
) -> None:
    started = getattr(context, "_metrics_started", None)
    if started is None:
        return
    words = statement.lstrip(" \n\t(").split(None, 1)
    kind = words[0].lower() if words else ""
    QUERY_SECONDS.labels(kind if kind in OPERATIONS else "other").observe(perf_counter() - started)


def count_acknowledged(rule: str, channels: str | None) -> None:
    """One alert acknowledged through its link; `channels` is the outbox row's accepting channels."""
    label = rule if _RULE_NAME.fullmatch(rule) else "other"
    ACKNOWLEDGED.labels(label, (channels or "none")[:80]).inc()


def registry() -> CollectorRegistry:
    """All workers' values in multiprocess mode (a new registry per scrape), else this process's."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    collected = CollectorRegistry()
    multiprocess.MultiProcessCollector(collected)
    return collected


def serve() -> Response:
    """The text format 0.0.4, which every Prometheus 2.x reads (and `promtool check metrics` lints)."""
    response = Response(generate_latest(registry()), content_type=CONTENT_TYPE_PLAIN_0_0_4)
    response.headers["Cache-Control"] = "no-store"
    return response
