"""Real receivers for the alert delivery tests: an SMTP server and an HTTP webhook, on 127.0.0.1.

Both record what arrived, with the alert id each message carries (the X-Alert-Id header), so a
test can say "every alert once" by counting ids. The SMTP server can be stopped and started
again on the same port (a mail server down for a while); the webhook can answer with chosen
status codes (500 then 200, 401) and stall before answering (a slow receiver, or one killed
mid-request). Every wait is bounded. Import the fixtures into a test module with
`from tests.alert_fixtures import smtp_server, webhook  # noqa: F401`.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, select, update

from alerts import jobs
from alerts.config import AlertConfig
from queries.domain import Role
from queries.models import AlertAttempt, AlertRow, Official, Procedure
from queries.sla import Clock
from tests.factories import add_dossier, add_official

REPO_ROOT = Path(__file__).resolve().parent.parent
SECRET = "alert-tests-secret"
WAIT = 20.0  # seconds: the longest any test waits for a server or a process


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(predicate: Callable[[], bool], *, timeout: float = WAIT, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.01)


# --- SMTP ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    message: EmailMessage

    @property
    def subject(self) -> str:
        """Decoded from RFC 2047 by the e-mail parser, as a mail client shows it."""
        return str(self.message["Subject"])

    @property
    def raw_subject(self) -> str:
        """The Subject header as it travelled (ASCII, encoded words for Vietnamese)."""
        head = self.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
        unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ")
        return next(line for line in unfolded.split("\r\n") if line.lower().startswith("subject:"))

    @property
    def alert_id(self) -> int | None:
        value = self.message["X-Alert-Id"]
        return int(value) if value else None

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None, "no text/plain part"
        return str(part.get_content()).replace("\r\n", "\n")


class _Sink:
    def __init__(self, mails: list[Mail], lock: threading.Lock) -> None:
        self.mails, self.lock = mails, lock

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = bytes(envelope.original_content)
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        with self.lock:
            self.mails.append(Mail(envelope.mail_from, tuple(envelope.rcpt_tos), raw, parsed))  # type: ignore[arg-type]
        return "250 OK"


class SmtpServer:
    """aiosmtpd on 127.0.0.1 at a fixed port, so it can go down and come back at the same address."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.mails: list[Mail] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def url(self, to: str) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=canhbao@motcua.example&to={to}"

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        assert self._controller is None
        controller = Controller(
            _Sink(self.mails, self._lock), hostname="127.0.0.1", port=self.port, ready_timeout=WAIT
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self) -> list[Mail]:
        with self._lock:
            return list(self.mails)

    def wait_for(self, count: int, timeout: float = WAIT) -> list[Mail]:
        wait_until(lambda: len(self.received()) >= count, timeout=timeout, what=f"{count} e-mails")
        return self.received()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


# --- Webhook ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hook:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: dict[str, Any]
    answered: int

    @property
    def alert_id(self) -> int | None:
        value = self.headers.get("x-alert-id")
        return int(value) if value else None

    @property
    def title(self) -> str:
        return str(self.body.get("title", ""))

    @property
    def message(self) -> str:
        return str(self.body.get("message", ""))


@dataclass
class WebhookReceiver:
    """A ThreadingHTTPServer on 127.0.0.1 that records every request before it answers.

    A path in `fixed` always gets its status; otherwise `answers` is consumed one status per
    request (then `status`). `stall` seconds pass between recording a request and answering it,
    so a sender killed meanwhile leaves a message that arrived but was never confirmed. With
    `together` = 2 the first request is held until a second one is in flight at the same time:
    proof that two senders really overlapped (a single sender has one request out at a time).
    """

    status: int = 200
    stall: float = 0.0
    answers: deque[int] = field(default_factory=deque)
    fixed: dict[str, int] = field(default_factory=dict)  # path -> the status it always gets
    together: int = 0  # hold requests until this many are in flight at once (then hold no more)
    max_in_flight: int = 0
    requests: list[Hook] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _gate: threading.Condition = field(default_factory=threading.Condition)
    _in_flight: int = 0
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def url(self, path: str, **params: str) -> str:
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return f"json://127.0.0.1:{self.port}/{path.lstrip('/')}" + (f"?{query}" if query else "")

    def answer(self, *codes: int, then: int = 200) -> None:
        with self._lock:
            self.answers.clear()
            self.answers.extend(codes)
            self.status = then

    def received(self) -> list[Hook]:
        with self._lock:
            return list(self.requests)

    def wait_for(self, count: int, timeout: float = WAIT) -> list[Hook]:
        wait_until(lambda: len(self.received()) >= count, timeout=timeout, what=f"{count} webhook calls")
        return self.received()

    def _next_status(self, path: str) -> int:
        with self._lock:
            if path in self.fixed:
                return self.fixed[path]
            return self.answers.popleft() if self.answers else self.status

    def _record(self, hook: Hook) -> None:
        with self._lock:
            self.requests.append(hook)

    def _enter(self) -> None:
        with self._gate:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            if self.together and self._in_flight >= self.together:
                self.together = 0
                self._gate.notify_all()
            self._gate.wait_for(lambda: not self.together, timeout=WAIT - 5)

    def _leave(self) -> None:
        with self._gate:
            self._in_flight -= 1

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length)
                try:
                    body = json.loads(data.decode("utf-8")) if data else {}
                except ValueError:
                    body = {"raw": data.decode("utf-8", "replace")}
                status = receiver._next_status(self.path)
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver._record(Hook("POST", self.path, headers, body, status))
                receiver._enter()
                try:
                    if receiver.stall:
                        time.sleep(receiver.stall)
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except OSError:
                    pass  # the sender died while we stalled
                finally:
                    receiver._leave()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.daemon = True
        self._thread.start()

    def close(self) -> None:
        with self._gate:  # release a request still held for a second sender that never came
            self.together = 0
            self._gate.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=WAIT)


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.close()


# --- The province the alerts are about --------------------------------------------------------------


def context(engine: Engine, clock: Clock, config: AlertConfig | None = None) -> jobs.Context:
    return jobs.Context(engine=engine, config=config or AlertConfig(), clock=clock, secret=SECRET)


def set_urls(engine: Engine, urls: dict[str, list[str]]) -> None:
    """officials.notify_urls, whitespace-separated as the importer stores them."""
    with engine.begin() as conn:
        for code, values in urls.items():
            conn.execute(update(Official).where(Official.code == code).values(notify_urls=" ".join(values)))


def add_staff(engine: Engine, two_communes: dict[str, int]) -> None:
    """Beside the handler CB-A1: each unit's chairperson and one provincial supervisor per sector.

    The civil-status supervisor reads English; everyone else Vietnamese.
    """
    with engine.begin() as conn:
        add_official(conn, two_communes["a"], "CT-A", role=Role.CHAIRPERSON, name="Trần Thị Bình")
        add_official(conn, two_communes["b"], "CT-B", role=Role.CHAIRPERSON, name="Phạm Văn Cường")
        civil = add_official(conn, two_communes["a"], "GS-HT", role=Role.SUPERVISOR, name="Lê Văn Dũng")
        land = add_official(conn, two_communes["a"], "GS-DD", role=Role.SUPERVISOR, name="Võ Thị Em")
        conn.execute(
            update(Official)
            .where(Official.id == civil)
            .values(sector_id=two_communes["civil"], language="en")
        )
        conn.execute(update(Official).where(Official.id == land).values(sector_id=two_communes["land"]))


def add_overdue(
    engine: Engine, clock: Clock, two_communes: dict[str, int], codes: list[str], received: datetime
) -> None:
    """More open civil-status dossiers of unit A (3 working days) handled by CB-A1."""
    with engine.begin() as conn:
        handler = conn.execute(select(Official.id).where(Official.code == "CB-A1")).scalar_one()
        temp = conn.execute(select(Procedure.id).where(Procedure.code == "1.004194")).scalar_one()
        for code in codes:
            add_dossier(
                conn,
                clock,
                code=code,
                unit_id=two_communes["a"],
                procedure_id=temp,
                sector_id=two_communes["civil"],
                received_at=received,
                handler_id=handler,
            )


def in_office_hours(clock: Clock, moment: datetime) -> bool:
    """08:00-12:00 and 13:00-17:00 on a working day (12:00 and 17:00 themselves are closed)."""
    (m0, m1), (a0, a1) = clock.policy.morning, clock.policy.afternoon
    open_now = m0 <= moment.time() < m1 or a0 <= moment.time() < a1
    return clock.calendar.is_working_day(moment.date()) and open_now


def outbox_rows(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(AlertRow).order_by(AlertRow.id)))


def attempts(engine: Engine, alert_id: int | None = None) -> list[Any]:
    stmt = select(AlertAttempt).order_by(AlertAttempt.id)
    if alert_id is not None:
        stmt = stmt.where(AlertAttempt.alert_id == alert_id)
    with engine.connect() as conn:
        return list(conn.execute(stmt))


# --- The alerts process as a subprocess --------------------------------------------------------------


def database_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def alerts_env(engine: Engine | None, **extra: str) -> dict[str, str]:
    """The environment of `python -m alerts`: the test database, a fixed secret, and nothing
    inherited that would point it elsewhere."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ALERTS_", "DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR"))
    }
    if engine is not None:
        env["DATABASE_URL"] = database_url(engine)
    # No metrics server unless a test asks for one: two schedulers at once must not fight for 9108.
    env.update(SECRET_KEY=SECRET, PYTHONUNBUFFERED="1", ALERTS_METRICS_PORT="0")
    env.update(extra)
    return env


def alerts_process(engine: Engine | None, *args: str, log: Path, **extra: str) -> subprocess.Popen[bytes]:
    """`python -m alerts ARGS` from the repository root, its output appended to `log`."""
    handle = log.open("ab")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "alerts", *args],
            cwd=REPO_ROOT,
            env=alerts_env(engine, **extra),
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    finally:
        handle.close()


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(timeout=WAIT)


def run_alerts(engine: Engine | None, *args: str, log: Path, timeout: float = 60, **extra: str) -> int:
    process = alerts_process(engine, *args, log=log, **extra)
    try:
        return process.wait(timeout=timeout)
    finally:
        stop(process)


@pytest.fixture
def spawned() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test starts: any still running at its end is killed, by its own pid."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        stop(process)
