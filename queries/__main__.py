"""Command line for the dossier database: `python -m queries COMMAND`.

init                      upgrade the database in DATABASE_URL to the schema head
demo [--communes N] ...   fill an empty database with a realistic demo province
import FILE --kind KIND   import a one-stop export (national sync field names)
export dossiers --as-of   write the clock's verdicts as CSV to stdout
recompute-dues            re-clock open dossiers after the calendar overrides changed
rollups rebuild|refresh   recompute the per-day rollups wholly, or what changed since the last run
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Engine

from queries import migrate
from queries.db import DatabaseNotWritable, make_engine, require_writable
from queries.settings import ClockPolicy
from queries.sla import Clock
from queries.timeutil import parse_local, vn_now
from queries.workcalendar import load_calendar


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    policy = ClockPolicy.from_env()
    clock = Clock(load_calendar(policy.overrides_file), policy)
    try:
        require_writable(args.database_url)  # a read-only disk is one line here, not a traceback later
    except DatabaseNotWritable as exc:
        _say(f"queries: {exc}")
        return 2
    engine = make_engine(args.database_url)
    try:
        return _run(args, engine, clock)
    finally:
        engine.dispose()


def _demo_accounts(engine: Engine) -> None:
    """Make the demo's accounts (once, and only on the demo province) and say how to sign in."""
    from queries import demo_accounts

    with engine.begin() as conn:
        if demo_accounts.is_demo(conn):
            demo_accounts.create(conn, now=vn_now())
        shown = demo_accounts.shown_on_login(conn)
    if shown:
        names = ", ".join(f"{a.username} ({a.role})" for a in shown)
        _say(f"demo accounts, password {demo_accounts.DEMO_PASSWORD}: {names}")


def _shown_url() -> Callable[[str], str] | None:
    """How the audit trail names a notification URL: as the dashboard shows it, in Apprise's
    privacy form. The one place `queries` reaches for the alerting package (and Apprise), lazily,
    for the officials import only; without it the importer records a fingerprint."""
    try:
        from alerts.delivery import shown
    except ImportError:  # pragma: no cover - a deployment without the alerting package
        return None
    return shown


def _run(args: argparse.Namespace, engine: Engine, clock: Clock) -> int:
    if args.command != "init":
        migrate.upgrade(engine)
    if args.command == "init":
        migrate.upgrade(engine)
        _say(f"database at schema head: {engine.url.render_as_string(hide_password=True)}")
        return 0
    if args.command == "demo":
        from queries.demo import generate

        if not migrate.is_empty(engine):
            if not args.if_empty:
                _say("the database already holds units; the demo fills only an empty database")
                return 1
            _say("database already filled; demo skipped")
            _build_rollups_once(engine)
            _demo_accounts(engine)
            return 0
        until = date.fromisoformat(args.until) if args.until else vn_now().date()
        generate(
            engine,
            clock=clock,
            communes=args.communes,
            months=args.months,
            dossiers=args.dossiers,
            seed=args.seed,
            until=until,
            progress=_say,
        )
        _demo_accounts(engine)
        return 0
    if args.command == "import":
        from queries.importer import import_csv

        report = import_csv(
            engine,
            Path(args.file),
            args.kind,
            clock=clock,
            reject_path=Path(args.rejects) if args.rejects else None,
            now=vn_now(),
            shown_url=_shown_url() if args.kind == "officials" else None,
        )
        _say(report.summary())
        for warning in report.warnings[:10]:
            _say(f"  {warning}")
        if len(report.warnings) > 10:
            _say(f"  … {len(report.warnings) - 10} more")
        return 0 if report.ok else 2
    if args.command == "export":
        from queries.exporter import export_dossiers
        from queries.scope import Scope

        as_of = parse_local(args.as_of) if args.as_of else vn_now()
        with engine.connect() as conn:
            # The operator at the command line reads the whole province (no login there).
            count = export_dossiers(
                conn, clock, as_of=as_of, unit_code=args.unit, out=sys.stdout, scope=Scope.province()
            )
        _say(f"{count} dossiers exported")
        return 0
    if args.command == "recompute-dues":
        from queries.clocking import recompute_open_dues

        with engine.begin() as conn:
            changed = recompute_open_dues(conn, clock)
        for code, old, new in changed:
            print(f"{code}\t{_iso(old)}\t{_iso(new)}")  # noqa: T201 - the report is the output
        _say(f"{len(changed)} open dossiers changed due")
        return 0
    if args.command == "rollups":
        from queries import rollups

        with engine.begin() as conn:
            if args.action == "rebuild":
                report = rollups.rebuild(conn)
            else:
                report = rollups.refresh_changed(conn, since=parse_local(args.since) if args.since else None)
        _say(report.summary())
        return 0
    raise AssertionError(args.command)


def _build_rollups_once(engine: Engine) -> None:
    """A database filled before the rollups existed gets them here (`make run` passes by)."""
    from queries import rollups

    with engine.begin() as conn:
        if not rollups.is_built(conn):
            _say(rollups.rebuild(conn).summary())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m queries", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL or the embedded SQLite file")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="upgrade the database to the schema head")
    demo = sub.add_parser("demo", help="fill an empty database with a demo province")
    demo.add_argument("--communes", type=int, default=95)
    demo.add_argument("--months", type=int, default=18)
    demo.add_argument("--dossiers", type=int, default=None, help="default: ~600 per commune per month")
    demo.add_argument("--seed", type=int, default=2025)
    demo.add_argument("--until", help="last day of the demo (YYYY-MM-DD); default: today in Vietnam")
    demo.add_argument("--if-empty", action="store_true", help="succeed quietly when already filled")
    imp = sub.add_parser("import", help="import a CSV export")
    imp.add_argument("file")
    imp.add_argument(
        "--kind", required=True, choices=["units", "procedures", "officials", "dossiers", "steps", "ratings"]
    )
    imp.add_argument("--rejects", help="reject file (default: FILE.rejects.csv beside the input)")
    exp = sub.add_parser("export", help="export the clock's verdicts as CSV")
    exp.add_argument("what", choices=["dossiers"])
    exp.add_argument("--as-of", help="ISO time; naive = Vietnam time (default: now)")
    exp.add_argument("--unit", help="MaDonVi of one unit")
    sub.add_parser("recompute-dues", help="re-clock open dossiers after a calendar override")
    roll = sub.add_parser("rollups", help="the per-day rollups behind the period figures")
    roll.add_argument(
        "action",
        choices=["rebuild", "refresh"],
        help="rebuild: recompute every row; refresh: only the slices changed since the last run",
    )
    roll.add_argument(
        "--since", help="refresh: dossiers updated after this ISO time (default: the watermark)"
    )
    return parser


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(sep=" ") if moment else ""


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)  # noqa: T201 - progress goes to stderr


if __name__ == "__main__":
    sys.exit(main())
