"""Every page loads clean in both languages, and the links between them work."""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import shoot


@pytest.fixture(scope="module")
def codes(browser_db: str) -> dict[str, str]:
    """A busy commune, one of its overdue dossiers and its busiest handler, read from the demo."""
    db = sqlite3.connect(browser_db.removeprefix("sqlite:///"))
    unit, official = db.execute(
        "SELECT u.code, o.code FROM dossiers d JOIN units u ON u.id = d.unit_id"
        " JOIN officials o ON o.id = d.handler_id WHERE d.finished_at IS NULL"
        " GROUP BY u.code, o.code ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    (dossier,) = db.execute(
        "SELECT d.code FROM dossiers d JOIN dossier_steps s ON s.dossier_id = d.id"
        " WHERE d.outcome = 'late' GROUP BY d.code ORDER BY count(*) DESC, d.code LIMIT 1"
    ).fetchone()
    return {"unit": unit, "official": official, "dossier": dossier}


def visit(page: Page, path: str, lang: str) -> None:
    page.context.add_cookies([{"name": "lang", "value": lang, "url": page.base}])  # type: ignore[attr-defined]
    page.goto(page.base + path)  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")
    expect(page.locator("._dash-loading")).to_have_count(0, timeout=30_000)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_commune_page_shows_its_backlog_and_at_risk_list(page: Page, codes, lang: str) -> None:  # type: ignore[no-untyped-def]
    visit(page, f"/unit/{codes['unit']}?period=quarter", lang)
    expect(page.locator("#kpi-open")).to_be_visible(timeout=30_000)
    expect(page.locator(".ag-row").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)
    shoot(page, f"unit-{lang}")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_my_dossiers_lists_an_officials_queue(page: Page, codes, lang: str) -> None:  # type: ignore[no-untyped-def]
    visit(page, f"/me?official={codes['official']}", lang)
    expect(page.locator(".ag-row").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)
    shoot(page, f"me-{lang}")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_dossier_page_shows_its_timeline(page: Page, codes, lang: str) -> None:  # type: ignore[no-untyped-def]
    visit(page, f"/dossier/{codes['dossier']}", lang)
    expect(page.get_by_text(codes["dossier"]).first).to_be_visible(timeout=30_000)
    expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1000)
    shoot(page, f"dossier-{lang}")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_data_quality_page_counts_problems_per_unit(page: Page, lang: str) -> None:
    visit(page, "/quality?period=year", lang)
    expect(page.locator(".ag-row").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(1500)
    shoot(page, f"quality-{lang}")


def test_an_unknown_unit_says_so(page: Page) -> None:
    visit(page, "/unit/99999", "vi")
    expect(page.locator("body")).to_contain_text("99999", timeout=30_000)
    assert "Traceback" not in page.locator("body").inner_text()


def test_a_dossier_link_in_the_at_risk_list_opens_the_dossier(page: Page, codes) -> None:  # type: ignore[no-untyped-def]
    visit(page, f"/unit/{codes['unit']}", "vi")
    link = page.locator(".ag-row a[href^='/dossier/']").first
    expect(link).to_be_visible(timeout=30_000)
    link.click()
    expect(page).to_have_url(re.compile(r"/dossier/"), timeout=30_000)
