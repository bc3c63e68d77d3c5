"""Command line of the alerting process: `python -m alerts COMMAND`.

run                     the long-running scheduler (one per deployment, beside gunicorn)
tick [--now ISO-TIME]   one full pass (evaluate, enqueue, deliver) and exit: cron, tests, operators
check-config            load the configuration file and report the first bad key
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alerts import config as alert_config
from alerts import jobs
from alerts import metrics as alert_metrics
from alerts.config import ConfigError
from queries import config_audit, logsetup, migrate
from queries.db import DatabaseNotWritable, make_engine, require_writable
from queries.settings import ClockPolicy, SettingsError, secret_key
from queries.sla import Clock
from queries.timeutil import parse_local, vn_now
from queries.workcalendar import load_calendar


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        logsetup.configure()
        config = alert_config.load(args.config)
        policy = ClockPolicy.from_env()
        endpoint = alert_metrics.endpoint_from_env() if args.command == "run" else None
        if args.command == "tick":
            alert_metrics.check_single_process()
    except (ConfigError, SettingsError) as exc:
        print(f"alerts: configuration error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    if args.command == "check-config":
        print("alerts: configuration OK")  # noqa: T201
        return 0
    try:
        require_writable(args.database_url)  # a read-only disk is one line here, not a traceback later
    except DatabaseNotWritable as exc:
        print(f"alerts: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    engine = make_engine(args.database_url)
    try:
        migrate.upgrade(engine)
        # Edits to the rules or the calendar since the last start go into the audit trail.
        config_audit.check_all(
            engine,
            [
                config_audit.rules_file(alert_config.config_path(args.config)),
                config_audit.calendar_file(policy.overrides_file),
            ],
            process="scheduler",
        )
        context = jobs.Context(
            engine=engine,
            config=config,
            clock=Clock(load_calendar(policy.overrides_file), policy),
            secret=secret_key(),
        )
        if args.command == "tick":
            counts = jobs.tick(context, parse_local(args.now) if args.now else vn_now())
            print(" ".join(f"{k}={v}" for k, v in vars(counts).items()))  # noqa: T201
            return 0
        from alerts.scheduler import run

        try:
            run(context, metrics_endpoint=endpoint)
        except SettingsError as exc:  # the metrics port is taken or cannot be bound
            print(f"alerts: {exc}", file=sys.stderr)  # noqa: T201
            return 2
        return 0
    finally:
        engine.dispose()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m alerts", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None, help="default: DATABASE_URL")
    parser.add_argument(
        "--config", type=Path, default=None, help="default: ALERTS_CONFIG or alerts/defaults.toml"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="the long-running scheduler")
    tick = sub.add_parser("tick", help="one full pass, then exit")
    tick.add_argument("--now", help="Vietnam local time to judge at, e.g. 2026-03-20T08:00 (default: now)")
    sub.add_parser("check-config", help="validate the alerting configuration")
    return parser


if __name__ == "__main__":
    sys.exit(main())
