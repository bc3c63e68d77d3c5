"""gunicorn as a real process for the tests that need the whole web side: two workers, the
repository's gunicorn.conf.py, a private multiprocess metrics directory, HTTP on 127.0.0.1.

`gunicorn(...)` waits (bounded) until both workers answer and always stops the master at the end;
`ask(...)` makes one request and returns an HTTP error status as an answer (only a broken
connection raises), since the tests are about what a reader or a client gets back.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from queries.settings import REPO_ROOT
from tests.alert_fixtures import free_port, wait_until

WAIT = 60.0  # seconds: the longest a start or a stop may take
SECRET = "web-process-tests"


@dataclass(frozen=True)
class Web:
    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def workers(self) -> set[int]:
        return children(self.process.pid)


def children(pid: int) -> set[int]:
    """The live child processes of `pid` (gunicorn's workers), from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            found.add(int(entry.name))
    return found


@contextmanager
def gunicorn(database: str, tmp: Path, **env: str) -> Iterator[Web]:
    """`gunicorn -c gunicorn.conf.py dashboard.app:server`, two workers, until both answer."""
    port = free_port()
    log = tmp / "gunicorn.log"
    metrics_dir = tmp / "metrics"
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ALERTS_", "DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR", "READY_", "DASHBOARD_"))
    }
    environment.update(
        DATABASE_URL=database,
        SECRET_KEY=SECRET,
        BIND=f"127.0.0.1:{port}",
        WEB_WORKERS="2",
        WEB_THREADS="2",
        WEB_TIMEOUT="30",
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        CACHE_DIR=str(tmp / "cache"),
        READY_REQUIRE_SCHEDULER="false",  # no scheduler here: /readyz is about the database
        PYTHONUNBUFFERED="1",
        **env,
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "dashboard.app:server"],
            cwd=REPO_ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    web = Web(process, f"http://127.0.0.1:{port}", log)
    try:

        def up() -> bool:
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            return len(web.workers()) == 2 and ask(web, "GET", "/healthz").status == 200

        wait_until(up, timeout=WAIT, what="gunicorn and its two workers")
        yield web
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


def ask(web: Web, method: str, path: str, body: Any = None, lang: str | None = None) -> Answer:
    """One HTTP request; an HTTP error status is an answer too (only a broken connection raises)."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if lang:
        headers["Cookie"] = f"lang={lang}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(web.base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=15) as response:
            return Answer(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read(), dict(error.headers))
