"""`python -m dashboard users ...`: an administrator manages the accounts from the server's shell.

  add --username U --name "Full name" --role ROLE [--unit CODE] [--official CODE] [--sector CODE]...
      [--password-stdin | --no-password]
                      a new account (roles: admin, supervisor, chair, vice_chair, official)
  disable USERNAME    it can no longer sign in; its open sessions end at their next request
  enable USERNAME     it may sign in again (this also lifts a lockout after wrong passwords)
  reset USERNAME [--password-stdin]
                      a new password; ends its open sessions and lifts a lockout
  list                every account: role, unit, active, locked, last login (never a hash)

A password never comes from the command line, which other users see in `ps` and the shell keeps
in its history: it is asked twice at a prompt, or read from the first line of standard input
with --password-stdin (`printf '%s\\n' "$PW" | python -m dashboard users reset an`). An account
made with --no-password signs in only through the trusted header (single sign-on, docs/access.md).

Each change is written to the audit trail in the same transaction as the change itself (actor
"cli:<OS user>"): both are kept or neither. Exit code 0 when done, 2 when refused, with one line
saying why.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import datetime

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from queries import audit, users
from queries.db import DatabaseNotWritable, describe, make_engine, require_writable
from queries.settings import SettingsError
from queries.timeutil import vn_now
from queries.users import Account, UserError

PROG = "python -m dashboard users"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        require_writable(args.database_url)
        engine = make_engine(args.database_url)
    except (DatabaseNotWritable, SettingsError) as exc:
        return _refuse(str(exc))
    try:
        return _run(args, engine)
    except UserError as exc:
        return _refuse(str(exc))
    except SQLAlchemyError as exc:
        return _refuse(f"the database refused: {describe(exc)} (is it initialised? python -m queries init)")
    finally:
        engine.dispose()


def _run(args: argparse.Namespace, engine: Engine) -> int:
    actor = f"cli:{_os_user()}"
    moment = _now()
    if args.action == "list":
        with engine.connect() as conn:
            accounts = users.all_accounts(conn)
        _print_table(accounts, moment)
        return 0
    if args.action == "add":
        password = None if args.no_password else _new_password(args.password_stdin)
        with engine.begin() as conn:
            account = users.add(
                conn,
                username=args.username,
                display_name=args.name,
                role=args.role,
                password=password,
                now=moment,
                unit_code=args.unit,
                official_code=args.official,
                sectors=tuple(args.sector or ()),
            )
            _record(
                conn,
                actor,
                "user_added",
                account,
                moment,
                role=account.role,
                unit=account.unit_code,
                official=account.official_code,
                sectors=list(account.sectors),
                password=password is not None,
            )
        _say(f"account {account.username!r} added ({account.role}{_where(account)})")
        return 0
    if args.action == "reset":
        with engine.connect() as conn:
            _existing(conn, args.username)  # before asking for a password for nobody
        password = _new_password(args.password_stdin)
        with engine.begin() as conn:
            account = users.reset_password(conn, args.username, password, now=moment)
            _record(conn, actor, "password_reset", account, moment)
        _say(f"password of {account.username!r} reset; its open sessions are ended")
        return 0
    with engine.begin() as conn:
        before = _existing(conn, args.username)
        if args.action == "disable":
            if not before.active:
                _say(f"account {before.username!r} is already disabled")
                return 0
            account = users.set_active(conn, before.username, False)
            _record(conn, actor, "user_disabled", account, moment)
            _say(f"account {account.username!r} disabled; its open sessions are ended")
            return 0
        locked = _locked(before, moment)
        if before.active and not locked:
            _say(f"account {before.username!r} is already enabled")
            return 0
        account = users.set_active(conn, before.username, True)
        _record(conn, actor, "user_enabled", account, moment, was_active=before.active, unlocked=locked)
        _say(f"account {account.username!r} enabled" + (" and unlocked" if locked else ""))
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Accounts of the dashboard. Every change goes to the audit trail.",
        allow_abbrev=False,  # `--password SECRET` must not pass for `--password-stdin`
    )
    parser.add_argument("--database-url", help="default: DATABASE_URL or the embedded SQLite file")
    sub = parser.add_subparsers(dest="action", required=True)
    add = sub.add_parser("add", help="a new account", allow_abbrev=False)
    add.add_argument("--username", required=True, help="2-64 letters, digits, '.', '_', '@' or '-'")
    add.add_argument("--name", required=True, help="the person's full name, as the navbar shows it")
    add.add_argument("--role", required=True, choices=users.ROLES)
    add.add_argument("--unit", help="code of the unit (chair, vice_chair, official)")
    add.add_argument("--official", help="code of the official the account is (official; optional others)")
    add.add_argument(
        "--sector", action="append", help="a supervisor limited to this sector's code (repeatable)"
    )
    secret = add.add_mutually_exclusive_group()
    secret.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    secret.add_argument(
        "--no-password", action="store_true", help="no password: signs in only by single sign-on"
    )
    for name, text in (
        ("disable", "it can no longer sign in; its sessions end"),
        ("enable", "it may sign in again; lifts a lockout"),
    ):
        one = sub.add_parser(name, help=text)
        one.add_argument("username")
    reset = sub.add_parser("reset", help="a new password; its sessions end", allow_abbrev=False)
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    sub.add_parser("list", help="every account (never a password hash)")
    return parser


def _new_password(from_stdin: bool) -> str:
    """From the first line of stdin, or asked twice at a prompt that does not echo."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UserError("--password-stdin: standard input held no password")
    else:
        password = getpass.getpass("New password: ")
        if getpass.getpass("The same again: ") != password:
            raise UserError("the two passwords differ; nothing was changed")
    users.check_strength(password)
    return password


def _record(
    conn: Connection, actor: str, action: str, account: Account, at: datetime, **detail: object
) -> None:
    audit.record(
        conn,
        actor=actor,
        action=action,
        target=account.username,
        detail={key: value for key, value in detail.items() if value not in (None, [], ())} or None,
        address="cli",
        at=at,
    )


def _existing(conn: Connection, username: str) -> Account:
    account = users.find(conn, username)
    if account is None:
        raise UserError(f"no account {username!r} (python -m dashboard users list)")
    return account


def _locked(account: Account, moment: datetime) -> bool:
    return account.locked_until is not None and account.locked_until > moment


def _where(account: Account) -> str:
    parts = [f"unit {account.unit_code}" if account.unit_code else None]
    parts.append(f"official {account.official_code}" if account.official_code else None)
    parts.append(f"sectors {','.join(account.sectors)}" if account.sectors else None)
    shown = ", ".join(part for part in parts if part)
    return f", {shown}" if shown else ""


def _print_table(accounts: list[Account], moment: datetime) -> None:
    header = ("username", "name", "role", "unit", "official", "sectors", "active", "locked", "last login")
    rows = [
        (
            a.username,
            a.display_name,
            a.role,
            a.unit_code or "",
            a.official_code or "",
            ",".join(a.sectors),
            "yes" if a.active else "no",
            f"until {a.locked_until:%Y-%m-%d %H:%M}" if a.locked_until and _locked(a, moment) else "",
            f"{a.last_login_at:%Y-%m-%d %H:%M}" if a.last_login_at else "never",
        )
        for a in accounts
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())  # noqa: T201
    _say(f"{len(rows)} accounts")


def _now() -> datetime:
    """Vietnam time; DASHBOARD_NOW pins it as it does for the web app (dashboard/services.py), so
    the lockouts the app sets and the ones this lists are judged by the same clock."""
    pinned = os.environ.get("DASHBOARD_NOW")
    return datetime.fromisoformat(pinned) if pinned else vn_now()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        return f"uid{os.getuid()}"


def _say(message: str) -> None:
    print(message, file=sys.stderr)  # noqa: T201 - the command's report


def _refuse(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)  # noqa: T201
    return 2
