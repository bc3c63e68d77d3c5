"""Sign-in and the session rules (dashboard/auth.py) on both databases, through the Flask server.

The login form, the failure count and the lockout, the per-address brake, the idle timeout, the
end of sessions when an account is disabled or its password reset, the cookie's flags, `next`
that stays on this site, the cross-site refusal, single sign-on by a trusted proxy's header, the
demo accounts on the login page, and the audit trail that no one can rewrite.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner
from sqlalchemy import Engine, delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

import dashboard.app
from dashboard import auth
from queries import audit, demo_accounts, users
from queries.demo_catalog import PROVINCE
from queries.models import AuditEntry, User
from queries.timeutil import vn_now
from tests.conftest import NOW
from tests.factories import add_official, add_sector, add_unit
from tests.login import PASSWORD, USERNAME, add_account, sign_in

PAGE = "/unit/10001?period=month&sector=HT"
CALLBACK = {
    "output": "..navbar.className...page.className..",
    "outputs": [{"id": "navbar", "property": "className"}, {"id": "page", "property": "className"}],
    "inputs": [{"id": "url", "property": "search", "value": ""}],
    "changedPropIds": ["url.search"],
    "state": [],
}


@pytest.fixture
def db(dashboard_db: Engine, two_communes) -> Engine:  # type: ignore[no-untyped-def]
    """The hand-built communes and one administrator, `kiemthu`, with the tests' password."""
    with dashboard_db.begin() as conn:
        add_account(conn, now=NOW)
    return dashboard_db


@pytest.fixture
def client(db: Engine) -> FlaskClient:
    return dashboard.app.server.test_client()


def login(client: FlaskClient, username: str = USERNAME, password: str = PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    headers = {key: extra.pop(key) for key in ("Origin", "Referer") if key in extra}
    return client.post("/login", data={"username": username, "password": password, **extra}, headers=headers)


def signed_in(client: FlaskClient) -> bool:
    """Whether the client's session opens a page (a 302 to the login page otherwise)."""
    response = client.get("/")
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def trail(engine: Engine) -> list[tuple[str, str, dict[str, object], str | None]]:
    """(actor, action, detail, address) of every event, oldest first."""
    with engine.connect() as conn:
        return [(e.actor, e.action, e.detail, e.address) for e in reversed(audit.entries(conn))]


def account(engine: Engine, username: str = USERNAME) -> users.Account:
    with engine.connect() as conn:
        found = users.find(conn, username)
    assert found is not None
    return found


# --- the gate ---------------------------------------------------------------------------------------


def test_without_a_session_pages_go_to_the_login_and_data_gets_401(client: FlaskClient) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302
    location = urlparse(response.headers["Location"])
    assert location.path == "/login" and parse_qs(location.query) == {"next": [PAGE]}, (
        "the whole query returns"
    )
    assert client.post("/_dash-update-component", json=CALLBACK).status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    api = client.get("/api/v1/units")
    assert api.status_code == 401 and api.get_json()["error"]["message"], "the API answers JSON as always"
    assert client.get("/dossier/A4").status_code == 302


def test_the_login_page_probes_assets_and_acknowledgement_links_stay_open(client: FlaskClient) -> None:
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").status_code == 200
    with client.get("/assets/10-app.css") as stylesheet:
        assert stylesheet.status_code == 200
    assert client.get("/alerts/ack/not-a-token").status_code == 400  # the link's own answer, not a login
    assert client.get("/lang/en").status_code == 302


def test_a_good_password_signs_in_and_returns_to_the_page_asked_for(client: FlaskClient, db: Engine) -> None:
    target = client.get(PAGE).headers["Location"]
    form = client.get(target).get_data(as_text=True)
    assert 'name="next" value="/unit/10001?period=month&amp;sector=HT"' in form
    response = login(client, next=PAGE)
    assert (response.status_code, response.headers["Location"]) == (302, PAGE)
    assert client.get(PAGE).status_code == 200
    assert client.post("/_dash-update-component", json=CALLBACK).status_code == 200
    assert client.get("/login").status_code == 302, "a signed-in reader is sent on"
    assert trail(db) == [(USERNAME, "login", {}, "127.0.0.1")]
    assert account(db).last_login_at == NOW


def test_a_wrong_password_or_name_is_401_with_one_message_and_is_counted(
    client: FlaskClient, db: Engine
) -> None:
    wrong = login(client, password="not the password")
    unknown = login(client, username="nobody")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.get_data(as_text=True)
        assert "motcua_session" not in response.headers.get("Set-Cookie", "")
    assert not signed_in(client)
    assert account(db).failed_logins == 1
    assert trail(db) == [
        (USERNAME, "login_failed", {"reason": "bad_password"}, "127.0.0.1"),
        ("nobody", "login_failed", {"reason": "unknown"}, "127.0.0.1"),
    ]
    assert login(client).status_code == 302 and account(db).failed_logins == 0, "a success clears the count"


def test_real_accounts_get_an_scrypt_hash(db: Engine) -> None:
    with db.begin() as conn:
        users.add(conn, username="an", display_name="An", role="admin", password=PASSWORD, now=NOW)
        stored = conn.execute(select(User.password_hash).where(User.username == "an")).scalar_one()
    assert stored.startswith("scrypt:") and PASSWORD not in stored


# --- lockout and the per-address brake ---------------------------------------------------------------


def test_five_failures_lock_the_account_until_lock_minutes_have_passed(
    client: FlaskClient, db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    statuses = [login(client, password=f"wrong-{n}").status_code for n in range(users.LOCK_AFTER)]
    assert statuses == [401] * (users.LOCK_AFTER - 1) + [423]
    assert account(db).locked_until == NOW + timedelta(minutes=users.LOCK_MINUTES)
    locked = login(client)  # the right password changes nothing while locked
    assert locked.status_code == 423 and "tạm khóa 15 phút" in locked.get_data(as_text=True)
    assert not signed_in(client)
    monkeypatch.setenv("DASHBOARD_NOW", (NOW + timedelta(minutes=users.LOCK_MINUTES - 1)).isoformat())
    assert login(client).status_code == 423
    monkeypatch.setenv("DASHBOARD_NOW", (NOW + timedelta(minutes=users.LOCK_MINUTES)).isoformat())
    assert login(client).status_code == 302 and signed_in(client)
    actions = [action for _actor, action, _detail, _address in trail(db)]
    assert actions == ["login_failed"] * 4 + ["login_locked"] * 3 + ["login"]


def test_an_address_guessing_across_accounts_gets_429_and_it_is_recorded(
    client: FlaskClient, db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.begin() as conn:  # an hour's guessing from one address, over many names
        for n in range(auth.LOGIN_ADDRESS_LIMIT - 1):
            audit.record(conn, actor=f"guess{n}", action="login_failed", address="127.0.0.1", at=NOW)
    assert login(client, username="guess-last").status_code == 401  # the limit-th failure
    throttled = login(client)  # even the right password, from there
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == str(users.LOCK_MINUTES * 60)
    assert "Quá nhiều lần đăng nhập sai" in throttled.get_data(as_text=True)
    assert not signed_in(client)
    assert trail(db)[-1] == (USERNAME, "login_throttled", {}, "127.0.0.1")
    assert account(db).failed_logins == 0, "a throttled attempt is not checked, so not counted"
    other = dashboard.app.server.test_client()
    response = other.post(
        "/login", data={"username": USERNAME, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.0.0.8"}
    )
    assert response.status_code == 302, "another address is not braked"
    monkeypatch.setenv("DASHBOARD_NOW", (NOW + timedelta(minutes=users.LOCK_MINUTES, seconds=1)).isoformat())
    assert login(client).status_code == 302, "the brake counts the last LOCK_MINUTES only"


def test_behind_the_proxy_the_address_is_the_one_it_forwarded(
    client: FlaskClient, db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """nginx appends the reader's address to X-Forwarded-For; what a client wrote before it is
    not believed, nor is the header from anyone but the proxy."""

    def attempt(peer: str, forwarded: str) -> int:
        return client.post(
            "/login",
            data={"username": USERNAME, "password": "wrong password"},
            headers={"X-Forwarded-For": forwarded},
            environ_base={"REMOTE_ADDR": peer},
        ).status_code

    assert attempt("127.0.0.1", "6.6.6.6, 203.0.113.9") == 401  # nginx on 127.0.0.1, FORWARDED_ALLOW_IPS
    assert attempt("10.1.1.1", "203.0.113.9") == 401  # no proxy: its own address, whatever it claims
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.5,10.0.0.6")
    assert attempt("10.0.0.5", "203.0.113.7, 10.0.0.6") == 401  # two proxies deep
    assert [address for _actor, _action, _detail, address in trail(db)] == [
        "203.0.113.9",
        "10.1.1.1",
        "203.0.113.7",
    ]
    with db.begin() as conn:  # one reader behind the proxy guessing: only that reader is braked
        for _ in range(auth.LOGIN_ADDRESS_LIMIT):
            audit.record(conn, actor="x", action="login_failed", address="203.0.113.9", at=NOW)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS")

    def sign_in_from(forwarded: str) -> int:
        return (
            dashboard.app.server.test_client()
            .post(
                "/login",
                data={"username": USERNAME, "password": PASSWORD},
                headers={"X-Forwarded-For": forwarded},
            )
            .status_code
        )

    assert sign_in_from("203.0.113.9") == 429
    assert sign_in_from("203.0.113.10") == 302


# --- sessions ---------------------------------------------------------------------------------------------


@pytest.fixture
def cookie_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The session cookie's clock (its signed timestamp), moved by hand: `[0] += seconds`."""
    moment = [int(time.time())]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: moment[0])
    yield moment


def test_a_session_ends_after_the_idle_minutes_without_a_request(
    client: FlaskClient, cookie_clock: list[int]
) -> None:
    clock = cookie_clock
    idle = dashboard.app.server.permanent_session_lifetime
    assert idle == timedelta(minutes=30), "SESSION_IDLE_MINUTES' default"
    sign_in(client)
    clock[0] += 29 * 60
    assert signed_in(client), "29 minutes idle: still on, and the cookie is signed anew"
    clock[0] += 29 * 60
    assert signed_in(client), "each request restarts the count"
    clock[0] += 30 * 60 + 1
    assert not signed_in(client)
    assert client.post("/_dash-update-component", json=CALLBACK).status_code == 401


def test_disabling_an_account_ends_its_sessions_at_their_next_request(
    client: FlaskClient, db: Engine
) -> None:
    other_device = dashboard.app.server.test_client()
    sign_in(client)
    sign_in(other_device)
    with db.begin() as conn:
        users.set_active(conn, USERNAME, False)
    for device in (client, other_device):
        assert not signed_in(device)
    assert login(client).status_code == 401 and trail(db)[-1][2] == {"reason": "disabled"}


def test_a_password_reset_ends_the_sessions_signed_in_with_the_old_one(
    client: FlaskClient, db: Engine
) -> None:
    other_device = dashboard.app.server.test_client()
    sign_in(client)
    sign_in(other_device)
    new = "mot-mat-khau-moi-hon"
    with db.begin() as conn:
        users.reset_password(conn, USERNAME, new, now=NOW + timedelta(minutes=1))
    assert not signed_in(client) and not signed_in(other_device)
    assert login(client).status_code == 401
    assert login(client, password=new).status_code == 302 and signed_in(client)


def test_signing_out_ends_the_session_and_is_recorded(client: FlaskClient, db: Engine) -> None:
    sign_in(client)
    client.get("/logout")  # a link (or an image on another site) cannot sign anyone out
    assert signed_in(client)
    response = client.post("/logout")
    assert (response.status_code, response.headers["Location"]) == (302, "/login")
    assert not signed_in(client)
    assert [action for _actor, action, _detail, _address in trail(db)] == ["login", "logout"]


def test_the_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient) -> None:
    cookie = login(client).headers["Set-Cookie"]
    assert cookie.startswith("motcua_session=")
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
    assert "httponly" in flags and flags["samesite"] == "SameSite=Lax" and flags["path"] == "Path=/"
    assert "secure" not in flags, "plain HTTP unless COOKIE_SECURE=1"
    assert "expires" in flags, "a permanent session: the idle timeout is in the cookie too"


def test_cookie_secure_and_the_idle_minutes_come_from_the_environment(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOKIE_SECURE", "1")
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "10")
    server = Flask("dashboard")  # the login page's templates are the dashboard's
    server.secret_key = "test"
    auth.install(server)
    assert server.permanent_session_lifetime == timedelta(minutes=10)
    cookie = server.test_client().post("/login", data={"username": USERNAME, "password": PASSWORD})
    assert cookie.status_code == 302
    assert "; Secure" in cookie.headers["Set-Cookie"] and "HttpOnly" in cookie.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "/\t/evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "http:/evil.example",
    ],
)
def test_next_never_leaves_the_site(client: FlaskClient, target: str) -> None:
    response = login(client, next=target)
    assert (response.status_code, response.headers["Location"]) == (302, "/")
    page = client.get("/login?" + f"next={target}")  # signed in: sent on, to "/" as well
    assert page.headers["Location"] == "/"


def test_a_cross_site_login_post_is_refused(client: FlaskClient, db: Engine) -> None:
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/login"},
    ):
        response = login(client, **headers)
        assert response.status_code == 403, headers
        assert "Yêu cầu đăng nhập không đến từ trang này" in response.get_data(as_text=True)
        assert "motcua_session" not in response.headers.get("Set-Cookie", "")
    assert not signed_in(client) and trail(db) == [] and account(db).failed_logins == 0
    assert login(client, Origin="http://localhost").status_code == 302, "this site's own form"


def test_a_session_survives_a_database_outage_as_it_was_signed_in(client: FlaskClient, db: Engine) -> None:
    """The pages then open on the outage banner; the account is checked again once it is back."""
    from dashboard import services
    from queries.db import make_engine

    sign_in(client)
    services.use_engine(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    try:
        assert client.get("/").status_code == 200
        page = client.get("/_dash-layout")
        assert page.status_code == 200
        assert f"Người kiểm thử {USERNAME}" in json.dumps(page.get_json(), ensure_ascii=False)
        refused = login(dashboard.app.server.test_client())
        assert refused.status_code == 503 and "Không kết nối được cơ sở dữ liệu" in refused.get_data(
            as_text=True
        )
    finally:
        services.use_engine(db)
    with db.begin() as conn:
        users.set_active(conn, USERNAME, False)
    assert not signed_in(client)


# --- single sign-on -------------------------------------------------------------------------------------


@pytest.fixture
def sso(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_TRUSTED_HEADER", "X-Remote-User")
    monkeypatch.setenv("AUTH_TRUSTED_PROXIES", "10.0.0.2, 10.0.0.3")


def from_address(client: FlaskClient, address: str, user: str | None) -> int:
    headers = {"X-Remote-User": user} if user else {}
    return client.get("/", headers=headers, environ_base={"REMOTE_ADDR": address}).status_code


def test_a_trusted_proxy_signs_in_an_existing_active_account(
    client: FlaskClient, db: Engine, sso: None
) -> None:
    assert from_address(client, "10.0.0.3", USERNAME.upper()) == 200
    assert from_address(client, "10.0.0.3", None) == 200, "then the session carries it"
    assert trail(db) == [(USERNAME, "login", {"via": "trusted_header"}, "10.0.0.3")]


def test_the_header_from_anyone_else_or_for_anyone_unknown_signs_in_nobody(
    client: FlaskClient, db: Engine, sso: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert from_address(client, "127.0.0.1", USERNAME) == 302, "a client sending the header itself"
    assert from_address(client, "10.0.0.22", USERNAME) == 302
    assert from_address(client, "10.0.0.2", "nobody") == 302
    with db.begin() as conn:
        users.set_active(conn, USERNAME, False)
    assert from_address(client, "10.0.0.2", USERNAME) == 302
    assert [(actor, detail) for actor, _action, detail, _address in trail(db)] == [
        ("nobody", {"reason": "sso_unknown"}),
        (USERNAME, {"reason": "sso_unknown"}),
    ]
    monkeypatch.delenv("AUTH_TRUSTED_HEADER")
    with db.begin() as conn:
        users.set_active(conn, USERNAME, True)
    assert from_address(client, "10.0.0.2", USERNAME) == 302, "no header is trusted unless configured"


# --- the login page and the demo accounts ------------------------------------------------------------------


def make_demo(engine: Engine) -> None:
    """What the demo accounts need of the demo province: its province unit, a commune with its
    chairperson and the land sector."""
    with engine.begin() as conn:
        add_unit(conn, PROVINCE[0], PROVINCE[1], level="province")
        commune = conn.execute(text("SELECT id FROM units WHERE code = '10001'")).scalar_one()
        add_official(conn, commune, "CT-A", role="chairperson", name="Trần Chủ Tịch")
        add_sector(conn, "DATDAI", "Đất đai")
        assert demo_accounts.is_demo(conn)
        demo_accounts.create(conn, now=NOW)


def test_the_demo_accounts_are_listed_only_on_the_demo_and_while_untouched(
    client: FlaskClient, db: Engine
) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert "demo-accounts" not in page and demo_accounts.DEMO_PASSWORD not in page, "not the demo"
    make_demo(db)
    page = client.get("/login").get_data(as_text=True)
    assert "demo-accounts" in page and demo_accounts.DEMO_PASSWORD in page
    for username in ("quantri", "giamsat", "giamsat.datdai", "chutich", "canbo"):
        assert f"<code>{username}</code>" in page
    assert login(client, "chutich", demo_accounts.DEMO_PASSWORD).status_code == 302
    with db.begin() as conn:
        users.reset_password(conn, "quantri", "mat-khau-rieng-cua-tinh", now=NOW + timedelta(minutes=5))
        users.set_active(conn, "canbo", False)
    page = dashboard.app.server.test_client().get("/login").get_data(as_text=True)
    assert "<code>quantri</code>" not in page and "<code>canbo</code>" not in page
    assert "<code>giamsat</code>" in page
    with db.begin() as conn:
        for username in ("giamsat", "giamsat.datdai", "chutich"):
            users.reset_password(conn, username, "mat-khau-rieng-cua-tinh", now=NOW + timedelta(minutes=5))
    page = dashboard.app.server.test_client().get("/login").get_data(as_text=True)
    assert "demo-accounts" not in page and demo_accounts.DEMO_PASSWORD not in page


def test_the_login_page_follows_the_language_cookie(client: FlaskClient) -> None:
    client.set_cookie("lang", "en")
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page and "Đăng nhập" not in page
    client.set_cookie("lang", "vi")
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)


# --- the audit trail ---------------------------------------------------------------------------------------


def test_the_audit_trail_refuses_update_and_delete(db: Engine) -> None:
    with db.begin() as conn:
        audit.record(conn, actor="an", action="login", address="10.0.0.1", at=NOW)
    for statement in (
        update(AuditEntry).values(actor="someone else"),
        update(AuditEntry).where(AuditEntry.action == "login").values(at=datetime(2020, 1, 1)),
        delete(AuditEntry),
        delete(AuditEntry).where(AuditEntry.actor == "an"),
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.begin() as conn:
            conn.execute(statement)
    if db.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), db.begin() as conn:
            conn.execute(text("TRUNCATE audit_log"))
    with db.begin() as conn:  # appending still works
        conn.execute(insert(AuditEntry).values(at=vn_now(), actor="binh", action="logout"))
    assert [(actor, action) for actor, action, _detail, _address in trail(db)] == [
        ("an", "login"),
        ("binh", "logout"),
    ]


def test_an_unknown_action_is_refused_before_it_reaches_the_trail(db: Engine) -> None:
    with pytest.raises(ValueError, match="unknown audit action"), db.begin() as conn:
        audit.record(conn, actor="an", action="coffee_break")
    assert trail(db) == []
