"""Engines for the dossier database: the caller owns connections and transactions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, literal, select

from queries.settings import database_url


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for `url` (default: DATABASE_URL), with SQLite tuned for a dashboard.

    SQLite gets WAL (readers never wait for the importer), foreign keys on, a busy timeout so a
    writer waits instead of failing, and memory-mapped reads; its parent folder is created.
    """
    url = url or database_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def ping(conn: Connection) -> None:
    """One round trip to the server: the readiness probe's "is the database there"."""
    conn.execute(select(literal(1))).scalar_one()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.close()
