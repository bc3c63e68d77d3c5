"""Labels of the commune page (dashboard/pages/unit.py)."""

TEXT: dict[str, tuple[str, str]] = {
    "unit.back": ("Toàn tỉnh", "Province overview"),
    "unit.unknown.title": ("Không tìm thấy đơn vị", "Unit not found"),
    "unit.unknown.body": (
        "Không có đơn vị nào mang mã “{code}” trong danh mục. Đường dẫn có thể đã cũ hoặc gõ sai.",
        "No unit has the code “{code}”. The link may be old or mistyped.",
    ),
    # sections
    "unit.atrisk": ("Hồ sơ cần chú ý", "Dossiers at risk"),
    "unit.atrisk.help": (
        "Hồ sơ đang giải quyết, xếp theo thời gian làm việc còn lại: quá hạn và sắp đến hạn ở trên cùng.",
        "Open dossiers ordered by the working time left: overdue and due soon at the top.",
    ),
    "unit.atrisk.empty": (
        "Không có hồ sơ nào đang giải quyết với bộ lọc này, nên không có hồ sơ nào có nguy cơ trễ hạn.",
        "No dossier is open for these filters, so none is at risk of being late.",
    ),
    "unit.sectors": ("Hồ sơ tồn theo lĩnh vực", "Backlog by sector"),
    "unit.sectors.chart": (
        "Hồ sơ đang giải quyết theo lĩnh vực (hồ sơ)",
        "Open dossiers by sector (dossiers)",
    ),
    "unit.backlog.help": (
        "Hiện tại, không phụ thuộc kỳ báo cáo.",
        "As of now, whatever the period.",
    ),
    "unit.backlog.empty": (
        "Không có hồ sơ tồn với bộ lọc này: mọi hồ sơ đã tiếp nhận đều đã giải quyết xong.",
        "No backlog for these filters: every dossier received has been resolved.",
    ),
    "unit.procedures": ("Hồ sơ tồn theo thủ tục", "Backlog by procedure"),
    "unit.procedures.help": (
        "Hiện tại. Bấm vào một thủ tục để lọc cả trang theo thủ tục đó.",
        "As of now. Click a procedure to narrow the whole page to it.",
    ),
    "unit.workload": ("Khối lượng theo cán bộ", "Workload by official"),
    "unit.workload.help": (
        "Hồ sơ mỗi cán bộ đang giữ, hiện tại. Bấm vào tên để xem danh sách hồ sơ của cán bộ đó.",
        "Dossiers each official holds now. Click a name to open that official's list.",
    ),
    "unit.workload.empty": (
        "Không có hồ sơ tồn và đơn vị chưa có cán bộ tiếp nhận, xử lý nào đang hoạt động.",
        "No backlog, and the unit has no active receiving or handling official.",
    ),
    "unit.ageing": ("Tuổi của hồ sơ tồn", "Age of the backlog"),
    "unit.ageing.help": (
        "Số ngày làm việc kể từ ngày tiếp nhận (không tính ngày nghỉ, lễ, Tết).",
        "Working days since receipt (weekends, holidays and Tết not counted).",
    ),
    "unit.ageing.chart": (
        "Hồ sơ đang giải quyết theo số ngày làm việc từ khi tiếp nhận",
        "Open dossiers by working days since receipt",
    ),
    "unit.ageing.axis": ("Ngày làm việc kể từ khi tiếp nhận", "Working days since receipt"),
    "unit.ageing.over": ("trên {days}", "over {days}"),
    "unit.ageing.undated": (
        "Ngoài ra {count} hồ sơ không có ngày tiếp nhận nên không tính được tuổi.",
        "Besides, {count} dossiers have no receipt date, so their age is unknown.",
    ),
    "unit.flow": ("Tiếp nhận và giải quyết theo tuần", "Received and resolved per week"),
    "unit.flow.help": (
        "Khi đường tiếp nhận nằm trên đường giải quyết, hồ sơ tồn đang tăng.",
        "When received runs above resolved, the backlog is growing.",
    ),
    "unit.flow.empty": (
        "Không có hồ sơ nào được tiếp nhận hay giải quyết trong 26 tuần tính đến cuối kỳ với bộ lọc này.",
        "No dossier was received or resolved in the 26 weeks up to the end of the period for these filters.",
    ),
    "unit.flow.growing": (
        "Trong {weeks} tuần: tiếp nhận {received}, giải quyết {resolved}, hồ sơ tồn tăng {net}.",
        "Over {weeks} weeks: {received} received, {resolved} resolved, the backlog grew by {net}.",
    ),
    "unit.flow.shrinking": (
        "Trong {weeks} tuần: tiếp nhận {received}, giải quyết {resolved}, hồ sơ tồn giảm {net}.",
        "Over {weeks} weeks: {received} received, {resolved} resolved, the backlog shrank by {net}.",
    ),
    "unit.flow.steady": (
        "Trong {weeks} tuần: tiếp nhận {received}, giải quyết {resolved}, hồ sơ tồn không đổi.",
        "Over {weeks} weeks: {received} received, {resolved} resolved, the backlog is unchanged.",
    ),
    "unit.satisfaction": ("Mức độ hài lòng theo tuần", "Satisfaction per week"),
    "unit.satisfaction.help": (
        "Hài lòng: đánh giá 4–5 điểm; không hài lòng: 1–2 điểm (thang 5 điểm).",
        "Satisfied: rated 4–5; dissatisfied: rated 1–2 (on a scale of 5).",
    ),
    "unit.satisfaction.chart": (
        "Tỷ lệ hài lòng và không hài lòng (%), số lượt đánh giá",
        "Satisfied and dissatisfied share (%), number of ratings",
    ),
    "unit.series.ratings": ("Lượt đánh giá", "Ratings"),
    "unit.series.satisfied": ("Hài lòng (%)", "Satisfied (%)"),
    "unit.series.low": ("Không hài lòng (%)", "Dissatisfied (%)"),
    "unit.axis.ratings": ("Lượt đánh giá", "Ratings"),
    "unit.ratings.empty": (
        "Chưa có lượt đánh giá nào trong 26 tuần tính đến cuối kỳ với bộ lọc này.",
        "No rating in the 26 weeks up to the end of the period for these filters.",
    ),
    "unit.timeliness": ("Hài lòng và đúng hạn", "Satisfaction and timeliness"),
    "unit.timeliness.help": (
        "Đánh giá trong kỳ của hồ sơ đã giải quyết: đúng hạn (kể cả trước hạn) so với trễ hạn.",
        "Ratings given in the period to resolved dossiers: on time (or early) against late.",
    ),
    "unit.timeliness.timely": ("Hồ sơ đúng hạn, trước hạn", "Resolved on time or early"),
    "unit.timeliness.late": ("Hồ sơ trễ hạn", "Resolved late"),
    "unit.timeliness.detail": (
        "{satisfied} hài lòng · {ratings} lượt",
        "{satisfied} satisfied · {ratings} ratings",
    ),
    "unit.timeliness.none": ("chưa có lượt đánh giá", "no rating yet"),
    "unit.timeliness.cost": (
        "Trễ hạn làm điểm đánh giá trung bình giảm {points} điểm và tỷ lệ hài lòng chênh {share} điểm %.",
        "Lateness costs {points} points of average rating and {share} percentage points of satisfaction.",
    ),
    "unit.timeliness.no_cost": (
        "Ở đây hồ sơ trễ hạn không bị đánh giá thấp hơn (chênh {points} điểm, {share} điểm %).",
        "Here late dossiers are not rated lower (difference {points} points, {share} percentage points).",
    ),
    "unit.timeliness.empty": (
        "Chưa có đánh giá nào cho hồ sơ đã giải quyết trong kỳ, nên chưa so sánh được đúng hạn với trễ hạn.",
        "No rating of a resolved dossier in the period, so on time cannot be compared with late yet.",
    ),
    "unit.low_ratings": ("Đánh giá thấp gần đây", "Latest low ratings"),
    "unit.low_ratings.help": (
        "Đánh giá từ 2 điểm trở xuống trong kỳ, mới nhất ở trên, kèm ý kiến của người dân.",
        "Ratings of 2 or less in the period, newest first, with the citizen's comment.",
    ),
    "unit.low_ratings.empty": (
        "Không có đánh giá nào từ 2 điểm trở xuống trong kỳ này với bộ lọc này.",
        "No rating of 2 or less in this period for these filters.",
    ),
    "unit.low_ratings.score": ("Điểm đánh giá (thang 5)", "Rating (out of 5)"),
    "unit.low_ratings.no_comment": ("(không có ý kiến)", "(no comment)"),
    # backlog parts
    "unit.part.overdue": ("Quá hạn", "Overdue"),
    "unit.part.due_soon": ("Đến hạn trong 2 ngày làm việc", "Due within 2 working days"),
    "unit.part.later": ("Còn hạn", "Due later"),
    "unit.part.running": ("Đang xử lý, chưa quá hạn", "In process, not overdue"),
    "unit.part.paused": ("Tạm dừng (chờ người dân)", "Paused (awaiting citizen)"),
    "unit.no_sector": ("(chưa có lĩnh vực)", "(no sector)"),
    "unit.no_procedure": ("(chưa có thủ tục)", "(no procedure)"),
    # grid columns and files
    "unit.col.due_soon": ("Đến hạn trong 2 ngày LV", "Due within 2 working days"),
    "unit.col.paused": ("Tạm dừng", "Paused"),
    "unit.col.official": ("Cán bộ", "Official"),
    "unit.col.role": ("Vai trò", "Role"),
    "unit.col.timely_ratings": ("Đúng hạn: lượt", "On time: ratings"),
    "unit.col.timely_average": ("Đúng hạn: điểm TB", "On time: avg."),
    "unit.col.timely_satisfied": ("Đúng hạn: hài lòng (%)", "On time: satisfied %"),
    "unit.col.late_ratings": ("Trễ hạn: lượt", "Late: ratings"),
    "unit.col.late_average": ("Trễ hạn: điểm TB", "Late: avg."),
    "unit.col.late_satisfied": ("Trễ hạn: hài lòng (%)", "Late: satisfied %"),
    "unit.col.gap": ("Chênh điểm TB", "Avg. gap"),
    "unit.file.procedures": ("ton-theo-thu-tuc", "backlog-by-procedure"),
    "unit.file.workload": ("khoi-luong-can-bo", "workload-by-official"),
    "unit.file.timeliness": ("hai-long-va-dung-han", "satisfaction-and-timeliness"),
    "unit.role.receiver": ("Tiếp nhận", "Receiving"),
    "unit.role.handler": ("Xử lý", "Handling"),
    "unit.role.leader": ("Lãnh đạo", "Leader"),
    "unit.role.chairperson": ("Chủ tịch", "Chairperson"),
    "unit.role.supervisor": ("Giám sát", "Supervisor"),
}
