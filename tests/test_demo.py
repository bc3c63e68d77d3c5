"""The demo province: deterministic, calendar-true, clock-consistent and shaped like real data.

Small demos (4 communes, 3 months, 5,000 dossiers) keep every test to about a second on both
databases; the shape assertions use the calibration ranges of domain.md §5.4 widened for the
sample size.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, case, func, select, text

from queries.clocking import clock_inputs, derive
from queries.demo import DemoSummary, generate
from queries.domain import FINISHED_STATUSES, OPEN_STATUSES, Status
from queries.models import ApologyLetter, Dossier, Rating, Sector, StatusChange
from queries.sla import Clock, judge

UNTIL = date(2026, 3, 13)  # three months across the 2026 New-Year swap and Tết
AS_OF = datetime.combine(UNTIL, time(17, 30))
SMALL = {"communes": 4, "months": 3, "dossiers": 5000, "seed": 7, "until": UNTIL}
TABLES = (
    "dossier_applicants",
    "ratings",
    "apology_letters",
    "dossier_pauses",
    "dossier_steps",
    "dossier_status_history",
    "dossiers",
    "officials",
    "procedures",
    "sectors",
    "units",
)


@pytest.fixture
def demo(engine: Engine, clock: Clock) -> DemoSummary:
    return generate(engine, clock=clock, **SMALL)


def _rows(engine: Engine, query: Any, **params: Any) -> list[Any]:
    """Rows of SQL text or of a Core select (use the latter when times are read: typed on SQLite too)."""
    with engine.connect() as conn:
        return list(conn.execute(text(query) if isinstance(query, str) else query, params).all())


def _scalar(engine: Engine, query: Any, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(query) if isinstance(query, str) else query, params).scalar_one()


def _wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in TABLES:
            conn.execute(text(f"DELETE FROM {table}"))


def _snapshot(engine: Engine) -> dict[str, list[Any]]:
    return {table: _rows(engine, f"SELECT * FROM {table} ORDER BY 1") for table in TABLES}  # id or dossier_id


def test_it_writes_the_same_database_for_the_same_seed_and_another_for_another_seed(
    engine: Engine, clock: Clock
) -> None:
    generate(engine, clock=clock, **SMALL)
    first = _snapshot(engine)
    _wipe(engine)
    generate(engine, clock=clock, **SMALL)
    assert _snapshot(engine) == first
    _wipe(engine)
    generate(engine, clock=clock, **(SMALL | {"seed": 8}))
    assert _snapshot(engine)["dossiers"] != first["dossiers"]


def test_its_summary_counts_the_rows_it_wrote(engine: Engine, demo: DemoSummary) -> None:
    counted = {table: _scalar(engine, f"SELECT count(*) FROM {table}") for table in TABLES}
    assert demo.dossiers == counted["dossiers"] == 5000
    assert demo.status_changes == counted["dossier_status_history"]
    assert demo.steps == counted["dossier_steps"]
    assert demo.pauses == counted["dossier_pauses"]
    assert demo.apology_letters == counted["apology_letters"]
    assert demo.ratings == counted["ratings"]
    assert demo.applicants == counted["dossier_applicants"] == 5000
    assert demo.units == counted["units"] and demo.officials == counted["officials"]
    assert demo.rows == sum(counted.values())


def test_it_catalogues_at_least_forty_real_commune_procedures_across_the_sectors(
    engine: Engine, demo: Any
) -> None:
    sectors = {row.code: row for row in _rows(engine, "SELECT * FROM sectors")}
    assert {"HOTICH", "CHUNGTHUC", "CUTRU", "BTXH", "NCC", "GIAMNGHEO", "DATDAI", "XAYDUNG", "DKKD"} <= set(
        sectors
    )
    assert {code for code, row in sectors.items() if row.heavy} >= {"DATDAI", "XAYDUNG", "DKKD"}
    procedures = {row.code: row for row in _rows(engine, "SELECT * FROM procedures")}
    assert len(procedures) >= 40
    national = [code for code in procedures if re.fullmatch(r"[12]\.\d{6}", code)]
    local = [code for code in procedures if code.startswith("X.")]
    assert len(national) >= 20 and len(national) + len(local) == len(procedures)
    assert procedures["1.001193"].name_vi == "Đăng ký khai sinh"
    for code in ("1.001193", "1.000894", "1.000656", "2.000815", "2.000884"):
        assert procedures[code].time_unit == "same_day"
    assert (
        procedures["1.004222"].time_unit == "working_days" and float(procedures["1.004222"].time_value) == 7
    )
    assert {row.time_unit for row in procedures.values()} == {
        "same_day",
        "working_days",
        "calendar_days",
        "working_hours",
    }
    land = sectors["DATDAI"].id
    assert any(row.pause_on_payment for row in procedures.values() if row.sector_id == land)
    assert not any(row.pause_on_payment for row in procedures.values() if row.sector_id != land)


def test_it_builds_a_province_of_communes_wards_and_special_zones_with_their_staff(
    engine: Engine, demo: Any
) -> None:
    units = _rows(engine, "SELECT * FROM units ORDER BY id")
    province = units[0]
    assert province.level == "province" and province.parent_id is None
    local = [u for u in units if u.level in {"commune", "ward", "special_zone"}]
    assert len(local) == 4
    assert {u.level for u in local} == {"commune", "ward", "special_zone"}
    assert any(u.level == "department" and u.name_vi == "Sở Tư pháp" for u in units)
    for unit in units:
        assert re.fullmatch(r"\d{5}", unit.code)
        assert unit.name_en.isascii()
        assert unit.parent_id in (None, province.id)
    prefixes = {
        "commune": ("Xã ", " Commune"),
        "ward": ("Phường ", " Ward"),
        "special_zone": ("Đặc khu ", " Special Zone"),
    }
    for unit in local:
        vi, en = prefixes[unit.level]
        assert unit.name_vi.startswith(vi) and unit.name_en.endswith(en)
    roles = Counter((o.unit_id, o.role) for o in _rows(engine, "SELECT unit_id, role FROM officials"))
    for unit in local:
        assert roles[(unit.id, "chairperson")] == 1 and roles[(unit.id, "leader")] == 1
        assert 1 <= roles[(unit.id, "receiver")] <= 2
        assert 3 <= roles[(unit.id, "handler")] <= 8
    supervisors = _rows(
        engine, "SELECT code, sector_id, notify_urls, language FROM officials WHERE role = 'supervisor'"
    )
    assert len(supervisors) >= 3 and any(s.sector_id is not None for s in supervisors)
    # Every demo official is reachable through the demo inbox channel, in Vietnamese.
    assert {(s.notify_urls, s.language) for s in supervisors} == {
        (f"demo://{s.code}", "vi") for s in supervisors
    }


def test_it_never_receives_dossiers_on_holidays(engine: Engine, clock: Clock, demo: Any) -> None:
    received = [row[0] for row in _rows(engine, select(Dossier.received_at))]
    days = Counter(moment.date() for moment in received)
    assert all(clock.calendar.is_working_day(day) for day in days)
    assert days[date(2026, 1, 2)] == 0  # the New-Year swap day off from the override file
    assert days[date(2026, 1, 10)] > 0  # its make-up Saturday is a working day
    assert sum(days[date(2026, 2, d)] for d in range(16, 21)) == 0  # Tết Bính Ngọ
    before_tet = sum(days[date(2026, 2, d)] for d in range(9, 14))
    after_tet = sum(days[date(2026, 2, d)] for d in range(23, 28))
    assert after_tet < 0.6 * before_tet  # the rush before Tết, the quiet week after
    hours = Counter(moment.time() for moment in received)
    in_office = sum(
        n for t, n in hours.items() if time(7, 30) <= t < time(11, 30) or time(13, 30) <= t < time(16, 30)
    )
    assert in_office / sum(hours.values()) > 0.85


def test_its_stored_sla_columns_are_what_the_clock_derives_for_every_dossier(
    engine: Engine, clock: Clock, demo: Any
) -> None:
    outcomes = dict(_rows(engine, "SELECT id, outcome FROM dossiers"))
    same_day = paused = extended = hourly = 0
    with engine.connect() as conn:
        for dossier in clock_inputs(conn):
            inputs = dossier.inputs
            assert inputs is not None
            expected = derive(clock, inputs)
            stored = (
                dossier.statutory_due_at,
                dossier.appointment_due_at,
                dossier.due_at,
                outcomes[dossier.id],
            )
            assert stored == (
                expected.statutory_due_at,
                expected.appointment_due_at,
                expected.due_at,
                expected.outcome,
            )
            same_day += inputs.time_unit == "same_day"
            hourly += inputs.time_unit == "working_hours"
            paused += bool(inputs.pauses)
            extended += inputs.extension_date is not None
    assert same_day > 1000 and hourly > 50 and paused > 200 and extended > 20


def test_its_status_history_tells_each_dossier_s_story(engine: Engine, demo: Any) -> None:
    allowed = {
        ("received", "processing"),
        ("processing", "awaiting_supplement"),
        ("awaiting_supplement", "processing"),
        ("processing", "suspended"),
        ("suspended", "processing"),
        ("processing", "completed"),
        ("completed", "returned"),
        ("processing", "withdrawn"),
        ("processing", "rejected"),
    }
    history: dict[int, list[Any]] = defaultdict(list)
    for row in _rows(engine, select(StatusChange.__table__).order_by(StatusChange.id)):
        history[row.dossier_id].append(row)
    pauses = Counter(row[0] for row in _rows(engine, "SELECT dossier_id FROM dossier_pauses"))
    for d in _rows(engine, select(Dossier.__table__)):
        events = history[d.id]
        assert [e.changed_at for e in events] == sorted(e.changed_at for e in events)
        assert events[0].status == "received" and events[0].changed_at == d.received_at
        assert events[-1].status == d.status
        assert all((a.status, b.status) in allowed for a, b in zip(events, events[1:], strict=False))
        assert pauses[d.id] == sum(e.status in {"awaiting_supplement", "suspended"} for e in events)
        assert d.updated_at == max(d.updated_at, events[-1].changed_at)
        if Status(d.status) in FINISHED_STATUSES:
            end = next(e for e in events if e.status in {"completed", "withdrawn", "rejected"})
            assert d.finished_at == end.changed_at and d.outcome is not None
        else:
            assert Status(d.status) in OPEN_STATUSES and d.finished_at is None and d.outcome is None
        assert (d.returned_at is not None) == (d.status == "returned")


def test_most_finished_dossiers_are_on_time_and_late_ones_mostly_carry_apology_letters(
    engine: Engine, demo: Any
) -> None:
    outcomes = Counter(
        row[0] for row in _rows(engine, "SELECT outcome FROM dossiers WHERE outcome IS NOT NULL")
    )
    finished = sum(outcomes.values())
    assert (outcomes["early"] + outcomes["on_time"]) / finished >= 0.95
    assert 0.005 <= outcomes["late"] / finished <= 0.08
    # Late by time (not by the second-supplement rule): most, deliberately not all, have a letter.
    letters = _rows(
        engine,
        "SELECT count(*), count(DISTINCT a.dossier_id) FROM dossiers d"
        " LEFT JOIN apology_letters a ON a.dossier_id = d.id"
        " WHERE d.outcome = 'late' AND d.supplement_count <= 1",
    )[0]
    late_by_time, with_letter = letters
    assert 0.6 <= with_letter / late_by_time < 1.0
    letters_and_dossiers = select(
        ApologyLetter.issued_at, ApologyLetter.new_due_date, Dossier.received_at, Dossier.finished_at
    ).join(Dossier, Dossier.id == ApologyLetter.dossier_id)
    for letter in _rows(engine, letters_and_dossiers):
        assert letter.received_at <= letter.issued_at <= (letter.finished_at or AS_OF)
        assert letter.new_due_date > letter.issued_at.date()


def test_the_backlog_at_until_is_a_few_percent_mostly_on_track(
    engine: Engine, clock: Clock, demo: Any
) -> None:
    with engine.connect() as conn:
        states = Counter(
            str(judge(clock, d.inputs, AS_OF).state)
            for d in clock_inputs(conn, open_only=True)
            if d.inputs is not None
        )
    share = sum(states.values()) / 5000
    assert 0.01 <= share <= 0.08
    assert states.most_common(1)[0][0] == "on_track"
    assert states["due_soon"] > 0 and states["overdue"] > 0 and states["paused"] > 0
    assert _scalar(engine, select(func.max(Dossier.updated_at))) <= AS_OF
    assert _scalar(engine, select(func.max(Rating.rated_at))) <= AS_OF


def test_every_child_row_belongs_to_an_existing_dossier_unit_and_official(engine: Engine, demo: Any) -> None:
    for table in (
        "dossier_status_history",
        "dossier_steps",
        "dossier_pauses",
        "apology_letters",
        "ratings",
        "dossier_applicants",
    ):
        orphans = (
            f"SELECT count(*) FROM {table} c LEFT JOIN dossiers d ON d.id = c.dossier_id WHERE d.id IS NULL"
        )
        assert _scalar(engine, orphans) == 0, table
    assert _scalar(engine, "SELECT count(*) FROM units c LEFT JOIN units p ON p.id = c.parent_id"
                           " WHERE c.parent_id IS NOT NULL AND p.id IS NULL") == 0  # fmt: skip
    mismatched = (
        "SELECT count(*) FROM dossiers d JOIN procedures p ON p.id = d.procedure_id"
        " LEFT JOIN officials o ON o.id = d.handler_id"
        " WHERE d.sector_id <> p.sector_id OR (d.handler_id IS NOT NULL"
        " AND (o.id IS NULL OR o.unit_id <> d.unit_id OR o.role <> 'handler'))"
    )
    assert _scalar(engine, mismatched) == 0
    steps = (
        "SELECT count(*) FROM dossier_steps s JOIN dossiers d ON d.id = s.dossier_id"
        " LEFT JOIN officials o ON o.id = s.handler_id"
        " WHERE s.unit_id <> d.unit_id OR o.id IS NULL OR o.unit_id <> d.unit_id"
        " OR s.started_at < d.received_at OR s.ended_at < s.started_at"
    )
    assert _scalar(engine, steps) == 0
    open_steps = _rows(
        engine,
        "SELECT d.status, d.current_step, s.step FROM dossiers d"
        " LEFT JOIN dossier_steps s ON s.dossier_id = d.id AND s.ended_at IS NULL",
    )
    for status, current, step in open_steps:
        assert current == step, (status, current, step)
    assert _scalar(engine, "SELECT count(*) FROM dossiers WHERE paid_online = true AND procedure_id IN"
                           " (SELECT id FROM procedures WHERE fee IS NULL)") == 0  # fmt: skip


def test_supplements_withdrawals_and_channels_follow_the_calibration(engine: Engine, demo: Any) -> None:
    supplements = Counter(row[0] for row in _rows(engine, "SELECT supplement_count FROM dossiers"))
    assert 0.05 <= (5000 - supplements[0]) / 5000 <= 0.15
    assert 0 < supplements[2] / 5000 < 0.01
    closed = _scalar(engine, "SELECT count(*) FROM dossiers WHERE status IN ('withdrawn', 'rejected')")
    assert 0.0005 <= closed / 5000 <= 0.008
    by_month = _rows(
        engine,
        "SELECT received_at, channel FROM dossiers ORDER BY received_at",
    )
    first, last = by_month[:1000], by_month[-1000:]
    online = [sum(row.channel == "online" for row in part) / len(part) for part in (first, last)]
    assert 0.12 <= online[0] < online[1] <= 0.55
    postal = sum(row.channel == "postal" for row in by_month) / len(by_month)
    assert postal < 0.05


def test_ratings_average_about_four_and_are_lower_when_late(engine: Engine, demo: Any) -> None:
    rows = _rows(
        engine,
        select(
            Rating.score,
            Rating.channel,
            Rating.rated_at,
            Rating.comment,
            Dossier.returned_at,
            Dossier.outcome,
        ).join(Dossier, Dossier.id == Rating.dossier_id),
    )
    returned = _scalar(engine, "SELECT count(*) FROM dossiers WHERE status = 'returned'")
    assert 0.2 <= len(rows) / returned <= 0.4
    scores = np.array([row.score for row in rows])
    assert 3.95 <= scores.mean() <= 4.45
    late = np.array([row.outcome == "late" for row in rows])
    assert scores[late].mean() < scores[~late].mean() - 0.5
    assert all(row.rated_at >= row.returned_at for row in rows)
    assert {row.channel for row in rows} == {"kiosk", "online", "sms"}
    low = [row for row in rows if row.score <= 2]
    assert sum(row.comment is not None for row in low) > len(low) / 3


def test_a_full_province_has_a_few_struggling_communes_and_hidden_delays(
    engine: Engine, clock: Clock
) -> None:
    generate(engine, clock=clock, communes=30, months=4, dossiers=15000, seed=3, until=date(2025, 9, 30))
    late = _rows(
        engine,
        "SELECT unit_id, avg(CASE WHEN outcome = 'late' THEN 1.0 ELSE 0.0 END) FROM dossiers"
        " WHERE outcome IS NOT NULL GROUP BY unit_id ORDER BY 2 DESC",
    )
    rates = [float(rate) for _unit, rate in late]
    assert rates[0] >= 0.08 and np.median(rates) <= 0.04
    hidden = "SELECT count(*) FROM dossiers WHERE appointment_due_at > statutory_due_at"
    assert 1 <= _scalar(engine, hidden) <= 50
    after_merger = Dossier.received_at >= datetime(2025, 7, 1)
    land = func.avg(case((Sector.code == "DATDAI", 1.0), else_=0.0))
    land_share = dict(
        _rows(
            engine,
            select(after_merger, land).join(Sector, Sector.id == Dossier.sector_id).group_by(after_merger),
        )
    )
    assert land_share[True] > land_share[False] * 1.5  # the surge after the July 2025 merger


@pytest.mark.parametrize(
    "arguments",
    [{"communes": 0}, {"months": 0}, {"dossiers": -1}],
    ids=["no communes", "no months", "negative dossiers"],
)
def test_it_refuses_arguments_that_describe_no_province(
    engine: Engine, clock: Clock, arguments: dict[str, int]
) -> None:
    with pytest.raises(ValueError):
        generate(engine, clock=clock, **(SMALL | arguments))
    assert _scalar(engine, "SELECT count(*) FROM units") == 0


PROVINCE_CCCD = "026"  # the demo province's code (26000): most applicants were born in it
MOBILE = re.compile(r"0(3[2-9]|5[689]|7[06-9]|8[1-689]|9[0-46-9])\d{7}")


def test_every_dossier_has_a_plausible_vietnamese_applicant(engine: Engine, demo: Any) -> None:
    rows = _rows(
        engine,
        "SELECT a.full_name, a.id_number, a.phone, a.address, u.name_vi"
        " FROM dossier_applicants a JOIN dossiers d ON d.id = a.dossier_id JOIN units u ON u.id = d.unit_id",
    )
    assert len(rows) == 5000
    families = Counter(name.split()[0] for name, *_ in rows)
    assert families.most_common(1)[0][0] == "Nguyễn" and 0.28 < families["Nguyễn"] / len(rows) < 0.48
    assert all(len(name.split()) == 3 for name, *_ in rows)
    assert len({name for name, *_ in rows}) > 1000  # many people, not a handful repeated
    for _, id_number, phone, address, unit in rows:
        assert re.fullmatch(r"\d{12}", id_number), id_number
        century, year = int(id_number[3]), int(id_number[4:6])
        born = (1900 if century < 2 else 2000) + year
        assert century in (0, 1, 2, 3) and 1945 <= born <= 2007
        assert phone is None or MOBILE.fullmatch(phone), phone
        place, commune, province = address.split(", ")
        assert place.startswith(("Thôn ", "Tổ ")) and commune == unit and province == "Tỉnh Sơn Hà"
        assert place.startswith("Tổ ") == unit.startswith("Phường "), (place, unit)
    provinces = Counter(id_number[:3] for _, id_number, *_ in rows)
    assert 0.75 < provinces[PROVINCE_CCCD] / len(rows) < 0.95 and len(provinces) >= 5
    women = sum(int(id_number[3]) % 2 for _, id_number, *_ in rows)
    assert 0.45 < women / len(rows) < 0.6
    assert 0.01 < sum(phone is None for _, _, phone, *_ in rows) / len(rows) < 0.06
    assert len({id_number for _, id_number, *_ in rows}) > 0.99 * len(rows)


def test_a_woman_s_cccd_says_so_and_her_name_reads_as_a_woman_s(engine: Engine, demo: Any) -> None:
    """The sex digit of the CCCD and the name come from one draw: 'Thị' only in women's names."""
    rows = _rows(engine, "SELECT full_name, id_number FROM dossier_applicants")
    for name, id_number in rows:
        if name.split()[1] == "Thị":
            assert int(id_number[3]) % 2 == 1, (name, id_number)
        if name.split()[1] in ("Văn", "Đức", "Quốc", "Hữu"):
            assert int(id_number[3]) % 2 == 0, (name, id_number)
