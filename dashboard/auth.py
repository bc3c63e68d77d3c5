"""Sign-in: accounts, the login page, the gate in front of every route, and the session rules.

- Every route needs a signed-in user except the login page, static assets, the health and metrics
  endpoints, and acknowledgement links (the signed token is the recipient's capability there).
  A page asked for without a session redirects to /login; a callback or API call gets 401.
- The session cookie is HttpOnly and SameSite=Lax, Secure when COOKIE_SECURE=1 (behind HTTPS,
  docs/deploy.md), and ends after SESSION_IDLE_MINUTES without a request (default 30). Resetting a
  password or disabling an account ends that account's sessions at their next request.
- Guessing is braked twice: LOCK_AFTER failures lock an account for LOCK_MINUTES (queries/users.py),
  and an address with LOGIN_ADDRESS_LIMIT failures in LOCK_MINUTES gets 429 for any account.
  Every attempt, good or bad, is in the audit trail.
- Optional single sign-on (docs/access.md): with AUTH_TRUSTED_HEADER set, a request from an address
  in AUTH_TRUSTED_PROXIES carrying that header is signed in as the account it names.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlparse

from flask import Flask, Response, abort, g, redirect, request, session
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError

from dashboard import plain_pages
from dashboard.access import client_address
from dashboard.i18n import current_lang, t
from dashboard.services import engine, now
from queries import audit, users
from queries.db import is_unreachable
from queries.scope import Scope
from queries.settings import env_int
from queries.users import Account

log = logging.getLogger(__name__)

#: Paths anyone may open: the login itself, what its page needs, probes, and acknowledgement links.
OPEN_PREFIXES = (
    "/login",
    "/assets/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/alerts/ack/",
    "/lang/",
    "/_favicon",
)
LOGIN_ADDRESS_LIMIT = 20

PAGE_HEADERS = {"Cache-Control": "no-store"}


class SessionUser(UserMixin):
    """The signed-in account as Flask-Login holds it for one request."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.id = str(account.id)

    @property
    def scope(self) -> Scope:
        return self.account.scope


def install(server: Flask) -> None:
    """Wire the login manager, the session rules, the login routes and the gate into the server."""
    idle = env_int("SESSION_IDLE_MINUTES", 30, low=1, high=24 * 60)
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("COOKIE_SECURE", "0") == "1",
        SESSION_COOKIE_NAME="motcua_session",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=idle),
        SESSION_REFRESH_EACH_REQUEST=True,
        REMEMBER_COOKIE_DURATION=timedelta(seconds=0),
    )
    manager = LoginManager()
    manager.session_protection = "basic"
    manager.user_loader(_load_user)
    manager.unauthorized_handler(_unauthorized)
    manager.init_app(server)
    server.add_url_rule("/login", "login", login_page, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", logout, methods=["POST"])
    server.before_request(gate)


def _load_user(user_id: str) -> SessionUser | None:
    """The account behind a session, while it is active and its password unchanged since login.

    While the database cannot be reached, the session is taken as it was signed in (its signed
    cookie names the account and its scope): nothing can be read anyway, and the pages must still
    open to show the outage banner that reloads them once the database is back."""
    try:
        number = int(user_id)
    except ValueError:
        return None
    try:
        with engine().connect() as conn:
            account = users.by_id(conn, number)
    except SQLAlchemyError as error:
        if not is_unreachable(error):
            raise
        log.warning("session taken as signed in: the database cannot be reached")
        return _remembered(number)
    if account is None or not account.active:
        return None
    if session.get("stamp") != _stamp(account):
        return None
    return SessionUser(account)


def _remembered(number: int) -> SessionUser | None:
    """The account as the session remembers it from the sign-in (see `_load_user`)."""
    who = session.get("who")
    if not isinstance(who, list) or len(who) != 6:
        return None
    username, name, role, unit, official, sectors = who
    account = Account(
        id=number,
        username=username,
        display_name=name,
        role=role,
        unit_code=unit,
        official_code=official,
        sectors=tuple(sectors),
        active=True,
        demo=False,
        failed_logins=0,
        locked_until=None,
        password_changed_at=None,
        last_login_at=None,
        has_password=True,
    )
    return SessionUser(account)


def _stamp(account: Account) -> str:
    return account.password_changed_at.isoformat() if account.password_changed_at else "-"


def _unauthorized() -> Any:
    if _wants_html():
        # Encoded whole: the page's own query (`?period=month&unit=...`) must come back intact.
        return redirect("/login?" + urlencode({"next": _safe_next(request.full_path)}))
    abort(401)


def gate() -> Any:
    """Before every request: open paths pass, trusted-header sign-in, else a session is required."""
    path = request.path
    if not path.startswith(OPEN_PREFIXES):
        if not current_user.is_authenticated and _trusted_header_login() is None:
            return _unauthorized()
        g.scope = current_user.scope
    return None


def _wants_html() -> bool:
    return request.method == "GET" and not request.path.startswith(("/api/", "/_dash-", "/_reload"))


def _safe_next(target: str | None) -> str:
    """Only a local path: a login link must never send the user to another site. Browsers read
    a backslash as a slash and drop tabs and newlines, so `/\\evil.example` is refused too."""
    target = (target or "/").rstrip("?")
    parsed = urlparse(target)
    if (
        parsed.scheme
        or parsed.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(char) < 0x21 or ord(char) == 0x7F for char in target)
    ):
        return "/"
    return target


def _address() -> str:
    """The reader's address (behind the proxy, the one it forwarded: dashboard/access.py)."""
    return client_address() or "-"


def login_page() -> Any:
    """GET: the form. POST: check the password, keep the failure count, record it, sign in."""
    lang = current_lang()
    target = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(target)
        return _render(lang, target)
    if not plain_pages.same_origin():
        return _render(lang, target, error=t("login.error.origin", lang), status=403)
    username = (request.form.get("username") or "").strip().lower()[:64]
    password = request.form.get("password") or ""
    try:
        return _check_login(lang, target, username, password)
    except SQLAlchemyError as error:
        if not is_unreachable(error):
            raise
        log.warning("login impossible: the database cannot be reached")
        return _render(lang, target, error=t("login.error.outage", lang), status=503)


def _check_login(lang: str, target: str, username: str, password: str) -> Any:
    moment = now()
    with engine().begin() as conn:
        if audit.failures_from(conn, _address(), since=moment - timedelta(minutes=users.LOCK_MINUTES)) >= (
            LOGIN_ADDRESS_LIMIT
        ):
            audit.record(conn, actor=username or "-", action="login_throttled", address=_address(), at=moment)
            response = _render(lang, target, error=t("login.error.throttled", lang), status=429)
            response.headers["Retry-After"] = str(users.LOCK_MINUTES * 60)
            return response
        result = users.authenticate(conn, username, password, now=moment)
        if result.outcome == "ok" and result.account is not None:
            audit.record(conn, actor=username, action="login", address=_address(), at=moment)
        else:
            action = "login_locked" if result.outcome == "locked" else "login_failed"
            audit.record(
                conn,
                actor=username or "-",
                action=action,
                detail={"reason": result.outcome},
                address=_address(),
                at=moment,
            )
    if result.outcome != "ok" or result.account is None:
        log.warning(
            "login refused", extra={"user": username, "reason": result.outcome, "address": _address()}
        )
        key = "login.error.locked" if result.outcome == "locked" else "login.error.failed"
        minutes = users.LOCK_MINUTES
        return _render(
            lang, target, error=t(key, lang, minutes=minutes), status=401 if key.endswith("failed") else 423
        )
    _sign_in(result.account)
    return redirect(target)


def _sign_in(account: Account) -> None:
    session.clear()  # a fresh session: nothing chosen before the login carries over (fixation)
    session.permanent = True
    session["stamp"] = _stamp(account)
    session["who"] = [
        account.username,
        account.display_name,
        account.role,
        account.unit_code,
        account.official_code,
        list(account.sectors),
    ]
    login_user(SessionUser(account))


def logout() -> Any:
    if current_user.is_authenticated:
        try:
            with engine().begin() as conn:
                audit.record(conn, actor=current_user.account.username, action="logout", address=_address())
        except SQLAlchemyError as error:
            if not is_unreachable(error):
                raise
            log.warning("logout not recorded: the database cannot be reached")
    logout_user()
    session.clear()
    return redirect("/login")


def _trusted_header_login() -> SessionUser | None:
    """Single sign-on through a reverse proxy that authenticated the user (docs/access.md)."""
    header = os.environ.get("AUTH_TRUSTED_HEADER")
    if not header:
        return None
    proxies = {p.strip() for p in os.environ.get("AUTH_TRUSTED_PROXIES", "127.0.0.1").split(",") if p.strip()}
    name = (request.headers.get(header) or "").strip().lower()
    if not name or request.remote_addr not in proxies:  # the peer itself, never a forwarded address
        return None
    with engine().begin() as conn:
        account = users.find(conn, name)
        if account is None or not account.active:
            audit.record(
                conn,
                actor=name[:64],
                action="login_failed",
                detail={"reason": "sso_unknown"},
                address=_address(),
            )
            return None
        audit.record(conn, actor=name, action="login", detail={"via": "trusted_header"}, address=_address())
    _sign_in(account)
    return SessionUser(account)


def _render(lang: str, target: str, *, error: str | None = None, status: int = 200) -> Response:
    from queries.demo_accounts import DEMO_PASSWORD, shown_on_login  # only on the demo

    try:
        with engine().connect() as conn:
            demo = shown_on_login(conn)
    except SQLAlchemyError as failure:
        if not is_unreachable(failure):
            raise
        demo = []
    html = plain_pages.render(
        "login.html",
        lang,
        error=error,
        target=target,
        demo=demo,
        demo_password=DEMO_PASSWORD,
    )
    return Response(html, status=status, headers=PAGE_HEADERS, mimetype="text/html")
