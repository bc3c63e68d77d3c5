"""gunicorn settings for the dashboard: `gunicorn -c gunicorn.conf.py dashboard.app:server`.

Production runs it with PROMETHEUS_MULTIPROC_DIR set (`make serve`, the systemd unit in
docs/deploy.md), so that /metrics sums every worker; the two hooks below keep that directory
right: emptied when gunicorn starts (values of a previous run must not be added to this one's),
and a dead worker's live gauges dropped when it exits.

Read by the master before any worker starts, so two things are settled here once: a SQLite
DATABASE_URL on a read-only disk stops gunicorn with one line and exit code 2 (not a worker that
fails to boot with a traceback, respawned forever), and every log line of the master, the workers
and the access log has the shape of queries/logsetup.py (key=value, or JSON with LOG_FORMAT=json).
"""

import glob
import logging
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the repository, for queries/
from queries import logsetup  # noqa: E402
from queries.db import require_writable  # noqa: E402
from queries.settings import SettingsError  # noqa: E402

try:
    require_writable()
    logconfig_dict = logsetup.dict_config()
except SettingsError as _error:
    print(f"gunicorn.conf.py: {_error}", file=sys.stderr)  # noqa: T201
    sys.exit(2)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise SystemExit(f"gunicorn.conf.py: {name} must be a whole number above 0, not {raw!r}")
    return int(raw)


# The cores this process may use (a container's or systemd's CPU limit), not the machine's.
_cores = len(os.sched_getaffinity(0))

bind = os.environ.get("BIND", "127.0.0.1:8050")
# Callbacks spend most of their time in the database: one process per core, each with a few
# threads, serves a province's supervisors and wall screens without a process per request.
workers = _env_int("WEB_WORKERS", max(2, _cores))
threads = _env_int("WEB_THREADS", 4)
timeout = _env_int("WEB_TIMEOUT", 60)  # a worker silent this long is killed and replaced
graceful_timeout = 30  # on restart, requests in flight get this long to finish
keepalive = 5  # behind the reverse proxy, which reuses its connections
accesslog = "-"
# gunicorn >= 25.1 opens a control socket at a shared path by default; a second instance on the
# same machine (tests, a staging copy) would take it over and delete it on exit.
control_socket_disable = True


def on_starting(server: object) -> None:
    """Empty PROMETHEUS_MULTIPROC_DIR of the previous run's files (only *.db: never rmtree a path
    that came from the environment), creating it if needed."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        if workers > 1:
            logging.getLogger("gunicorn.error").warning(
                "PROMETHEUS_MULTIPROC_DIR is not set: /metrics shows one worker's values only"
            )
        return
    os.makedirs(directory, exist_ok=True)
    for stale in glob.glob(os.path.join(directory, "*.db")):
        os.remove(stale)


def when_ready(server: object) -> None:
    """Once per start, in the master before any worker: edits to the alert rules or the calendar
    overrides since the last start go into the audit trail (queries/config_audit.py). A database
    that refuses the write costs one log line, never the start."""
    from dashboard.__main__ import audit_configuration

    audit_configuration()


def child_exit(server: object, worker: object) -> None:
    """A worker died or was replaced: its live gauges must not be summed any more."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
