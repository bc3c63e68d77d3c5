"""Parse and validate one CSV row of a one-stop export, per import kind (docs/import.md).

The columns are the national sync field names (domain.md 8). Each parser turns the cells of one
row into a typed record or raises RowRejected listing every fault of that row, worded for the
clerk who has to fix the source system: the Vietnamese reason names the column and the value,
the English one is for whoever reads the logs. Reference codes (units, procedures, officials)
are resolved through code->id maps loaded once per file (References), never per row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import TypeVar

from queries.domain import (
    FINISHED_STATUSES,
    ONLINE_LEVEL_CODES,
    ROLE_CODES,
    STEP_CODES,
    TIME_UNIT_CODES,
    UNIT_LEVEL_CODES,
    Channel,
    OnlineLevel,
    Role,
    Status,
    Step,
    TimeUnit,
    UnitLevel,
)
from queries.timeutil import parse_local
from queries.workcalendar import FIRST_YEAR, LAST_YEAR

E = TypeVar("E")

END_OF_DAY = time(23, 59, 59)

#: Columns of the reject file, ignored when a corrected reject file is imported again.
REJECT_COLUMNS = ("SoDong", "LyDo", "Reason")


# --- problems ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One fault or remark about a row, in Vietnamese for the clerk and in English."""

    vi: str
    en: str


class RowRejected(ValueError):
    """The row cannot be imported; `problems` says every reason at once."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.en for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class Catalogue:
    """What a code refers to, for messages: 'không có trong danh mục đơn vị'."""

    vi: str
    en: str


UNIT_LIST = Catalogue("danh mục đơn vị", "the unit list")
PROCEDURE_LIST = Catalogue("danh mục thủ tục hành chính", "the procedure list")
OFFICIAL_LIST = Catalogue("danh sách cán bộ", "the official list")
SECTOR_LIST = Catalogue("danh mục lĩnh vực", "the sector list")
DOSSIER_LIST = Catalogue(
    "cơ sở dữ liệu hồ sơ (nhập tệp hồ sơ trước)", "the dossier database (import dossiers first)"
)


def unknown_code(column: str, value: str, catalogue: Catalogue) -> Problem:
    return Problem(
        f"{column} '{value}' không có trong {catalogue.vi}",
        f"{column} '{value}' is not in {catalogue.en}",
    )


def duplicate_key(what: str, first_line: int) -> Problem:
    return Problem(
        f"{what} trùng với dòng {first_line} trong cùng tệp (giữ dòng {first_line}, bỏ dòng này)",
        f"{what} duplicates line {first_line} of the same file (line {first_line} kept, this one rejected)",
    )


# --- the kinds and their columns -----------------------------------------------------------------
@dataclass(frozen=True)
class KindSpec:
    """The header of one import kind: required columns must be present, optional ones may not."""

    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    #: Optional catalogue columns that, when absent from the header, leave the stored value alone
    #: (CSV column -> database column): a province re-importing its catalogue without English
    #: names must not wipe the English names someone curated.
    kept_when_absent: Mapping[str, str]
    #: Other names a header may give a column (alias -> column), e.g. a vendor's English names.
    aliases: Mapping[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


#: The applicant of a dossier (optional; personal data, issue 5): the national sync names, and the
#: English names a vendor's export may use instead.
APPLICANT_COLUMNS = ("ChuHoSo", "SoGiayToChuHoSo", "SoDienThoaiChuHoSo", "DiaChiChuHoSo")
APPLICANT_ALIASES = {
    "applicant_name": "ChuHoSo",
    "applicant_id_number": "SoGiayToChuHoSo",
    "applicant_phone": "SoDienThoaiChuHoSo",
    "applicant_address": "DiaChiChuHoSo",
}


KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            "units",
            ("MaDonVi", "TenDonVi", "CapDonVi"),
            ("MaDonViCha", "TenDonViEn"),
            {"MaDonViCha": "parent_id", "TenDonViEn": "name_en"},
        ),
        KindSpec(
            "procedures",
            ("MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "ThoiGianGiaiQuyet", "DonViTinh"),
            ("MucDoDVC", "LePhi", "TenTTHCEn", "TenLinhVucEn", "TamDungKhiNopPhi"),
            {
                "MucDoDVC": "online_level",
                "LePhi": "fee",
                "TenTTHCEn": "name_en",
                "TamDungKhiNopPhi": "pause_on_payment",
            },
        ),
        KindSpec(
            "officials",
            ("MaCanBo", "HoTen", "MaDonVi", "VaiTro"),
            ("KenhThongBao", "NgonNgu", "MaLinhVuc"),
            {"KenhThongBao": "notify_urls", "NgonNgu": "language", "MaLinhVuc": "sector_id"},
        ),
        KindSpec(
            "dossiers",
            ("MaHoSo", "MaDonVi", "MaTTHC", "KenhThucHien", "NgayTiepNhan", "TrangThaiHoSoId"),
            (
                "NgayHenTra",
                "NgayKetThucXuLy",
                "NgayTra",
                "MaCanBoXuLy",
                "NgayYeuCauBoSung",
                "NgayCongDanBoSung",
                "HoSoCoThanhPhanSoHoa",
                "DaSoHoaKetQua",
                "DuocThanhToanTrucTuyen",
                *APPLICANT_COLUMNS,
            ),
            {},
            APPLICANT_ALIASES,
        ),
        KindSpec(
            "steps",
            ("MaHoSo", "BuocXuLy", "NgayBatDau"),
            ("MaDonVi", "MaCanBo", "NgayKetThuc", "HanXuLy"),
            {},
        ),
        KindSpec(
            "ratings",
            ("MaHoSo", "MucDoHaiLong", "NgayDanhGia"),
            ("KenhDanhGia", "NoiDung"),
            {},
        ),
    )
}


# --- references loaded once per file ---------------------------------------------------------------
@dataclass(frozen=True)
class ProcedureRef:
    """What a dossier row needs from its procedure: ids for the row, time for the clock."""

    id: int
    sector_id: int
    time_unit: str
    time_value: float
    pause_on_payment: bool


@dataclass(frozen=True)
class References:
    units: Mapping[str, int]
    sectors: Mapping[str, int]
    procedures: Mapping[str, ProcedureRef]
    officials: Mapping[str, int]


# --- cell parsing ----------------------------------------------------------------------------------
_TRUE = frozenset({"1", "true", "có", "co", "yes", "x"})
_FALSE = frozenset({"0", "false", "không", "khong", "no", ""})
_PLAIN_FLAGS = frozenset({"0", "1", "2", ""})  # the export's usual values: no need to fold
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_DATE_EXAMPLES = ("2026-03-02T10:00:00 hoặc 02/03/2026 10:00", "2026-03-02T10:00:00 or 02/03/2026 10:00")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
_GROUPED_INT = re.compile(r"\d{1,3}([., ]\d{3})+")
_PHONE_SEPARATORS = re.compile(r"[\s.()-]")


def _shown(value: str, limit: int = 40) -> str:
    """A cell quoted in a reason, cut short: a whole address pasted in the wrong column is not repeated."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def fold(text: str) -> str:
    """NFC, case-folded: Vietnamese from some systems arrives decomposed (NFD)."""
    return unicodedata.normalize("NFC", text).casefold()


def parse_moment(text: str, *, due: bool = False) -> datetime:
    """A date or date-time as naive Vietnam time, to the second.

    ISO 8601 with or without offset (naive = Vietnam time), or the Vietnamese dd/mm/yyyy
    [HH:MM[:SS]]. A date alone is 00:00 for an event, but the end of that day (23:59:59) for a
    due date: an appointment "on 5/3" lasts all of 5/3.
    """
    value = text.strip()
    if value[4:5] == "-":  # ISO, the export's own format: the fast path
        date_only = len(value) == 10
        moment = datetime.combine(date.fromisoformat(value), time()) if date_only else parse_local(value)
    else:
        match = _DMY.fullmatch(value)
        if match is None:
            raise ValueError(f"not a date: {value!r}")
        day, month, year, hour, minute, second = match.groups()
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
        date_only = hour is None
    if date_only and due:
        moment = datetime.combine(moment.date(), END_OF_DAY)
    return moment.replace(microsecond=0) if moment.microsecond else moment


@lru_cache(maxsize=256)
def _status(text: str) -> Status:
    return Status.parse(unicodedata.normalize("NFC", text))


def _choices(codes: Mapping[str, object]) -> str:
    return ", ".join(codes)


class Cells:
    """One row's cells by column name.

    Every accessor records a problem instead of raising and returns None, so a rejected row lists
    all of its faults at once; `done()` raises RowRejected when there were any.
    """

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []

    def raw(self, column: str) -> str:
        return self._values.get(column, "")

    def fail(self, vi: str, en: str) -> None:
        self.problems.append(Problem(vi, en))

    def note(self, vi: str, en: str) -> None:
        self.notes.append(Problem(vi, en))

    def done(self) -> None:
        if self.problems:
            raise RowRejected(self.problems)

    def _missing(self, column: str) -> None:
        self.fail(f"{column} bắt buộc nhưng đang để trống", f"{column} is required but empty")

    def text(self, column: str, *, required: bool = False, max_length: int = 200) -> str | None:
        value = self._values.get(column, "")
        if not value:
            if required:
                self._missing(column)
            return None
        value = unicodedata.normalize("NFC", value)
        if len(value) > max_length:
            self.fail(
                f"{column} dài {len(value)} ký tự, tối đa {max_length}",
                f"{column} is {len(value)} characters long, at most {max_length}",
            )
            return None
        return value

    def moment(self, column: str, *, required: bool = False, due: bool = False) -> datetime | None:
        value = self._values.get(column, "")
        if not value:
            if required:
                self._missing(column)
            return None
        try:
            moment = parse_moment(value, due=due)
        except ValueError:
            self.fail(
                f"{column} '{value}' không phải ngày giờ hợp lệ (ví dụ {_DATE_EXAMPLES[0]})",
                f"{column} '{value}' is not a valid date/time (e.g. {_DATE_EXAMPLES[1]})",
            )
            return None
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            self.fail(
                f"{column} '{value}' nằm ngoài lịch làm việc ({FIRST_YEAR}-{LAST_YEAR})",
                f"{column} '{value}' is outside the working calendar ({FIRST_YEAR}-{LAST_YEAR})",
            )
            return None
        return moment

    def choice(self, column: str, codes: Mapping[str, E], *, required: bool = False) -> E | None:
        """A code from `codes` (the Vietnamese export code) or the stored English value."""
        value = self._values.get(column, "")
        if not value:
            if required:
                self._missing(column)
            return None
        folded = fold(value)
        for code, member in codes.items():
            if folded in (code, str(member)):
                return member
        self.fail(
            f"{column} '{value}' không hợp lệ (dùng một trong: {_choices(codes)})",
            f"{column} '{value}' is not valid (use one of: {_choices(codes)})",
        )
        return None

    def status(self, column: str) -> Status | None:
        value = self._values.get(column, "")
        if not value:
            self._missing(column)
            return None
        try:
            return _status(value)
        except ValueError:
            self.fail(
                f"{column} '{value}' không phải trạng thái hồ sơ (dùng 1-10 hoặc tên trạng thái)",
                f"{column} '{value}' is not a dossier state (use 1-10 or a state name)",
            )
            return None

    def channel(self, column: str) -> Channel | None:
        value = self._values.get(column, "")
        if not value:
            self._missing(column)
            return None
        try:
            return Channel.parse(value)
        except ValueError:
            self.fail(
                f"{column} '{value}' không hợp lệ (1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích)",
                f"{column} '{value}' is not valid (1 counter, 2 online, 3 postal)",
            )
            return None

    def ref(
        self, column: str, ids: Mapping[str, E], catalogue: Catalogue, *, required: bool = False
    ) -> E | None:
        """The id (or record) a code refers to; an unknown code is a problem, not a new row."""
        value = self._values.get(column, "")
        if not value:
            if required:
                self._missing(column)
            return None
        found = ids.get(value)
        if found is None:
            self.problems.append(unknown_code(column, value, catalogue))
        return found

    def flag(self, column: str, *, also_true: frozenset[str] = frozenset()) -> bool | None:
        """A yes/no cell: 1/0, true/false, có/không; empty is no."""
        value = self._values.get(column, "")
        folded = value if value in _PLAIN_FLAGS else fold(value)
        if folded in _TRUE or folded in also_true:
            return True
        if folded in _FALSE:
            return False
        self.fail(
            f"{column} '{value}' không hợp lệ (dùng 1/0, true/false, có/không)",
            f"{column} '{value}' is not valid (use 1/0, true/false, có/không)",
        )
        return None

    def decimal(self, column: str) -> Decimal | None:
        """A non-negative number; a decimal comma (0,5) is accepted."""
        value = self._values.get(column, "")
        if not value:
            return None
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or number < 0 or number >= 1_000_000:
            self.fail(
                f"{column} '{value}' không phải số hợp lệ (số không âm, ví dụ 3 hoặc 0,5)",
                f"{column} '{value}' is not a valid number (non-negative, e.g. 3 or 0.5)",
            )
            return None
        return number.quantize(Decimal("0.01"))

    def integer(self, column: str, *, low: int, high: int, required: bool = False) -> int | None:
        """A whole number in [low, high]; thousands separators (30.000) are accepted."""
        value = self._values.get(column, "")
        if not value:
            if required:
                self._missing(column)
            return None
        digits = re.sub(r"[., ]", "", value) if _GROUPED_INT.fullmatch(value) else value
        if digits.isdigit() and low <= int(digits) <= high:
            return int(digits)
        self.fail(
            f"{column} '{value}' phải là số nguyên từ {low} đến {high}",
            f"{column} '{value}' must be a whole number from {low} to {high}",
        )
        return None

    def id_number(self, column: str) -> str | None:
        """An ID number: 9 digits (CMND) or 12 (CCCD); spaces between the digits are dropped."""
        value = self._values.get(column, "")
        if not value:
            return None
        digits = "".join(value.split())
        if digits.isascii() and digits.isdigit() and len(digits) in (9, 12):
            return digits
        self.fail(
            f"{column} '{_shown(value)}' không phải số giấy tờ hợp lệ (CMND 9 chữ số hoặc CCCD 12 chữ số)",
            f"{column} '{_shown(value)}' is not a valid ID number (9-digit CMND or 12-digit CCCD)",
        )
        return None

    def phone(self, column: str) -> str | None:
        """A Vietnamese phone number, stored as 0 and 9-10 digits: '+84 912 345 678' is '0912345678'.

        Spaces, dots, dashes and parentheses between the digits are dropped."""
        value = self._values.get(column, "")
        if not value:
            return None
        number = _PHONE_SEPARATORS.sub("", value)
        if number.startswith("+84"):
            number = "0" + number[3:]
        if number.isascii() and number.isdigit() and number.startswith("0") and len(number) in (10, 11):
            return number
        self.fail(
            f"{column} '{_shown(value)}' không phải số điện thoại hợp lệ "
            "(10-11 chữ số bắt đầu bằng 0, hoặc +84 rồi 9-10 chữ số)",
            f"{column} '{_shown(value)}' is not a valid phone number "
            "(10-11 digits starting with 0, or +84 and 9-10 digits)",
        )
        return None

    def not_before(self, later: str, moment: datetime | None, earlier: str, start: datetime | None) -> None:
        """Reject a row whose `later` event happened before its `earlier` one."""
        if moment is not None and start is not None and moment < start:
            self.fail(
                f"{later} {moment.isoformat()} trước {earlier} {start.isoformat()}",
                f"{later} {moment.isoformat()} is before {earlier} {start.isoformat()}",
            )


# --- records ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UnitRow:
    code: str
    name_vi: str
    name_en: str
    level: UnitLevel
    parent_code: str | None


@dataclass(frozen=True)
class ProcedureRow:
    code: str
    name_vi: str
    name_en: str
    sector_code: str
    sector_name_vi: str
    sector_name_en: str
    time_value: Decimal
    time_unit: TimeUnit
    online_level: OnlineLevel
    fee: int | None
    pause_on_payment: bool


@dataclass(frozen=True)
class OfficialRow:
    code: str
    full_name: str
    unit_id: int
    role: Role
    notify_urls: str
    language: str
    sector_id: int | None


@dataclass(frozen=True)
class ApplicantRow:
    """The applicant's cells of a dossier row; None where the cell is empty (kept as stored)."""

    full_name: str | None
    id_number: str | None
    phone: str | None
    address: str | None


@dataclass(frozen=True)
class DossierRow:
    code: str
    unit_id: int
    procedure: ProcedureRef
    channel: Channel
    status: Status
    received_at: datetime | None
    appointment_due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    handler_id: int | None
    supplement_requested_at: datetime | None
    supplement_supplied_at: datetime | None
    digitized_components: bool
    digitized_result: bool
    paid_online: bool
    applicant: ApplicantRow | None = None  # None: the row names no applicant

    @property
    def clocked(self) -> bool:
        """States 1 (not yet accepted) and 3 (refused) are stored but the clock never starts."""
        return self.status not in NOT_CLOCKED and self.received_at is not None


@dataclass(frozen=True)
class StepRow:
    dossier_id: int
    step: Step
    unit_id: int | None
    handler_id: int | None
    started_at: datetime
    ended_at: datetime | None
    due_at: datetime | None


@dataclass(frozen=True)
class RatingRow:
    dossier_id: int
    score: int
    channel: str | None
    rated_at: datetime
    comment: str | None


NOT_CLOCKED = frozenset({Status.SUBMITTED, Status.REFUSED})
#: Finished states whose end time the clock cannot do without (domain.md 1.6: the SLA end event).
END_TIME_REQUIRED = frozenset({Status.COMPLETED, Status.RETURNED})


# --- parsers per kind ------------------------------------------------------------------------------
def parse_unit(cells: Cells) -> UnitRow:
    code = cells.text("MaDonVi", required=True, max_length=32)
    name_vi = cells.text("TenDonVi", required=True)
    level = cells.choice("CapDonVi", UNIT_LEVEL_CODES, required=True)
    parent = cells.text("MaDonViCha", max_length=32)
    name_en = cells.text("TenDonViEn") or name_vi
    if parent is not None and parent == code:
        cells.fail("MaDonViCha không được trùng MaDonVi", "MaDonViCha must differ from MaDonVi")
    cells.done()
    assert code and name_vi and name_en and level
    return UnitRow(code, name_vi, name_en, level, parent)


def parse_procedure(cells: Cells) -> ProcedureRow:
    code = cells.text("MaTTHC", required=True, max_length=40)
    name_vi = cells.text("TenTTHC", required=True, max_length=400)
    sector_code = cells.text("MaLinhVuc", required=True, max_length=32)
    sector_vi = cells.text("TenLinhVuc", required=True)
    unit = cells.choice("DonViTinh", TIME_UNIT_CODES, required=True)
    value = cells.decimal("ThoiGianGiaiQuyet")
    online = cells.choice("MucDoDVC", ONLINE_LEVEL_CODES) or OnlineLevel.NONE
    fee = cells.integer("LePhi", low=0, high=2_000_000_000)
    pause = cells.flag("TamDungKhiNopPhi")
    value = _check_time(cells, unit, value)
    name_en = cells.text("TenTTHCEn", max_length=400) or name_vi
    sector_en = cells.text("TenLinhVucEn") or sector_vi
    cells.done()
    assert code and name_vi and name_en and sector_code and sector_vi and sector_en and unit
    assert value is not None
    return ProcedureRow(
        code, name_vi, name_en, sector_code, sector_vi, sector_en, value, unit, online, fee, bool(pause)
    )


def _check_time(cells: Cells, unit: TimeUnit | None, value: Decimal | None) -> Decimal | None:
    """Same-day procedures carry 0 or nothing; every other unit needs a positive number."""
    if unit is TimeUnit.SAME_DAY:
        if value:
            cells.fail(
                "ThoiGianGiaiQuyet phải là 0 hoặc để trống khi DonViTinh là trong_ngay",
                "ThoiGianGiaiQuyet must be 0 or empty when DonViTinh is trong_ngay",
            )
        return Decimal("0.00")
    if unit is None or (value is None and cells.raw("ThoiGianGiaiQuyet")):
        return value  # the unit or the number is already reported as invalid
    if value is None:
        cells.fail(
            "ThoiGianGiaiQuyet bắt buộc nhưng đang để trống", "ThoiGianGiaiQuyet is required but empty"
        )
    elif value <= 0:
        cells.fail(
            f"ThoiGianGiaiQuyet phải lớn hơn 0 khi DonViTinh là {cells.raw('DonViTinh')}",
            f"ThoiGianGiaiQuyet must be greater than 0 when DonViTinh is {cells.raw('DonViTinh')}",
        )
    return value


def parse_official(cells: Cells, refs: References) -> OfficialRow:
    code = cells.text("MaCanBo", required=True, max_length=40)
    name = cells.text("HoTen", required=True)
    unit_id = cells.ref("MaDonVi", refs.units, UNIT_LIST, required=True)
    role = cells.choice("VaiTro", ROLE_CODES, required=True)
    urls = _notify_urls(cells)
    language = cells.choice("NgonNgu", {"vi": "vi", "en": "en"}) or "vi"
    sector_id = cells.ref("MaLinhVuc", refs.sectors, SECTOR_LIST)
    cells.done()
    assert code and name and unit_id is not None and role
    return OfficialRow(code, name, unit_id, role, urls, language, sector_id)


def _notify_urls(cells: Cells) -> str:
    """Apprise URLs separated by spaces, stored one space apart."""
    urls = cells.raw("KenhThongBao").split()
    for url in urls:
        if not _URL.fullmatch(url):
            cells.fail(
                f"KenhThongBao '{url}' không phải địa chỉ Apprise (dạng loai://..., ví dụ mailto://...)",
                f"KenhThongBao '{url}' is not an Apprise URL (scheme://..., e.g. mailto://...)",
            )
    return " ".join(urls)


def parse_dossier(cells: Cells, refs: References) -> DossierRow:
    """A dossier row; docs/import.md ("`dossiers`") explains each consistency rule."""
    code = cells.text("MaHoSo", required=True, max_length=64)
    unit_id = cells.ref("MaDonVi", refs.units, UNIT_LIST, required=True)
    procedure = cells.ref("MaTTHC", refs.procedures, PROCEDURE_LIST, required=True)
    channel = cells.channel("KenhThucHien")
    status = cells.status("TrangThaiHoSoId")
    received = cells.moment("NgayTiepNhan")
    appointment = cells.moment("NgayHenTra", due=True)
    finished = cells.moment("NgayKetThucXuLy")
    returned = cells.moment("NgayTra")
    handler_id = cells.ref("MaCanBoXuLy", refs.officials, OFFICIAL_LIST)
    requested = cells.moment("NgayYeuCauBoSung")
    supplied = cells.moment("NgayCongDanBoSung")
    digitized = cells.flag("HoSoCoThanhPhanSoHoa")
    digitized_result = cells.flag("DaSoHoaKetQua")
    paid = cells.flag("DuocThanhToanTrucTuyen", also_true=frozenset({"2"}))
    if status is not None:
        finished = _check_states(cells, status, received, finished, returned, requested)
    cells.not_before("NgayKetThucXuLy", finished, "NgayTiepNhan", received)
    cells.not_before("NgayTra", returned, "NgayTiepNhan", received)
    cells.not_before("NgayTra", returned, "NgayKetThucXuLy", finished)
    cells.not_before("NgayHenTra", appointment, "NgayTiepNhan", received)
    _check_supplement(cells, requested, supplied)
    applicant = _applicant(cells)
    cells.done()
    assert code and unit_id is not None and procedure and channel and status
    return DossierRow(
        code=code,
        unit_id=unit_id,
        procedure=procedure,
        channel=channel,
        status=status,
        received_at=received,
        appointment_due_at=appointment,
        finished_at=finished,
        returned_at=returned,
        handler_id=handler_id,
        supplement_requested_at=requested,
        supplement_supplied_at=supplied,
        digitized_components=bool(digitized),
        digitized_result=bool(digitized_result),
        paid_online=bool(paid),
        applicant=applicant,
    )


def _applicant(cells: Cells) -> ApplicantRow | None:
    """The applicant's columns (docs/import.md, "Personal data"); None when all are empty."""
    row = ApplicantRow(
        full_name=cells.text("ChuHoSo", max_length=200),
        id_number=cells.id_number("SoGiayToChuHoSo"),
        phone=cells.phone("SoDienThoaiChuHoSo"),
        address=cells.text("DiaChiChuHoSo", max_length=400),
    )
    return None if row == ApplicantRow(None, None, None, None) else row


def _check_states(
    cells: Cells,
    status: Status,
    received: datetime | None,
    finished: datetime | None,
    returned: datetime | None,
    requested: datetime | None,
) -> datetime | None:
    """Which dates each state needs; returns the end of processing to store (finished_at)."""
    label = f"trạng thái {status.code} ({status.name_vi})"
    if status not in NOT_CLOCKED and received is None:
        cells.fail(f"NgayTiepNhan bắt buộc với {label}", f"NgayTiepNhan is required in state {status.code}")
    if status is Status.AWAITING_SUPPLEMENT and requested is None:
        cells.fail(f"NgayYeuCauBoSung bắt buộc với {label}", "NgayYeuCauBoSung is required in state 5")
    if status not in FINISHED_STATUSES:
        if finished is not None:
            cells.note(
                f"NgayKetThucXuLy bị bỏ qua vì {label} chưa kết thúc xử lý",
                f"NgayKetThucXuLy ignored: state {status.code} has not finished processing",
            )
        return None
    if finished is None and status is Status.RETURNED and returned is not None:
        return returned  # domain.md 1.6: 'Đã trả kết quả' is an end event when 'Đã xử lý xong' is unknown
    if finished is None and status in END_TIME_REQUIRED:
        cells.fail(
            f"NgayKetThucXuLy bắt buộc với {label}", f"NgayKetThucXuLy is required in state {status.code}"
        )
    elif finished is None:
        cells.note(
            f"{label} không có NgayKetThucXuLy: hồ sơ không được xếp loại sớm/đúng/trễ hạn",
            f"state {status.code} without NgayKetThucXuLy: no early/on-time/late verdict",
        )
    return finished


def _check_supplement(cells: Cells, requested: datetime | None, supplied: datetime | None) -> None:
    if supplied is not None and requested is None:
        cells.fail(
            "NgayCongDanBoSung có nhưng thiếu NgayYeuCauBoSung",
            "NgayCongDanBoSung is given without NgayYeuCauBoSung",
        )
    cells.not_before("NgayCongDanBoSung", supplied, "NgayYeuCauBoSung", requested)


def parse_step(cells: Cells, refs: References, dossiers: Mapping[str, int]) -> StepRow:
    """A processing step of a stored dossier; `dossiers` maps the batch's dossier codes to ids."""
    dossier_id = cells.ref("MaHoSo", dossiers, DOSSIER_LIST, required=True)
    step = cells.choice("BuocXuLy", STEP_CODES, required=True)
    unit_id = cells.ref("MaDonVi", refs.units, UNIT_LIST)
    handler_id = cells.ref("MaCanBo", refs.officials, OFFICIAL_LIST)
    started = cells.moment("NgayBatDau", required=True)
    ended = cells.moment("NgayKetThuc")
    due = cells.moment("HanXuLy", due=True)
    cells.not_before("NgayKetThuc", ended, "NgayBatDau", started)
    cells.done()
    assert dossier_id is not None and step and started
    return StepRow(dossier_id, step, unit_id, handler_id, started, ended, due)


def parse_rating(cells: Cells, dossiers: Mapping[str, int]) -> RatingRow:
    dossier_id = cells.ref("MaHoSo", dossiers, DOSSIER_LIST, required=True)
    score = cells.integer("MucDoHaiLong", low=1, high=5, required=True)
    channel = cells.text("KenhDanhGia", max_length=16)
    rated = cells.moment("NgayDanhGia", required=True)
    comment = cells.text("NoiDung", max_length=4000)
    cells.done()
    assert dossier_id is not None and score is not None and rated
    return RatingRow(dossier_id, score, channel, rated, comment)
