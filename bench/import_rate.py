"""How fast does `python -m queries import --kind dossiers` load a province's export?

Generates a 100,000-row dossier CSV (plus the units, procedures and officials it refers to),
imports it into a fresh SQLite database and into a fresh PostgreSQL database, and prints the
dossier rows per second (median of 3 runs each), next to:

- a re-import of the same file (every row compared and found unchanged: nothing written), and
- a bare SQLAlchemy Core `conn.execute(insert(Dossier), rows)` executemany of the very rows the
  importer stored, into the same table of an equally fresh database: the floor the importer's
  parsing, validation, clocking and upserting add to.

usage: python bench/import_rate.py [--rows 100000] [--runs 3] [--postgres-url URL] [--keep DIR]
       (PostgreSQL defaults to TEST_POSTGRES_URL; without one only SQLite is measured)
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from queries.db import make_engine  # noqa: E402
from queries.domain import TIME_UNIT_CODES  # noqa: E402
from queries.importer import import_csv  # noqa: E402
from queries.migrate import upgrade  # noqa: E402
from queries.models import Dossier  # noqa: E402
from queries.settings import ClockPolicy  # noqa: E402
from queries.sla import Clock  # noqa: E402
from queries.workcalendar import load_calendar  # noqa: E402

REFERENCE_KINDS = ("units", "procedures", "officials")
TIME_UNITS = {code: str(unit) for code, unit in TIME_UNIT_CODES.items()}
NOW = datetime(2026, 3, 31, 17, 0)
# (code, name, sector, time value, unit, share of dossiers): a commune PASC's mix (domain.md 5.4)
PROCEDURES = [
    ("2.000815", "Chứng thực bản sao từ bản chính", "CT", "", "trong_ngay", 0.45),
    ("2.000884", "Chứng thực chữ ký", "CT", "", "trong_ngay", 0.10),
    ("1.001193", "Đăng ký khai sinh", "HT", "", "trong_ngay", 0.08),
    ("1.004873", "Xác nhận tình trạng hôn nhân", "HT", "3", "ngay_lam_viec", 0.08),
    ("1.004194", "Đăng ký tạm trú", "CUTRU", "3", "ngay_lam_viec", 0.10),
    ("1.004222", "Đăng ký thường trú", "CUTRU", "7", "ngay_lam_viec", 0.06),
    ("1.003677", "Khai báo tạm vắng", "CUTRU", "8", "gio", 0.04),
    ("XD.01", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "XD", "15", "ngay", 0.04),
    ("DD.01", "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất lần đầu", "DD", "20", "ngay_lam_viec", 0.05),
]
SECTORS = {"CT": "Chứng thực", "HT": "Hộ tịch", "CUTRU": "Cư trú", "XD": "Xây dựng", "DD": "Đất đai"}
COMMUNES = 50
DOSSIER_HEADER = [
    "MaHoSo",
    "MaDonVi",
    "MaTTHC",
    "KenhThucHien",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTra",
    "TrangThaiHoSoId",
    "MaCanBoXuLy",
    "NgayYeuCauBoSung",
    "NgayCongDanBoSung",
    "HoSoCoThanhPhanSoHoa",
    "DaSoHoaKetQua",
    "DuocThanhToanTrucTuyen",
]


# --- the files -------------------------------------------------------------------------------------
def write_csv(path: Path, header: list[str], rows: Iterator[list[str]] | list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def generate(folder: Path, rows: int, clock: Clock, seed: int = 2026) -> dict[str, Path]:
    """The reference files and a dossier export of `rows` rows, deterministic for a seed."""
    rng = random.Random(seed)
    paths = {kind: folder / f"{kind}.csv" for kind in (*REFERENCE_KINDS, "dossiers")}
    communes = [f"99{number:03d}" for number in range(1, COMMUNES + 1)]
    write_csv(
        paths["units"],
        ["MaDonVi", "TenDonVi", "CapDonVi", "MaDonViCha"],
        [["99", "Tỉnh Mẫu", "tinh", ""]] + [[code, f"Xã số {code}", "xa", "99"] for code in communes],
    )
    write_csv(
        paths["procedures"],
        ["MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "ThoiGianGiaiQuyet", "DonViTinh"],
        [
            [code, name, sector, SECTORS[sector], value, unit]
            for code, name, sector, value, unit, _ in PROCEDURES
        ],
    )
    officials = {code: [f"CB{code}{n}" for n in range(4)] for code in communes}
    write_csv(
        paths["officials"],
        ["MaCanBo", "HoTen", "MaDonVi", "VaiTro"],
        [
            [official, f"Cán bộ {official}", code, "xu_ly"]
            for code in communes
            for official in officials[code]
        ],
    )
    write_csv(
        paths["dossiers"], DOSSIER_HEADER, (_dossier(rng, n, communes, officials, clock) for n in range(rows))
    )
    return paths


def _dossier(
    rng: random.Random, number: int, communes: list[str], officials: dict[str, list[str]], clock: Clock
) -> list[str]:
    """One row: received over ~8 months, most finished, some supplemented; 70 % carry NgayHenTra."""
    unit = rng.choice(communes)
    code, _, _, value, time_unit, _ = rng.choices(PROCEDURES, weights=[p[5] for p in PROCEDURES])[0]
    received = datetime(2025, 8, 1, 8, 0) + timedelta(days=rng.randrange(240), minutes=rng.randrange(540))
    received = received if received.weekday() < 5 else received - timedelta(days=received.weekday() - 4)
    span = {"trong_ngay": 0.3, "gio": 0.5}.get(time_unit, float(value or 1) * 1.2)
    finished = received + timedelta(days=rng.uniform(0.05, span * 1.4))
    requested = supplied = ""
    roll = rng.random()
    if roll < 0.08:
        requested = _iso(received + timedelta(hours=rng.randrange(2, 30)))
        if roll < 0.07:
            supplied = _iso(datetime.fromisoformat(requested) + timedelta(days=rng.randrange(1, 6)))
    state = _state(rng, received, requested, supplied)
    finished_text = _iso(finished) if state in ("7", "9", "10") else ""
    returned = _iso(finished + timedelta(hours=rng.randrange(1, 48))) if state == "10" else ""
    appointment = ""
    if rng.random() < 0.7 and state not in ("1", "3"):
        appointment = (
            clock.statutory_due(received, TIME_UNITS[time_unit], float(value or 0)).date().isoformat()
        )
    return [
        f"H99.{unit}-{received:%y%m%d}-{number:06d}",
        unit,
        code,
        rng.choice("1112223"),
        "" if state == "1" else _iso(received),
        appointment,
        finished_text,
        returned,
        state,
        rng.choice(officials[unit]),
        requested,
        supplied,
        rng.choice("01"),
        rng.choice("01"),
        rng.choice("0012"),
    ]


def _state(rng: random.Random, received: datetime, requested: str, supplied: str) -> str:
    if requested and not supplied:
        return "5"
    if received > NOW - timedelta(days=14):
        return rng.choice("2444")
    return rng.choices(["10", "9", "7", "8", "1", "3", "4"], weights=[70, 20, 1, 1, 1, 1, 6])[0]


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


# --- the databases ---------------------------------------------------------------------------------
@contextmanager
def fresh_sqlite(folder: Path) -> Iterator[Engine]:
    path = folder / f"bench-{uuid.uuid4().hex[:8]}.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def fresh_postgres(url: str) -> Iterator[Engine]:
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


# --- the measurements ------------------------------------------------------------------------------
def load_references(engine: Engine, paths: dict[str, Path], clock: Clock) -> None:
    for kind in REFERENCE_KINDS:
        report = import_csv(engine, paths[kind], kind, clock=clock, reject_path=None, now=NOW)
        assert report.ok, report.summary()


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def measure(
    fresh: Callable[[], Any], paths: dict[str, Path], clock: Clock, runs: int
) -> dict[str, list[float]]:
    """Seconds per run for: import into an empty table (wall clock, and this process's CPU time),
    re-import (unchanged), bare executemany."""
    seconds: dict[str, list[float]] = {"import": [], "import_cpu": [], "reimport": [], "executemany": []}
    stored: list[dict[str, Any]] = []
    for _ in range(runs):
        with fresh() as engine:
            load_references(engine, paths, clock)

            def run() -> Any:
                return import_csv(
                    engine, paths["dossiers"], "dossiers", clock=clock, reject_path=None, now=NOW
                )

            cpu = time.process_time()
            elapsed, report = timed(run)
            seconds["import_cpu"].append(time.process_time() - cpu)
            assert report.ok and report.inserted == report.rows_read, report.summary()
            seconds["import"].append(elapsed)
            elapsed, report = timed(run)
            assert report.unchanged == report.rows_read, report.summary()
            seconds["reimport"].append(elapsed)
            if not stored:
                with engine.connect() as conn:
                    columns = [column for column in Dossier.__table__.c if column.name != "id"]
                    stored = [dict(row) for row in conn.execute(select(*columns)).mappings()]
        with fresh() as engine:
            load_references(engine, paths, clock)
            start = time.perf_counter()
            bare_insert(engine, stored)
            seconds["executemany"].append(time.perf_counter() - start)
    return seconds


def bare_insert(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """What SQLAlchemy Core alone costs: executemany of ready-made dicts, one transaction."""
    with engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(Dossier), rows[start : start + 5000])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_POSTGRES_URL"))
    parser.add_argument("--keep", type=Path, help="write the generated files here and keep them")
    args = parser.parse_args(argv)
    policy = ClockPolicy()
    clock = Clock(load_calendar(policy.overrides_file), policy)
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        seconds, paths = timed(lambda: generate(folder, args.rows, clock))
        print(f"generated {args.rows:,} dossier rows in {seconds:.1f} s ({paths['dossiers']})")
        engines: list[tuple[str, Callable[[], Any]]] = [("SQLite", lambda: fresh_sqlite(Path(scratch)))]
        if args.postgres_url:
            engines.append(("PostgreSQL", lambda: fresh_postgres(args.postgres_url)))
        else:
            print("no PostgreSQL URL (--postgres-url or TEST_POSTGRES_URL): PostgreSQL skipped")
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        print(
            "\n| engine | import rows/s | import rows per CPU-s of this process "
            "| re-import (unchanged) rows/s "
            "| bare Core executemany rows/s |"
        )
        print("|---|---:|---:|---:|---:|")
        for name, fresh in engines:
            result = measure(fresh, paths, clock, args.runs)
            rates = {key: args.rows / statistics.median(values) for key, values in result.items()}
            keys = ("import", "import_cpu", "reimport", "executemany")
            print(f"| {name} | {' | '.join(f'{rates[key]:,.0f}' for key in keys)} |", flush=True)
        print(f"\nmedian of {args.runs} runs each, {args.rows:,} rows, one transaction per file")
        print(f"load average after: {os.getloadavg()[0]:.2f} (SQLite works in this process, so its CPU rate")
        print("is what a quiet machine would show; PostgreSQL's server CPU is not in that column)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
