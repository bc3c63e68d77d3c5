"""The alerting process's Prometheus metrics: defined once here, served by `python -m alerts run`.

Why these: an operator must see without opening the database that the scheduler is alive (tick
duration, the time of the last successful tick), that messages leave (alerts sent, failed, retried
and rerouted by rule and channel, each send's duration and outcome per channel), and how the
backlog the scheduler judges moves per unit (open, due soon, overdue). The backlog gauges are set by
each tick from its own evaluation, so a scrape never costs a database query.

Labels are bounded: rule names (alerts/rules.py), Apprise service names (the few channels a
province uses; several accepted at once are joined with a comma, like the outbox's `channels`
column), unit codes (the province's communes). Never a dossier code, a person or a URL.

The process is single: metrics live in the default registry and `start_http_server` serves them on
ALERTS_METRICS_HOST:ALERTS_METRICS_PORT (127.0.0.1:9108; port 0 turns it off). It must not run with
PROMETHEUS_MULTIPROC_DIR set: its values would land in the web workers' directory and be
served (and summed) by the dashboard's /metrics as well (`python -m alerts run` refuses to start).
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter as Tally
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import Counter, Gauge, Histogram, start_http_server
from sqlalchemy import Connection

from alerts.rules import Rule
from queries import outbox
from queries.domain import OpenState
from queries.settings import SettingsError, env_int, env_str
from queries.timeutil import VN

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from alerts.context import Counts
    from alerts.delivery import ChannelResult
    from queries.clocking import ClockedDossier
    from queries.outbox import NewAlert
    from queries.sla import Verdict

log = logging.getLogger("alerts.metrics")

RULES = frozenset(str(rule) for rule in Rule)
OTHER = "other"  # a rule name this code does not know (a newer scheduler wrote the row)
NONE = "none"  # no channel was tried: the recipient has none, or all of them are broken

ENQUEUED = Counter(
    "alerts_enqueued_total", "Alerts written to the outbox (new rows only), by rule.", ["rule"]
)
SENT = Counter(
    "alerts_sent_total",
    "Alerts at least one channel accepted, by rule and accepting channel.",
    ["rule", "channel"],
)
FAILED = Counter(
    "alerts_failed_total",
    "Alerts given up: attempts exhausted, no channel (channel=none), or nobody left to reroute to.",
    ["rule", "channel"],
)
RETRIED = Counter(
    "alerts_retried_total",
    "Delivery passes that failed on every channel and scheduled another attempt.",
    ["rule", "channel"],
)
REROUTED = Counter(
    "alerts_rerouted_total",
    "Alerts passed one level up because every channel of the recipient is broken.",
    ["rule", "channel"],
)
ATTEMPTS = Counter(
    "alerts_delivery_attempts_total",
    "Sends to one notification URL, by channel and outcome (ok, error, permanent).",
    ["channel", "outcome"],
)
DELIVERY_SECONDS = Histogram(
    "alerts_delivery_latency_seconds",
    "How long one send to one notification URL took (Apprise, network included).",
    ["channel"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
TICK_SECONDS = Histogram(
    "alerts_tick_duration_seconds",
    "How long one full pass (evaluate, enqueue, deliver) took, failed passes included.",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
TICK_ERRORS = Counter("alerts_tick_errors_total", "Passes that stopped with an error.")
LAST_TICK = Gauge(
    "alerts_last_successful_tick_timestamp_seconds",
    "Unix time the last pass without error finished (read from the heartbeat table at start).",
)
OPEN = Gauge("sla_open_dossiers", "Open dossiers of a unit at the last tick.", ["unit"])
DUE_SOON = Gauge("sla_due_soon_dossiers", "Open dossiers of a unit due soon at the last tick.", ["unit"])
OVERDUE = Gauge("sla_overdue_dossiers", "Open dossiers of a unit past their due at the last tick.", ["unit"])

_units_seen: set[str] = set()
_units_lock = threading.Lock()


def rule_label(rule: str) -> str:
    return rule if rule in RULES else OTHER


def channel_label(services: Iterable[str | None]) -> str:
    """Apprise service names, sorted and joined: "E-Mail", "E-Mail,Telegram"; "none" for none."""
    names = sorted({(service or "unknown")[:40] for service in services})
    return ",".join(names) or NONE


def delivered_via(results: Sequence[ChannelResult]) -> str:
    """The channels that accepted a message; when none did, the channels that were tried."""
    accepted = [result.service for result in results if result.ok]
    return channel_label(accepted or [result.service for result in results])


def count_enqueued(conn: Connection, rows: Sequence[NewAlert], ids: Sequence[int]) -> None:
    """Count the rows `outbox.enqueue` really inserted, by rule.

    All new (the usual first sight of a condition): counted from the rows given. Some already
    there: the new ids are counted by one grouped query, only in that case.
    """
    if not ids:
        return
    if len(ids) == len(rows):
        by_rule: dict[str, int] = dict(Tally(str(row.rule) for row in rows))
    else:
        by_rule = outbox.rules_of(conn, ids)
    for rule, count in by_rule.items():
        ENQUEUED.labels(rule_label(rule)).inc(count)


def observe_send(service: str | None, *, ok: bool, permanent: bool, seconds: float) -> None:
    channel = channel_label([service])
    DELIVERY_SECONDS.labels(channel).observe(seconds)
    ATTEMPTS.labels(channel, "ok" if ok else "permanent" if permanent else "error").inc()


def outcome(rule: str, channel: str, counts: Counts) -> Counts:
    """Count one alert's delivery outcome (exactly one of sent/failed/retried/rerouted is set)."""
    label = rule_label(rule)
    for counter, value in (
        (SENT, counts.sent),
        (FAILED, counts.failed),
        (RETRIED, counts.retried),
        (REROUTED, counts.rerouted),
    ):
        if value:
            counter.labels(label, channel).inc(value)
    return counts


def tick_finished(seconds: float, *, ok: bool) -> None:
    TICK_SECONDS.observe(seconds)
    if ok:
        LAST_TICK.set_to_current_time()
    else:
        TICK_ERRORS.inc()


def heartbeat_from(finished: datetime | None) -> None:
    """At start, the gauge shows the last successful tick recorded in the database (Vietnam time).

    Without it a restarted scheduler would expose 0 ("never") until its first tick ends, and the
    stale-scheduler rule would fire on every restart.
    """
    if finished is not None:
        LAST_TICK.set(finished.replace(tzinfo=VN).timestamp())


def observe_backlog(judged: Iterable[tuple[ClockedDossier, Verdict | None]]) -> None:
    """Open, due-soon and overdue dossiers per unit code, from the tick's own verdicts.

    A unit seen before that has no open dossier now reads 0 rather than vanishing, so an alerting
    rule comparing with an hour ago still sees it.
    """
    opened: Tally[str] = Tally()
    soon: Tally[str] = Tally()
    late: Tally[str] = Tally()
    for dossier, verdict in judged:
        opened[dossier.unit_code] += 1
        if verdict is not None and verdict.state == OpenState.DUE_SOON:
            soon[dossier.unit_code] += 1
        elif verdict is not None and verdict.state == OpenState.OVERDUE:
            late[dossier.unit_code] += 1
    with _units_lock:
        _units_seen.update(opened)
        for unit in _units_seen:
            OPEN.labels(unit).set(opened[unit])
            DUE_SOON.labels(unit).set(soon[unit])
            OVERDUE.labels(unit).set(late[unit])


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int  # 0: not served


def check_single_process() -> None:
    """Refuse PROMETHEUS_MULTIPROC_DIR: the web workers' files would get the scheduler's values."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        raise SettingsError(
            "PROMETHEUS_MULTIPROC_DIR is set: it is for the gunicorn workers only; unset it for "
            "`python -m alerts` (its metrics are served on ALERTS_METRICS_PORT)"
        )


def endpoint_from_env() -> Endpoint:
    """ALERTS_METRICS_HOST / ALERTS_METRICS_PORT, checked when the process starts."""
    check_single_process()
    return Endpoint(
        host=env_str("ALERTS_METRICS_HOST", "127.0.0.1"),
        port=env_int("ALERTS_METRICS_PORT", 9108, low=0, high=65535),
    )


def serve(endpoint: Endpoint) -> WSGIServer | None:
    """Start the /metrics HTTP server in a daemon thread; None when the port is 0."""
    if endpoint.port == 0:
        log.info("metrics not served (ALERTS_METRICS_PORT=0)")
        return None
    try:
        server: Any
        server, _thread = start_http_server(endpoint.port, addr=endpoint.host)
    except OSError as exc:
        raise SettingsError(
            f"cannot serve metrics on {endpoint.host}:{endpoint.port} (ALERTS_METRICS_HOST/PORT): {exc}"
        ) from exc
    log.info("metrics on http://%s:%s/metrics", endpoint.host, endpoint.port)
    return server  # type: ignore[no-any-return]
