"""The domain's vocabularies: dossier states, channels, units, roles, steps.

Codes and Vietnamese names follow the national sync field list (domain.md 1.4 and 8); the
English names are what the database stores, so SQL stays readable.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """The national ten-state dossier list (TrangThaiHoSoId 1-10)."""

    SUBMITTED = "submitted"  # 1 Mới đăng ký
    RECEIVED = "received"  # 2 Được tiếp nhận
    REFUSED = "refused"  # 3 Không được tiếp nhận
    PROCESSING = "processing"  # 4 Đang xử lý
    AWAITING_SUPPLEMENT = "awaiting_supplement"  # 5 Yêu cầu bổ sung giấy tờ
    SUSPENDED = "suspended"  # 6 Yêu cầu thực hiện nghĩa vụ tài chính (clock suspended)
    WITHDRAWN = "withdrawn"  # 7 Công dân yêu cầu rút hồ sơ
    REJECTED = "rejected"  # 8 Dừng xử lý
    COMPLETED = "completed"  # 9 Đã xử lý xong
    RETURNED = "returned"  # 10 Đã trả kết quả

    @property
    def code(self) -> int:
        return _STATUS_CODES[self]

    @property
    def name_vi(self) -> str:
        return _STATUS_VI[self]

    @classmethod
    def parse(cls, value: str | int) -> Status:
        """Accept the national numeric code, the Vietnamese name or the stored English name."""
        text = str(value).strip()
        if text.isdigit() and int(text) in _CODE_STATUS:
            return _CODE_STATUS[int(text)]
        folded = text.casefold()
        for status in cls:
            if folded in (status.value, status.name_vi.casefold()):
                return status
        raise ValueError(f"unknown dossier state {value!r} (use 1-10 or a state name)")


_STATUS_VI = {
    Status.SUBMITTED: "Mới đăng ký",
    Status.RECEIVED: "Được tiếp nhận",
    Status.REFUSED: "Không được tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.AWAITING_SUPPLEMENT: "Yêu cầu bổ sung giấy tờ",
    Status.SUSPENDED: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    Status.REJECTED: "Dừng xử lý",
    Status.COMPLETED: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
}
_STATUS_CODES = {status: index for index, status in enumerate(Status, start=1)}
_CODE_STATUS = {code: status for status, code in _STATUS_CODES.items()}

#: States in which the statutory clock runs or is paused: the backlog ("tồn").
OPEN_STATUSES = frozenset({Status.RECEIVED, Status.PROCESSING, Status.AWAITING_SUPPLEMENT, Status.SUSPENDED})
#: States that end processing (domain.md 1.6: the first end event counts).
FINISHED_STATUSES = frozenset({Status.WITHDRAWN, Status.REJECTED, Status.COMPLETED, Status.RETURNED})
#: States whose clock is stopped while the citizen acts.
PAUSED_STATUSES = frozenset({Status.AWAITING_SUPPLEMENT, Status.SUSPENDED})


class Channel(StrEnum):
    COUNTER = "counter"  # KenhThucHien 1
    ONLINE = "online"  # 2
    POSTAL = "postal"  # 3

    @classmethod
    def parse(cls, value: str | int) -> Channel:
        text = str(value).strip().casefold()
        by_code = {"1": cls.COUNTER, "2": cls.ONLINE, "3": cls.POSTAL}
        if text in by_code:
            return by_code[text]
        try:
            return cls(text)
        except ValueError:
            raise ValueError(f"unknown channel {value!r} (use 1 counter, 2 online, 3 postal)") from None


class UnitLevel(StrEnum):
    PROVINCE = "province"  # tinh
    COMMUNE = "commune"  # xa
    WARD = "ward"  # phuong
    SPECIAL_ZONE = "special_zone"  # dac_khu
    DEPARTMENT = "department"  # so (provincial department)


UNIT_LEVEL_CODES = {
    "tinh": UnitLevel.PROVINCE,
    "xa": UnitLevel.COMMUNE,
    "phuong": UnitLevel.WARD,
    "dac_khu": UnitLevel.SPECIAL_ZONE,
    "so": UnitLevel.DEPARTMENT,
}


class TimeUnit(StrEnum):
    WORKING_DAYS = "working_days"  # ngay_lam_viec
    CALENDAR_DAYS = "calendar_days"  # ngay
    WORKING_HOURS = "working_hours"  # gio
    SAME_DAY = "same_day"  # trong_ngay


TIME_UNIT_CODES = {
    "ngay_lam_viec": TimeUnit.WORKING_DAYS,
    "ngay": TimeUnit.CALENDAR_DAYS,
    "gio": TimeUnit.WORKING_HOURS,
    "trong_ngay": TimeUnit.SAME_DAY,
}


class OnlineLevel(StrEnum):
    FULL = "full"  # toan_trinh
    PARTIAL = "partial"  # mot_phan
    NONE = "none"  # khong


ONLINE_LEVEL_CODES = {
    "toan_trinh": OnlineLevel.FULL,
    "mot_phan": OnlineLevel.PARTIAL,
    "khong": OnlineLevel.NONE,
}


class Role(StrEnum):
    RECEIVER = "receiver"  # tiep_nhan
    HANDLER = "handler"  # xu_ly
    LEADER = "leader"  # lanh_dao
    CHAIRPERSON = "chairperson"  # chu_tich
    SUPERVISOR = "supervisor"  # giam_sat


ROLE_CODES = {
    "tiep_nhan": Role.RECEIVER,
    "xu_ly": Role.HANDLER,
    "lanh_dao": Role.LEADER,
    "chu_tich": Role.CHAIRPERSON,
    "giam_sat": Role.SUPERVISOR,
}


class Step(StrEnum):
    RECEPTION = "reception"  # tiep_nhan
    TRANSFER = "transfer"  # chuyen
    APPRAISAL = "appraisal"  # tham_dinh
    APPROVAL = "approval"  # phe_duyet
    RETURN = "return"  # tra_ket_qua


STEP_CODES = {
    "tiep_nhan": Step.RECEPTION,
    "chuyen": Step.TRANSFER,
    "tham_dinh": Step.APPRAISAL,
    "phe_duyet": Step.APPROVAL,
    "tra_ket_qua": Step.RETURN,
}


class PauseKind(StrEnum):
    SUPPLEMENT = "supplement"
    SUSPENSION = "suspension"


class Outcome(StrEnum):
    """Verdict for a finished dossier (date-level, domain.md 1.8)."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


class OpenState(StrEnum):
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"
