"""The wording of alerts: both languages complete, numbers the Vietnamese way, long lists cut."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from alerts import messages
from alerts.messages import DigestItem, DossierFacts, UnitChange

DUE = datetime(2026, 3, 17, 23, 59, 59)


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    vi, en = messages.TEXT["vi"], messages.TEXT["en"]
    assert set(vi) == set(en)
    for key in vi:
        assert set(re.findall(r"{(\w+)}", vi[key])) == set(re.findall(r"{(\w+)}", en[key])), key


@pytest.mark.parametrize(("lang", "text"), [("vi", "2,5"), ("en", "2.5")])
def test_working_days_use_the_languages_decimal_mark(lang: str, text: str) -> None:
    assert messages.days(lang, -2.5) == text
    assert messages.days(lang, 3.0) == "3"


def test_an_end_of_day_due_reads_as_a_date_and_an_hour_due_with_its_time() -> None:
    assert messages.when(DUE) == "17/03/2026"
    assert messages.when(datetime(2026, 3, 17, 15, 30)) == "15:30 17/03/2026"


@pytest.mark.parametrize("rule", ["due_soon", "overdue", "apology_missing", "overdue_long", "step_late"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_dossier_rule_renders_in_both_languages(rule: str, lang: str) -> None:
    facts = DossierFacts(
        rule, "HS-1", "Chứng thực", "Xã A", DUE, -1.5, step="appraisal", reason="unacknowledged", about="An"
    )
    message = messages.with_footer(
        lang,
        messages.dossier_message(lang, facts, dossier_url="http://x/dossier/HS-1"),
        ack_url="http://x/a",
        alert_id=7,
    )
    assert "HS-1" in message.title and "{" not in message.title + message.body
    assert message.body.endswith(("Mã cảnh báo: #7", "Alert id: #7"))


def test_a_long_digest_lists_fifteen_per_group_and_counts_the_rest() -> None:
    items = [DigestItem(f"HS-{n}", "Chứng thực", DUE, -n - 1, has_apology=n % 2 == 0) for n in range(20)]
    body = messages.digest_message("vi", name="An", day=DUE, items=items, link="http://x/me").body
    assert body.count("\n- HS-") == 15 and "... và 5 hồ sơ khác" in body
    assert body.index("HS-19 ") < body.index("HS-5 ") and "HS-4 " not in body  # the longest overdue first
    assert "Trong đó 10 hồ sơ quá hạn chưa có văn bản xin lỗi (Mẫu 04)." in body


def test_a_weekly_summary_lists_the_worst_fifteen_units() -> None:
    changes = [UnitChange(f"Xã {n}", 0.99, 0.9, 100, 3) for n in range(18)]
    message = messages.weekly_message("vi", week="12/2026", changes=changes, link="http://x/")
    assert message.title == "Tổng hợp tuần 12/2026: 18 đơn vị giảm tỷ lệ đúng hạn"
    assert "- Xã 0: 99,0% → 90,0% (100 hồ sơ đã giải quyết, 3 quá hạn)" in message.body
    assert "... và 3 đơn vị khác" in message.body
