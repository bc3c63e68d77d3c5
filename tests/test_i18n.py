"""Both languages are complete, and numbers and dates follow the chosen locale."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from dashboard import fmt
from dashboard.i18n import TEXT, t

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("key", sorted(TEXT))
def test_every_label_exists_in_both_languages_with_the_same_placeholders(key: str) -> None:
    vi, en = TEXT[key]
    assert vi.strip() and en.strip()
    assert set(PLACEHOLDER.findall(vi)) == set(PLACEHOLDER.findall(en))


def test_every_label_used_in_the_code_is_defined() -> None:
    used: set[str] = set()
    for path in Path("dashboard").rglob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']""", path.read_text(encoding="utf-8")))
    assert sorted(used - TEXT.keys()) == []


def test_it_formats_numbers_percentages_and_dates_per_locale() -> None:
    assert fmt.number(1234567, lang="vi") == "1.234.567"
    assert fmt.number(1234567, lang="en") == "1,234,567"
    assert fmt.percent(0.9751, lang="vi") == "97,5 %"
    assert fmt.percent(0.9751, lang="en") == "97.5%"
    assert fmt.day(date(2026, 11, 23), lang="vi") == "23/11/2026"
    assert fmt.day(date(2026, 11, 23), lang="en") == "2026-11-23"
    assert fmt.percent(None) == "–"


def test_it_fills_values_into_labels() -> None:
    assert t("period.label", "en", start="a", end="b") == "From a to b"
    assert t("period.label", "vi", start="a", end="b") == "Từ a đến b"
