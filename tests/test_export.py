"""The verdict export (`python -m queries export dossiers`) on a hand-built fixture with known answers.

One procedure of 3 working days; the export is taken at Tue 10/3/2026 10:00. Dues are the ends of
working days (domain.md 2.6): accepted Mon 2/3 -> due Thu 5/3.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

import queries.__main__ as command_line
from queries.__main__ import main
from queries.exporter import COLUMNS, export_dossiers
from queries.models import Dossier
from queries.sla import Clock
from tests.conftest import PROVINCE
from tests.factories import add_dossier, add_procedure, add_sector, add_unit

AS_OF = datetime(2026, 3, 10, 10, 0)

# code: (unit, received, status, finished, pauses, expected state, expected effective due, days left)
CASES: dict[str, tuple[str, datetime, str, datetime | None, tuple[Any, ...], str, str, str]] = {
    "EARLY": ("99001", datetime(2026, 3, 2, 10), "completed", datetime(2026, 3, 4, 15), (), "early",
              "2026-03-05T23:59:59", ""),
    "ON-TIME": ("99001", datetime(2026, 3, 2, 9), "returned", datetime(2026, 3, 5, 16), (), "on_time",
                "2026-03-05T23:59:59", ""),
    "LATE": ("99001", datetime(2026, 3, 2, 9), "completed", datetime(2026, 3, 6, 10), (), "late",
             "2026-03-05T23:59:59", ""),
    # accepted this morning: due Fri 13/3; 6 h left today + 3 full days = 30 h = 3.75 days
    "ON-TRACK": ("99002", datetime(2026, 3, 10, 8, 30), "processing", None, (), "on_track",
                 "2026-03-13T23:59:59", "3.75"),
    # accepted Thu 5/3: due today; 6 office hours left = 0.75 day
    "DUE-SOON": ("99001", datetime(2026, 3, 5, 9), "processing", None, (), "due_soon", "2026-03-10T23:59:59",
                 "0.75"),
    # due Thu 5/3: Fri, Mon and two hours today have passed = 18 h = 2.25 days
    "OVERDUE": ("99001", datetime(2026, 3, 2, 9), "processing", None, (), "overdue", "2026-03-05T23:59:59",
                "-2.25"),
    # waiting since Tue 3/3 10:00: 40 office hours (5 days) paused so far, due moves to Thu 12/3
    "PAUSED": ("99001", datetime(2026, 3, 2, 10), "awaiting_supplement", None,
               ((datetime(2026, 3, 3, 10), None),), "paused", "2026-03-12T23:59:59", "2.75"),
}  # fmt: skip


@pytest.fixture
def province(engine: Engine, clock: Clock) -> Engine:
    """The seven verdicts above, plus one dossier not yet accepted and one refused."""
    with engine.begin() as conn:
        units = {code: add_unit(conn, code, f"Xã {code}") for code in ("99001", "99002")}
        sector = add_sector(conn)
        procedure = add_procedure(conn, sector, "1.004873", value=3)
        for code, (unit, received, status, finished, pauses, *_) in CASES.items():
            add_dossier(
                conn,
                clock,
                code=code,
                unit_id=units[unit],
                procedure_id=procedure,
                sector_id=sector,
                received_at=received,
                status=status,
                finished_at=finished,
                pauses=pauses,
            )
        for code, status in (("SUBMITTED", "submitted"), ("REFUSED", "refused")):
            # as the importer stores them: status kept, never clocked
            conn.execute(
                insert(Dossier).values(
                    code=code,
                    unit_id=units["99002"],
                    procedure_id=procedure,
                    sector_id=sector,
                    channel="online",
                    status=status,
                )
            )
    return engine


def exported(engine: Engine, clock: Clock, unit_code: str | None = None) -> tuple[int, list[dict[str, str]]]:
    out = io.StringIO()
    with engine.connect() as conn:
        count = export_dossiers(conn, clock, as_of=AS_OF, unit_code=unit_code, out=out, scope=PROVINCE)
    out.seek(0)
    return count, list(csv.DictReader(out))


def test_it_exports_each_verdict_at_the_as_of_time(province: Engine, clock: Clock) -> None:
    count, rows = exported(province, clock)

    by_code = {row["MaHoSo"]: row for row in rows}
    assert count == len(rows) == 9
    for code, (*_, state, due, days) in CASES.items():
        row = by_code[code]
        assert (row["TrangThaiHan"], row["HanHieuLuc"], row["SoNgayLamViecConLai"]) == (state, due, days), (
            code
        )
        assert row["LyDo"] == row["Reason"] == ""


def test_finished_dossiers_show_their_end_and_no_days_left(province: Engine, clock: Clock) -> None:
    _, rows = exported(province, clock)

    late = next(row for row in rows if row["MaHoSo"] == "LATE")
    assert late["NgayKetThucXuLy"] == "2026-03-06T10:00:00"
    assert late["TrangThaiHoSoId"] == "9" and late["SoNgayLamViecConLai"] == ""


def test_dossiers_that_cannot_be_clocked_have_no_state_but_a_reason(province: Engine, clock: Clock) -> None:
    _, rows = exported(province, clock)

    by_code = {row["MaHoSo"]: row for row in rows}
    assert by_code["SUBMITTED"]["TrangThaiHan"] == by_code["REFUSED"]["TrangThaiHan"] == ""
    assert by_code["SUBMITTED"]["LyDo"] == "Chưa được tiếp nhận (trạng thái 1): chưa tính hạn"
    assert by_code["REFUSED"]["Reason"] == "Refused at reception (state 3): no clock"
    assert by_code["REFUSED"]["HanHieuLuc"] == by_code["REFUSED"]["SoNgayLamViecConLai"] == ""


def test_the_unit_filter_exports_only_that_units_dossiers(province: Engine, clock: Clock) -> None:
    count, rows = exported(province, clock, unit_code="99002")

    assert count == 3
    assert [row["MaHoSo"] for row in rows] == ["ON-TRACK", "SUBMITTED", "REFUSED"]
    assert {row["MaDonVi"] for row in rows} == {"99002"}


def test_the_export_has_its_documented_columns_and_iso_local_times(province: Engine, clock: Clock) -> None:
    out = io.StringIO()
    with province.connect() as conn:
        export_dossiers(conn, clock, as_of=AS_OF, unit_code="99001", out=out, scope=PROVINCE)

    header, first = out.getvalue().splitlines()[:2]
    assert header.split(",") == list(COLUMNS)
    assert first.split(",")[:9] == [
        "EARLY",
        "99001",
        "1.004873",
        "9",
        "2026-03-02T10:00:00",
        "2026-03-05T23:59:59",
        "2026-03-05T23:59:59",
        "2026-03-05T23:59:59",
        "2026-03-04T15:00:00",
    ]


@pytest.fixture
def cli(province: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """`--database-url` of the test database; the engines main() creates are disposed afterwards."""
    made: list[Engine] = []
    original = command_line.make_engine

    def tracked(*args: Any, **kwargs: Any) -> Engine:
        made.append(original(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(command_line, "make_engine", tracked)
    yield ["--database-url", province.url.render_as_string(hide_password=False)]
    for each in made:
        each.dispose()


def test_the_cli_writes_the_export_to_stdout(cli: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main([*cli, "export", "dossiers", "--as-of", "2026-03-10T03:00:00Z", "--unit", "99001"])

    captured = capsys.readouterr()
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert {row["MaHoSo"]: row["TrangThaiHan"] for row in rows} == {
        code: case[5] for code, case in CASES.items() if case[0] == "99001"
    }
    assert "6 dossiers exported" in captured.err


def test_a_finished_dossier_without_its_end_time_gets_no_verdict(province: Engine, clock: Clock) -> None:
    with province.begin() as conn:
        unit, procedure, sector = conn.execute(
            select(Dossier.unit_id, Dossier.procedure_id, Dossier.sector_id).where(Dossier.code == "EARLY")
        ).one()
        add_dossier(
            conn,
            clock,
            code="WITHDRAWN",
            unit_id=unit,
            procedure_id=procedure,
            sector_id=sector,
            received_at=datetime(2026, 3, 2, 9),
            status="withdrawn",
        )

    _, rows = exported(province, clock, unit_code="99001")

    withdrawn = next(row for row in rows if row["MaHoSo"] == "WITHDRAWN")
    assert (withdrawn["TrangThaiHan"], withdrawn["SoNgayLamViecConLai"]) == ("", "")
    assert withdrawn["LyDo"] == "Đã kết thúc (trạng thái 7) nhưng thiếu NgayKetThucXuLy: không xếp loại được"
