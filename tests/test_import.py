"""The CSV importer against real SQLite and PostgreSQL databases (docs/import.md is the contract)."""

from __future__ import annotations

import csv
import hashlib
import json
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select

import queries.__main__ as command_line
from queries import audit, importer
from queries.__main__ import main
from queries.clocking import verdicts
from queries.import_rows import KINDS
from queries.importer import ImportReport, import_csv
from queries.models import (
    Applicant,
    AuditEntry,
    Base,
    Dossier,
    DossierStep,
    Official,
    Pause,
    Procedure,
    Rating,
    Sector,
    StatusChange,
    Unit,
)
from queries.settings import REPO_ROOT
from queries.sla import Clock

EXAMPLES = REPO_ROOT / "docs" / "examples"
ORDER = ("units", "procedures", "officials", "dossiers", "steps", "ratings")
NOW = datetime(2026, 3, 12, 9, 0)
LATER = datetime(2026, 3, 20, 9, 0)


# --- helpers ---------------------------------------------------------------------------------------
def run(engine: Engine, clock: Clock, path: Path, kind: str, now: datetime = NOW) -> ImportReport:
    return import_csv(engine, path, kind, clock=clock, reject_path=None, now=now)


def import_examples(engine: Engine, clock: Clock, kinds: tuple[str, ...] = ORDER) -> list[ImportReport]:
    return [run(engine, clock, EXAMPLES / f"{kind}.csv", kind) for kind in kinds]


def write_rows(
    path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8", delimiter: str = ","
) -> Path:
    header = list(dict.fromkeys(column for row in rows for column in row))
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, header, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def dossier(**cells: str) -> dict[str, str]:
    """A valid dossier row of the example catalogue (3 working days), overridden by `cells`."""
    row = {
        "MaHoSo": "T-0001",
        "MaDonVi": "99001",
        "MaTTHC": "1.004873",
        "KenhThucHien": "1",
        "NgayTiepNhan": "2026-03-02T10:00:00",
        "NgayHenTra": "",
        "NgayKetThucXuLy": "",
        "TrangThaiHoSoId": "4",
    }
    return {**row, **cells}


def import_dossiers(
    engine: Engine, clock: Clock, tmp_path: Path, *rows: dict[str, str], now: datetime = NOW
) -> ImportReport:
    return run(engine, clock, write_rows(tmp_path / "dossiers.csv", list(rows)), "dossiers", now)


def stored(engine: Engine, code: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(Dossier).where(Dossier.code == code)).mappings().one()


def pauses(engine: Engine, code: str) -> list[tuple[str, datetime, datetime | None]]:
    stmt = (
        select(Pause.kind, Pause.started_at, Pause.ended_at)
        .join(Dossier, Dossier.id == Pause.dossier_id)
        .where(Dossier.code == code)
        .order_by(Pause.started_at)
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(stmt)]


def history(engine: Engine, code: str) -> list[tuple[str, datetime]]:
    stmt = (
        select(StatusChange.status, StatusChange.changed_at)
        .join(Dossier, Dossier.id == StatusChange.dossier_id)
        .where(Dossier.code == code)
        .order_by(StatusChange.id)
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(stmt)]


def effective_due(engine: Engine, clock: Clock, code: str, as_of: datetime) -> datetime:
    """The clock's working deadline for one dossier at `as_of` (pauses and letters included)."""
    with engine.connect() as conn:
        return next(v.effective_due for d, v in verdicts(conn, clock, as_of=as_of) if d.code == code and v)


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table: what "nothing changed" is checked against."""
    with engine.connect() as conn:
        return {
            table.name: sorted(tuple(row) for row in conn.execute(select(table)))
            for table in Base.metadata.sorted_tables
        }


def rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def count(engine: Engine, model: type[Base]) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def catalogue(engine: Engine, clock: Clock) -> Engine:
    """Units, procedures and officials of the example province."""
    assert all(report.ok for report in import_examples(engine, clock, ORDER[:3]))
    return engine


# --- the example files -----------------------------------------------------------------------------
def test_the_example_files_import_cleanly_in_order(engine: Engine, clock: Clock) -> None:
    reports = import_examples(engine, clock)

    for report in reports:
        assert report.ok, report.summary()
        assert report.rejected == 0 and report.warnings == [], report.summary()
        assert report.inserted == report.rows_read > 0
    assert [
        count(engine, model) for model in (Unit, Sector, Procedure, Official, Dossier, DossierStep, Rating)
    ] == [
        5,
        5,
        7,
        5,
        12,
        6,
        3,
    ]


def test_reimporting_the_same_files_changes_nothing(engine: Engine, clock: Clock) -> None:
    import_examples(engine, clock)
    before = snapshot(engine)

    again = [run(engine, clock, EXAMPLES / f"{kind}.csv", kind, now=LATER) for kind in ORDER]

    assert snapshot(engine) == before
    for report in again:
        assert report.ok and report.unchanged == report.rows_read
        assert report.inserted == report.updated == 0


def test_a_later_export_updates_the_dossiers_in_it(engine: Engine, clock: Clock, tmp_path: Path) -> None:
    import_examples(engine, clock)
    later = [
        dossier(
            MaHoSo="H99.001-260309-0004",
            MaTTHC="1.004194",
            NgayTiepNhan="2026-03-09T08:30:00",
            NgayHenTra="2026-03-12",
            NgayKetThucXuLy="2026-03-12T11:00:00",
            TrangThaiHoSoId="9",
        ),
        dossier(
            MaHoSo="H99.001-260310-0005",
            KenhThucHien="2",
            NgayTiepNhan="2026-03-10T09:00:00",
            TrangThaiHoSoId="4",
            NgayYeuCauBoSung="2026-03-11T10:00:00",
            NgayCongDanBoSung="2026-03-16T10:00:00",
        ),
    ]

    report = import_dossiers(engine, clock, tmp_path, *later, now=LATER)

    assert (report.inserted, report.updated, report.unchanged, report.rejected) == (0, 2, 0, 0)
    finished = stored(engine, "H99.001-260309-0004")
    assert (finished.status, finished.outcome, finished.updated_at) == ("completed", "on_time", LATER)
    assert history(engine, "H99.001-260309-0004")[-1] == ("completed", datetime(2026, 3, 12, 11, 0))
    assert pauses(engine, "H99.001-260310-0005") == [
        ("supplement", datetime(2026, 3, 11, 10), datetime(2026, 3, 16, 10))
    ]
    # 3 working days from Tue 10/3 = Fri 13/3, plus the 3 working days waited (Wed 11/3 10:00 - Mon 16/3)
    assert effective_due(engine, clock, "H99.001-260310-0005", LATER) == datetime(2026, 3, 18, 23, 59, 59)
    assert [status for status, _ in history(engine, "H99.001-260310-0005")] == [
        "awaiting_supplement",
        "processing",
    ]


# --- malformed rows --------------------------------------------------------------------------------
MALFORMED = [
    pytest.param(
        {"MaDonVi": "99999"}, "Dòng 3: MaDonVi '99999' không có trong danh mục đơn vị", id="unknown unit"
    ),
    pytest.param(
        {"MaTTHC": "9.999999"},
        "MaTTHC '9.999999' không có trong danh mục thủ tục hành chính",
        id="unknown procedure",
    ),
    pytest.param(
        {"MaCanBoXuLy": "CB999"}, "MaCanBoXuLy 'CB999' không có trong danh sách cán bộ", id="unknown official"
    ),
    pytest.param(
        {"NgayTiepNhan": "2026-02-30T10:00"},
        "NgayTiepNhan '2026-02-30T10:00' không phải ngày giờ",
        id="bad date",
    ),
    pytest.param(
        {"NgayTiepNhan": "1999-03-02"},
        "NgayTiepNhan '1999-03-02' nằm ngoài lịch làm việc",
        id="date out of calendar",
    ),
    pytest.param({"KenhThucHien": "4"}, "KenhThucHien '4' không hợp lệ", id="bad channel"),
    pytest.param(
        {"TrangThaiHoSoId": "11"}, "TrangThaiHoSoId '11' không phải trạng thái hồ sơ", id="bad state"
    ),
    pytest.param(
        {"HoSoCoThanhPhanSoHoa": "maybe"}, "HoSoCoThanhPhanSoHoa 'maybe' không hợp lệ", id="bad boolean"
    ),
    pytest.param({"MaHoSo": ""}, "MaHoSo bắt buộc nhưng đang để trống", id="missing code"),
    pytest.param(
        {"NgayTiepNhan": ""}, "NgayTiepNhan bắt buộc với trạng thái 4", id="missing acceptance time"
    ),
    pytest.param(
        {"TrangThaiHoSoId": "9"}, "NgayKetThucXuLy bắt buộc với trạng thái 9", id="finished without end"
    ),
    pytest.param(
        {"TrangThaiHoSoId": "5"}, "NgayYeuCauBoSung bắt buộc với trạng thái 5", id="state 5 without request"
    ),
    pytest.param(
        {"NgayYeuCauBoSung": "2026-03-04T10:00:00", "NgayCongDanBoSung": "2026-03-03T10:00:00"},
        "NgayCongDanBoSung 2026-03-03T10:00:00 trước NgayYeuCauBoSung 2026-03-04T10:00:00",
        id="supplied before requested",
    ),
    pytest.param(
        {"NgayCongDanBoSung": "2026-03-03T10:00:00"},
        "NgayCongDanBoSung có nhưng thiếu NgayYeuCauBoSung",
        id="supplied alone",
    ),
]


@pytest.mark.parametrize(("cells", "reason"), MALFORMED)
def test_a_malformed_dossier_row_lands_in_the_reject_file_with_its_line_and_reason(
    catalogue: Engine, clock: Clock, tmp_path: Path, cells: dict[str, str], reason: str
) -> None:
    bad = dossier(**{"MaHoSo": "BAD-1", **cells})
    path = write_rows(tmp_path / "dossiers.csv", [dossier(MaHoSo="GOOD-1"), bad])

    report = run(catalogue, clock, path, "dossiers")

    assert not report.ok and report.rejected == 1 and report.inserted == 1
    assert report.reject_path == tmp_path / "dossiers.rejects.csv"
    [reject] = rejects(report.reject_path)
    assert reject["SoDong"] == "3" and reject["LyDo"].startswith("Dòng 3: ")
    assert reason in reject["LyDo"], reject["LyDo"]
    assert reject["Reason"].startswith("Line 3: ")
    assert reject["MaHoSo"] == cells.get("MaHoSo", "BAD-1")  # the original row follows the reason
    assert stored(catalogue, "GOOD-1").status == "processing"


def test_it_rejects_a_dossier_completed_before_it_was_received(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    report = import_dossiers(
        catalogue,
        clock,
        tmp_path,
        dossier(MaHoSo="EARLY-END", TrangThaiHoSoId="9", NgayKetThucXuLy="2026-03-01T16:00:00"),
    )

    [reject] = rejects(report.reject_path)
    assert reject["LyDo"] == (
        "Dòng 2: NgayKetThucXuLy 2026-03-01T16:00:00 trước NgayTiepNhan 2026-03-02T10:00:00"
    )
    assert count(catalogue, Dossier) == 0


def test_a_rejected_row_lists_all_its_faults_at_once(catalogue: Engine, clock: Clock, tmp_path: Path) -> None:
    report = import_dossiers(
        catalogue, clock, tmp_path, dossier(MaDonVi="99999", MaTTHC="X", KenhThucHien="9")
    )

    [reject] = rejects(report.reject_path)
    assert reject["LyDo"].count("; ") == 2
    assert (
        "MaDonVi '99999'" in reject["LyDo"]
        and "MaTTHC 'X'" in reject["LyDo"]
        and "KenhThucHien" in reject["LyDo"]
    )


def test_a_code_repeated_in_one_file_keeps_the_first_row_and_rejects_the_others(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    report = import_dossiers(
        catalogue, clock, tmp_path, dossier(KenhThucHien="1"), dossier(), dossier(KenhThucHien="2")
    )

    assert (report.inserted, report.rejected) == (1, 2)
    assert [reject["SoDong"] for reject in rejects(report.reject_path)] == ["3", "4"]
    assert "MaHoSo 'T-0001' trùng với dòng 2" in rejects(report.reject_path)[0]["LyDo"]
    assert stored(catalogue, "T-0001").channel == "counter"


def test_a_row_with_more_cells_than_the_header_is_rejected(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    path = write_rows(tmp_path / "dossiers.csv", [dossier()])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("T-0002,99001,1.004873,1,2026-03-02T10:00:00,,,4,extra\n")

    report = run(catalogue, clock, path, "dossiers")

    assert (report.inserted, report.rejected) == (1, 1)
    assert "9 ô nhưng tiêu đề chỉ có 8 cột" in rejects(report.reject_path)[0]["LyDo"]


def test_a_clerk_can_fix_the_reject_file_and_import_it_again(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    report = import_dossiers(catalogue, clock, tmp_path, dossier(MaDonVi="99999"))
    fixed = [{**row, "MaDonVi": "99002"} for row in rejects(report.reject_path)]

    again = run(catalogue, clock, write_rows(tmp_path / "fixed.csv", fixed), "dossiers")

    assert (
        again.ok and again.inserted == 1 and again.warnings == []
    )  # SoDong, LyDo, Reason are ignored quietly


PROCEDURE = {"MaTTHC": "P1", "TenTTHC": "Thủ tục", "MaLinhVuc": "HT", "TenLinhVuc": "Hộ tịch"}
REFERENCE_REJECTS = [
    pytest.param(
        "units",
        [{"MaDonVi": "99100", "TenDonVi": "Xã Mới", "CapDonVi": "xa", "MaDonViCha": "12345"}],
        "MaDonViCha '12345' không có trong danh mục đơn vị",
        id="unit with unknown parent",
    ),
    pytest.param(
        "units",
        [{"MaDonVi": "99100", "TenDonVi": "Xã Mới", "CapDonVi": "huyen"}],
        "CapDonVi 'huyen' không hợp lệ (dùng một trong: tinh, xa, phuong, dac_khu, so)",
        id="unit with a level that no longer exists",
    ),
    pytest.param(
        "procedures",
        [{**PROCEDURE, "DonViTinh": "trong_ngay", "ThoiGianGiaiQuyet": "3"}],
        "ThoiGianGiaiQuyet phải là 0 hoặc để trống khi DonViTinh là trong_ngay",
        id="same-day procedure with a time",
    ),
    pytest.param(
        "procedures",
        [{**PROCEDURE, "ThoiGianGiaiQuyet": "ba", "DonViTinh": "ngay_lam_viec"}],
        "ThoiGianGiaiQuyet 'ba' không phải số hợp lệ",
        id="procedure time not a number",
    ),
    pytest.param(
        "officials",
        [
            {
                "MaCanBo": "CB9",
                "HoTen": "A",
                "MaDonVi": "99001",
                "VaiTro": "xu_ly",
                "KenhThongBao": "an@example.com",
            }
        ],
        "KenhThongBao 'an@example.com' không phải địa chỉ Apprise",
        id="official with a bare e-mail address",
    ),
    pytest.param(
        "officials",
        [{"MaCanBo": "CB9", "HoTen": "A", "MaDonVi": "99001", "VaiTro": "truong_phong"}],
        "VaiTro 'truong_phong' không hợp lệ",
        id="official with an unknown role",
    ),
    pytest.param(
        "steps",
        [{"MaHoSo": "NOPE", "BuocXuLy": "tham_dinh", "NgayBatDau": "2026-03-02T10:00:00"}],
        "MaHoSo 'NOPE' không có trong cơ sở dữ liệu hồ sơ",
        id="step of an unknown dossier",
    ),
    pytest.param(
        "steps",
        [
            {
                "MaHoSo": "H99.001-260302-0001",
                "BuocXuLy": "tham_dinh",
                "NgayBatDau": "2026-03-03T10:00:00",
                "NgayKetThuc": "2026-03-02T10:00:00",
            }
        ],
        "NgayKetThuc 2026-03-02T10:00:00 trước NgayBatDau 2026-03-03T10:00:00",
        id="step ended before it started",
    ),
    pytest.param(
        "ratings",
        [{"MaHoSo": "H99.001-260302-0001", "MucDoHaiLong": "6", "NgayDanhGia": "2026-03-05T10:00:00"}],
        "MucDoHaiLong '6' phải là số nguyên từ 1 đến 5",
        id="rating above 5",
    ),
]


@pytest.mark.parametrize(("kind", "rows", "reason"), REFERENCE_REJECTS)
def test_every_kind_rejects_its_malformed_rows(
    engine: Engine, clock: Clock, tmp_path: Path, kind: str, rows: list[dict[str, str]], reason: str
) -> None:
    import_examples(engine, clock)

    report = run(engine, clock, write_rows(tmp_path / f"{kind}.csv", rows), kind)

    assert report.rejected == 1 and not report.ok
    assert reason in rejects(report.reject_path)[0]["LyDo"]


# --- files refused as a whole ------------------------------------------------------------------------
def _binary(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


def _xlsx(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + b"[Content_Types].xml" + bytes(64))


def _windows_1252(path: Path) -> None:
    write_rows(path, [dossier(MaDonVi="Xã An Phú")], encoding="cp1252")


def _no_header(path: Path) -> None:
    path.write_text("T-0001,99001,1.004873,1,2026-03-02T10:00:00,,,4\n", encoding="utf-8")


def _missing_columns(path: Path) -> None:
    write_rows(path, [{"MaHoSo": "T-0001", "MaDonVi": "99001"}])


def _empty(path: Path) -> None:
    path.write_bytes(b"\xef\xbb\xbf\r\n")


def _units_file(path: Path) -> None:
    path.write_bytes((EXAMPLES / "units.csv").read_bytes())


REFUSED = [
    pytest.param(_binary, "tệp nhị phân", id="binary"),
    pytest.param(_xlsx, "bảng tính Excel (.xlsx)", id="excel workbook"),
    pytest.param(_windows_1252, "không phải văn bản UTF-8", id="not utf-8"),
    pytest.param(_no_header, "thiếu dòng tiêu đề", id="no header"),
    pytest.param(
        _missing_columns,
        "Thiếu cột bắt buộc: MaTTHC, KenhThucHien, NgayTiepNhan, TrangThaiHoSoId",
        id="missing columns",
    ),
    pytest.param(_empty, "Tệp rỗng", id="empty"),
    pytest.param(_units_file, "tệp có vẻ là loại units", id="another kind"),
]


@pytest.mark.parametrize(("make", "message"), REFUSED)
def test_a_file_that_is_not_a_dossier_csv_is_refused_with_nothing_written(
    catalogue: Engine, clock: Clock, tmp_path: Path, make: Any, message: str
) -> None:
    path = tmp_path / "dossiers.csv"
    make(path)
    before = snapshot(catalogue)

    report = run(catalogue, clock, path, "dossiers")

    assert not report.ok and report.refusal is not None and message in report.refusal
    assert report.summary().startswith("dossiers: file refused, nothing imported: ")
    assert snapshot(catalogue) == before
    assert not (tmp_path / "dossiers.rejects.csv").exists()


def test_a_file_that_turns_out_not_to_be_utf8_halfway_leaves_nothing_half_written(
    catalogue: Engine, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH_SIZE", 10)  # several batches are written before the bad byte
    path = write_rows(tmp_path / "dossiers.csv", [dossier(MaHoSo=f"T-{n:04d}") for n in range(300)])
    with path.open("ab") as handle:
        handle.write("T-Phú,99001,1.004873,1,2026-03-02T10:00:00,,,4\n".encode("cp1252"))
    before = snapshot(catalogue)

    report = run(catalogue, clock, path, "dossiers")

    assert report.refusal is not None and "UTF-8" in report.refusal
    assert snapshot(catalogue) == before


# --- formats -------------------------------------------------------------------------------------------
def test_a_utf8_bom_semicolons_and_an_extra_column_are_tolerated(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    path = write_rows(
        tmp_path / "dossiers.csv", [dossier(GhiChu="xuất từ Excel")], encoding="utf-8-sig", delimiter=";"
    )

    report = run(catalogue, clock, path, "dossiers")

    assert report.ok and report.inserted == 1
    assert report.warnings == [
        "Cột 'GhiChu' không thuộc loại dossiers nên bị bỏ qua / "
        "column 'GhiChu' is not a dossiers column: ignored"
    ]


def test_an_offset_is_converted_to_vietnam_time(catalogue: Engine, clock: Clock, tmp_path: Path) -> None:
    import_dossiers(
        catalogue,
        clock,
        tmp_path,
        dossier(NgayTiepNhan="2026-03-02T03:00:00Z"),
        dossier(MaHoSo="T-0002", NgayTiepNhan="2026-03-02T12:00:00+09:00"),
        dossier(MaHoSo="T-0003", NgayTiepNhan="02/03/2026 10:00"),
    )

    assert {stored(catalogue, code).received_at for code in ("T-0001", "T-0002", "T-0003")} == {
        datetime(2026, 3, 2, 10, 0)
    }


def test_numeric_and_named_states_are_both_accepted(catalogue: Engine, clock: Clock, tmp_path: Path) -> None:
    names = ["4", "Đang xử lý", "đang xử lý", unicodedata.normalize("NFD", "Đang xử lý"), "processing"]

    report = import_dossiers(
        catalogue,
        clock,
        tmp_path,
        *[dossier(MaHoSo=f"T-{n}", TrangThaiHoSoId=name) for n, name in enumerate(names)],
    )

    assert report.ok and report.inserted == len(names)
    assert {stored(catalogue, f"T-{n}").status for n in range(len(names))} == {"processing"}


def test_yes_no_cells_and_online_payment_codes_are_understood(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    import_dossiers(
        catalogue,
        clock,
        tmp_path,
        dossier(MaHoSo="A", HoSoCoThanhPhanSoHoa="Có", DaSoHoaKetQua="true", DuocThanhToanTrucTuyen="1"),
        dossier(MaHoSo="B", HoSoCoThanhPhanSoHoa="không", DaSoHoaKetQua="0", DuocThanhToanTrucTuyen="2"),
        dossier(MaHoSo="C", HoSoCoThanhPhanSoHoa="", DaSoHoaKetQua="FALSE", DuocThanhToanTrucTuyen="0"),
    )

    flags = [
        (row.digitized_components, row.digitized_result, row.paid_online)
        for row in (stored(catalogue, code) for code in "ABC")
    ]
    assert flags == [(True, True, True), (False, False, True), (False, False, False)]


# --- the clock on the way in -----------------------------------------------------------------------------
def test_a_missing_appointment_is_computed_by_the_clock(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    import_dossiers(catalogue, clock, tmp_path, dossier(NgayHenTra=""))

    row = stored(catalogue, "T-0001")
    assert row.appointment_due_at == row.statutory_due_at == row.due_at == datetime(2026, 3, 5, 23, 59, 59)


def test_a_date_only_appointment_lasts_until_the_end_of_that_day(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    import_dossiers(catalogue, clock, tmp_path, dossier(NgayHenTra="2026-03-04"))

    assert stored(catalogue, "T-0001").appointment_due_at == datetime(2026, 3, 4, 23, 59, 59)


def test_an_appointment_later_than_the_law_allows_is_kept_and_flagged(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    report = import_dossiers(catalogue, clock, tmp_path, dossier(MaHoSo="LATE-SLIP", NgayHenTra="2026-03-09"))

    assert report.ok
    assert len(report.warnings) == 1 and "MaHoSo 'LATE-SLIP'" in report.warnings[0]
    assert "NgayHenTra 2026-03-09T23:59:59 muộn hơn hạn theo luật 2026-03-05T23:59:59" in report.warnings[0]
    row = stored(catalogue, "LATE-SLIP")
    assert row.appointment_due_at > row.statutory_due_at


def test_a_supplement_pause_extends_the_due_date(catalogue: Engine, clock: Clock, tmp_path: Path) -> None:
    """domain.md 2.6 example B: 3 WD from Mon 2/3 10:00, waiting Tue 3/3 10:00 - Mon 9/3 10:00."""
    waited = dict(NgayYeuCauBoSung="2026-03-03T10:00:00", NgayCongDanBoSung="2026-03-09T10:00:00")
    import_dossiers(
        catalogue,
        clock,
        tmp_path,
        dossier(MaHoSo="FINISHED", TrangThaiHoSoId="9", NgayKetThucXuLy="2026-03-10T16:00:00", **waited),
        dossier(MaHoSo="OPEN", TrangThaiHoSoId="4", **waited),
    )

    row = stored(catalogue, "FINISHED")
    assert row.statutory_due_at == datetime(2026, 3, 5, 23, 59, 59)
    assert row.due_at == datetime(2026, 3, 11, 23, 59, 59)
    assert (row.supplement_count, row.outcome) == (1, "early")
    assert pauses(catalogue, "OPEN") == [("supplement", datetime(2026, 3, 3, 10), datetime(2026, 3, 9, 10))]
    assert effective_due(catalogue, clock, "OPEN", datetime(2026, 3, 10, 9)) == datetime(
        2026, 3, 11, 23, 59, 59
    )


def test_a_second_supplement_request_is_counted_and_makes_the_dossier_late(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    first = dossier(TrangThaiHoSoId="5", NgayYeuCauBoSung="2026-03-03T10:00:00")
    import_dossiers(catalogue, clock, tmp_path, first)
    second = dossier(
        TrangThaiHoSoId="9",
        NgayYeuCauBoSung="2026-03-05T10:00:00",
        NgayCongDanBoSung="2026-03-06T10:00:00",
        NgayKetThucXuLy="2026-03-09T10:00:00",
    )

    import_dossiers(catalogue, clock, tmp_path, second, now=LATER)

    assert pauses(catalogue, "T-0001") == [
        ("supplement", datetime(2026, 3, 3, 10), datetime(2026, 3, 5, 10)),  # closed by the new request
        ("supplement", datetime(2026, 3, 5, 10), datetime(2026, 3, 6, 10)),
    ]
    row = stored(catalogue, "T-0001")
    assert (row.supplement_count, row.outcome) == (2, "late")


def test_an_unanswered_request_on_a_dossier_no_longer_waiting_is_closed_with_a_warning(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    report = import_dossiers(catalogue, clock, tmp_path, dossier(NgayYeuCauBoSung="2026-03-03T10:00:00"))

    assert pauses(catalogue, "T-0001") == [("supplement", datetime(2026, 3, 3, 10), datetime(2026, 3, 3, 10))]
    assert "thiếu NgayCongDanBoSung" in report.warnings[0] and report.ok


def test_awaiting_payment_pauses_the_clock_only_where_the_procedure_says_so(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    land = dict(MaTTHC="DD.H99.01", MaDonVi="99002", TrangThaiHoSoId="6")
    import_dossiers(
        catalogue,
        clock,
        tmp_path,
        dossier(MaHoSo="LAND", **land),
        dossier(MaHoSo="MARRIAGE", TrangThaiHoSoId="6"),
    )

    assert pauses(catalogue, "LAND") == [("suspension", NOW, None)]
    assert pauses(catalogue, "MARRIAGE") == []

    import_dossiers(
        catalogue, clock, tmp_path, dossier(MaHoSo="LAND", **{**land, "TrangThaiHoSoId": "4"}), now=LATER
    )

    assert pauses(catalogue, "LAND") == [("suspension", NOW, LATER)]


def test_submitted_and_refused_dossiers_are_stored_but_not_clocked(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    report = import_dossiers(
        catalogue,
        clock,
        tmp_path,
        dossier(MaHoSo="NEW", TrangThaiHoSoId="1", NgayTiepNhan=""),
        dossier(MaHoSo="REFUSED", TrangThaiHoSoId="Không được tiếp nhận", NgayTiepNhan=""),
    )

    assert report.ok
    for code, status in (("NEW", "submitted"), ("REFUSED", "refused")):
        row = stored(catalogue, code)
        assert (row.status, row.statutory_due_at, row.due_at, row.outcome) == (status, None, None, None)
        assert history(catalogue, code) == [(status, NOW)]


def test_a_withdrawn_dossier_may_lack_its_end_time_but_is_not_judged(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    report = import_dossiers(catalogue, clock, tmp_path, dossier(TrangThaiHoSoId="7"))

    assert report.ok and "trạng thái 7" in report.warnings[0]
    row = stored(catalogue, "T-0001")
    assert (row.status, row.finished_at, row.outcome) == ("withdrawn", None, None)


def test_a_returned_dossier_without_an_end_time_ends_when_the_result_was_returned(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    import_dossiers(catalogue, clock, tmp_path, dossier(TrangThaiHoSoId="10", NgayTra="2026-03-04T09:00:00"))

    row = stored(catalogue, "T-0001")
    assert (row.finished_at, row.returned_at, row.outcome) == (
        datetime(2026, 3, 4, 9),
        datetime(2026, 3, 4, 9),
        "early",
    )


def test_each_status_change_is_recorded_once_with_its_best_known_time(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    import_dossiers(catalogue, clock, tmp_path, dossier(TrangThaiHoSoId="2"))
    import_dossiers(catalogue, clock, tmp_path, dossier(TrangThaiHoSoId="2"), now=LATER)
    import_dossiers(
        catalogue,
        clock,
        tmp_path,
        dossier(TrangThaiHoSoId="9", NgayKetThucXuLy="2026-03-04T15:00:00"),
        now=LATER,
    )

    assert history(catalogue, "T-0001") == [
        ("received", datetime(2026, 3, 2, 10)),
        ("completed", datetime(2026, 3, 4, 15)),
    ]


# --- reference data ------------------------------------------------------------------------------------
def test_units_may_name_a_parent_further_down_the_file(engine: Engine, clock: Clock) -> None:
    import_examples(engine, clock, ("units",))

    with engine.connect() as conn:
        parent = select(Unit.id).where(Unit.code == "99").scalar_subquery()
        children = conn.execute(
            select(Unit.code).where(Unit.parent_id == parent).order_by(Unit.code)
        ).scalars()
        assert list(children) == ["99.STP", "99001", "99002", "99003"]


def test_absent_optional_catalogue_columns_keep_what_is_stored(
    engine: Engine, clock: Clock, tmp_path: Path
) -> None:
    import_examples(engine, clock, ("units",))
    renamed = [{"MaDonVi": "99001", "TenDonVi": "Xã An Phú Mới", "CapDonVi": "xa"}]

    report = run(engine, clock, write_rows(tmp_path / "units.csv", renamed), "units")

    assert (report.updated, report.ok) == (1, True)
    with engine.connect() as conn:
        unit = conn.execute(select(Unit).where(Unit.code == "99001")).mappings().one()
    assert (unit.name_vi, unit.name_en) == ("Xã An Phú Mới", "An Phu Commune")
    assert unit.parent_id is not None


def test_procedures_create_their_sectors_and_default_english_names(engine: Engine, clock: Clock) -> None:
    import_examples(engine, clock, ("units", "procedures"))

    with engine.connect() as conn:
        building = conn.execute(select(Procedure).where(Procedure.code == "XD.H99.01")).mappings().one()
        sector = conn.execute(select(Sector).where(Sector.id == building.sector_id)).mappings().one()
    assert building.name_en == building.name_vi == "Cấp giấy phép xây dựng nhà ở riêng lẻ"
    assert (building.fee, building.time_unit, float(building.time_value)) == (75000, "calendar_days", 15.0)
    assert (sector.code, sector.name_vi, sector.name_en) == ("XD", "Xây dựng", "Construction")


# --- the command line ------------------------------------------------------------------------------------
@pytest.fixture
def cli(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """`--database-url` of the test database; the engines main() creates are disposed afterwards."""
    made: list[Engine] = []
    original = command_line.make_engine

    def tracked(*args: Any, **kwargs: Any) -> Engine:
        made.append(original(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(command_line, "make_engine", tracked)
    yield ["--database-url", engine.url.render_as_string(hide_password=False)]
    for each in made:
        each.dispose()


def test_the_cli_imports_the_examples_and_exits_0(
    cli: list[str], engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    codes = [main([*cli, "import", str(EXAMPLES / f"{kind}.csv"), "--kind", kind]) for kind in ORDER]

    assert codes == [0] * len(ORDER)
    assert "dossiers: 12 rows read, 12 inserted" in capsys.readouterr().err
    assert count(engine, Dossier) == 12


def test_the_cli_exits_2_when_a_row_is_rejected(
    cli: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_rows(tmp_path / "units.csv", [{"MaDonVi": "1", "TenDonVi": "Xã", "CapDonVi": "huyen"}])
    rejects_path = tmp_path / "out" / "units-rejects.csv"
    rejects_path.parent.mkdir()

    code = main([*cli, "import", str(path), "--kind", "units", "--rejects", str(rejects_path)])

    assert code == 2
    assert f"1 rejected (reasons in {rejects_path})" in capsys.readouterr().err
    assert rejects(rejects_path)[0]["SoDong"] == "2"


def test_the_cli_exits_2_with_a_clear_message_for_a_refused_file(
    cli: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "units.xlsx"
    _xlsx(path)

    code = main([*cli, "import", str(path), "--kind", "units"])

    assert code == 2
    assert "units: file refused, nothing imported: Tệp là bảng tính Excel (.xlsx)" in capsys.readouterr().err


def test_the_documentation_describes_every_column_of_every_kind() -> None:
    text = (REPO_ROOT / "docs" / "import.md").read_text(encoding="utf-8")

    for kind, spec in KINDS.items():
        section = text.split(f"### `{kind}`", 1)[1].split("\n### ", 1)[0]
        for column in spec.columns:
            assert f"| `{column}` |" in section, (kind, column)


def test_a_row_another_writer_inserted_meanwhile_is_still_written(engine: Engine) -> None:
    """The importer looked, found no such code, then someone else inserted it before the write."""
    with engine.begin() as conn:
        conn.execute(insert(Sector).values(code="HT", name_vi="cũ", name_en="old", heavy=False))
        fresh = {"code": "HT", "name_vi": "Hộ tịch", "name_en": "Civil status", "heavy": False}
        importer._upsert(conn, Sector.__table__, ["code"], ["name_vi", "name_en"], new=[fresh])

    with engine.connect() as conn:
        assert conn.execute(select(Sector.name_vi, Sector.name_en)).one() == ("Hộ tịch", "Civil status")


# --- the applicant: personal data (issue 5) ----------------------------------------------------------
def applicant_of(engine: Engine, code: str) -> tuple[str | None, ...] | None:
    stmt = (
        select(Applicant.full_name, Applicant.id_number, Applicant.phone, Applicant.address)
        .join(Dossier, Dossier.id == Applicant.dossier_id)
        .where(Dossier.code == code)
    )
    with engine.connect() as conn:
        row = conn.execute(stmt).first()
    return tuple(row) if row is not None else None


def test_the_examples_applicants_are_stored_with_id_and_phone_normalised(
    engine: Engine, clock: Clock
) -> None:
    import_examples(engine, clock)

    assert count(engine, Applicant) == 4
    assert applicant_of(engine, "H99.001-260302-0001") == (
        "Nguyễn Văn Hải",
        "099088001234",
        "0912345678",
        "Thôn Đông, Xã An Phú, Tỉnh Mẫu",
    )
    assert applicant_of(engine, "H99.001-260302-0002")[2] == "0987654321"  # type: ignore[index]  # +84
    assert applicant_of(engine, "H99.001-260311-0012") == ("Phạm Thị Lan", "099185007890", None, None)
    assert applicant_of(engine, "H99.001-260303-0003") is None  # every applicant cell empty: no row


def test_english_aliases_name_the_applicant_columns(catalogue: Engine, clock: Clock, tmp_path: Path) -> None:
    report = import_dossiers(
        catalogue,
        clock,
        tmp_path,
        dossier(
            applicant_name="Lò Thị Xuân",
            APPLICANT_ID_NUMBER="012 345 678",
            applicant_phone="(024) 3825-1234",
            applicant_address="Bản Mòng, Xã An Phú, Tỉnh Mẫu",
        ),
    )

    assert report.ok and report.warnings == [], report.summary()
    assert applicant_of(catalogue, "T-0001") == (
        "Lò Thị Xuân",
        "012345678",
        "02438251234",
        "Bản Mòng, Xã An Phú, Tỉnh Mẫu",
    )


def test_a_header_naming_an_applicant_column_and_its_alias_is_refused(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    report = import_dossiers(catalogue, clock, tmp_path, dossier(ChuHoSo="A", applicant_name="B"))

    assert report.refusal is not None and "ChuHoSo" in report.refusal
    assert count(catalogue, Dossier) == 0


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"SoGiayToChuHoSo": "12345"}, "SoGiayToChuHoSo '12345' không phải số giấy tờ hợp lệ"),
        ({"SoGiayToChuHoSo": "0260900012345"}, "CMND 9 chữ số hoặc CCCD 12 chữ số"),  # 13 digits
        ({"SoGiayToChuHoSo": "02609000123A"}, "SoGiayToChuHoSo '02609000123A' không phải"),
        ({"SoGiayToChuHoSo": "０２６０９００００１２３"}, "không phải số giấy tờ hợp lệ"),  # full-width
        ({"SoDienThoaiChuHoSo": "912345678"}, "SoDienThoaiChuHoSo '912345678' không phải số điện thoại"),
        ({"SoDienThoaiChuHoSo": "+1 415 555 0100"}, "không phải số điện thoại hợp lệ"),
        ({"SoDienThoaiChuHoSo": "0912 345"}, "không phải số điện thoại hợp lệ"),
        ({"SoDienThoaiChuHoSo": "09xx345678"}, "không phải số điện thoại hợp lệ"),
        ({"ChuHoSo": "A" * 201}, "ChuHoSo dài 201 ký tự, tối đa 200"),
        ({"DiaChiChuHoSo": "Thôn Đông, " * 36 + "Xã An Phú"}, "DiaChiChuHoSo dài 405 ký tự, tối đa 400"),
    ],
    ids=[
        "id too short",
        "id 13 digits",
        "id with a letter",
        "id in full-width digits",
        "phone without its 0",
        "foreign phone",
        "phone too short",
        "phone with letters",
        "name too long",
        "address too long",
    ],
)
def test_a_malformed_applicant_cell_rejects_the_row_with_a_clear_reason(
    catalogue: Engine, clock: Clock, tmp_path: Path, cells: dict[str, str], reason: str
) -> None:
    report = import_dossiers(
        catalogue, clock, tmp_path, dossier(MaHoSo="GOOD-1", ChuHoSo="Nguyễn Văn A"), dossier(**cells)
    )

    assert report.rejected == 1 and report.inserted == 1 and not report.ok
    assert reason in rejects(report.reject_path)[0]["LyDo"]  # type: ignore[arg-type]
    assert count(catalogue, Applicant) == 1 and applicant_of(catalogue, "T-0001") is None


def test_a_malformed_cell_is_quoted_short_in_the_reason(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    address_in_the_wrong_column = "Số 12 ngõ 34 phố Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội"

    report = import_dossiers(
        catalogue, clock, tmp_path, dossier(SoDienThoaiChuHoSo=address_in_the_wrong_column)
    )

    reason = rejects(report.reject_path)[0]  # type: ignore[arg-type]
    assert "'Số 12 ngõ 34 phố Hàng Bạc, Phường Hoàn …' không phải số điện thoại" in reason["LyDo"]
    assert address_in_the_wrong_column not in reason["LyDo"] + reason["Reason"]


def test_reimporting_with_empty_applicant_cells_keeps_what_is_stored(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    full = {
        "ChuHoSo": "Nguyễn Văn Hải",
        "SoGiayToChuHoSo": "099088001234",
        "SoDienThoaiChuHoSo": "0912345678",
        "DiaChiChuHoSo": "Thôn Đông, Xã An Phú, Tỉnh Mẫu",
    }
    import_dossiers(catalogue, clock, tmp_path, dossier(**full))

    emptied = import_dossiers(catalogue, clock, tmp_path, dossier(**dict.fromkeys(full, "")), now=LATER)
    absent = import_dossiers(catalogue, clock, tmp_path, dossier(), now=LATER)
    assert (emptied.unchanged, absent.unchanged) == (1, 1)
    assert applicant_of(catalogue, "T-0001") == tuple(full.values())

    moved = import_dossiers(
        catalogue, clock, tmp_path, dossier(SoDienThoaiChuHoSo="+84 356 111 222", DiaChiChuHoSo=""), now=LATER
    )
    assert (moved.updated, moved.unchanged) == (1, 0)  # only the applicant changed: the row is updated
    assert applicant_of(catalogue, "T-0001") == (
        "Nguyễn Văn Hải",
        "099088001234",
        "0356111222",
        "Thôn Đông, Xã An Phú, Tỉnh Mẫu",
    )
    assert stored(catalogue, "T-0001")["updated_at"] == NOW  # the dossier row itself was not rewritten


def test_an_applicant_arriving_in_a_later_export_is_added_to_the_stored_dossier(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    import_dossiers(catalogue, clock, tmp_path, dossier())
    assert applicant_of(catalogue, "T-0001") is None

    report = import_dossiers(catalogue, clock, tmp_path, dossier(ChuHoSo="Đinh Thị Hoa"), now=LATER)

    assert report.updated == 1
    assert applicant_of(catalogue, "T-0001") == ("Đinh Thị Hoa", None, None, None)


# --- notification URLs in the audit trail (issue 5) ----------------------------------------------------
SECRET = "s3cr3t-T0ken-9f2c"


def official(**cells: str) -> dict[str, str]:
    return {"MaCanBo": "CB9", "HoTen": "Vũ Văn Chín", "MaDonVi": "99001", "VaiTro": "xu_ly", **cells}


def url_changes(engine: Engine) -> list[audit.AuditRow]:
    with engine.connect() as conn:
        return list(reversed(audit.entries(conn, action="notify_urls_changed")))


def test_a_changed_notification_url_is_audited_in_its_privacy_form_never_whole(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    from alerts.delivery import shown

    first = f"mailto://chin.vu:{SECRET}@example.com"
    second = f"json://127.0.0.1:8080/hook?-token={SECRET}"
    path = tmp_path / "officials-2026-03.csv"
    run_officials = lambda urls, now=NOW: import_csv(  # noqa: E731
        catalogue,
        write_rows(path, [official(KenhThongBao=urls)]),
        "officials",
        clock=clock,
        reject_path=None,
        now=now,
        shown_url=shown,
    )
    before = len(url_changes(catalogue))  # the example officials' URLs, set by the catalogue import

    assert run_officials(first).inserted == 1
    assert run_officials(first, LATER).unchanged == 1  # the same URL again: nothing to audit
    assert run_officials(f"{first} {second}", LATER).updated == 1

    entries = url_changes(catalogue)[before:]
    assert [(e.actor, e.target) for e in entries] == [("import:officials-2026-03.csv", "official:CB9")] * 2
    assert entries[0].detail["before"] == [] and entries[0].detail["after"] == [
        "mailto://chin.vu:****@example.com/?overflow=upstream&retry=0&wait=0.5&optional=no&cto=15"
    ]
    assert entries[1].detail["before"] == entries[0].detail["after"]
    assert len(entries[1].detail["after"]) == 2 and "-token=****" in entries[1].detail["after"][1]
    assert (entries[1].detail["file"], entries[1].detail["line"]) == ("officials-2026-03.csv", 2)
    with catalogue.connect() as conn:
        audit_text = " ".join(str(row) for row in conn.execute(select(AuditEntry)))
    assert SECRET not in audit_text


def test_without_apprise_at_hand_the_audit_names_urls_by_fingerprint(
    catalogue: Engine, clock: Clock, tmp_path: Path
) -> None:
    url = f"tgram://123456:{SECRET}/987654"
    run(catalogue, clock, write_rows(tmp_path / "officials.csv", [official(KenhThongBao=url)]), "officials")

    detail = url_changes(catalogue)[-1].detail
    assert detail["after"] == [f"tgram://… #{hashlib.sha256(url.encode()).hexdigest()[:8]}"]
    assert SECRET not in json.dumps(detail)


def test_the_cli_audits_url_changes_in_apprise_privacy_form(
    cli: list[str], engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    for kind in ORDER[:3]:
        assert main([*cli, "import", str(EXAMPLES / f"{kind}.csv"), "--kind", kind]) == 0

    entries = {entry.target: entry for entry in url_changes(engine)}
    assert set(entries) == {"official:CB001", "official:CB002", "official:CB003", "official:CB005"}
    assert entries["official:CB002"].actor == "import:officials.csv"
    assert entries["official:CB002"].detail["after"][1].startswith("json://alerts.example.com/motcua?")
