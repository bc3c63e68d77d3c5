"""gunicorn as a real process for the tests that need the whole web side: two workers, the
repository's gunicorn.conf.py, a private multiprocess metrics directory, HTTP on 127.0.0.1.

`gunicorn(...)` waits (bounded) until both workers answer, signs in (an administrator's account
made in the database, the login form POSTed; the session cookie is kept on `Web`), and always
stops the master at the end. `ask(...)` makes one request with that cookie and returns an HTTP
error status as an answer (only a broken connection raises), since the tests are about what a
reader or a client gets back.
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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from queries.db import make_engine
from queries.settings import REPO_ROOT
from tests.alert_fixtures import free_port, wait_until
from tests.login import PASSWORD, USERNAME, add_account

WAIT = 60.0  # seconds: the longest a start or a stop may take
SECRET = "web-process-tests"


@dataclass(frozen=True)
class Web:
    process: subprocess.Popen[bytes]
    base: str
    log: Path
    session: str | None = None  # the session cookie's "name=value", once signed in

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
def gunicorn(database: str, tmp: Path, *, sign_in_as: str | None = "admin", **env: str) -> Iterator[Web]:
    """`gunicorn -c gunicorn.conf.py dashboard.app:server`, two workers, until both answer; then
    signed in as a new account of the role `sign_in_as` (None: not signed in)."""
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
        if sign_in_as is not None:
            web = replace(web, session=sign_in(web.base, database, sign_in_as))
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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to look at (the login's 302 carries the session cookie)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def sign_in(base: str, database: str, role: str = "admin") -> str:
    """Make an account of `role` in the database, POST the login form to the server at `base`;
    returns the session cookie as "name=value"."""
    engine = make_engine(database)
    try:
        with engine.begin() as conn:
            add_account(conn, USERNAME, role)
    finally:
        engine.dispose()
    form = urlencode({"username": USERNAME, "password": PASSWORD, "next": "/"}).encode()
    req = urllib.request.Request(base + "/login", data=form, method="POST")
    try:
        with _opener.open(req, timeout=15) as response:
            raise AssertionError(f"the login answered {response.status}, not a redirect")
    except urllib.error.HTTPError as error:
        assert error.code == 302, error.read()[:500]
        cookies = [c.split(";", 1)[0] for c in error.headers.get_all("Set-Cookie") or []]
    [session] = [c for c in cookies if c.startswith("motcua_session=")]
    return session


def ask(web: Web, method: str, path: str, body: Any = None, lang: str | None = None) -> Answer:
    """One HTTP request, with the session cookie when signed in; an HTTP error status is an answer
    too (only a broken connection raises). Redirects are not followed."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    cookies = [c for c in (web.session, f"lang={lang}" if lang else None) if c]
    if cookies:
        headers["Cookie"] = "; ".join(cookies)
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(web.base + path, data=data, headers=headers, method=method)
    try:
        with _opener.open(req, timeout=15) as response:
            return Answer(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read(), dict(error.headers))
