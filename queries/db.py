"""Engines for the dossier database: the caller owns connections and transactions.

Also the two judgements every process makes about the database the same way: whether an error
means the server is out of reach (a restart, a failover, a cut network: worth waiting for and
retrying, and worth saying so to the reader) rather than that a query was wrong, and whether the
SQLite file can be written at all (checked once at start by every entry point, so a read-only disk
is one clear line, not a traceback at the first write).
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, literal, make_url, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from queries.settings import SettingsError, database_url, env_int


class DatabaseNotWritable(SettingsError):
    """The SQLite file of DATABASE_URL (or its directory) cannot be written; the message names it."""


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for `url` (default: DATABASE_URL), with SQLite tuned for a dashboard.

    SQLite gets WAL (readers never wait for the importer), foreign keys on, a busy timeout so a
    writer waits instead of failing, and memory-mapped reads only when SQLITE_MMAP_MB asks: on the
    1M demo a 1 GiB map made the heaviest aggregates at most 8 % faster and tripled each worker's
    RSS (the mapped file counts in every process; docs/performance.md); its parent folder is
    created.
    """
    url = url or database_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        mmap_bytes = env_int("SQLITE_MMAP_MB", 0, low=0, high=1 << 20) << 20
        event.listen(engine, "connect", lambda connection, _record: _sqlite_pragmas(connection, mmap_bytes))
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def ping(conn: Connection) -> None:
    """One round trip to the server: the readiness probe's "is the database there"."""
    conn.execute(select(literal(1))).scalar_one()


def _sqlite_pragmas(dbapi_connection: Any, mmap_bytes: int) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA mmap_size={int(mmap_bytes)}")
    cursor.close()


def is_unreachable(error: BaseException) -> bool:
    """Whether `error` says the database server is out of reach rather than that the query failed.

    True for a connection SQLAlchemy found dead (`connection_invalidated`) and for the driver's
    connection errors: refused, reset, "server closed the connection", and PostgreSQL's SQLSTATE
    classes 08 (connection exception) and 57P (shut down, starting up). False for everything a
    retry would only repeat (syntax, constraint, serialization), and for SQLite, which is a file:
    its "unable to open" or "locked" is no outage that passes by itself.
    """
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, (OperationalError, InterfaceError)) or isinstance(error.orig, sqlite3.Error):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate is None or str(sqlstate).startswith(("08", "57P"))


def describe(error: BaseException) -> str:
    """The driver's own first line (`OperationalError: connection failed: ...`), for logs and rows."""
    original: Any = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return f"{type(original).__name__}: {lines[0][:300] if lines else ''}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for another database or an in-memory one."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def require_writable(url: str | None = None) -> None:
    """Stop at start when the SQLite database of `url` (default DATABASE_URL) cannot be written.

    Every entry point calls this before it opens the database (`python -m queries`, `python -m
    alerts`, `python -m dashboard`, gunicorn.conf.py): SQLite writes the file and its -wal and -shm
    files beside it, so a read-only disk would otherwise show as a traceback at the first write, or
    in a web worker as a page that never loads. The directory is probed by creating (and removing)
    a file in it, the database file by opening it for writing: permission bits alone would lie for
    root and say nothing of a read-only mount. Other databases are not checked here: a server's
    own permissions show at the first write with the server's message.
    """
    path = sqlite_path(url or database_url())
    if path is None:
        return
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / f".write-probe-{os.getpid()}"
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        probe.unlink()
        if path.exists():
            os.close(os.open(path, os.O_RDWR))
    except OSError as exc:
        where = Path(exc.filename) if exc.filename else directory
        if where.name.startswith(".write-probe-"):
            where = where.parent
        state = "read-only" if exc.errno == errno.EROFS else "not writable"
        raise DatabaseNotWritable(
            f"the SQLite database {path} cannot be written: {where} is {state} ({exc.strerror}); "
            "SQLite writes the database and its -wal/-shm files there: point DATABASE_URL at a "
            "writable directory or make this one writable"
        ) from exc
