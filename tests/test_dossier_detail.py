"""One dossier's detail on hand-built dossiers with known answers, on both databases.

D1 is domain.md 2.6 B with two apology letters: a 3-working-day procedure accepted Mon 2/3/2026
10:00, a supplement request from Tue 3/3 10:00 to Mon 9/3 10:00 (4 working days), so due Wed 11/3;
the first letter moves the working deadline to Fri 13/3, the second (not allowed) to 18/3.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Engine, insert, update

from queries.dossier_detail import dossier_detail, dossier_id
from queries.models import ApologyLetter, Dossier, DossierStep, Pause, Rating, StatusChange
from queries.sla import Clock
from tests.conftest import NOW, PROVINCE
from tests.factories import add_dossier, add_official, add_procedure, add_sector, add_unit


@pytest.fixture
def dossiers(engine: Engine, clock: Clock) -> dict[str, int]:
    with engine.begin() as conn:
        unit = add_unit(conn, "10001", "Xã A")
        sector = add_sector(conn, "HT", "Hộ tịch")
        procedure = add_procedure(conn, sector, "1.004873", value=3)
        receiver = add_official(conn, unit, "CB-1", role="receiver", name="Lê Thị Cúc")
        handler = add_official(conn, unit, "CB-2", name="Trần Văn Bình")
        d1 = add_dossier(
            conn,
            clock,
            code="H99.001-260302-0001",
            unit_id=unit,
            procedure_id=procedure,
            sector_id=sector,
            received_at=datetime(2026, 3, 2, 10),
            pauses=((datetime(2026, 3, 3, 10), datetime(2026, 3, 9, 10)),),
            handler_id=handler,
            channel="online",
            current_step="approval",
        )
        conn.execute(update(Pause).where(Pause.dossier_id == d1).values(reason="Thiếu giấy khai sinh"))
        # Stored out of the canonical order on purpose: the detail sorts them by the flow. Every row
        # names every column: an executemany takes its columns from the first row only.
        steps = [
            ("return", None, None, None, datetime(2026, 3, 11, 23, 59, 59)),
            ("approval", handler, datetime(2026, 3, 10, 16), None, datetime(2026, 3, 11, 23, 59, 59)),
            (
                "reception",
                receiver,
                datetime(2026, 3, 2, 10),
                datetime(2026, 3, 2, 10, 15),
                datetime(2026, 3, 2, 12),
            ),
            (
                "appraisal",
                handler,
                datetime(2026, 3, 2, 10, 15),
                datetime(2026, 3, 10, 16),
                datetime(2026, 3, 5, 23, 59, 59),
            ),
        ]
        conn.execute(
            insert(DossierStep),
            [
                dict(
                    dossier_id=d1,
                    step=step,
                    unit_id=unit,
                    handler_id=who,
                    started_at=start,
                    ended_at=end,
                    due_at=due,
                )
                for step, who, start, end, due in steps
            ],
        )
        conn.execute(
            insert(ApologyLetter),
            [
                dict(
                    dossier_id=d1,
                    issued_at=datetime(2026, 3, 13, 16),
                    new_due_date=date(2026, 3, 18),
                    reason="Chờ ý kiến lần hai",
                ),
                dict(
                    dossier_id=d1,
                    issued_at=datetime(2026, 3, 11, 15),
                    new_due_date=date(2026, 3, 13),
                    reason="Chờ xác minh",
                ),
            ],
        )
        conn.execute(
            insert(StatusChange),
            [
                dict(dossier_id=d1, status="processing", changed_at=datetime(2026, 3, 9, 10)),
                dict(dossier_id=d1, status="received", changed_at=datetime(2026, 3, 2, 10)),
                dict(dossier_id=d1, status="awaiting_supplement", changed_at=datetime(2026, 3, 3, 10)),
            ],
        )
        d2 = add_dossier(
            conn,
            clock,
            code="D2",
            unit_id=unit,
            procedure_id=procedure,
            sector_id=sector,
            received_at=datetime(2026, 3, 2, 9),
            status="returned",
            finished_at=datetime(2026, 3, 9, 9),
            returned_at=datetime(2026, 3, 9, 10),
            digitized_result=True,
        )
        conn.execute(
            insert(Rating),
            [
                dict(
                    dossier_id=d2, score=4, channel="kiosk", rated_at=datetime(2026, 3, 10, 9), comment=None
                ),
                dict(
                    dossier_id=d2,
                    score=2,
                    channel="zalo",
                    rated_at=datetime(2026, 3, 9, 11),
                    comment="Trễ hẹn",
                ),
            ],
        )
        for code, values in (
            ("D3", {"received_at": datetime(2026, 3, 2, 9)}),
            ("D4", {"procedure_id": procedure}),
            (
                "D5",
                {"procedure_id": procedure, "received_at": datetime(2026, 3, 2, 9), "status": "submitted"},
            ),
        ):
            conn.execute(
                insert(Dossier).values(
                    **{"code": code, "unit_id": unit, "channel": "counter", "status": "processing", **values}
                )
            )
    return {"d1": d1, "d2": d2}


def test_it_finds_a_dossier_by_its_code(engine: Engine, dossiers: dict[str, int]) -> None:
    with engine.connect() as conn:
        assert dossier_id(conn, "H99.001-260302-0001", scope=PROVINCE) == dossiers["d1"]
        assert dossier_id(conn, "nope", scope=PROVINCE) is None


def test_unknown_codes_give_none(engine: Engine, clock: Clock, dossiers: dict[str, int]) -> None:
    with engine.connect() as conn:
        assert dossier_detail(conn, clock, code="H99.001-999999-9999", now=NOW, scope=PROVINCE) is None


def test_it_gives_the_facts_and_the_clocks_verdict_now(
    engine: Engine, clock: Clock, dossiers: dict[str, int]
) -> None:
    with engine.connect() as conn:
        detail = dossier_detail(conn, clock, code="H99.001-260302-0001", now=NOW, scope=PROVINCE)
    assert detail is not None
    facts = detail.facts
    assert (facts.unit_code, facts.unit_name_vi, facts.procedure_code, facts.sector_name_vi) == (
        "10001",
        "Xã A",
        "1.004873",
        "Hộ tịch",
    )
    assert (facts.time_value, facts.time_unit, facts.channel, facts.status) == (
        3.0,
        "working_days",
        "online",
        "processing",
    )
    assert facts.handler_name == "Trần Văn Bình"
    assert facts.statutory_due_at == datetime(2026, 3, 5, 23, 59, 59)
    assert facts.supplement_count == 1 and facts.late_appointment is False
    verdict = detail.verdict
    assert verdict is not None and detail.unclocked is None
    assert verdict.base_due == datetime(2026, 3, 11, 23, 59, 59)  # 4 paused working days added
    assert verdict.effective_due == datetime(2026, 3, 13, 23, 59, 59)  # the first letter only
    assert str(verdict.state) == "overdue"
    assert verdict.remaining_days == pytest.approx(-4.25)  # Mon-Thu and 2 hours of Fri 20/3


def test_steps_follow_the_flow_each_judged_against_its_own_due(
    engine: Engine, clock: Clock, dossiers: dict[str, int]
) -> None:
    with engine.connect() as conn:
        detail = dossier_detail(conn, clock, code="H99.001-260302-0001", now=NOW, scope=PROVINCE)
    assert detail is not None
    assert [(s.step, s.state) for s in detail.steps] == [
        ("reception", "on_time"),
        ("appraisal", "late"),  # ended 10/3, due 5/3
        ("approval", "late"),  # still open on 20/3, due 11/3
        ("return", "pending"),
    ]
    assert detail.steps[0].handler_name == "Lê Thị Cúc"
    assert detail.steps[2].ended_at is None


def test_pauses_letters_and_history_come_in_time_order(
    engine: Engine, clock: Clock, dossiers: dict[str, int]
) -> None:
    with engine.connect() as conn:
        detail = dossier_detail(conn, clock, code="H99.001-260302-0001", now=NOW, scope=PROVINCE)
    assert detail is not None
    (pause,) = detail.pauses
    assert (pause.kind, pause.reason, pause.working_days) == ("supplement", "Thiếu giấy khai sinh", 4.0)
    assert [(letter.number, letter.new_due_date, letter.allowed) for letter in detail.letters] == [
        (1, date(2026, 3, 13), True),
        (2, date(2026, 3, 18), False),
    ]
    assert [event.status for event in detail.history] == ["received", "awaiting_supplement", "processing"]
    assert detail.ratings == ()


def test_a_finished_dossier_has_its_outcome_and_ratings(
    engine: Engine, clock: Clock, dossiers: dict[str, int]
) -> None:
    with engine.connect() as conn:
        detail = dossier_detail(conn, clock, code="D2", now=NOW, scope=PROVINCE)
    assert detail is not None and detail.verdict is not None
    assert str(detail.verdict.state) == "late"
    assert detail.verdict.remaining_days == pytest.approx(-1.125)  # Fri 6/3 and 1 hour of Mon 9/3
    assert detail.facts.returned_at == datetime(2026, 3, 9, 10)
    assert detail.facts.digitized_result is True
    assert [(r.score, r.channel, r.comment) for r in detail.ratings] == [
        (2, "zalo", "Trễ hẹn"),
        (4, "kiosk", None),
    ]
    assert detail.steps == () and detail.pauses == () and detail.letters == ()


@pytest.mark.parametrize(
    ("code", "reason"), [("D3", "no_procedure"), ("D4", "no_receipt"), ("D5", "not_accepted")]
)
def test_it_says_why_a_dossier_cannot_be_clocked(
    engine: Engine, clock: Clock, dossiers: dict[str, int], code: str, reason: str
) -> None:
    with engine.connect() as conn:
        detail = dossier_detail(conn, clock, code=code, now=NOW, scope=PROVINCE)
    assert detail is not None
    assert (detail.verdict, detail.unclocked) == (None, reason)
