"""Export the SLA clock's verdict for every dossier as CSV (`python -m queries export dossiers`).

The verdicts are recomputed at --as-of from what happened (queries.clocking.verdicts), not read
from the cached columns, so the export answers "where did each dossier stand at that moment".
Columns (docs/import.md, "Xuất hồ sơ"):

  MaHoSo, MaDonVi, MaTTHC, TrangThaiHoSoId   the dossier, its unit, procedure and state (1-10)
  NgayTiepNhan                               acceptance time
  HanTheoLuat                                statutory due (procedure time counted from acceptance)
  NgayHenTra                                 appointment the citizen was given (stored)
  HanHieuLuc                                 effective due: appointment + pauses, moved by an apology letter
  NgayKetThucXuLy                            end of processing, for finished dossiers
  TrangThaiHan                               early | on_time | late (finished) or
                                             on_track | due_soon | overdue | paused (open);
                                             empty when the dossier cannot be clocked
  SoNgayLamViecConLai                        working days from --as-of to HanHieuLuc, 2 decimals, negative
                                             when overdue; empty for finished and unclocked dossiers
  LyDo, Reason                               why TrangThaiHan is empty (Vietnamese, English)

Timestamps are Vietnam local time as 'YYYY-MM-DDTHH:MM:SS'.

The export is a list of dossiers, so it follows the scope as every list does (queries/kpis.py
`scope_ids`): a unit-bound user exports their unit (OutOfScope for another), a sector-limited
supervisor their sectors, an official the dossiers they hold. The command line exports with
Scope.province().
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime
from typing import TextIO

from sqlalchemy import Connection

from queries.clocking import ClockedDossier, clock_inputs
from queries.domain import FINISHED_STATUSES, Status
from queries.kpis import no_period, scope_ids
from queries.scope import Scope
from queries.sla import Clock, Verdict, judge

COLUMNS = (
    "MaHoSo",
    "MaDonVi",
    "MaTTHC",
    "TrangThaiHoSoId",
    "NgayTiepNhan",
    "HanTheoLuat",
    "NgayHenTra",
    "HanHieuLuc",
    "NgayKetThucXuLy",
    "TrangThaiHan",
    "SoNgayLamViecConLai",
    "LyDo",
    "Reason",
)


def export_dossiers(
    conn: Connection, clock: Clock, *, as_of: datetime, unit_code: str | None, out: TextIO, scope: Scope
) -> int:
    """Write one CSV row per dossier (of `unit_code`, or all in scope) to `out`; returns the row count."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in export_rows(conn, clock, as_of=as_of, unit_code=unit_code, scope=scope):
        writer.writerow(row)
        count += 1
    return count


def export_rows(
    conn: Connection, clock: Clock, *, as_of: datetime, unit_code: str | None, scope: Scope
) -> Iterator[tuple[str, ...]]:
    """The export's rows as text tuples in COLUMNS order, in dossier id order.

    The scope is resolved first (OutOfScope before anything is read); the sector and handler
    limits are tested on the clock's inputs, which carry both, before any dossier is judged.
    """
    filters = no_period(unit_code)
    ids = scope_ids(conn, filters, scope, dossier_list=True)
    unit = scope.restrict(filters).unit
    for dossier in clock_inputs(conn, unit_code=unit):
        if ids.sector_ids is not None and dossier.sector_id not in ids.sector_ids:
            continue
        if ids.handler_id is not None and dossier.handler_id != ids.handler_id:
            continue
        verdict = judge(clock, dossier.inputs, as_of) if dossier.inputs else None
        yield _row(dossier, verdict)


def _row(dossier: ClockedDossier, verdict: Verdict | None) -> tuple[str, ...]:
    status = Status(dossier.status)
    finished_at = dossier.inputs.finished_at if dossier.inputs else None
    reason = _unclocked(dossier, status, finished_at)
    judged = verdict if reason is None else None
    state = str(judged.state) if judged else ""
    remaining = _days(judged.remaining_days) if judged and status not in FINISHED_STATUSES else ""
    return (
        dossier.code,
        dossier.unit_code,
        dossier.procedure_code or "",
        str(status.code),
        _iso(dossier.received_at),
        _iso(judged.statutory_due if judged else dossier.statutory_due_at),
        _iso(dossier.appointment_due_at),
        _iso(judged.effective_due if judged else dossier.due_at),
        _iso(finished_at),
        state,
        remaining,
        reason[0] if reason else "",
        reason[1] if reason else "",
    )


def _unclocked(
    dossier: ClockedDossier, status: Status, finished_at: datetime | None
) -> tuple[str, str] | None:
    """Why the dossier gets no verdict (Vietnamese, English), or None when it gets one."""
    if status is Status.SUBMITTED:
        return "Chưa được tiếp nhận (trạng thái 1): chưa tính hạn", "Not accepted yet (state 1): no clock"
    if status is Status.REFUSED:
        return (
            "Không được tiếp nhận (trạng thái 3): không tính hạn",
            "Refused at reception (state 3): no clock",
        )
    if dossier.procedure_code is None:
        return "Thiếu thủ tục (MaTTHC): không tính được hạn", "No procedure (MaTTHC): cannot be clocked"
    if dossier.received_at is None or dossier.inputs is None:
        return "Thiếu NgayTiepNhan: không tính được hạn", "No NgayTiepNhan: cannot be clocked"
    if status in FINISHED_STATUSES and finished_at is None:
        return (
            f"Đã kết thúc (trạng thái {status.code}) nhưng thiếu NgayKetThucXuLy: không xếp loại được",
            f"Finished (state {status.code}) without NgayKetThucXuLy: no verdict",
        )
    return None


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def _days(value: float) -> str:
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text
