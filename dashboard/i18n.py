"""Interface language: Vietnamese by default, English a click away, remembered in a cookie.

Every label lives in TEXT (key -> Vietnamese, English) so the wording can be reviewed in one
place and a test can prove both languages are complete. Layouts and callbacks read the language
from the request's cookie, so a switch is a reload, not a rewiring of every component.
"""

from __future__ import annotations

import importlib
import pkgutil

from flask import has_request_context, request

from dashboard import texts

LANGS = ("vi", "en")
COOKIE = "lang"

TEXT: dict[str, tuple[str, str]] = {
    # shell
    "app.title": ("Giám sát một cửa", "One-stop supervision"),
    "nav.province": ("Toàn tỉnh", "Province"),
    "nav.me": ("Hồ sơ của tôi", "My dossiers"),
    "nav.quality": ("Chất lượng dữ liệu", "Data quality"),
    "nav.language": ("English", "Tiếng Việt"),
    "nav.kiosk": ("Màn hình trung tâm", "Wall screen"),
    # filters
    "filter.period": ("Kỳ", "Period"),
    "period.week": ("Tuần này", "This week"),
    "period.month": ("Tháng này", "This month"),
    "period.quarter": ("Quý này", "This quarter"),
    "period.year": ("Năm nay", "This year"),
    "period.custom": ("Tùy chọn", "Custom"),
    "filter.from": ("Từ ngày", "From"),
    "filter.to": ("Đến ngày", "To"),
    "filter.unit": ("Đơn vị", "Unit"),
    "filter.sector": ("Lĩnh vực", "Sector"),
    "filter.procedure": ("Thủ tục", "Procedure"),
    "filter.channel": ("Kênh nộp", "Channel"),
    "filter.all": ("Tất cả", "All"),
    "channel.counter": ("Trực tiếp", "At the counter"),
    "channel.online": ("Trực tuyến", "Online"),
    "channel.postal": ("Bưu chính công ích", "Postal"),
    "filter.error": ("Bộ lọc trong đường dẫn không hợp lệ", "The filter in the link is not valid"),
    "filter.error.unknown": ("không có trong danh mục", "is not a known code"),
    "filter.error.hint": (
        "Các số liệu dưới đây dùng bộ lọc mặc định. Sửa đường dẫn hoặc chọn lại bộ lọc.",
        "The figures below use the default filters. Fix the link or choose the filters again.",
    ),
    "period.label": ("Từ {start} đến {end}", "From {start} to {end}"),
    "compare.previous": ("so với kỳ trước", "vs previous period"),
    # KPI cards
    "kpi.received": ("Tiếp nhận", "Received"),
    "kpi.resolved": ("Đã giải quyết", "Resolved"),
    "kpi.on_time_rate": ("Tỷ lệ đúng hạn", "On-time rate"),
    "kpi.resolved_late": ("Giải quyết trễ hạn", "Resolved late"),
    "kpi.open": ("Đang giải quyết", "Open now"),
    "kpi.overdue": ("Quá hạn", "Overdue now"),
    "kpi.due_soon": ("Đến hạn trong 2 ngày làm việc", "Due within 2 working days"),
    "kpi.online_share": ("Nộp trực tuyến", "Online share"),
    "kpi.digitized_share": ("Số hóa thành phần", "Digitized components"),
    "kpi.digitized_result_share": ("Số hóa kết quả", "Digitized results"),
    "kpi.payment_share": ("Thanh toán trực tuyến", "Online payment"),
    "kpi.satisfaction": ("Hài lòng", "Satisfaction"),
    "kpi.service_score": ("Điểm phục vụ (ước tính)", "Service score (estimate)"),
    "kpi.no_data": ("chưa có số liệu", "no data"),
    # province page
    "province.title": ("Toàn tỉnh", "Province overview"),
    "province.units": ("Các đơn vị", "All units"),
    "province.problem": ("Đơn vị cần chú ý", "Needs attention"),
    "province.heatmap": ("Hồ sơ tồn theo đơn vị và lĩnh vực", "Backlog by unit and sector"),
    "province.heatmap.backlog": ("Đang giải quyết", "Open"),
    "province.heatmap.overdue": ("Quá hạn", "Overdue"),
    "province.trend": ("Diễn biến theo tuần", "Weekly trends"),
    "province.trend.unit": ("Đơn vị so sánh", "Unit to compare"),
    "trend.received_resolved": (
        "Tiếp nhận và giải quyết (hồ sơ/tuần)",
        "Received and resolved (dossiers/week)",
    ),
    "trend.on_time": ("Tỷ lệ đúng hạn (%)", "On-time rate (%)"),
    "trend.online": ("Tỷ lệ nộp trực tuyến (%)", "Online share (%)"),
    "trend.satisfaction": ("Tỷ lệ hài lòng (%)", "Satisfaction (%)"),
    "trend.province": ("Toàn tỉnh", "Province"),
    "trend.week": ("Tuần", "Week"),
    "series.received": ("Tiếp nhận", "Received"),
    "series.resolved": ("Giải quyết", "Resolved"),
    "axis.dossiers": ("Hồ sơ", "Dossiers"),
    "axis.percent": ("%", "%"),
    "axis.unit": ("Đơn vị", "Unit"),
    "axis.sector": ("Lĩnh vực", "Sector"),
    "empty.no_dossiers": (
        "Không có hồ sơ nào khớp bộ lọc trong kỳ này.",
        "No dossier matches the filters in this period.",
    ),
    "empty.no_backlog": (
        "Không có hồ sơ tồn: mọi hồ sơ đã được giải quyết.",
        "No backlog: every dossier is resolved.",
    ),
    # grid columns
    "col.unit": ("Đơn vị", "Unit"),
    "col.code": ("Mã", "Code"),
    "col.level": ("Loại", "Type"),
    "col.received": ("Tiếp nhận", "Received"),
    "col.resolved": ("Đã giải quyết", "Resolved"),
    "col.on_time_rate": ("Đúng hạn (%)", "On time (%)"),
    "col.resolved_late": ("Trễ hạn", "Late"),
    "col.open": ("Đang giải quyết", "Open"),
    "col.overdue": ("Quá hạn", "Overdue"),
    "col.due_soon": ("Sắp đến hạn", "Due soon"),
    "col.online_share": ("Trực tuyến (%)", "Online (%)"),
    "col.digitized_share": ("Số hóa (%)", "Digitized (%)"),
    "col.payment_share": ("TT trực tuyến (%)", "Paid online (%)"),
    "col.satisfaction": ("Hài lòng (%)", "Satisfied (%)"),
    "col.service_score": ("Điểm phục vụ", "Service score"),
    "col.average_rating_timely": ("Điểm đánh giá HS đúng hạn", "Rating of timely dossiers"),
    "col.average_rating_late": ("Điểm đánh giá HS trễ hạn", "Rating of late dossiers"),
    "col.flag": ("Cảnh báo", "Flag"),
    "level.province": ("Tỉnh", "Province"),
    "level.commune": ("Xã", "Commune"),
    "level.ward": ("Phường", "Ward"),
    "level.special_zone": ("Đặc khu", "Special zone"),
    "level.department": ("Sở", "Department"),
    "flag.problem": ("Cần chú ý", "Attention"),
    "export.csv": ("Tải CSV", "Download CSV"),
    "export.excel": ("Tải Excel", "Download Excel"),
    "loading": ("Đang tải…", "Loading…"),
    "error.database": (
        "Không kết nối được cơ sở dữ liệu. Trang sẽ thử lại; số liệu chưa bị mất.",
        "The database cannot be reached. The page will retry; no data is lost.",
    ),
    "error.unexpected": ("Đã có lỗi khi tải số liệu.", "Something went wrong loading the figures."),
    "notfound.title": ("Không tìm thấy trang", "Page not found"),
    "notfound.body": ("Đường dẫn này không dẫn tới trang nào.", "This link does not lead to any page."),
    "notfound.home": ("Về trang toàn tỉnh", "Back to the province overview"),
}


def _merge_page_texts() -> None:
    for module in pkgutil.iter_modules(texts.__path__):
        page_texts: dict[str, tuple[str, str]] = importlib.import_module(
            f"{texts.__name__}.{module.name}"
        ).TEXT
        duplicated = TEXT.keys() & page_texts.keys()
        if duplicated:
            raise KeyError(f"labels defined twice: {sorted(duplicated)}")
        TEXT.update(page_texts)


_merge_page_texts()


def current_lang() -> str:
    if has_request_context():
        lang = request.cookies.get(COOKIE, "vi")
        return lang if lang in LANGS else "vi"
    return "vi"


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The label for `key` in `lang` (default: the request's language), with {values} filled in."""
    vi, en = TEXT[key]
    text = en if (lang or current_lang()) == "en" else vi
    return text.format(**values) if values else text
