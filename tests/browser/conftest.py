"""Browser tests: the real app under gunicorn on 127.0.0.1, driven by Debian's headless Chromium.

Locally they skip with a reason when Chromium is absent; with REQUIRE_BROWSER=1 (set by
`.ci/run`) they fail instead. Screenshots of every page go to test-artifacts/screenshots.

The demo database has the demo's accounts (queries/demo_accounts.py). Chromium signs in once per
test session through the login form as the administrator; every `page` starts from that
browser state (its session cookie), as a reader who signed in this morning.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from queries import demo_accounts
from queries.db import make_engine
from queries.demo_accounts import DEMO_PASSWORD
from queries.migrate import upgrade
from queries.settings import REPO_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_UNTIL = date(2026, 11, 20)
PINNED_NOW = "2026-11-20T09:30:00"
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
SECRET = "browser-tests"  # the live server's SECRET_KEY, which signs acknowledgement links too
ADMIN = "quantri"  # the demo's administrator: sees every page and every unit


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but Chromium is not at {CHROMIUM}")
    skip = pytest.mark.skip(reason="Chromium not installed (apt-get install chromium); .ci/run installs it")
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small demo province, the same every run (fixed seed and end date)."""
    from queries.demo import generate
    from queries.settings import ClockPolicy
    from queries.sla import Clock
    from queries.workcalendar import load_calendar

    path = tmp_path_factory.mktemp("browser") / "demo.sqlite"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    policy = ClockPolicy()
    generate(
        engine,
        clock=Clock(load_calendar(policy.overrides_file), policy),
        communes=8,
        months=6,
        dossiers=40_000,
        seed=11,
        until=DEMO_UNTIL,
    )
    with engine.begin() as conn:
        demo_accounts.create(conn, now=datetime.fromisoformat(PINNED_NOW))
    engine.dispose()
    return url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(browser_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": browser_db,
        "DASHBOARD_NOW": PINNED_NOW,
        "SECRET_KEY": SECRET,
        "CACHE_DIR": str(tmp_path_factory.mktemp("cache")),
        "BIND": f"127.0.0.1:{port}",
        "WEB_WORKERS": "2",
        # One sign-in serves the whole run: it must outlast the slowest run of the suite.
        "SESSION_IDLE_MINUTES": "240",
    }
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "dashboard.app:server"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/", timeout=2)
                break
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError("gunicorn exited:\n" + log.read_text()) from None
                time.sleep(0.25)
        else:
            raise RuntimeError("gunicorn did not answer:\n" + log.read_text())
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


CONTEXT = {
    "viewport": {"width": 1400, "height": 1000},
    "accept_downloads": True,
    "locale": "vi-VN",
    "timezone_id": "Asia/Ho_Chi_Minh",
}


def log_in(page, username: str = ADMIN) -> None:  # type: ignore[no-untyped-def]
    """Through the login form, as a person does; ends on the province page."""
    page.goto(page.base + "/login")  # type: ignore[attr-defined]
    page.locator("#username").fill(username)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("#login-button").click()
    page.wait_for_url(page.base + "/", timeout=30_000)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def signed_in(browser, live_server: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The browser state (cookies) of the administrator signed in once through the login form."""
    context = browser.new_context(**CONTEXT)
    page = context.new_page()
    page.base = live_server  # type: ignore[attr-defined]
    log_in(page)
    state: dict[str, Any] = context.storage_state()
    context.close()
    assert any(cookie["name"] == "motcua_session" for cookie in state["cookies"]), state
    return state


@pytest.fixture
def page(browser, live_server: str, signed_in: dict[str, Any]):  # type: ignore[no-untyped-def]
    """A fresh page, signed in as the administrator, whose console errors fail the test."""
    context = browser.new_context(storage_state=signed_in, **CONTEXT)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.base = live_server  # type: ignore[attr-defined]
    yield page
    context.close()
    assert errors == [], f"console errors: {errors}"


def shoot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
