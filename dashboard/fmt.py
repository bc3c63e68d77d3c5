"""Numbers, percentages and dates in the reader's locale (vi: 1.234,5 and 23/11/2026; en: 1,234.5)."""

from __future__ import annotations

from datetime import date, datetime

from dashboard.i18n import current_lang


def number(value: float | int | None, decimals: int = 0, lang: str | None = None) -> str:
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if (lang or current_lang()) == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def percent(ratio: float | None, decimals: int = 1, lang: str | None = None) -> str:
    if ratio is None:
        return "–"
    lang = lang or current_lang()
    return number(ratio * 100, decimals, lang) + (" %" if lang == "vi" else "%")


def signed(value: float, decimals: int = 0, lang: str | None = None, suffix: str = "") -> str:
    sign = "+" if value > 0 else ("−" if value < 0 else "±")
    return sign + number(abs(value), decimals, lang) + suffix


def day(value: date | datetime | None, lang: str | None = None) -> str:
    if value is None:
        return "–"
    return value.strftime("%d/%m/%Y") if (lang or current_lang()) == "vi" else value.strftime("%Y-%m-%d")


def moment(value: datetime | None, lang: str | None = None) -> str:
    if value is None:
        return "–"
    return (
        value.strftime("%H:%M %d/%m/%Y")
        if (lang or current_lang()) == "vi"
        else value.strftime("%Y-%m-%d %H:%M")
    )


def plotly_separators(lang: str | None = None) -> str:
    """Plotly's `separators` layout value: decimal mark then thousands mark."""
    return ",." if (lang or current_lang()) == "vi" else ".,"
