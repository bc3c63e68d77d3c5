"""The province overview in a real browser: loads clean, filters, URL, navigation, language, export."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import shoot


def number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


def open_province(page: Page, query: str = "") -> None:
    page.goto(page.base + "/" + query)  # type: ignore[attr-defined]
    expect(page.locator("#kpi-received")).to_be_visible(timeout=30_000)
    expect(page.locator(".ag-center-cols-container .ag-row").first).to_be_visible(timeout=30_000)


def test_the_province_page_loads_in_vietnamese_and_english(page: Page) -> None:
    open_province(page, "?period=quarter")
    expect(page.locator("h1")).to_have_text("Toàn tỉnh")
    assert number(page.locator("#kpi-received").inner_text()) > 0
    expect(page.locator("#province-heatmap .main-svg").first).to_be_visible(timeout=30_000)
    shoot(page, "province-vi")
    page.locator("#language-switch").click()
    expect(page.locator("h1")).to_have_text("Province overview", timeout=30_000)
    expect(page.locator("#kpi-received")).to_be_visible(timeout=30_000)
    expect(page.locator("#province-heatmap .main-svg").first).to_be_visible(timeout=30_000)
    body = page.locator("body").inner_text()
    for vietnamese in ("Tiếp nhận", "Đã giải quyết", "Tỷ lệ đúng hạn", "Các đơn vị", "Tải CSV", "Toàn tỉnh"):
        assert vietnamese not in body, vietnamese
    shoot(page, "province-en")


def test_a_filter_change_rewrites_the_url_and_the_numbers(page: Page) -> None:
    open_province(page, "?period=month")
    month_text = page.locator("#kpi-received").inner_text()
    month = number(month_text)
    page.locator("#flt-period").select_option("year")
    expect(page).to_have_url(re.compile(r"period=year"), timeout=30_000)
    expect(page.locator("#kpi-received")).not_to_have_text(month_text, timeout=30_000)
    assert number(page.locator("#kpi-received").inner_text()) > month


def test_a_link_with_filters_shows_the_same_view(page: Page) -> None:
    query = "?period=custom&from=2026-09-01&to=2026-09-30&channel=online"
    open_province(page, query)
    first = page.locator("#kpi-received").inner_text()
    expect(page.locator("#flt-from")).to_have_value("2026-09-01")
    expect(page.locator("#flt-channel")).to_have_value("online")
    page.reload()
    expect(page.locator("#kpi-received")).to_have_text(first, timeout=30_000)


def test_a_bad_link_says_what_is_wrong(page: Page) -> None:
    page.goto(page.base + "/?period=custom&from=2026-02-30")  # type: ignore[attr-defined]
    expect(page.locator("#filter-error")).to_contain_text("2026-02-30", timeout=30_000)
    expect(page.locator("#kpi-received")).to_be_visible(timeout=30_000)


def test_a_click_on_a_unit_opens_its_page(page: Page) -> None:
    open_province(page, "?period=quarter")
    first_row = page.locator(".ag-pinned-left-cols-container .ag-row").first
    first_row.locator("[col-id=name]").click()
    expect(page).to_have_url(re.compile(r"/unit/\d+\?period=quarter"), timeout=30_000)


def test_the_units_export_matches_the_page(page: Page) -> None:
    open_province(page, "?period=quarter")
    with page.expect_download() as download_info:
        page.locator("button", has_text="Tải CSV").click()
    content = download_info.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    total = sum(int(row["Tiếp nhận"]) for row in rows)
    assert total == number(page.locator("#kpi-received").inner_text())


def test_the_wall_screen_has_no_navbar_and_large_type(page: Page) -> None:
    open_province(page, "?kiosk=1&period=month")
    expect(page.locator("#navbar")).to_be_hidden()
    expect(page.locator(".filter-bar")).to_have_count(0)
    size = page.locator("#kpi-received").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 36
    shoot(page, "province-kiosk-vi")
