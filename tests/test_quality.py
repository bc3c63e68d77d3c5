"""Data-quality checks on a hand-built pair of units with one known answer per check, both databases."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, insert, update

from queries.filters import Filters
from queries.models import ApologyLetter, Dossier
from queries.quality import CHECKS, UnknownCheck, count_failing, failing_dossiers, quality_by_unit
from queries.sla import Clock
from tests.conftest import MARCH, NOW, PROVINCE
from tests.factories import add_dossier, add_procedure, add_sector, add_unit

FEBRUARY = Filters(start=date(2026, 2, 1), end=date(2026, 2, 28), preset="custom")


def _bare(conn: Connection, code: str, unit: int, **values: Any) -> int:
    """A dossier the importer could not clock: no derived columns."""
    return conn.execute(
        insert(Dossier).values(
            **{"code": code, "unit_id": unit, "channel": "counter", "status": "processing", **values}
        )
    ).inserted_primary_key[0]


@pytest.fixture
def flawed(engine: Engine, clock: Clock) -> dict[str, int]:
    """Each check failed by one dossier of unit A in March, plus decoys outside the period or scope.

    A (10001): Q1 no procedure, Q3 no receipt, Q5 late appointment, Q7 two supplement requests
    (open), Q11 open overdue without a letter, Q13 result not digitized. B (10002): Q9 finished
    late without a letter. Decoys: Q2, Q6, Q8, Q14 in February; Q4 not accepted; Q10 late with a
    letter; Q12 paused past its due; Q15 stopped (no result); Q16 clean.
    """
    with engine.begin() as conn:
        a = add_unit(conn, "10001", "Xã A")
        b = add_unit(conn, "10002", "Phường B", level="ward")
        civil = add_sector(conn, "HT", "Hộ tịch")
        land = add_sector(conn, "DD", "Đất đai")
        short = add_procedure(conn, civil, "P3", value=3)
        long = add_procedure(conn, land, "P20", value=20)

        def dossier(code: str, unit: int, received: datetime, *, land_case: bool = False, **kw: Any) -> int:
            return add_dossier(
                conn,
                clock,
                code=code,
                unit_id=unit,
                procedure_id=long if land_case else short,
                sector_id=land if land_case else civil,
                received_at=received,
                time_value=20 if land_case else 3,
                digitized_result=kw.pop("digitized_result", True),
                **kw,
            )

        _bare(conn, "Q1", a, received_at=datetime(2026, 3, 5, 9))
        _bare(conn, "Q2", a, received_at=datetime(2026, 2, 5, 9))
        _bare(conn, "Q3", a, procedure_id=short, sector_id=civil)
        _bare(conn, "Q4", a, procedure_id=short, sector_id=civil, status="submitted")
        q5 = dossier(
            "Q5", a, datetime(2026, 3, 2, 9), status="completed", finished_at=datetime(2026, 3, 6, 10)
        )
        q6 = dossier(
            "Q6", b, datetime(2026, 2, 20, 9), status="returned", finished_at=datetime(2026, 2, 24, 9)
        )
        for dossier_id, appointment in (
            (q5, datetime(2026, 3, 10, 23, 59, 59)),
            (q6, datetime(2026, 3, 2, 17)),
        ):
            conn.execute(
                update(Dossier)
                .where(Dossier.id == dossier_id)
                .values(appointment_due_at=appointment, due_at=appointment)
            )
        two_requests = (
            (datetime(2026, 3, 10, 9), datetime(2026, 3, 11, 9)),
            (datetime(2026, 3, 12, 9), datetime(2026, 3, 13, 9)),
        )
        dossier("Q7", a, datetime(2026, 3, 9, 9), land_case=True, pauses=two_requests)
        dossier(
            "Q8",
            a,
            datetime(2026, 2, 2, 9),
            status="returned",
            finished_at=datetime(2026, 2, 20, 9),
            pauses=(
                (datetime(2026, 2, 3, 9), datetime(2026, 2, 4, 9)),
                (datetime(2026, 2, 5, 9), datetime(2026, 2, 6, 9)),
            ),
        )
        dossier("Q9", b, datetime(2026, 3, 2, 9), status="returned", finished_at=datetime(2026, 3, 9, 9))
        q10 = dossier(
            "Q10", a, datetime(2026, 3, 2, 9), status="returned", finished_at=datetime(2026, 3, 9, 9)
        )
        conn.execute(
            insert(ApologyLetter).values(
                dossier_id=q10, issued_at=datetime(2026, 3, 4, 9), new_due_date=date(2026, 3, 10)
            )
        )
        dossier("Q11", a, datetime(2026, 3, 12, 9))  # due Tue 17/3: overdue on Fri 20/3
        dossier(
            "Q12",
            a,
            datetime(2026, 3, 10, 9),
            status="awaiting_supplement",
            pauses=((datetime(2026, 3, 11, 9), None),),
        )
        dossier(
            "Q13",
            a,
            datetime(2026, 3, 9, 9),
            status="completed",
            finished_at=datetime(2026, 3, 10, 9),
            digitized_result=False,
        )
        dossier(
            "Q14",
            a,
            datetime(2026, 2, 20, 9),
            status="returned",
            finished_at=datetime(2026, 2, 25, 9),
            digitized_result=False,
        )
        dossier(
            "Q15",
            a,
            datetime(2026, 3, 2, 9),
            status="rejected",
            finished_at=datetime(2026, 3, 3, 9),
            digitized_result=False,
        )
        dossier("Q16", a, datetime(2026, 3, 2, 9), status="returned", finished_at=datetime(2026, 3, 3, 9))
    return {"a": a, "b": b}


def _table(rows: list) -> dict[str, dict[str, int]]:  # type: ignore[type-arg]
    return {row.unit_code: {check: row.count(check) for check in (*CHECKS, "any_check")} for row in rows}


def test_it_counts_each_check_per_unit(engine: Engine, flawed: dict[str, int]) -> None:
    with engine.connect() as conn:
        table = _table(quality_by_unit(conn, MARCH, now=NOW, scope=PROVINCE))
    assert table == {
        "10001": {
            "no_procedure": 1,
            "no_receipt": 1,
            "late_appointment": 1,
            "repeat_supplement": 1,
            "late_no_apology": 1,
            "no_digitized_result": 1,
            "any_check": 6,
        },
        "10002": {
            "no_procedure": 0,
            "no_receipt": 0,
            "late_appointment": 0,
            "repeat_supplement": 0,
            "late_no_apology": 1,
            "no_digitized_result": 0,
            "any_check": 1,
        },
    }


def test_the_period_follows_each_checks_date_and_always_keeps_undated_dossiers(
    engine: Engine, flawed: dict[str, int]
) -> None:
    with engine.connect() as conn:
        table = _table(quality_by_unit(conn, FEBRUARY, now=NOW, scope=PROVINCE))
    a, b = table["10001"], table["10002"]
    assert a["no_procedure"] == 1  # Q2, received in February
    assert a["no_receipt"] == 1  # Q3 has no receipt date: in every period
    assert a["repeat_supplement"] == 2  # Q8 finished in February, Q7 still open
    assert a["late_no_apology"] == 2  # Q8 finished late in February, Q11 open overdue
    assert a["no_digitized_result"] == 1  # Q14 finished in February
    # Q6; Q9 finished late in March, outside February.
    assert b == {**{check: 0 for check in CHECKS}, "late_appointment": 1, "any_check": 1}


def test_the_scope_filters_narrow_the_checks(engine: Engine, flawed: dict[str, int]) -> None:
    with engine.connect() as conn:
        only_b = _table(quality_by_unit(conn, replace(MARCH, unit="10002"), now=NOW, scope=PROVINCE))
        land = _table(quality_by_unit(conn, replace(MARCH, sector="DD"), now=NOW, scope=PROVINCE))
        online = quality_by_unit(conn, replace(MARCH, channel="online"), now=NOW, scope=PROVINCE)
        unknown = quality_by_unit(conn, replace(MARCH, unit="99999"), now=NOW, scope=PROVINCE)
    assert set(only_b) == {"10002"}
    assert land["10001"]["repeat_supplement"] == 1 and land["10001"]["any_check"] == 1
    assert online == unknown == []


def test_it_lists_the_dossiers_behind_a_check_page_by_page(engine: Engine, flawed: dict[str, int]) -> None:
    with engine.connect() as conn:
        late = failing_dossiers(
            conn, MARCH, check="late_no_apology", now=NOW, sort=[("code", False)], scope=PROVINCE
        )
        assert count_failing(conn, MARCH, check="late_no_apology", now=NOW, scope=PROVINCE) == 2
        assert (
            count_failing(conn, MARCH, check="late_no_apology", now=NOW, unit_code="10002", scope=PROVINCE)
            == 1
        )
        in_b = failing_dossiers(
            conn, MARCH, check="late_no_apology", now=NOW, unit_code="10002", scope=PROVINCE
        )
        february = failing_dossiers(
            conn, FEBRUARY, check="repeat_supplement", now=NOW, sort=[("code", True)], scope=PROVINCE
        )
        first = failing_dossiers(conn, FEBRUARY, check="repeat_supplement", now=NOW, limit=1, scope=PROVINCE)
        second = failing_dossiers(
            conn, FEBRUARY, check="repeat_supplement", now=NOW, offset=1, limit=1, scope=PROVINCE
        )
        everything = failing_dossiers(
            conn, FEBRUARY, check="repeat_supplement", now=NOW, limit=None, scope=PROVINCE
        )
    assert [row.code for row in late] == ["Q11", "Q9"]
    assert [row.code for row in in_b] == ["Q9"]
    assert in_b[0].unit_name_vi == "Phường B" and in_b[0].procedure_code == "P3"
    assert in_b[0].finished_at == datetime(2026, 3, 9, 9)
    assert [row.code for row in february] == ["Q8", "Q7"]
    # Default order: the latest receipt first (Q7 in March, then Q8 in February).
    assert [row.code for row in first + second] == [row.code for row in everything] == ["Q7", "Q8"]
    assert everything[0].supplement_count == 2


def test_undated_and_unclocked_dossiers_sort_last_and_come_back_whole(
    engine: Engine, flawed: dict[str, int]
) -> None:
    with engine.connect() as conn:
        rows = failing_dossiers(
            conn, MARCH, check="no_receipt", now=NOW, sort=[("received_at", False)], scope=PROVINCE
        )
        nothing = failing_dossiers(
            conn, MARCH, check="no_procedure", now=NOW, sort=[("bogus", True)], scope=PROVINCE
        )
    assert [(row.code, row.received_at, row.due_at) for row in rows] == [("Q3", None, None)]
    assert [(row.code, row.procedure_code) for row in nothing] == [("Q1", None)]


def test_an_unknown_check_is_refused(engine: Engine, flawed: dict[str, int]) -> None:
    with engine.connect() as conn, pytest.raises(UnknownCheck, match="no_such"):
        count_failing(conn, MARCH, check="no_such", now=NOW, scope=PROVINCE)


def test_a_long_list_comes_back_whole_for_the_export(engine: Engine, flawed: dict[str, int]) -> None:
    with engine.begin() as conn:
        conn.execute(
            insert(Dossier),
            [
                {
                    "code": f"N{i:04d}",
                    "unit_id": flawed["b"],
                    "channel": "counter",
                    "status": "processing",
                    "received_at": datetime(2026, 3, 10, 8) + timedelta(minutes=i),
                }
                for i in range(1500)
            ],
        )
    with engine.connect() as conn:
        everything = failing_dossiers(conn, MARCH, check="no_procedure", now=NOW, limit=None, scope=PROVINCE)
        capped = failing_dossiers(conn, MARCH, check="no_procedure", now=NOW, limit=1200, scope=PROVINCE)
        assert count_failing(conn, MARCH, check="no_procedure", now=NOW, scope=PROVINCE) == 1501
    assert len(everything) == 1501 and len(capped) == 1200
    assert everything[0].code == "N1499" and everything[-1].code == "Q1"  # the latest receipt first
