"""Reference data for the demo province: sectors, procedures, place and person names, wording.

Everything here is plain data so that a domain owner can review it without reading the generator
(queries/demo.py). Sources are the domain brief (../shared/domain.md §5.2-5.4 and §6):

- Procedure codes: the national TTHC code (`1.xxxxxx` / `2.xxxxxx`) where the brief gives one.
  Where it has "—" or "code UNVERIFIED" we do not invent a national-looking code; the procedure
  gets a visibly local code `X.<SECTOR>.<n>` instead, so nobody mistakes it for a real one.
- Statutory times and fees follow §5.3; values marked UNVERIFIED there are kept as the brief's
  "commonly" figure and flagged in a comment. Free procedures have fee None (NULL).
- Sector codes are local (Circular 03/2025's sector code list is not verified, domain.md §5.1).
- Heavy sectors (the surges supervisors watch, models.Sector.heavy): land (Đất đai), construction
  (Xây dựng), planning (Quy hoạch: it gates land and investment projects) and business
  registration (Đăng ký kinh doanh: the investment/finance side of the commune's work).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class SectorSpec:
    code: str
    name_vi: str
    name_en: str
    heavy: bool
    share: float  # base share of a commune's dossiers (domain.md §5.4), normalised by the generator


@dataclass(frozen=True)
class ProcedureSpec:
    code: str
    name_vi: str
    name_en: str
    sector: str
    time_value: float
    time_unit: str  # queries.domain.TimeUnit value
    online_level: str  # queries.domain.OnlineLevel value
    fee: int | None  # VND; None = free
    weight: float  # share within its sector
    pause_on_payment: bool = False
    peak_months: tuple[int, ...] = ()  # months in which demand is `peak_factor` times the usual
    peak_factor: float = 1.0
    since: str | None = None  # ISO date the procedure exists from (new decrees)


SECTORS: tuple[SectorSpec, ...] = (
    SectorSpec("CHUNGTHUC", "Chứng thực", "Certification", False, 0.505),
    SectorSpec("HOTICH", "Hộ tịch", "Civil status", False, 0.195),
    SectorSpec("CUTRU", "Cư trú", "Residence", False, 0.14),
    SectorSpec("BTXH", "Bảo trợ xã hội", "Social protection", False, 0.035),
    SectorSpec("NCC", "Người có công", "Meritorious people", False, 0.015),
    SectorSpec("GIAMNGHEO", "Giảm nghèo", "Poverty reduction", False, 0.012),
    SectorSpec("LDVL", "Lao động – việc làm", "Labour and employment", False, 0.008),
    SectorSpec("DATDAI", "Đất đai", "Land", True, 0.035),
    SectorSpec("XAYDUNG", "Xây dựng", "Construction", True, 0.012),
    SectorSpec("QUYHOACH", "Quy hoạch", "Planning", True, 0.004),
    SectorSpec("NHAO", "Nhà ở", "Housing", False, 0.004),
    SectorSpec("DKKD", "Đăng ký kinh doanh", "Business registration", True, 0.015),
    SectorSpec("GIAODUC", "Giáo dục", "Education", False, 0.006),
    SectorSpec("HOAGIAI", "Hòa giải cơ sở", "Grassroots mediation", False, 0.003),
    SectorSpec("NUOICONNUOI", "Nuôi con nuôi", "Adoption", False, 0.001),
    SectorSpec("VHXH", "Văn hóa – xã hội", "Culture and society", False, 0.006),
)

WD, CD, WH, SD = "working_days", "calendar_days", "working_hours", "same_day"
FULL, PARTIAL, NONE = "full", "partial", "none"

PROCEDURES: tuple[ProcedureSpec, ...] = (
    # --- Hộ tịch (civil status) -------------------------------------------------------------------
    ProcedureSpec("1.001193", "Đăng ký khai sinh", "Birth registration", "HOTICH", 0, SD, FULL, None, 0.28),
    ProcedureSpec(
        "1.000894", "Đăng ký kết hôn", "Marriage registration", "HOTICH", 0, SD, PARTIAL, None, 0.08
    ),
    ProcedureSpec("1.000656", "Đăng ký khai tử", "Death registration", "HOTICH", 0, SD, FULL, None, 0.07),
    # 3 WD per the Law on Civil Status; a ward lists 7 (UNVERIFIED which applies).
    ProcedureSpec(
        "1.001022",
        "Đăng ký nhận cha, mẹ, con",
        "Recognition of parent and child",
        "HOTICH",
        3,
        WD,
        PARTIAL,
        None,
        0.02,
    ),
    # Time UNVERIFIED (commonly 5 WD); 8,000đ as for late/re-registration cases (An Giang).
    ProcedureSpec(
        "1.004884", "Đăng ký lại khai sinh", "Re-registration of birth", "HOTICH", 5, WD, PARTIAL, 8000, 0.02
    ),
    ProcedureSpec(
        "1.004837", "Đăng ký giám hộ", "Guardianship registration", "HOTICH", 3, WD, PARTIAL, None, 0.01
    ),
    ProcedureSpec(
        "X.HOTICH.01",
        "Xác nhận tình trạng hôn nhân",
        "Certification of marital status",
        "HOTICH",
        3,
        WD,
        FULL,
        None,
        0.25,
    ),
    ProcedureSpec(
        "2.000635",
        "Cấp bản sao trích lục hộ tịch",
        "Copy of a civil-status extract",
        "HOTICH",
        0,
        SD,
        FULL,
        8000,
        0.15,
    ),
    ProcedureSpec(
        "2.000806",
        "Đăng ký kết hôn có yếu tố nước ngoài",
        "Marriage registration with a foreign element",
        "HOTICH",
        5,
        WD,
        PARTIAL,
        None,
        0.01,
    ),
    ProcedureSpec(
        "1.003583",
        "Đăng ký khai sinh lưu động",
        "Mobile birth registration",
        "HOTICH",
        5,
        WD,
        NONE,
        None,
        0.005,
    ),
    ProcedureSpec(
        "X.HOTICH.02",
        "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch",
        "Change, correction or completion of civil-status details",
        "HOTICH",
        3,
        WD,
        PARTIAL,
        None,
        0.08,
    ),
    # --- Chứng thực (certification): same day, after 15:00 the next working day -----------------------
    ProcedureSpec(
        "2.000815",
        "Chứng thực bản sao từ bản chính",
        "Certified copy from the original",
        "CHUNGTHUC",
        0,
        SD,
        FULL,
        2000,
        0.78,
    ),
    ProcedureSpec(
        "2.000884", "Chứng thực chữ ký", "Signature certification", "CHUNGTHUC", 0, SD, NONE, 10000, 0.14
    ),
    ProcedureSpec(
        "X.CHUNGTHUC.01",
        "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản",
        "Certification of a contract on movable property",
        "CHUNGTHUC",
        2,
        WD,
        NONE,
        50000,
        0.05,
    ),
    ProcedureSpec(
        "X.CHUNGTHUC.02",
        "Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch",
        "Certification of an amendment or cancellation of a contract",
        "CHUNGTHUC",
        2,
        WD,
        NONE,
        30000,
        0.02,
    ),
    ProcedureSpec(
        "X.CHUNGTHUC.03",
        "Chứng thực di chúc",
        "Certification of a will",
        "CHUNGTHUC",
        2,
        WD,
        NONE,
        50000,
        0.01,
    ),
    # --- Cư trú (residence, commune police; Circular 66/2023/TT-BCA) -------------------------------------
    # Fee UNVERIFIED in the brief; 20,000đ is the usual direct-filing figure.
    ProcedureSpec(
        "1.004222",
        "Đăng ký thường trú",
        "Permanent residence registration",
        "CUTRU",
        7,
        WD,
        FULL,
        20000,
        0.17,
    ),
    ProcedureSpec(
        "1.004194", "Đăng ký tạm trú", "Temporary residence registration", "CUTRU", 3, WD, FULL, 15000, 0.24
    ),
    ProcedureSpec(
        "1.002755", "Gia hạn tạm trú", "Extension of temporary residence", "CUTRU", 3, WD, FULL, 15000, 0.06
    ),
    ProcedureSpec(
        "1.010028", "Xóa đăng ký tạm trú", "Removal of temporary residence", "CUTRU", 2, WD, FULL, None, 0.05
    ),
    ProcedureSpec(
        "1.003197",
        "Xóa đăng ký thường trú",
        "Removal of permanent residence",
        "CUTRU",
        5,
        WD,
        FULL,
        None,
        0.08,
    ),
    ProcedureSpec("1.010038", "Tách hộ", "Household separation", "CUTRU", 5, WD, FULL, 10000, 0.04),
    ProcedureSpec(
        "1.010039",
        "Điều chỉnh thông tin về cư trú",
        "Correction of residence details",
        "CUTRU",
        3,
        WD,
        FULL,
        None,
        0.1,
    ),
    # Time UNVERIFIED (≈ 1 WD).
    ProcedureSpec(
        "1.003677", "Khai báo tạm vắng", "Declaration of temporary absence", "CUTRU", 1, WD, FULL, None, 0.06
    ),
    # "Immediate" (UNVERIFIED): modelled as 4 office hours, the demo's working-hours procedure.
    ProcedureSpec("2.001159", "Thông báo lưu trú", "Notification of a stay", "CUTRU", 4, WH, FULL, None, 0.2),
    # --- Đăng ký kinh doanh (business households) ------------------------------------------------------
    # 3 WD and the fee are UNVERIFIED (a HCMC ward app; fee set by the provincial council).
    ProcedureSpec(
        "1.001612",
        "Đăng ký thành lập hộ kinh doanh",
        "Registration of a business household",
        "DKKD",
        3,
        WD,
        FULL,
        100000,
        0.55,
    ),
    ProcedureSpec(
        "X.DKKD.01",
        "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
        "Change of a business household's registration",
        "DKKD",
        3,
        WD,
        FULL,
        100000,
        0.25,
    ),
    ProcedureSpec(
        "X.DKKD.02",
        "Thông báo tạm ngừng kinh doanh của hộ kinh doanh",
        "Temporary suspension of a business household",
        "DKKD",
        3,
        WD,
        FULL,
        None,
        0.1,
    ),
    ProcedureSpec(
        "X.DKKD.03",
        "Chấm dứt hoạt động hộ kinh doanh",
        "Closure of a business household",
        "DKKD",
        3,
        WD,
        FULL,
        None,
        0.1,
    ),
    # --- Bảo trợ xã hội (social protection) ------------------------------------------------------------
    ProcedureSpec(
        "1.001699",
        "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật",
        "Assessment of disability and disability certificate",
        "BTXH",
        25,
        WD,
        PARTIAL,
        None,
        0.25,
    ),
    ProcedureSpec(
        "X.BTXH.01",
        "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng, hỗ trợ kinh phí chăm sóc, nuôi dưỡng",
        "Monthly social allowance: grant, change or end",
        "BTXH",
        10,
        WD,
        PARTIAL,
        None,
        0.45,
    ),
    ProcedureSpec(
        "X.BTXH.02",
        "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
        "Funeral allowance for social-protection beneficiaries",
        "BTXH",
        3,
        WD,
        PARTIAL,
        None,
        0.12,
    ),
    ProcedureSpec(
        "X.BTXH.03",
        "Thực hiện, điều chỉnh, thôi hưởng trợ cấp hưu trí xã hội",
        "Social pension: grant, change or end",
        "BTXH",
        10,
        WD,
        PARTIAL,
        None,
        0.18,
        since="2025-07-01",
    ),
    # --- Giảm nghèo (poverty reduction): the annual review runs October-December -------------------------
    # Time UNVERIFIED in the brief; 10 WD assumed.
    ProcedureSpec(
        "1.011607",
        "Công nhận hộ nghèo, hộ cận nghèo thường xuyên hằng năm",
        "Annual recognition of poor and near-poor households",
        "GIAMNGHEO",
        10,
        WD,
        PARTIAL,
        None,
        0.7,
        peak_months=(10, 11, 12),
        peak_factor=4.0,
    ),
    ProcedureSpec(
        "X.GIAMNGHEO.01",
        "Công nhận hộ thoát nghèo, hộ thoát cận nghèo trong năm",
        "Recognition of households leaving poverty",
        "GIAMNGHEO",
        10,
        WD,
        PARTIAL,
        None,
        0.3,
    ),
    # --- Người có công (meritorious people) ------------------------------------------------------------
    ProcedureSpec(
        "X.NCC.01",
        "Cấp giấy xác nhận thân nhân của người có công",
        "Certificate for relatives of meritorious people",
        "NCC",
        5,
        WD,
        PARTIAL,
        None,
        0.6,
    ),
    ProcedureSpec(
        "X.NCC.02",
        "Giải quyết chế độ trợ cấp thờ cúng liệt sĩ",
        "Allowance for worshipping a fallen soldier",
        "NCC",
        5,
        WD,
        PARTIAL,
        None,
        0.4,
    ),
    # --- Lao động – việc làm ----------------------------------------------------------------------------
    ProcedureSpec(
        "X.LDVL.01",
        "Xác nhận hộ gia đình làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có mức sống trung bình",
        "Certification of average-income farming households",
        "LDVL",
        5,
        WD,
        PARTIAL,
        None,
        1.0,
    ),
    # --- Đất đai (land): UNVERIFIED times from local internal procedures; taxes suspend the clock -------
    ProcedureSpec(
        "X.DATDAI.01",
        "Giao đất, cho thuê đất, chuyển mục đích sử dụng đất (không đấu giá) đối với hộ gia đình, cá nhân",
        "Land allocation, lease or change of use for households (no auction)",
        "DATDAI",
        20,
        WD,
        PARTIAL,
        None,
        0.2,
        pause_on_payment=True,
    ),
    ProcedureSpec(
        "X.DATDAI.02",
        "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
        "First registration and land-use certificate",
        "DATDAI",
        20,
        WD,
        PARTIAL,
        100000,
        0.35,
        pause_on_payment=True,
    ),
    ProcedureSpec(
        "X.DATDAI.03",
        "Tặng cho quyền sử dụng đất cho Nhà nước, cộng đồng dân cư, mở rộng đường giao thông",
        "Donation of land-use rights to the State or community",
        "DATDAI",
        10,
        WD,
        PARTIAL,
        None,
        0.05,
    ),
    ProcedureSpec(
        "X.DATDAI.04",
        "Đăng ký biến động quyền sử dụng đất (chuyển nhượng, tặng cho, thừa kế) - phần cấp xã",
        "Registration of land-use right transfers (commune part)",
        "DATDAI",
        10,
        WD,
        PARTIAL,
        50000,
        0.3,
        pause_on_payment=True,
    ),
    ProcedureSpec(
        "X.DATDAI.05",
        "Hòa giải tranh chấp đất đai",
        "Mediation of land disputes",
        "DATDAI",
        30,
        CD,
        NONE,
        None,
        0.1,
    ),
    # --- Xây dựng, Quy hoạch, Nhà ở ---------------------------------------------------------------------
    # 15 days per a ward listing; fee per provincial council (≈ 50,000-150,000đ, UNVERIFIED).
    ProcedureSpec(
        "X.XAYDUNG.01",
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "Building permit for a detached house",
        "XAYDUNG",
        15,
        CD,
        FULL,
        75000,
        0.7,
    ),
    ProcedureSpec(
        "X.XAYDUNG.02",
        "Gia hạn giấy phép xây dựng nhà ở riêng lẻ",
        "Extension of a building permit",
        "XAYDUNG",
        5,
        CD,
        FULL,
        10000,
        0.15,
    ),
    ProcedureSpec(
        "X.XAYDUNG.03",
        "Điều chỉnh giấy phép xây dựng nhà ở riêng lẻ",
        "Amendment of a building permit",
        "XAYDUNG",
        15,
        CD,
        FULL,
        75000,
        0.15,
    ),
    ProcedureSpec(
        "X.QUYHOACH.01",
        "Cung cấp thông tin quy hoạch",
        "Provision of planning information",
        "QUYHOACH",
        10,
        WD,
        FULL,
        None,
        1.0,
    ),
    ProcedureSpec(
        "X.NHAO.01",
        "Xác nhận tình trạng nhà ở",
        "Certification of housing status",
        "NHAO",
        5,
        CD,
        PARTIAL,
        None,
        1.0,
    ),
    # --- Giáo dục, Hòa giải, Nuôi con nuôi, Văn hóa – xã hội ------------------------------------------
    ProcedureSpec(
        "X.GIAODUC.01",
        "Chuyển trường đối với học sinh trung học cơ sở",
        "Transfer of a lower-secondary pupil",
        "GIAODUC",
        3,
        WD,
        FULL,
        None,
        1.0,
        peak_months=(7, 8),
        peak_factor=3.0,
    ),
    # Time UNVERIFIED; 5 WD assumed.
    ProcedureSpec(
        "1.002211", "Công nhận hòa giải viên", "Appointment of a mediator", "HOAGIAI", 5, WD, NONE, None, 0.7
    ),
    ProcedureSpec(
        "X.HOAGIAI.01", "Thôi làm hòa giải viên", "Release of a mediator", "HOAGIAI", 5, WD, NONE, None, 0.3
    ),
    ProcedureSpec(
        "X.NUOICONNUOI.01",
        "Đăng ký việc nuôi con nuôi trong nước",
        "Domestic adoption registration",
        "NUOICONNUOI",
        30,
        CD,
        NONE,
        400000,
        1.0,
    ),
    ProcedureSpec(
        "X.VHXH.01",
        "Xét tặng danh hiệu Gia đình văn hóa",
        "Award of the Cultured Family title",
        "VHXH",
        5,
        WD,
        PARTIAL,
        None,
        1.0,
        peak_months=(11, 12),
        peak_factor=3.0,
    ),
)

# --- The province and its departments ---------------------------------------------------------------
# A fictional province: the name is plausible but belongs to no real unit.
PROVINCE = ("26000", "Tỉnh Sơn Hà", "Son Ha Province")
# Departments hold the provincial supervisors; the sector is the heavy sector they watch (None: all).
DEPARTMENTS: tuple[tuple[str, str, str, str | None], ...] = (
    ("25991", "Sở Tư pháp", "Department of Justice", None),
    ("25992", "Sở Nông nghiệp và Môi trường", "Department of Agriculture and Environment", "DATDAI"),
    ("25993", "Sở Xây dựng", "Department of Construction", "XAYDUNG"),
    ("25994", "Sở Tài chính", "Department of Finance", "DKKD"),
    ("25995", "Sở Nội vụ", "Department of Home Affairs", None),
)
# Province-level supervisors besides the departments' own: (sector or None).
PROVINCE_SUPERVISOR_SECTORS: tuple[str | None, ...] = (None, None, None, "QUYHOACH")

# --- Place names -------------------------------------------------------------------------------------
# Two-syllable names built from the elements real commune names are made of ("Tân Phú", "Hòa Bình").
PLACE_FIRST = (
    "An",
    "Bình",
    "Tân",
    "Hòa",
    "Phú",
    "Long",
    "Thạnh",
    "Vĩnh",
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
    "Thanh",
    "Hưng",
    "Xuân",
    "Quang",
    "Minh",
    "Đức",
    "Phước",
    "Thuận",
    "Mỹ",
    "Hiệp",
    "Trung",
    "Hải",
    "Sơn",
    "Lâm",
    "Kim",
    "Ngọc",
    "Hồng",
    "Cẩm",
    "Yên",
    "Gia",
    "Việt",
    "Quảng",
    "Thái",
    "Hà",
    "Lạc",
    "Định",
    "Nghĩa",
    "Tiên",
)
PLACE_SECOND = (
    "Phú",
    "Bình",
    "Hòa",
    "An",
    "Lợi",
    "Thành",
    "Hưng",
    "Khánh",
    "Lộc",
    "Thịnh",
    "Long",
    "Phước",
    "Tiến",
    "Sơn",
    "Hải",
    "Xuân",
    "Mỹ",
    "Đông",
    "Tây",
    "Thuận",
    "Trung",
    "Lạc",
    "Định",
    "Điền",
    "Giang",
    "Lâm",
    "Hiệp",
    "Quý",
    "Tân",
    "Thủy",
    "Dương",
    "Hà",
    "Nghĩa",
    "Ninh",
    "Cường",
    "Vinh",
    "Phong",
    "Thọ",
    "Tường",
    "Nguyên",
)
SPECIAL_ZONES = ("Hòn Ngọc", "Cồn Mây")

# --- Person names (frequencies roughly as in national surveys) -----------------------------------------
FAMILY_NAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.0),
    ("Trần", 11.0),
    ("Lê", 9.5),
    ("Phạm", 7.0),
    ("Hoàng", 5.1),
    ("Huỳnh", 2.0),
    ("Phan", 4.5),
    ("Vũ", 3.9),
    ("Võ", 2.5),
    ("Đặng", 2.1),
    ("Bùi", 2.0),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1.0),
    ("Lý", 0.5),
    ("Đinh", 0.8),
    ("Trịnh", 0.6),
    ("Mai", 0.5),
    ("Tạ", 0.3),
)
MIDDLE_MALE = ("Văn", "Đức", "Minh", "Quốc", "Hữu", "Thành", "Công", "Xuân", "Ngọc", "Tiến")
MIDDLE_FEMALE = ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Thị", "Thị", "Hồng", "Kim")
GIVEN_MALE = (
    "Hùng",
    "Dũng",
    "Nam",
    "Tuấn",
    "Long",
    "Hải",
    "Sơn",
    "Quang",
    "Thắng",
    "Tùng",
    "Phong",
    "Khoa",
    "Huy",
    "Bình",
    "Cường",
    "Đạt",
    "Hiếu",
    "Trung",
    "Vinh",
    "Phúc",
    "Khánh",
    "Toàn",
    "Lâm",
    "Thịnh",
)
GIVEN_FEMALE = (
    "Lan",
    "Hương",
    "Hà",
    "Linh",
    "Mai",
    "Trang",
    "Thảo",
    "Ngọc",
    "Hạnh",
    "Huyền",
    "Nhung",
    "Yến",
    "Vân",
    "Thủy",
    "Dung",
    "Oanh",
    "Loan",
    "Nga",
    "Hoa",
    "Giang",
    "Quyên",
    "Châu",
)

# --- Applicants (personal data, issue 5) ----------------------------------------------------------------
# A CCCD number (12 digits) starts with the code of the province where the birth was registered: most
# applicants of the demo province were born in it (its code, 026), some in a neighbouring province or
# a big city. Weights are shares.
CCCD_PROVINCES: tuple[tuple[str, float], ...] = (
    ("026", 85.0),
    ("025", 3.0),  # Phú Thọ
    ("027", 2.5),  # Bắc Ninh
    ("001", 3.5),  # Hà Nội
    ("079", 1.5),  # Hồ Chí Minh City
    ("031", 1.0),  # Hải Phòng
    ("036", 1.0),  # Nam Định
    ("038", 1.0),  # Thanh Hóa
    ("040", 1.0),  # Nghệ An
    ("019", 0.5),  # Thái Nguyên
)
# Mobile prefixes in use since the 2018 renumbering (Viettel 03x/09x, Vinaphone 08x/09x, MobiFone 07x/09x,
# Vietnamobile 05x); weights roughly follow the carriers' shares.
MOBILE_PREFIXES: tuple[tuple[str, float], ...] = (
    *((f"03{d}", 5.0) for d in "23456789"),
    *((f"09{d}", 4.0) for d in "0134678"),
    *((f"08{d}", 2.5) for d in "1234589"),
    *((f"07{d}", 2.0) for d in "06789"),
    *((f"05{d}", 0.8) for d in "689"),
)
# Where people live: villages (thôn) in communes and special zones, residential groups in wards.
HAMLETS = (
    "Thôn Đông",
    "Thôn Đoài",
    "Thôn Trung",
    "Thôn Thượng",
    "Thôn Hạ",
    "Thôn Bắc",
    "Thôn Nam",
    "Thôn Tân Lập",
    "Thôn Đồng Tâm",
    "Thôn Phú Lộc",
    *(f"Thôn {n}" for n in range(1, 9)),
)
WARD_GROUPS = tuple(f"Tổ dân phố {n}" for n in range(1, 19)) + tuple(f"Tổ {n}" for n in range(1, 7))

# --- Wording stored in the data ------------------------------------------------------------------------
SUPPLEMENT_REASONS = (
    "Thiếu bản sao giấy tờ tùy thân",
    "Tờ khai chưa đầy đủ thông tin",
    "Thiếu xác nhận của tổ dân phố, thôn",
    "Giấy tờ chứng minh chỗ ở hợp pháp chưa hợp lệ",
    "Thiếu văn bản ủy quyền",
    "Cần bổ sung sơ đồ, trích đo thửa đất",
)
SUSPENSION_REASON = "Chờ người sử dụng đất thực hiện nghĩa vụ tài chính"
APOLOGY_REASONS = (
    "Cần xác minh thêm thông tin với cơ quan liên quan",
    "Chờ ý kiến của cơ quan chuyên môn",
    "Số lượng hồ sơ tăng đột biến sau sắp xếp đơn vị hành chính",
    "Cán bộ thụ lý nghỉ ốm đột xuất",
    "Hệ thống phần mềm một cửa gặp sự cố",
    "Cần kiểm tra thực địa",
)
LOW_RATING_COMMENTS = (
    "Chờ lâu, hẹn nhiều lần mà chưa trả kết quả.",
    "Hồ sơ trễ hẹn nhưng không được thông báo trước.",
    "Cán bộ hướng dẫn chưa rõ ràng, phải đi lại nhiều lần.",
    "Phải bổ sung giấy tờ hai lần.",
    "Thái độ tiếp dân chưa niềm nở.",
    "Cổng dịch vụ công hay bị lỗi khi nộp hồ sơ.",
    "Thời gian chờ tại quầy quá lâu.",
    "Không nhận được tin nhắn báo kết quả.",
)
MIDDLE_RATING_COMMENTS = (
    "Thủ tục còn rườm rà, nhiều giấy tờ.",
    "Nên bố trí thêm quầy tiếp nhận vào sáng thứ Hai.",
    "Bãi gửi xe chật.",
)
HIGH_RATING_COMMENTS = (
    "Cán bộ nhiệt tình, giải quyết nhanh.",
    "Trả kết quả trước hẹn, rất hài lòng.",
    "Nộp trực tuyến thuận tiện.",
)


def strip_diacritics(text: str) -> str:
    """ASCII transliteration of Vietnamese ("Hòa Bình" -> "Hoa Binh"); đ has no decomposition."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
