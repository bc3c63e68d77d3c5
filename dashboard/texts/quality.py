"""Labels of the data-quality page (`/quality`)."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "quality.title": ("Chất lượng dữ liệu", "Data quality"),
    "quality.intro": (
        "Những hồ sơ làm sai số liệu của bảng điều khiển hoặc làm giảm điểm Bộ chỉ số phục vụ "
        "(Quyết định 766/QĐ-TTg). Chỉ xét hồ sơ đã được tiếp nhận. Hồ sơ không có ngày dùng để "
        "lọc theo kỳ (chưa có thời điểm tiếp nhận, chưa kết thúc) luôn được tính.",
        "Dossiers that make the dashboard's figures wrong or lower the national service index "
        "(Decision 766/QĐ-TTg). Only accepted dossiers are checked. Dossiers without the date the "
        "period applies to (no receipt time, not finished yet) are always included.",
    ),
    "quality.unit_note": (
        "Hồ sơ không rõ đơn vị không thể có: cơ sở dữ liệu bắt buộc mỗi hồ sơ thuộc một đơn vị "
        "có trong danh mục (khóa ngoại), và việc nhập dữ liệu từ chối dòng có mã đơn vị lạ.",
        "A dossier of an unknown unit cannot exist: the database requires every dossier to belong "
        "to a unit in the list (a foreign key), and the import rejects rows with an unknown unit code.",
    ),
    "quality.summary": ("Số hồ sơ theo đơn vị và loại vấn đề", "Dossiers by unit and check"),
    "quality.summary.hint": (
        "Bấm vào một ô để xem danh sách hồ sơ của đơn vị và loại vấn đề đó.",
        "Click a cell to list the dossiers of that unit and check.",
    ),
    "quality.summary.empty": (
        "Không có hồ sơ nào có vấn đề trong phạm vi và kỳ đã chọn.",
        "No dossier fails any check in the chosen scope and period.",
    ),
    "quality.col.any": ("Hồ sơ có vấn đề", "Dossiers with a problem"),
    "quality.check": ("Loại vấn đề", "Check"),
    "quality.check.count": ("{label} ({count})", "{label} ({count})"),
    "quality.check.bad": (
        "Loại vấn đề “{value}” trong đường dẫn không tồn tại; đang hiển thị “{label}”.",
        "The check “{value}” in the link does not exist; showing “{label}”.",
    ),
    "quality.check.no_procedure": ("Không có thủ tục", "No procedure"),
    "quality.check.no_receipt": ("Không có thời điểm tiếp nhận", "No receipt time"),
    "quality.check.late_appointment": (
        "Hẹn trả muộn hơn hạn luật định",
        "Appointment after the statutory due",
    ),
    "quality.check.repeat_supplement": ("Yêu cầu bổ sung nhiều lần", "More than one supplement request"),
    "quality.check.late_no_apology": ("Trễ hạn không có thư xin lỗi", "Late without an apology letter"),
    "quality.check.no_digitized_result": ("Kết quả chưa số hóa", "Result not digitized"),
    "quality.why.no_procedure": (
        "Hồ sơ không gắn thủ tục hành chính nên không có thời hạn giải quyết: đồng hồ không tính "
        "được hạn, hồ sơ không vào được tỷ lệ đúng hạn.",
        "The dossier has no procedure, hence no time limit: the clock cannot give it a due date and "
        "it is missing from the on-time rate.",
    ),
    "quality.why.no_receipt": (
        "Hồ sơ đã tiếp nhận nhưng không có thời điểm tiếp nhận: đồng hồ không có điểm bắt đầu.",
        "The dossier is accepted but has no receipt time: the clock has no start.",
    ),
    "quality.why.late_appointment": (
        "Ngày hẹn trả trên phiếu hẹn muộn hơn hạn theo quy định: trễ hạn bị che giấu, người dân "
        "chờ lâu hơn luật cho phép.",
        "The appointment on the receipt slip is later than the statutory due: a hidden delay, the "
        "citizen waits longer than the law allows.",
    ),
    "quality.why.repeat_supplement": (
        "Yêu cầu bổ sung hồ sơ từ lần thứ hai: Bộ chỉ số tính hồ sơ là trễ hạn dù kết thúc đúng hẹn.",
        "A second supplement request: the national index counts the dossier late whatever its dates.",
    ),
    "quality.why.late_no_apology": (
        "Hồ sơ kết thúc sau hạn, hoặc đang quá hạn, mà không có văn bản xin lỗi và hẹn lại (Mẫu 04), "
        "văn bản phải gửi chậm nhất một ngày trước hạn.",
        "The dossier finished after its deadline, or is overdue now, without an apology letter "
        "(Mẫu 04), which is due at the latest one day before the deadline.",
    ),
    "quality.why.no_digitized_result": (
        "Hồ sơ đã có kết quả (đã xử lý xong hoặc đã trả) nhưng kết quả chưa được số hóa: giảm điểm "
        "nhóm Số hóa hồ sơ.",
        "The dossier has a result (finished or returned) that was not digitized: it lowers the "
        "digitization group of the index.",
    ),
    "quality.period_by.received": (
        "Kỳ lọc theo ngày tiếp nhận.",
        "The period applies to the receipt date.",
    ),
    "quality.period_by.finished": (
        "Kỳ lọc theo ngày kết thúc xử lý; hồ sơ chưa kết thúc luôn được tính.",
        "The period applies to the end of processing; dossiers not finished yet are always included.",
    ),
    "quality.list": ("Danh sách hồ sơ", "The dossiers"),
    "quality.list.unit": ("Đơn vị", "Unit"),
    "quality.list.all_units": ("Tất cả đơn vị trong phạm vi", "Every unit in scope"),
    "quality.list.count": ("{count} hồ sơ", "{count} dossiers"),
    "quality.list.empty": (
        "Không có hồ sơ nào thuộc loại “{label}” trong phạm vi và kỳ đã chọn.",
        "No dossier fails “{label}” in the chosen scope and period.",
    ),
    "quality.list.hint": (
        "Danh sách tải dần khi cuộn; bấm mã hồ sơ để xem chi tiết. "
        "Tải xuống lấy toàn bộ danh sách từ máy chủ.",
        "The list loads as you scroll; click a code to open the dossier. "
        "Downloads take the whole list from the server.",
    ),
    "quality.list.capped": (
        "Tệp tải xuống chỉ gồm {limit} hồ sơ đầu tiên; hãy thu hẹp bộ lọc để có đủ danh sách.",
        "The download holds the first {limit} dossiers only; narrow the filters to get the whole list.",
    ),
    "quality.export.name": ("chat-luong-du-lieu", "data-quality"),
    "quality.col.code": ("Mã hồ sơ", "Dossier"),
    "quality.col.unit": ("Đơn vị", "Unit"),
    "quality.col.procedure": ("Thủ tục", "Procedure"),
    "quality.col.status": ("Trạng thái", "Status"),
    "quality.col.channel": ("Kênh nộp", "Channel"),
    "quality.col.received_at": ("Tiếp nhận", "Received"),
    "quality.col.statutory_due_at": ("Hạn theo luật", "Statutory due"),
    "quality.col.appointment_due_at": ("Hẹn trả", "Appointment"),
    "quality.col.due_at": ("Hạn hiệu lực", "Effective due"),
    "quality.col.finished_at": ("Kết thúc xử lý", "Finished"),
    "quality.col.supplement_count": ("Lần bổ sung", "Supplement requests"),
}
