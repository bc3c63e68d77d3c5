"""gunicorn on 127.0.0.1, single HTTP timings, and the 8:00-Monday load of simulated users.

Why: the figures that matter to a supervisor are the ones over HTTP, through the deployed server
(gunicorn.conf.py: a process per core, 4 threads each), with many browsers at once. The load
clients are a bounded pool of threads (one `requests.Session` per simulated user, keep-alive, no
think time) running for a bounded time on the same machine as the server: they share its CPUs,
so throughput is a lower bound; the framework ceiling (bench/minimal_app.py) is measured the same
way, so their ratio is fair.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Call:
    """One HTTP request as a browser sends it: GET a path, or POST a Dash callback body."""

    method: str
    path: str
    body: dict[str, Any] | None = None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]

    @property
    def master(self) -> int:
        return self.process.pid


@contextmanager
def gunicorn(app: str, env: dict[str, str], log: Path, *, ready_path: str = "/") -> Iterator[Server]:
    """`gunicorn -c gunicorn.conf.py APP` on a free 127.0.0.1 port until the block ends (bounded waits)."""
    port = free_port()
    full_env = {**os.environ, **env, "BIND": f"127.0.0.1:{port}"}
    full_env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", app],
            cwd=REPO,
            env=full_env,
            stdout=out,
            stderr=out,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log}")
            try:
                if requests.get(base + ready_path, timeout=30).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer in 90 s; see {log}")
            time.sleep(0.3)
        yield Server(base, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def send(session: requests.Session, base: str, call: Call, *, headers: dict[str, str]) -> requests.Response:
    if call.method == "GET":
        return session.get(base + call.path, headers=headers, timeout=120)
    return session.post(base + call.path, json=call.body, headers=headers, timeout=120)


def sign_in(base: str, username: str, password: str) -> str:
    """POST the login form once; the session cookie ("name=value") every later request carries."""
    with requests.Session() as session:
        response = session.post(
            f"{base}/login",
            data={"username": username, "password": password},
            allow_redirects=False,
            timeout=60,
        )
        if response.status_code != 302:
            raise RuntimeError(f"bench: sign-in as {username} answered {response.status_code}")
        return "; ".join(f"{c.name}={c.value}" for c in session.cookies if c.name != "lang")


def time_call(base: str, call: Call, repeat: int, headers: dict[str, str]) -> tuple[list[float], int, int]:
    """ms of `repeat` requests after one warm-up; (times, last status, response bytes)."""
    with requests.Session() as session:
        response = send(session, base, call, headers=headers)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = send(session, base, call, headers=headers)
            _ = response.content
            times.append((time.perf_counter() - started) * 1000)
    return times, response.status_code, len(response.content)


@dataclass
class LoadResult:
    users: int
    seconds: float
    requests: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    first_error: str = ""

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.5) - 1))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0


def run_load(
    base: str, visits: list[list[Call]], *, users: int, seconds: float, headers: dict[str, str]
) -> LoadResult:
    """`users` threads, each looping over the visits (user n starts at visit n) until `seconds` pass.

    A request in flight at the deadline completes and counts; the run's length is measured from
    the start to the last thread's end. A non-2xx answer or an exception is an error.
    """
    result = LoadResult(users=users, seconds=0.0)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def user(number: int) -> None:
        mine: list[float] = []
        errors = 0
        first = ""
        done = 0
        with requests.Session() as session:
            turn = number
            while time.monotonic() < deadline:
                for call in visits[turn % len(visits)]:
                    if time.monotonic() >= deadline:
                        break
                    started = time.perf_counter()
                    try:
                        response = send(session, base, call, headers=headers)
                        _ = response.content
                        ok = response.status_code < 400
                        why = f"{response.status_code} on {call.method} {call.path}"
                    except requests.RequestException as exc:
                        ok, why = False, f"{type(exc).__name__} on {call.method} {call.path}"
                    mine.append((time.perf_counter() - started) * 1000)
                    done += 1
                    if not ok:
                        errors += 1
                        first = first or why
                turn += 1
        with lock:
            result.latencies_ms.extend(mine)
            result.requests += done
            result.errors += errors
            result.first_error = result.first_error or first

    started = time.monotonic()
    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 180)
    result.seconds = time.monotonic() - started
    return result
