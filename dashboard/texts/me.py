"""Labels of the "my dossiers" page (dashboard/pages/me.py)."""

TEXT: dict[str, tuple[str, str]] = {
    "me.title": ("Hồ sơ của tôi", "My dossiers"),
    "me.switch": ("Xem với tư cách cán bộ", "View as official"),
    "me.switch.placeholder": ("Chọn cán bộ…", "Choose an official…"),
    "me.switch.help": (
        "Chưa có đăng nhập: chọn cán bộ để xem hồ sơ người đó đang giữ. Đường dẫn giữ lựa chọn này.",
        "Until sign-in exists, choose an official to see the dossiers they hold. The link keeps the choice.",
    ),
    "me.choose": (
        "Chọn một cán bộ ở trên để xem các hồ sơ người đó đang giải quyết.",
        "Choose an official above to see the dossiers they are handling.",
    ),
    "me.unknown": (
        "Không có cán bộ đang làm việc nào mang mã “{code}”. Chọn lại cán bộ ở trên.",
        "No active official has the code “{code}”. Choose an official above.",
    ),
    "me.no_unit": ("(chưa gắn đơn vị)", "(no unit)"),
    "me.count.open": ("Đang giải quyết", "Open"),
    "me.count.overdue": ("Quá hạn", "Overdue"),
    "me.count.due_soon": ("Đến hạn trong 2 ngày làm việc", "Due within 2 working days"),
    "me.count.paused": ("Tạm dừng (chờ người dân)", "Paused (awaiting citizen)"),
    "me.list": ("Hồ sơ đang giữ", "Dossiers I hold"),
    "me.list.help": (
        "Xếp theo thời gian làm việc còn lại, hồ sơ gấp nhất ở trên. Bấm mã hồ sơ để xem chi tiết.",
        "By working time left, the most urgent first. Click a dossier code for its details.",
    ),
    "me.empty": (
        "Cán bộ này không giữ hồ sơ nào đang giải quyết: không có gì sắp đến hạn hay quá hạn.",
        "This official holds no open dossier: nothing is due soon or overdue.",
    ),
}
