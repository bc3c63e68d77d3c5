"""Shared fixtures: a real SQLite file and a real PostgreSQL database for every DB test.

PostgreSQL comes from TEST_POSTGRES_URL (`.ci/run` starts a throwaway server and sets it). Without
it the PostgreSQL half skips with a reason, unless REQUIRE_POSTGRES=1, where it fails instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.engine import make_url

from queries.db import make_engine
from queries.filters import Filters
from queries.migrate import upgrade
from queries.models import Base, Rating
from queries.scope import Scope
from queries.settings import ClockPolicy
from queries.sla import Clock
from queries.workcalendar import load_calendar
from tests.factories import add_dossier, add_official, add_procedure, add_sector, add_unit

DB_KINDS = ["sqlite", "postgresql"]
NOW = datetime(2026, 3, 20, 10)
CUTOFF = datetime(2026, 3, 24, 23, 59, 59)  # end of the 2nd working day after Fri 20/3
MARCH = Filters(start=date(2026, 3, 1), end=date(2026, 3, 31), preset="month")
PROVINCE = Scope.province()  # what a test reads unless it says whose view it is


@contextmanager
def callback_request(lang: str = "vi", scope: Scope = PROVINCE) -> Iterator[None]:
    """A request like the one Dash runs a callback in, with `scope` as the signed-in user's
    (dashboard/access.py): callbacks and layouts can then be called directly, without a login."""
    import dashboard.app  # only the tests that call callbacks pay for the app's import
    from dashboard.access import use_scope

    with dashboard.app.server.test_request_context("/", headers={"Cookie": f"lang={lang}"}):
        use_scope(scope)
        yield


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
        # The audit trail refuses TRUNCATE (migration 0006); a test database may bypass its trigger.
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def two_communes(engine: Engine, clock: Clock) -> dict[str, int]:
    with engine.begin() as conn:
        a = add_unit(conn, "10001", "Xã A")
        b = add_unit(conn, "10002", "Phường B", level="ward")
        civil = add_sector(conn, "HT", "Hộ tịch")
        land = add_sector(conn, "DD", "Đất đai", heavy=True)
        temp = add_procedure(conn, civil, "1.004194", value=3, fee=15000)
        plot = add_procedure(conn, land, "DD.1", value=20)
        handler = add_official(conn, a, "CB-A1", name="Nguyễn Văn An")

        def dossier(code: str, unit: int, proc: int, sector: int, received: datetime, **kw) -> int:  # type: ignore[no-untyped-def]
            return add_dossier(
                conn,
                clock,
                code=code,
                unit_id=unit,
                procedure_id=proc,
                sector_id=sector,
                received_at=received,
                time_value=20 if proc == plot else 3,
                handler_id=handler if unit == a else None,
                **kw,
            )

        # Unit A, March: 1 early, 1 on time, 1 late, 1 open overdue, 1 open due soon, 1 paused.
        early = dossier(
            "A1",
            a,
            temp,
            civil,
            datetime(2026, 3, 2, 9),
            status="returned",
            finished_at=datetime(2026, 3, 3, 9),
            channel="online",
            paid_online=True,
            digitized_components=True,
            digitized_result=True,
        )
        dossier(
            "A2",
            a,
            temp,
            civil,
            datetime(2026, 3, 2, 9),
            status="completed",
            finished_at=datetime(2026, 3, 5, 16),
        )
        late = dossier(
            "A3",
            a,
            temp,
            civil,
            datetime(2026, 3, 2, 9),
            status="returned",
            finished_at=datetime(2026, 3, 9, 9),
        )
        dossier("A4", a, temp, civil, datetime(2026, 3, 12, 9))  # due Tue 17/3: overdue on 20/3
        dossier("A5", a, plot, land, datetime(2026, 2, 20, 9))  # 20 WD: due Mon 23/3: due soon
        dossier(
            "A6",
            a,
            temp,
            civil,
            datetime(2026, 3, 16, 9),
            status="awaiting_supplement",
            pauses=((datetime(2026, 3, 17, 9), None),),
        )
        # Unit B: one February dossier finished in March (counts as resolved, not received), one open.
        dossier(
            "B1",
            b,
            plot,
            land,
            datetime(2026, 2, 26, 9),
            status="completed",
            finished_at=datetime(2026, 3, 4, 9),
            channel="online",
        )
        dossier("B2", b, plot, land, datetime(2026, 3, 18, 9), channel="postal")
        conn.execute(
            insert(Rating),
            [
                dict(dossier_id=early, score=5, rated_at=datetime(2026, 3, 3, 10), comment=None),
                dict(dossier_id=late, score=2, rated_at=datetime(2026, 3, 9, 10), comment="Trễ hẹn"),
            ],
        )
    return {"a": a, "b": b, "civil": civil, "land": land, "handler": handler}


@pytest.fixture
def dashboard_db(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The dashboard reading `engine`, with 'now' pinned to NOW and an empty cache."""
    from dashboard import services

    monkeypatch.setenv("DASHBOARD_NOW", NOW.isoformat())
    services.use_engine(engine)
    yield engine
    services.use_engine(None)
