"""Labels of the page-level banner shown while the database cannot be reached (components/outage.py)."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "outage.title": ("Không kết nối được cơ sở dữ liệu.", "The database cannot be reached."),
    "outage.body": (
        "Trang sẽ tự thử lại sau mỗi {seconds} giây và tải lại khi kết nối được; số liệu không bị mất.",
        "The page will retry every {seconds} seconds and reload once it is back; no data is lost.",
    ),
    "error.query": (
        "Cơ sở dữ liệu từ chối truy vấn này. Lỗi đã được ghi lại; hãy báo cho quản trị viên.",
        "The database refused this query. The error was logged; please tell the administrator.",
    ),
}
