"""The alert log and the acknowledgement page in a real browser, after a real tick over the demo.

Before the tick one chairperson's channel is made unparseable (her alerts are rerouted and the
administrators' alert about it fails) and one handler gets only a hook nobody listens to (his
alerts wait for their next attempt), so the log shows every state.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from queries.db import make_engine
from queries.settings import ClockPolicy
from queries.sla import Clock
from queries.workcalendar import load_calendar
from tests.alerting import DEAD_HOOK, LINK, REFERENCE, run_tick
from tests.browser.conftest import PINNED_NOW, SECRET, shoot


@pytest.fixture(scope="module")
def inbox(browser_db: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tick at the pinned 'now' of the live server; the messages land in a file."""
    path = tmp_path_factory.mktemp("inbox") / "demo-inbox.jsonl"
    db = sqlite3.connect(browser_db.removeprefix("sqlite:///"))
    with db:
        (chair,) = db.execute("SELECT min(code) FROM officials WHERE role = 'chairperson'").fetchone()
        db.execute("UPDATE officials SET notify_urls = 'bogus://nothing' WHERE code = ?", (chair,))
        db.execute(
            "UPDATE officials SET notify_urls = ? WHERE id = (SELECT handler_id FROM dossiers"
            " WHERE finished_at IS NULL AND handler_id IS NOT NULL ORDER BY code LIMIT 1)",
            (DEAD_HOOK,),
        )
    db.close()
    engine = make_engine(browser_db)
    policy = ClockPolicy()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEMO_INBOX", str(path))
        run_tick(
            engine,
            Clock(load_calendar(policy.overrides_file), policy),
            datetime.fromisoformat(PINNED_NOW),
            secret=SECRET,
        )
    engine.dispose()
    return path


def links(inbox: Path) -> list[tuple[int, str]]:
    """(alert id, token) of every delivered message about a dossier, in the order they were sent."""
    found = []
    for line in inbox.read_text(encoding="utf-8").splitlines():
        body = json.loads(line)["body"]
        token, reference = LINK.search(body), REFERENCE.search(body)
        if token and reference and "/dossier/" in body:
            found.append((int(reference.group(1)), token.group(1)))
    return found


def visit(page: Page, path: str, lang: str) -> None:
    page.context.add_cookies([{"name": "lang", "value": lang, "url": page.base}])  # type: ignore[attr-defined]
    page.goto(page.base + path)  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")
    expect(page.locator("._dash-loading")).to_have_count(0, timeout=30_000)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_alert_log_shows_the_summary_the_log_and_one_alert(page: Page, inbox: Path, lang: str) -> None:
    visit(page, "/alerts?period=week", lang)
    expect(page.locator("#alerts-count-sent")).to_be_visible(timeout=30_000)
    assert int(re.sub(r"\D", "", page.locator("#alerts-count-sent").inner_text())) > 0
    assert page.locator("#alerts-count-failed").inner_text() != "0"
    expect(page.locator("#alerts-failed-week")).to_contain_text("7", timeout=30_000)
    first = page.locator("#alerts-list .ag-center-cols-container .ag-row").first
    expect(first).to_be_visible(timeout=30_000)
    first.locator("[col-id='rule']").click()
    expect(page.locator("#alerts-detail-card")).to_be_visible(timeout=30_000)
    expect(page.locator("#alerts-attempts")).to_be_visible()
    assert "/alerts/ack/…" in page.locator("#alerts-detail-card").inner_text()
    page.wait_for_timeout(1000)
    shoot(page, f"alerts-{lang}")


def test_the_state_filter_rewrites_the_link_and_highlights_failures(page: Page, inbox: Path) -> None:
    visit(page, "/alerts?period=week", "vi")
    page.locator("#alerts-state").select_option("failed")
    expect(page).to_have_url(re.compile(r"state=failed"), timeout=30_000)
    row = page.locator("#alerts-list .ag-center-cols-container .ag-row").first
    expect(row).to_be_visible(timeout=30_000)
    expect(row).to_have_class(re.compile("problem-row"))
    expect(row.locator("[col-id='state']")).to_contain_text("Gửi không được")
    page.wait_for_timeout(500)
    shoot(page, "alerts-failed-vi")
    page.locator("#alerts-count-waiting").click()  # a count card lists its alerts
    expect(page).to_have_url(re.compile(r"/alerts\?period=week&state=waiting$"), timeout=30_000)
    expect(page.locator("#alerts-state")).to_have_value("waiting", timeout=30_000)
    visit(page, "/alerts?state=nonsense", "vi")
    expect(page.locator("#filter-error")).to_contain_text("state = “nonsense”", timeout=30_000)


def test_a_dossier_page_lists_who_was_told(page: Page, inbox: Path, browser_db: str) -> None:
    db = sqlite3.connect(browser_db.removeprefix("sqlite:///"))
    (code,) = db.execute(
        "SELECT d.code FROM alert_outbox a JOIN dossiers d ON d.id = a.dossier_id"
        " WHERE a.state = 'rerouted' ORDER BY a.id LIMIT 1"
    ).fetchone()
    db.close()
    visit(page, f"/dossier/{code}", "vi")
    table = page.locator("#dossier-alerts-table")
    expect(table).to_be_visible(timeout=30_000)
    expect(table).to_contain_text("Chuyển lên cấp trên")
    expect(table).to_contain_text("Kênh của cấp dưới bị lỗi")
    page.wait_for_timeout(1000)
    shoot(page, "dossier-alerts-vi")


@pytest.fixture
def ack_page(browser, live_server: str) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """A fresh page for the acknowledgement pages, whose refusals are 4xx answers by design.

    Chromium logs every 4xx document as a console error; those are expected here and nothing
    else is: a blocked stylesheet (the page's Content-Security-Policy) would show up too.
    """
    context = browser.new_context(viewport={"width": 1000, "height": 700}, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.base = live_server  # type: ignore[attr-defined]
    yield page
    context.close()
    expected = re.compile(r"Failed to load resource: the server responded with a status of 4(00|09|10) ")
    assert [error for error in errors if not expected.match(error)] == [], errors


def test_the_acknowledgement_page_in_both_languages_then_acknowledged_once(
    ack_page: Page, inbox: Path
) -> None:
    page = ack_page
    (alert_id, token), (_, other) = links(inbox)[:2]
    page.goto(f"{page.base}/alerts/ack/{token}")  # type: ignore[attr-defined]
    expect(page.locator("#ack-button")).to_have_text("Đã nhận")
    expect(page.locator("#ack-facts")).to_contain_text(f"#{alert_id}")
    assert page.locator("#ack-button").evaluate("b => getComputedStyle(b).backgroundColor") != (
        "rgba(0, 0, 0, 0)"
    )  # the vendored Bootstrap is allowed by the page's policy and applied
    shoot(page, "ack-vi")
    page.locator("#language-switch").click()
    expect(page.locator("#ack-button")).to_have_text("Acknowledge", timeout=30_000)
    shoot(page, "ack-en")
    page.locator("#ack-button").click()
    expect(page.locator("#ack-card")).to_have_attribute("data-outcome", "done", timeout=30_000)
    shoot(page, "ack-done-en")
    page.locator("#language-switch").click()  # back to Vietnamese: the link now says who answered
    expect(page.locator("#ack-card")).to_have_attribute("data-outcome", "already", timeout=30_000)
    expect(page.locator("#ack-message")).to_contain_text("qua đường dẫn")
    shoot(page, "ack-already-vi")
    page.goto(f"{page.base}/alerts/ack/{other}")  # type: ignore[attr-defined]
    page.locator("#snooze-button").click()
    expect(page.locator("#ack-card")).to_have_attribute("data-outcome", "snoozed", timeout=30_000)
    shoot(page, "ack-snoozed-vi")
    page.goto(f"{page.base}/alerts/ack/{other[:-4]}")  # type: ignore[attr-defined]
    expect(page.locator("#ack-card")).to_have_attribute("data-outcome", "invalid", timeout=30_000)
    shoot(page, "ack-invalid-vi")
