"""A PostgreSQL server of a test's own, to stop and start again: the database restarting under
the web workers or under a tick.

The shared server of TEST_POSTGRES_URL must never be restarted (other tests use it, and a
developer's may be their own), so these tests start one more, the way .ci/postgres.sh does:
initdb into a temporary directory (as the `postgres` user when the tests run as root, which
PostgreSQL refuses to run as), `pg_ctl start` on a free port of 127.0.0.1, and always a stop in the
fixture's teardown. `stop()` uses `-m immediate` by default: the server dies without saying
goodbye to its clients, as when its machine or container goes away, which is the hard case for a
connection pool. Locally the tests skip with a reason when the PostgreSQL binaries are missing;
with REQUIRE_POSTGRES=1 (`.ci/run`) they fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from queries.db import make_engine
from tests.alert_fixtures import free_port

TIMEOUT = 60  # seconds: pg_ctl's own wait, and ours around it


def _binaries() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


class PgServer:
    """One throwaway cluster: `start()`, `stop(mode)`, `url(database)`; `remove()` at the end."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.as_root = os.geteuid() == 0
        self.datadir = Path(tempfile.mkdtemp(prefix="pgfault."))
        try:
            if self.as_root:
                shutil.chown(self.datadir, "postgres", "postgres")
            self._run("initdb", "-D", str(self.datadir), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        except BaseException:
            shutil.rmtree(self.datadir, ignore_errors=True)
            raise

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if tool == "initdb":
            command += ["--locale=C.UTF-8", "--no-sync"]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, timeout=TIMEOUT, cwd="/")
        if result.returncode != 0:
            raise RuntimeError(
                f"{tool} failed ({result.returncode}): {result.stderr.decode(errors='replace')}"
            )

    @property
    def running(self) -> bool:
        return (self.datadir / "postmaster.pid").exists()

    def start(self) -> None:
        # fsync=off is safe here (the machine does not crash, only the server stops), but commits
        # stay synchronous: with synchronous_commit=off an immediate stop loses the last commits,
        # which no production server does and which would break what the tests check.
        options = f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1 -c fsync=off -c jit=off"
        log = self.datadir / "server.log"
        self._run(
            "pg_ctl",
            "-D",
            str(self.datadir),
            "-l",
            str(log),
            "-w",
            "-t",
            str(TIMEOUT),
            "-o",
            options,
            "start",
        )

    def stop(self, mode: str = "immediate") -> None:
        self._run("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "-t", str(TIMEOUT), "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A fresh database on this server; returns its URL."""
        name = f"fault_{uuid.uuid4().hex[:8]}"
        admin = make_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.url(name)

    def remove(self) -> None:
        if self.running:
            try:
                self.stop("fast")
            except (RuntimeError, subprocess.TimeoutExpired):
                self.stop("immediate")
        shutil.rmtree(self.datadir, ignore_errors=True)


@pytest.fixture
def pg_server() -> Iterator[PgServer]:
    """A running throwaway PostgreSQL, stopped and removed when the test ends, whatever happened."""
    bindir = _binaries()
    if bindir is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but the PostgreSQL server binaries (pg_ctl, initdb) are missing")
        pytest.skip(
            "PostgreSQL server binaries not installed (apt-get install postgresql); .ci/run installs them"
        )
    server = PgServer(bindir)
    try:
        server.start()
        yield server
    finally:
        server.remove()
