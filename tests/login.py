"""Signing in, for the tests that go through HTTP (the Flask test client, gunicorn, Chromium).

Every route but the login page, probes and acknowledgement links needs a session
(dashboard/auth.py), so these tests make a real account in their database (queries.users.add)
and POST the login form, as a person would.

The accounts made here carry a cheap hash (PBKDF2, 1000 rounds) instead of scrypt: hundreds of
tests sign in, and two scrypt runs each (the account, the login) would cost a minute of the
suite. The hash is still checked by Werkzeug on every login like any other; tests/test_auth.py
proves the real accounts get scrypt.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from unittest import mock

from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine
from werkzeug.security import generate_password_hash

from queries import users
from queries.timeutil import vn_now
from queries.users import Account

USERNAME = "kiemthu"
PASSWORD = "mat-khau-kiem-thu-2026"
_CHEAP = {PASSWORD: generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")}


@contextmanager
def cheap_hashes() -> Iterator[None]:
    """While inside: the test password hashes cheaply (any other password still gets scrypt)."""
    real = users.generate_password_hash

    def hasher(password: str, *args: Any, **kwargs: Any) -> str:
        return _CHEAP.get(password) or real(password, *args, **kwargs)

    with mock.patch.object(users, "generate_password_hash", hasher):
        yield


def add_account(
    conn: Connection,
    username: str = USERNAME,
    role: str = "admin",
    *,
    password: str | None = PASSWORD,
    now: datetime | None = None,
    **links: Any,
) -> Account:
    """An active account (admin by default: it sees everything); `links` as for users.add."""
    with cheap_hashes():
        return users.add(
            conn,
            username=username,
            display_name=links.pop("display_name", f"Người kiểm thử {username}"),
            role=role,
            password=password,
            now=now or vn_now(),
            **links,
        )


def sign_in(client: FlaskClient, username: str = USERNAME, password: str = PASSWORD) -> None:
    """POST the login form; the test client keeps the session cookie for its next requests."""
    response = client.post("/login", data={"username": username, "password": password, "next": "/"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def signed_in_client(
    engine: Engine, role: str = "admin", username: str = USERNAME, **links: Any
) -> FlaskClient:
    """A test client of the dashboard, signed in as a new account of `role` in `engine`'s database
    (the dashboard must read that database: the `dashboard_db` fixture)."""
    import dashboard.app

    with engine.begin() as conn:
        add_account(conn, username, role, **links)
    client = dashboard.app.server.test_client()
    sign_in(client, username)
    return client
