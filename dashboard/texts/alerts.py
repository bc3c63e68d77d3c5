"""Labels of the alert log (`/alerts`), the alert sections of the dossier and official pages, and
the acknowledgement page a message's link opens (`/alerts/ack/<token>`)."""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    "nav.alerts": ("Nhật ký cảnh báo", "Alert log"),
    # the log page
    "alerts.title": ("Nhật ký cảnh báo", "Alert log"),
    "alerts.intro": (
        "Mọi cảnh báo hệ thống đã gửi hoặc định gửi: ai được báo, về việc gì, lúc nào, qua kênh nào "
        "và đã xác nhận hay chưa. Kỳ lọc theo thời điểm cảnh báo được tạo.",
        "Every alert the system sent or meant to send: who was told what, when, through which "
        "channel, and whether they acknowledged. The period applies to when the alert was raised.",
    ),
    "alerts.filter.state": ("Trạng thái", "State"),
    "alerts.filter.official": (
        "Chỉ cảnh báo gửi cho {name} ({code}).",
        "Only the alerts sent to {name} ({code}).",
    ),
    "alerts.filter.official.clear": ("Xem tất cả người nhận", "Show every recipient"),
    "alerts.filter.error.state": (
        "phải là một trong: {values}",
        "must be one of: {values}",
    ),
    "alerts.filter.error.official": ("không phải cán bộ nào", "is not a known official"),
    "alerts.summary": ("Tổng hợp trong kỳ", "In the period"),
    "alerts.summary.failed_week": (
        "Cảnh báo gửi không được trong 7 ngày qua: {count}.",
        "Alerts that failed in the last 7 days: {count}.",
    ),
    "alerts.summary.failed_week.none": (
        "Không có cảnh báo nào gửi không được trong 7 ngày qua.",
        "No alert failed in the last 7 days.",
    ),
    "alerts.summary.failed_week.show": ("Xem các cảnh báo này", "Show them"),
    "alerts.count.sent": ("Đã gửi", "Sent"),
    "alerts.count.acknowledged": ("Đã xác nhận", "Acknowledged"),
    "alerts.count.unacknowledged": ("Đã gửi, chưa xác nhận", "Sent, not acknowledged"),
    "alerts.count.waiting": ("Đang chờ gửi", "Waiting"),
    "alerts.count.failed": ("Gửi không được", "Failed"),
    "alerts.count.rerouted": ("Chuyển lên cấp trên", "Rerouted up"),
    "alerts.list": ("Các cảnh báo", "The alerts"),
    "alerts.list.count": ("Số cảnh báo: {count}", "Alerts: {count}"),
    "alerts.list.empty": (
        "Không có cảnh báo nào khớp bộ lọc trong kỳ này.",
        "No alert matches the filters in this period.",
    ),
    "alerts.list.hint": (
        "Mới nhất ở trên; danh sách tải dần khi cuộn. Bấm một dòng để xem nội dung đã gửi và từng "
        "lần gửi. Tải xuống lấy toàn bộ danh sách từ máy chủ.",
        "Newest first; the list loads as you scroll. Click a row for the message sent and every "
        "attempt. Downloads take the whole list from the server.",
    ),
    "alerts.list.capped": (
        "Tệp tải xuống chỉ gồm {limit} cảnh báo đầu tiên; hãy thu hẹp bộ lọc để có đủ danh sách.",
        "The download holds the first {limit} alerts only; narrow the filters to get the whole list.",
    ),
    "alerts.export.name": ("nhat-ky-canh-bao", "alert-log"),
    "alerts.detail": ("Cảnh báo #{id}", "Alert #{id}"),
    "alerts.detail.hint": (
        "Bấm một dòng trong danh sách để xem nội dung đã gửi và từng lần gửi.",
        "Click a row of the list to see the message sent and every attempt.",
    ),
    "alerts.detail.gone": ("Cảnh báo #{id} không còn trong cơ sở dữ liệu.", "Alert #{id} no longer exists."),
    "alerts.detail.message": ("Nội dung đã gửi", "Message sent"),
    "alerts.detail.not_rendered": (
        "Chưa có nội dung: cảnh báo chưa được gửi lần nào.",
        "No message yet: the alert has not been sent.",
    ),
    "alerts.detail.redacted": (
        "Đường dẫn xác nhận trong nội dung được che: chỉ người nhận được dùng.",
        "The acknowledgement link in the message is hidden: it is for the recipient only.",
    ),
    "alerts.detail.attempts": ("Các lần gửi", "Attempts"),
    "alerts.detail.no_attempts": (
        "Chưa có lần gửi nào (không có kênh nhận, hoặc đang chờ).",
        "No attempt was made (no channel, or still waiting).",
    ),
    "alerts.attempt.number": ("Lượt", "Round"),
    "alerts.attempt.started": ("Bắt đầu", "Started"),
    "alerts.attempt.service": ("Kênh", "Channel"),
    "alerts.attempt.url": ("Địa chỉ (đã che bí mật)", "Address (secrets hidden)"),
    "alerts.attempt.result": ("Kết quả", "Result"),
    "alerts.attempt.ok": ("Thành công", "Delivered"),
    "alerts.attempt.failed": ("Lỗi", "Failed"),
    "alerts.attempt.permanent": ("Lỗi vĩnh viễn", "Refused for good"),
    "alerts.attempt.unfinished": ("Không rõ (bộ gửi dừng giữa chừng)", "Unknown (the sender stopped)"),
    # columns (grid, sections, exports)
    "alerts.col.id": ("Mã", "Id"),
    "alerts.col.created_at": ("Tạo lúc", "Raised"),
    "alerts.col.sent_at": ("Gửi lúc", "Sent"),
    "alerts.col.state": ("Trạng thái gửi", "Delivery"),
    "alerts.col.rule": ("Loại cảnh báo", "Alert"),
    "alerts.col.subject": ("Về", "About"),
    "alerts.col.unit": ("Đơn vị", "Unit"),
    "alerts.col.recipient": ("Người nhận", "Recipient"),
    "alerts.col.level": ("Cấp", "Level"),
    "alerts.col.channels": ("Kênh đã nhận", "Delivered via"),
    "alerts.col.attempts": ("Số lần gửi", "Attempts"),
    "alerts.col.last_error": ("Lỗi gần nhất", "Last error"),
    "alerts.col.acknowledged_at": ("Xác nhận lúc", "Acknowledged"),
    "alerts.col.acknowledged_by": ("Người xác nhận", "Acknowledged by"),
    "alerts.col.acknowledgement": ("Xác nhận", "Acknowledgement"),
    "alerts.col.snoozed_until": ("Hoãn nhắc đến", "Snoozed until"),
    "alerts.col.reason": ("Lý do gửi cấp này", "Why this level"),
    "alerts.col.deadline": ("Hạn được xét", "Deadline judged"),
    # delivery states
    "alerts.state.waiting": ("Đang chờ gửi", "Waiting"),
    "alerts.state.sent": ("Đã gửi", "Sent"),
    "alerts.state.failed": ("Gửi không được", "Failed"),
    "alerts.state.cancelled": ("Đã hủy (hết điều kiện)", "Cancelled (condition ended)"),
    "alerts.state.rerouted": ("Chuyển lên cấp trên", "Rerouted up"),
    "alerts.state.acknowledged": ("Đã xác nhận", "Acknowledged"),
    "alerts.state.unacknowledged": ("Đã gửi, chưa xác nhận", "Sent, not acknowledged"),
    # rules
    "alerts.rule.due_soon": ("Sắp đến hạn", "Due soon"),
    "alerts.rule.overdue": ("Quá hạn", "Overdue"),
    "alerts.rule.apology_missing": ("Quá hạn chưa có thư xin lỗi", "Overdue, no apology letter"),
    "alerts.rule.overdue_long": ("Quá hạn kéo dài", "Long overdue"),
    "alerts.rule.step_late": ("Bước xử lý quá hạn", "Step overdue"),
    "alerts.rule.daily_digest": ("Tổng hợp đầu ngày", "Daily digest"),
    "alerts.rule.weekly_summary": ("Tổng hợp tuần", "Weekly summary"),
    "alerts.rule.data_quality": ("Dữ liệu cần bổ sung", "Data to complete"),
    "alerts.rule.channel_broken": ("Kênh thông báo hỏng", "Broken channel"),
    # levels of the chain
    "alerts.level.0": ("Cán bộ xử lý", "Handler"),
    "alerts.level.1": ("Lãnh đạo đơn vị", "Unit head"),
    "alerts.level.2": ("Giám sát cấp tỉnh", "Provincial supervisor"),
    "alerts.level.3": ("Quản trị hệ thống", "Administrators"),
    "alerts.admins": ("Quản trị hệ thống", "Administrators"),
    # why an alert went to its level, and stored errors
    "alerts.reason.no_recipient": ("Cấp dưới không có người nhận", "Nobody at the level below"),
    "alerts.reason.channel_broken": ("Kênh của cấp dưới bị lỗi", "The level below could not be reached"),
    "alerts.reason.unacknowledged": ("Cấp dưới chưa xác nhận", "Not acknowledged below"),
    "alerts.error.no_channel": ("Người nhận chưa đăng ký kênh", "The recipient has no channel"),
    "alerts.error.channel_broken": ("Mọi kênh của người nhận bị lỗi", "Every channel of the recipient fails"),
    "alerts.error.condition_ended": (
        "Hết điều kiện trước khi gửi (hồ sơ đã xử lý hoặc đổi hạn)",
        "The condition ended before sending (dossier finished or due moved)",
    ),
    "alerts.ack.by_link": ("{name}, qua đường dẫn", "{name}, by link"),
    "alerts.ack.not_yet": ("Chưa xác nhận", "Not yet"),
    "alerts.ack.snoozed": ("Hoãn nhắc đến {until}", "Snoozed until {until}"),
    "alerts.ack.at_by": ("{at} · {who}", "{at} · {who}"),
    # sections on the dossier and official pages
    "alerts.section": ("Cảnh báo", "Alerts"),
    "alerts.section.dossier.empty": (
        "Chưa có cảnh báo nào về hồ sơ này.",
        "No alert has been raised about this dossier.",
    ),
    "alerts.section.official.title": ("Cảnh báo gửi cho cán bộ này", "Alerts sent to this official"),
    "alerts.section.official.empty": (
        "Chưa có cảnh báo nào gửi cho cán bộ này.",
        "No alert has been sent to this official.",
    ),
    "alerts.section.official.latest": (
        "{shown} cảnh báo gần nhất.",
        "The latest {shown} alerts.",
    ),
    "alerts.section.all": ("Xem trong nhật ký cảnh báo", "See them in the alert log"),
    # the acknowledgement page
    "ack.heading": ("Xác nhận cảnh báo", "Acknowledge an alert"),
    "ack.lead": (
        "Bấm “Đã nhận” để báo rằng Anh/Chị đã biết và đang xử lý; cảnh báo sẽ không được chuyển lên "
        "cấp trên. Bấm “Nhắc lại sau” nếu cần thêm thời gian: cảnh báo được giữ lại {hours} giờ.",
        "Press “Acknowledge” to say you know and are on it; the alert will not climb to the next "
        "level. Press “Snooze” if you need time: the alert is held back for {hours} hours.",
    ),
    "ack.alert": ("Cảnh báo", "Alert"),
    "ack.recipient": ("Gửi tới", "Sent to"),
    "ack.sent_at": ("Gửi lúc", "Sent"),
    "ack.dossier": ("Hồ sơ", "Dossier"),
    "ack.deadline": ("Hạn", "Due"),
    "ack.reference": ("Mã cảnh báo", "Alert id"),
    "ack.button.ack": ("Đã nhận", "Acknowledge"),
    "ack.button.snooze": ("Nhắc lại sau", "Snooze"),
    "ack.snoozed_note": (
        "Cảnh báo đang được hoãn nhắc đến {until}; chỉ hoãn được một lần.",
        "The alert is snoozed until {until}; it can be snoozed once only.",
    ),
    "ack.done.title": ("Đã xác nhận", "Acknowledged"),
    "ack.done.body": (
        "Cảm ơn Anh/Chị. Cảnh báo đã được xác nhận lúc {at} và sẽ không được chuyển lên cấp trên.",
        "Thank you. The alert was acknowledged at {at} and will not climb to the next level.",
    ),
    "ack.snoozed.title": ("Đã hoãn nhắc", "Snoozed"),
    "ack.snoozed.body": (
        "Cảnh báo sẽ không được chuyển lên cấp trên trước {until}. Khi đã xử lý, hãy mở lại đường dẫn "
        "và bấm “Đã nhận”.",
        "The alert will not climb to the next level before {until}. When you have dealt with it, "
        "open the link again and press “Acknowledge”.",
    ),
    "ack.already.title": ("Cảnh báo đã được xác nhận", "Already acknowledged"),
    "ack.already.body": (
        "Cảnh báo này đã được xác nhận lúc {at} bởi {who}. Không có gì thay đổi.",
        "This alert was acknowledged at {at} by {who}. Nothing was changed.",
    ),
    "ack.already_snoozed.title": ("Cảnh báo đã được hoãn", "Already snoozed"),
    "ack.already_snoozed.body": (
        "Cảnh báo này đã được hoãn nhắc đến {until}; chỉ hoãn được một lần. Không có gì thay đổi.",
        "This alert is already snoozed until {until}; it can be snoozed once only. Nothing was changed.",
    ),
    "ack.invalid.title": ("Đường dẫn không hợp lệ", "This link is not valid"),
    "ack.invalid.body": (
        "Đường dẫn xác nhận bị sai hoặc không trọn vẹn (có thể bị cắt khi sao chép). Không có gì thay "
        "đổi. Hãy mở đường dẫn trong tin nhắn gốc.",
        "The acknowledgement link is wrong or incomplete (it may have been cut when copied). Nothing "
        "was changed. Open the link from the original message.",
    ),
    "ack.expired.title": ("Đường dẫn đã hết hạn", "This link has expired"),
    "ack.expired.body": (
        "Đường dẫn xác nhận chỉ dùng được trong một thời gian giới hạn và đã hết hạn. Không có gì thay "
        "đổi. Cảnh báo mới sẽ có đường dẫn mới.",
        "Acknowledgement links work for a limited time and this one has expired. Nothing was "
        "changed. A new alert comes with a new link.",
    ),
    "ack.unknown.title": ("Không tìm thấy cảnh báo", "Alert not found"),
    "ack.unknown.body": (
        "Cảnh báo của đường dẫn này không còn trong hệ thống. Không có gì thay đổi.",
        "The alert of this link no longer exists. Nothing was changed.",
    ),
    "ack.forbidden.title": ("Yêu cầu bị từ chối", "Request refused"),
    "ack.forbidden.body": (
        "Yêu cầu đến từ một trang khác, không phải trang xác nhận này. Không có gì thay đổi. Hãy mở "
        "đường dẫn trong tin nhắn và bấm nút trên trang đó.",
        "The request came from another site, not this acknowledgement page. Nothing was changed. "
        "Open the link from the message and press the button there.",
    ),
    "ack.home": ("Mở bảng điều khiển", "Open the dashboard"),
}
