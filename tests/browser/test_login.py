"""Signing in and out in a real browser, and every page working under the Content-Security-Policy.

Chromium reports each script, style or frame the policy blocks as a `securitypolicyviolation`
event and a console error; both are collected for every page, so a page that only works with
'unsafe-inline' or 'unsafe-eval' fails here (dashboard/security.py).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from queries.demo_accounts import DEMO_PASSWORD
from tests.browser.conftest import ADMIN, CONTEXT, shoot

WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}`);
});
"""
#: What Chromium logs for a refused login (the page answers 401 by design); nothing else is expected.
REFUSED = re.compile(r"Failed to load resource: the server responded with a status of 401 ")


@pytest.fixture(scope="module")
def paths(browser_db: str) -> list[str]:
    """Every page of the dashboard, with a real unit, dossier and official of the demo."""
    db = sqlite3.connect(browser_db.removeprefix("sqlite:///"))
    (unit,) = db.execute("SELECT min(code) FROM units WHERE level = 'commune'").fetchone()
    (dossier,) = db.execute("SELECT min(code) FROM dossiers WHERE finished_at IS NULL").fetchone()
    (official,) = db.execute(
        "SELECT min(o.code) FROM officials o JOIN dossiers d ON d.handler_id = o.id"
        " WHERE d.finished_at IS NULL"
    ).fetchone()
    db.close()
    return [
        "/",
        f"/unit/{unit}?period=quarter",
        f"/dossier/{dossier}",
        f"/me?official={official}",
        "/quality?period=year",
        "/alerts?period=week",
        "/admin/audit",
        "/?kiosk=1",
    ]


@pytest.fixture
def fresh(browser, live_server: str) -> Iterator[tuple[Page, list[str]]]:  # type: ignore[no-untyped-def]
    """A page of a new browser context (nobody signed in), watching for policy violations."""
    context = browser.new_context(**CONTEXT)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.base = live_server  # type: ignore[attr-defined]
    yield page, errors
    context.close()


def sign_in(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("#login-button").click()


def open_page(page: Page, path: str) -> None:
    page.goto(page.base + path)  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")
    expect(page.locator("._dash-loading")).to_have_count(0, timeout=30_000)
    page.wait_for_timeout(500)  # late callbacks (charts, grids) after the first paint


def violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__csp"))


def test_sign_in_every_page_under_the_policy_then_sign_out(
    fresh: tuple[Page, list[str]], paths: list[str]
) -> None:
    page, errors = fresh
    page.goto(page.base + paths[1])  # type: ignore[attr-defined]
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.locator("#demo-accounts")).to_contain_text(ADMIN)
    assert violations(page) == []
    shoot(page, "login-vi")
    sign_in(page, ADMIN, "not-the-password")
    expect(page.locator("#login-error")).to_contain_text("không đúng")
    sign_in(page, ADMIN)
    page.wait_for_url(page.base + paths[1], timeout=30_000)  # type: ignore[attr-defined]  # `next` kept
    expect(page.locator("#account-name")).to_contain_text("Quản trị viên")
    for path in paths:
        open_page(page, path)
        assert violations(page) == [], path
        assert "Traceback" not in page.locator("body").inner_text(), path
        assert page.locator("#page, #react-entry-point").first.inner_text().strip(), f"{path} is blank"
    open_page(page, "/admin/audit")
    expect(page.locator("#audit-grid .ag-row").first).to_be_visible(timeout=30_000)
    expect(page.locator("#audit-users")).to_contain_text("giamsat.datdai")
    page.locator("#logout-button").click()
    page.wait_for_url(re.compile(r"/login$"), timeout=30_000)
    page.goto(page.base + "/")  # type: ignore[attr-defined]
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    assert violations(page) == []
    unexpected = [e for e in errors if not REFUSED.match(e)]
    assert unexpected == [], unexpected
    assert [e for e in errors if REFUSED.match(e)], "the wrong password was refused with a 401"


def test_an_official_is_refused_the_audit_trail(fresh: tuple[Page, list[str]]) -> None:
    """By its link (a 403 page before the shell), and from inside the app (the page's layout)."""
    page, errors = fresh
    page.goto(page.base + "/admin/audit")  # type: ignore[attr-defined]
    sign_in(page, "canbo")
    expect(page.locator("#denied-card")).to_contain_text("Không có quyền xem", timeout=30_000)
    shoot(page, "audit-denied-vi")
    open_page(page, "/")
    expect(page.locator("#navbar")).not_to_contain_text("Nhật ký truy cập")
    # inside the app, as a link in it would: Dash's router renders the page's layout
    page.evaluate(
        "window.history.pushState({}, '', '/admin/audit');"
        " window.dispatchEvent(new PopStateEvent('popstate'))"
    )
    expect(page.locator("#audit-denied")).to_contain_text("Không có quyền xem", timeout=30_000)
    assert page.locator("#audit-grid").count() == 0
    assert violations(page) == []
    forbidden = re.compile(r"Failed to load resource: the server responded with a status of 403 ")
    assert [e for e in errors if not forbidden.match(e)] == [], errors
