"""The disk under the SQLite database is read-only: every entry point stops at start with one line
naming the path and saying so (exit code 2), instead of a traceback at the first write or a web
worker that fails to boot again and again.

Making a directory read-only for real takes care when the tests run as root (CI does): root
ignores permission bits, so `chmod 0555` proves nothing there. What works on these machines, in
order of preference:

1. a read-only bind mount of the directory in a private mount namespace: `unshare --mount sh -c
   'mount --bind D D && mount -o remount,bind,ro D && exec COMMAND'`. The process sees exactly
   what a disk remounted read-only after an error looks like (EROFS, "Read-only file system"),
   and the mount vanishes with the process: nothing to undo, nothing left if the test dies.
2. the immutable attribute, `chattr +i D` (EPERM, even for root), removed in a `finally`.
3. when not root, plain `chmod 0555` (EACCES).

A probe picks the first that really refuses a write here (on the CI machine and this one: the
bind mount). Without any of them (root in a container that may neither mount nor chattr) the tests
skip with a reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import pytest

from queries.settings import REPO_ROOT
from tests.alert_fixtures import free_port

TIMEOUT = 60
RO_BIND = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'


def _refuses_writes(prefix: list[str], directory: Path) -> bool:
    probe = subprocess.run(
        [*prefix, "sh", "-c", 'touch "$0/.probe"', str(directory)], capture_output=True, timeout=TIMEOUT
    )
    (directory / ".probe").unlink(missing_ok=True)
    return probe.returncode != 0


@cache
def method() -> str:
    """How this machine can make a directory read-only for a child process (see the docstring)."""
    scratch = Path(tempfile.mkdtemp(prefix="ro-probe."))
    try:
        if os.geteuid() != 0:
            scratch.chmod(0o555)
            return "chmod" if _refuses_writes([], scratch) else "none"
        if shutil.which("unshare") and _refuses_writes(
            ["unshare", "--mount", "sh", "-c", RO_BIND, str(scratch)], scratch
        ):
            return "ro-bind-mount"
        if shutil.which("chattr") and subprocess.run(["chattr", "+i", str(scratch)]).returncode == 0:
            try:
                return "chattr" if _refuses_writes([], scratch) else "none"
            finally:
                subprocess.run(["chattr", "-i", str(scratch)], check=True)
        return "none"
    finally:
        scratch.chmod(0o755)
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def read_only(directory: Path) -> Iterator[list[str]]:
    """Yields the prefix to run a command under so that it sees `directory` read-only."""
    how = method()
    if how == "none":
        pytest.skip("cannot make a directory read-only here (no mount, no chattr, and root ignores chmod)")
    if how == "ro-bind-mount":
        yield ["unshare", "--mount", "sh", "-c", RO_BIND, str(directory)]
    elif how == "chattr":
        subprocess.run(["chattr", "+i", str(directory)], check=True)
        try:
            yield []
        finally:
            subprocess.run(["chattr", "-i", str(directory)], check=True)
    else:
        directory.chmod(0o555)
        try:
            yield []
        finally:
            directory.chmod(0o755)


def env(database: Path, tmp: Path) -> dict[str, str]:
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ALERTS_", "DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR", "LOG_", "CACHE_"))
    }
    environment.update(
        DATABASE_URL=f"sqlite:///{database}",
        SECRET_KEY="read-only-tests",
        CACHE_DIR=str(tmp / "cache"),
        ALERTS_METRICS_PORT="0",
        BIND=f"127.0.0.1:{free_port()}",
        PYTHONUNBUFFERED="1",
    )
    return environment


COMMANDS = {
    "queries init": [sys.executable, "-m", "queries", "init"],
    "python -m dashboard": [sys.executable, "-m", "dashboard", "--port", "0"],
    "gunicorn": [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "dashboard.app:server"],
    "alerts run": [sys.executable, "-m", "alerts", "run"],
}
PREFIX = {"queries init": "queries", "python -m dashboard": "dashboard", "gunicorn": "gunicorn.conf.py"}


def run(
    prefix: list[str], command: list[str], environment: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, *command], cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=TIMEOUT
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], name: str, path: Path) -> None:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"{PREFIX.get(name, 'alerts')}: the SQLite database {path} cannot be written: ")
    assert "is read-only (Read-only file system)" in line or "is not writable (" in line


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_entry_point_stops_with_one_line_when_the_database_directory_is_read_only(
    name: str, tmp_path: Path
) -> None:
    directory = tmp_path / "instance"
    directory.mkdir()
    database = directory / "dossiers.sqlite"
    environment = env(database, tmp_path)
    made = run([], COMMANDS["queries init"], environment)  # the database exists, the disk was fine
    assert made.returncode == 0, made.stderr
    with read_only(directory) as prefix:
        result = run(prefix, COMMANDS[name], environment)
    assert_one_clear_line(result, name, database)
    if method() == "ro-bind-mount":
        assert f"{directory} is read-only (Read-only file system)" in result.stderr


@pytest.mark.slow
@pytest.mark.parametrize("where", ["empty directory", "directory still to be made"])
def test_a_first_init_on_a_read_only_disk_names_the_path(where: str, tmp_path: Path) -> None:
    directory = tmp_path / "disk"
    directory.mkdir()
    database = directory / ("dossiers.sqlite" if where == "empty directory" else "instance/dossiers.sqlite")
    with read_only(directory) as prefix:
        result = run(prefix, COMMANDS["queries init"], env(database, tmp_path))
    assert_one_clear_line(result, "queries init", database)
    assert not database.exists()
