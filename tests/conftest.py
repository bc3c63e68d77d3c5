"""Shared fixtures: a real SQLite file and a real PostgreSQL database for every DB test.

PostgreSQL comes from TEST_POSTGRES_URL (`.ci/run` starts a throwaway server and sets it). Without
it the PostgreSQL half skips with a reason, unless REQUIRE_POSTGRES=1, where it fails instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from queries.db import make_engine
from queries.migrate import upgrade
from queries.models import Base
from queries.settings import ClockPolicy
from queries.sla import Clock
from queries.workcalendar import load_calendar

DB_KINDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def clock() -> Clock:
    policy = ClockPolicy()
    return Clock(load_calendar(policy.overrides_file), policy)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating per test would be slow)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set")
        pytest.skip("no PostgreSQL server: set TEST_POSTGRES_URL (`.ci/run` does)")
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    name = f"test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
    upgrade(engine)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=DB_KINDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    """An empty database at the schema head, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "dossiers.sqlite"
        shutil.copy(sqlite_template, path)
        sqlite = make_engine(f"sqlite:///{path}")
        yield sqlite
        sqlite.dispose()
        return
    pg: Engine = request.getfixturevalue("postgres_engine")
    yield pg
    tables = ", ".join(f'"{t.name}"' for t in reversed(Base.metadata.sorted_tables))
    with pg.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
