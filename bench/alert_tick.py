"""Time one alert tick over a demo province, against merely selecting its open dossiers.

usage: .venv/bin/python bench/alert_tick.py --database-url URL [--now 2026-11-23T08:00]
                                            [--before 2026-11-20T17:00] [--repeat 3]

The database must hold a demo province (bench/callbacks.py builds the 1M one). Every official's
channel is set to the demo inbox (demo://, a local file: delivery runs through Apprise without a
network), then, --repeat times on an emptied outbox:

- cold: the first tick ever at --now (every at-risk dossier alerted at once: a first start);
- morning: a tick at --before (the previous afternoon), then the tick at --now: the alerts a
  working morning adds on top of what the scheduler already sent (the demo's dossiers do not move
  overnight, so these are the warnings that crossed their threshold and the digests);
- steady: the same tick again at --now + 5 min (evaluation only: nothing new to send).

Beside them, the time to select the open dossiers and their clock inputs (the floor a tick
cannot go under: issue 7's ratio). Prints medians and the alerts by rule of one morning tick.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select, text, update

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from alerts import jobs  # noqa: E402
from alerts.config import AlertConfig  # noqa: E402
from queries import migrate  # noqa: E402
from queries.clocking import clock_inputs  # noqa: E402
from queries.db import make_engine  # noqa: E402
from queries.models import AlertRow, Official  # noqa: E402
from queries.settings import ClockPolicy  # noqa: E402
from queries.sla import Clock  # noqa: E402
from queries.workcalendar import load_calendar  # noqa: E402

OWN_TABLES = ("alert_attempts", "alert_broken_channels", "alert_ticks")


def empty_outbox(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in OWN_TABLES:
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(update(AlertRow).values(parent_id=None))
        conn.execute(text("DELETE FROM alert_outbox"))


def timed(fn) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"  {seconds:.2f} s: {result}", file=sys.stderr)  # noqa: T201
    return seconds, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--now", default="2026-11-23T08:00")  # Monday (Tue 24/11 is a holiday)
    parser.add_argument("--before", default="2026-11-20T17:00")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    now, before = datetime.fromisoformat(args.now), datetime.fromisoformat(args.before)
    os.environ["DEMO_INBOX"] = str(Path(tempfile.mkdtemp()) / "inbox.jsonl")

    engine = make_engine(args.database_url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(update(Official).values(notify_urls="demo://" + Official.code))
        dossiers = conn.execute(text("SELECT count(*) FROM dossiers")).scalar()
    policy = ClockPolicy()
    ctx = jobs.Context(
        engine=engine,
        config=AlertConfig(),
        clock=Clock(load_calendar(policy.overrides_file), policy),
        secret="bench",
    )

    def select_open() -> int:
        with engine.connect() as conn:
            return sum(1 for _ in clock_inputs(conn, open_only=True))

    figures: dict[str, list[float]] = {
        "select open dossiers": [],
        "cold tick": [],
        "morning tick": [],
        "steady tick": [],
    }
    cold_sent = morning = 0
    by_rule: Counter[str] = Counter()
    open_count = 0
    for _ in range(args.repeat):
        seconds, open_count = timed(select_open)
        figures["select open dossiers"].append(seconds)
        empty_outbox(engine)
        seconds, counts = timed(lambda: jobs.tick(ctx, now))
        figures["cold tick"].append(seconds)
        cold_sent = counts.sent  # type: ignore[attr-defined]
        empty_outbox(engine)
        jobs.tick(ctx, before)
        with engine.connect() as conn:
            first_id = conn.execute(select(func.coalesce(func.max(AlertRow.id), 0))).scalar_one()
        seconds, counts = timed(lambda: jobs.tick(ctx, now))
        figures["morning tick"].append(seconds)
        morning = counts.enqueued  # type: ignore[attr-defined]
        with engine.connect() as conn:
            by_rule = Counter(
                dict(  # .all(): a CursorResult has keys(), dict() would take it for a mapping
                    conn.execute(
                        select(AlertRow.rule, func.count())
                        .where(AlertRow.id > first_id)
                        .group_by(AlertRow.rule)
                    ).all()
                )
            )
        seconds, _ = timed(lambda: jobs.tick(ctx, now + timedelta(minutes=5)))
        figures["steady tick"].append(seconds)

    print(f"# Alert tick on {dossiers:,} dossiers ({engine.dialect.name}), {open_count:,} open")  # noqa: T201
    print(f"\n{platform.platform()}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}\n")  # noqa: T201
    print("| step | median s | runs |")  # noqa: T201
    print("|---|---:|---|")  # noqa: T201
    for name, runs in figures.items():
        print(f"| {name} | {statistics.median(runs):.2f} | {' / '.join(f'{r:.2f}' for r in runs)} |")  # noqa: T201
    floor = statistics.median(figures["select open dossiers"])
    print(f"\nsteady tick / select open dossiers: {statistics.median(figures['steady tick']) / floor:.1f}x")  # noqa: T201
    print(f"cold tick sent {cold_sent:,} messages; the morning tick enqueued {morning:,}:")  # noqa: T201
    for rule, count in by_rule.most_common():
        print(f"- {rule}: {count:,}")  # noqa: T201


if __name__ == "__main__":
    main()
