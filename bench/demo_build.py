"""Time `python -m queries demo` end to end: the hard limit is < 3 minutes for 1M dossiers on SQLite.

usage: .venv/bin/python bench/demo_build.py [--runs 3] [--dossiers N] [--until YYYY-MM-DD]
       .venv/bin/python bench/demo_build.py --postgres postgresql+psycopg://postgres@127.0.0.1:55432/postgres

Each run starts the CLI as a subprocess (interpreter start, imports, migration, generation, load,
index rebuild and ANALYZE all count) against a fresh SQLite file in a temporary directory, or a
fresh database created on the given PostgreSQL server and dropped afterwards. It prints each run's
wall-clock time, the median, and the size of the database on disk.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    args = _parser().parse_args()
    times: list[float] = []
    sizes: list[int] = []
    for run in range(1, args.runs + 1):
        target = _fresh_postgres(args.postgres) if args.postgres else _fresh_sqlite()
        with target as (url, size_of):
            seconds, last_line = _build(url, args)
            size = size_of()
        times.append(seconds)
        sizes.append(size)
        print(f"run {run}: {seconds:.1f} s, {size / 2**20:,.0f} MiB  ({last_line})", flush=True)
    median = statistics.median(times)
    print(f"median of {len(times)}: {median:.1f} s; database size {sizes[-1] / 2**20:,.0f} MiB")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--communes", type=int, default=95)
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--until", default="2026-03-13", help="fixed, so runs are comparable")
    parser.add_argument("--postgres", help="server URL: build in a fresh database there instead of SQLite")
    return parser


def _build(url: str, args: argparse.Namespace) -> tuple[float, str]:
    command = [
        sys.executable, "-m", "queries", "--database-url", url, "demo",
        "--communes", str(args.communes), "--months", str(args.months), "--dossiers", str(args.dossiers),
        "--seed", str(args.seed), "--until", args.until,
    ]  # fmt: skip
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"the demo build failed with exit code {result.returncode}")
    lines = result.stderr.strip().splitlines()
    return seconds, lines[-1] if lines else ""


@contextmanager
def _fresh_sqlite() -> Iterator[tuple[str, object]]:
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as folder:
        path = Path(folder) / "dossiers.sqlite"

        def size() -> int:
            return sum(p.stat().st_size for p in Path(folder).glob("dossiers.sqlite*"))

        yield f"sqlite:///{path}", size


@contextmanager
def _fresh_postgres(server: str) -> Iterator[tuple[str, object]]:
    name = f"demo_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def size() -> int:
        with admin.connect() as conn:
            return int(conn.execute(text("SELECT pg_database_size(:name)"), {"name": name}).scalar_one())

    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False), size
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
