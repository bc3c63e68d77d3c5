"""Accounts: who may sign in, with which role, linked to which unit, official or sectors.

Passwords are hashed with scrypt (Werkzeug's default, a memory-hard current algorithm); the
plain text is never stored or logged. Repeated failures lock the account for a while
(`LOCK_AFTER` failures, `LOCK_MINUTES`), and the audit trail counts failures per address
(dashboard/auth.py brakes an address that guesses across many accounts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, insert, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from queries.models import Official, Sector, Unit, User
from queries.scope import Role, Scope

ROLES = ("admin", "supervisor", "chair", "vice_chair", "official")
LOCK_AFTER = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 10
#: Checked against when the username is unknown, so a wrong name costs the same time as a wrong
#: password and the timing does not tell which accounts exist.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


class UserError(ValueError):
    """A request the accounts cannot take (unknown unit, weak password...), said plainly."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    role: str
    unit_code: str | None
    official_code: str | None
    sectors: tuple[str, ...]
    active: bool
    demo: bool
    failed_logins: int
    locked_until: datetime | None
    password_changed_at: datetime | None
    last_login_at: datetime | None
    has_password: bool

    @property
    def scope(self) -> Scope:
        role = Role.CHAIR if self.role == "vice_chair" else Role(self.role)
        return Scope(role, unit=self.unit_code, official=self.official_code, sectors=self.sectors)


LoginOutcome = Literal["ok", "unknown", "bad_password", "locked", "disabled", "no_password"]


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    account: Account | None = None
    locked_until: datetime | None = None


def _select():  # type: ignore[no-untyped-def]
    return (
        select(*User.__table__.c, Unit.code.label("unit_code"), Official.code.label("official_code"))
        .outerjoin(Unit, Unit.id == User.unit_id)
        .outerjoin(Official, Official.id == User.official_id)
    )


def _account(row) -> Account:  # type: ignore[no-untyped-def]
    user = row
    return Account(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        unit_code=row.unit_code,
        official_code=row.official_code,
        sectors=tuple(code for code in (user.sectors or "").split(",") if code),
        active=bool(user.active),
        demo=bool(user.demo),
        failed_logins=user.failed_logins,
        locked_until=user.locked_until,
        password_changed_at=user.password_changed_at,
        last_login_at=user.last_login_at,
        has_password=bool(user.password_hash),
    )


def find(conn: Connection, username: str) -> Account | None:
    row = conn.execute(_select().where(User.username == username.strip().lower())).first()
    return _account(row) if row else None


def by_id(conn: Connection, user_id: int) -> Account | None:
    row = conn.execute(_select().where(User.id == user_id)).first()
    return _account(row) if row else None


def all_accounts(conn: Connection) -> list[Account]:
    return [_account(row) for row in conn.execute(_select().order_by(User.role, User.username))]


def add(
    conn: Connection,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str | None,
    now: datetime,
    unit_code: str | None = None,
    official_code: str | None = None,
    sectors: tuple[str, ...] = (),
    demo: bool = False,
) -> Account:
    """Create an account; every link is checked so a typo is an error, not a user who sees nothing."""
    name = username.strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9._@-]{1,63}", name):
        raise UserError(f"username {username!r}: 2-64 letters, digits, '.', '_', '@' or '-'")
    if role not in ROLES:
        raise UserError(f"role {role!r}: must be one of {', '.join(ROLES)}")
    if find(conn, name) is not None:
        raise UserError(f"username {name!r} is taken")
    unit_id = official_id = None
    if unit_code is not None:
        unit_id = conn.execute(select(Unit.id).where(Unit.code == unit_code)).scalar()
        if unit_id is None:
            raise UserError(f"unit {unit_code!r} is not in the database")
    if official_code is not None:
        found = conn.execute(
            select(Official.id, Official.unit_id).where(Official.code == official_code)
        ).first()
        if found is None:
            raise UserError(f"official {official_code!r} is not in the database")
        official_id = found.id
        if unit_id is None and role in ("chair", "vice_chair", "official"):
            unit_id = found.unit_id
        elif unit_id is not None and found.unit_id != unit_id:
            raise UserError(f"official {official_code!r} does not belong to unit {unit_code!r}")
    if role in ("chair", "vice_chair", "official") and unit_id is None:
        raise UserError(f"a {role} account needs --unit (or --official of that unit)")
    if role == "official" and official_id is None:
        raise UserError("an official account needs --official (the official's code)")
    if role in ("admin", "supervisor") and unit_id is not None:
        raise UserError(f"a {role} account sees the whole province: give no unit")
    if sectors:
        if role != "supervisor":
            raise UserError("only a supervisor's account is limited to sectors")
        known = set(conn.execute(select(Sector.code).where(Sector.code.in_(sectors))).scalars())
        if unknown := [code for code in sectors if code not in known]:
            raise UserError(f"sector {unknown[0]!r} is not in the database")
    if password is not None:
        check_strength(password)
    conn.execute(
        insert(User).values(
            username=name,
            display_name=display_name.strip() or name,
            password_hash=generate_password_hash(password) if password else None,
            role=role,
            unit_id=unit_id,
            official_id=official_id,
            sectors=",".join(sectors),
            active=True,
            demo=demo,
            failed_logins=0,
            created_at=now,
            password_changed_at=now if password else None,
        )
    )
    account = find(conn, name)
    assert account is not None
    return account


def check_strength(password: str) -> None:
    """Length is what makes a password strong (NIST SP 800-63B); no composition rules."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    if password.strip() != password or not password.isprintable():
        raise UserError("a password cannot start or end with spaces or hold control characters")


def set_active(conn: Connection, username: str, active: bool) -> Account:
    account = _existing(conn, username)
    conn.execute(
        update(User).where(User.id == account.id).values(active=active, failed_logins=0, locked_until=None)
    )
    return _existing(conn, username)


def reset_password(conn: Connection, username: str, password: str, *, now: datetime) -> Account:
    """A new password also unlocks the account and ends its open sessions (their stamp changes)."""
    account = _existing(conn, username)
    check_strength(password)
    conn.execute(
        update(User)
        .where(User.id == account.id)
        .values(
            password_hash=generate_password_hash(password),
            password_changed_at=now,
            failed_logins=0,
            locked_until=None,
        )
    )
    return _existing(conn, username)


def authenticate(conn: Connection, username: str, password: str, *, now: datetime) -> LoginResult:
    """Check a password and keep the failure count: LOCK_AFTER failures lock the account."""
    name = username.strip().lower()
    row = conn.execute(select(*User.__table__.c).where(User.username == name)).first()
    if row is None:
        check_password_hash(_DUMMY_HASH, password)
        return LoginResult("unknown")
    account = by_id(conn, row.id)
    if not row.active:
        return LoginResult("disabled", account)
    if row.locked_until is not None and row.locked_until > now:
        return LoginResult("locked", account, row.locked_until)
    if not row.password_hash:
        return LoginResult("no_password", account)
    if check_password_hash(row.password_hash, password):
        conn.execute(
            update(User)
            .where(User.id == row.id)
            .values(failed_logins=0, locked_until=None, last_login_at=now)
        )
        return LoginResult("ok", by_id(conn, row.id))
    failures = row.failed_logins + 1
    locked_until = now + timedelta(minutes=LOCK_MINUTES) if failures >= LOCK_AFTER else None
    conn.execute(
        update(User)
        .where(User.id == row.id)
        .values(failed_logins=0 if locked_until else failures, locked_until=locked_until)
    )
    if locked_until:
        return LoginResult("locked", account, locked_until)
    return LoginResult("bad_password", account)


def verifies(conn: Connection, username: str, password: str) -> bool:
    """Whether the password is (still) this account's, without touching its failure count."""
    found = conn.execute(select(User.password_hash).where(User.username == username)).scalar()
    return bool(found) and check_password_hash(found, password)


def _existing(conn: Connection, username: str) -> Account:
    account = find(conn, username)
    if account is None:
        raise UserError(f"no account {username!r}")
    return account
