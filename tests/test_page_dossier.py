"""The dossier page's layout and callback, called as functions on hand-built dossiers."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest
from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import Engine, insert

import dashboard.app  # noqa: F401 - pages register against the app
from dashboard.components.figures import STATE_COLOURS
from dashboard.i18n import TEXT
from dashboard.pages import dossier
from queries.domain import OpenState, Outcome, PauseKind, Status, Step
from queries.models import Applicant
from queries.scope import OutOfScope, Role, Scope
from tests.conftest import callback_request
from tests.test_dossier_detail import dossiers  # noqa: F401 - the hand-built dossiers, shared

D1 = "H99.001-260302-0001"  # overdue, two letters (the second not allowed), four steps, a pause


def render(component: object) -> str:
    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


@pytest.fixture
def request_in(dashboard_db: Engine, dossiers: dict[str, int]):  # type: ignore[no-untyped-def]  # noqa: F811
    """Run a callback inside a request with the given language cookie."""

    def run(lang: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        with callback_request(lang):
            return fn(*args, **kwargs)

    return run


def sections(request_in, lang: str, code: str) -> dict[str, object]:  # type: ignore[no-untyped-def]
    names = ("facts", "timeline", "pauses", "letters", "history", "ratings")
    return dict(zip(names, request_in(lang, dossier.show_dossier, code), strict=True))


def test_an_unknown_code_gives_a_message_and_a_way_back(request_in) -> None:  # type: ignore[no-untyped-def]
    page = render(request_in("vi", dossier.layout, code="KHONG-CO"))
    assert "Không tìm thấy hồ sơ" in page and "KHONG-CO" in page
    assert '"href": "/"' in page and '"href": "/quality"' in page
    assert "has no dossier code" not in render(request_in("en", dossier.layout, code="X"))
    assert "The link has no dossier code." in render(request_in("en", dossier.layout))


def test_a_known_code_renders_the_skeleton_even_when_escaped_in_the_link(request_in) -> None:  # type: ignore[no-untyped-def]
    page = render(request_in("en", dossier.layout, code="H99%2E001-260302-0001"))
    assert f'"data": "{D1}"' in page and f"Dossier {D1}" in page


def test_the_facts_show_the_dues_and_the_clocks_verdict(request_in) -> None:  # type: ignore[no-untyped-def]
    facts = render(sections(request_in, "en", D1)["facts"])
    for expected in (
        "Xã A (10001)",
        "1.004873 (1.004873)",
        "3 working days",
        "Online",
        "2026-03-02 10:00",  # received
        "2026-03-05",  # statutory due (end of day: shown as a date)
        "2026-03-13",  # effective due: the first letter's new date
        "In process",
        "Overdue",
        "Overdue by 4.2 working days",  # Mon-Thu and 2 hours of Fri 20/3
        "Trần Văn Bình",
    ):
        assert expected in facts, expected
    vi = render(sections(request_in, "vi", D1)["facts"])
    assert "Quá hạn 4,2 ngày làm việc" in vi and "Đang xử lý" in vi


def test_the_timeline_marks_late_steps_by_colour_and_by_label(request_in) -> None:  # type: ignore[no-untyped-def]
    graph, note = sections(request_in, "en", D1)["timeline"]  # type: ignore[misc]
    assert note is None  # the steps are recorded
    fig: go.Figure = graph.figure
    assert fig.layout.title.text == "Processing steps over time (Vietnam time)"
    bars = {trace.name: trace for trace in fig.data if trace.type == "bar"}
    late = bars["Late"]
    assert list(late.y) == ["Whole dossier", "Appraisal", "Approval"]
    assert late.marker.color == STATE_COLOURS["late"] and late.marker.pattern.shape == "/"
    assert list(bars["On time"].y) == ["Reception"]
    assert list(fig.layout.yaxis.categoryarray) == [
        "Whole dossier",
        "Reception",
        "Appraisal",
        "Approval",
        "Return",
    ]
    dues = next(trace for trace in fig.data if trace.name == "Step due")
    assert len(dues.x) == 5  # the pending return step still shows its due
    pauses = [shape for shape in fig.layout.shapes if shape.type == "rect"]
    assert len(pauses) == 1 and str(pauses[0].x0).startswith("2026-03-03")
    labels = {annotation.text for annotation in fig.layout.annotations}
    assert dues.marker.color == "#000000"  # step dues stand out on every bar colour
    assert {"Now", "Effective due", "Letter no. 1", "Letter no. 2"} <= labels
    assert "Supplement request" in {trace.name for trace in fig.data}  # the shading's legend entry
    assert list(late.text) == ["Overdue", "Late", "Late"]  # the whole dossier says the clock's verdict


def test_a_second_apology_letter_is_flagged_as_not_allowed(request_in) -> None:  # type: ignore[no-untyped-def]
    letters = render(sections(request_in, "en", D1)["letters"])
    assert "First re-scheduling" in letters and "Chờ xác minh" in letters
    assert letters.count("Not allowed: re-scheduling is allowed once") == 1
    assert "has no apology letter" not in letters


def test_pauses_history_and_ratings_are_listed(request_in) -> None:  # type: ignore[no-untyped-def]
    parts = sections(request_in, "en", D1)
    pauses = render(parts["pauses"])
    assert "Supplement request" in pauses and "Thiếu giấy khai sinh" in pauses and '"4.0"' in pauses
    history = parts["history"]
    assert [row.children[1].children for row in history.children[1].children] == [  # type: ignore[attr-defined]
        "Accepted",
        "Awaiting supplement",
        "In process",
    ]
    assert "The citizen has not rated this dossier." in render(parts["ratings"])
    ratings = render(sections(request_in, "vi", "D2")["ratings"])
    assert "2/5" in ratings and "Trễ hẹn" in ratings and "zalo" in ratings


def test_a_late_dossier_without_a_letter_says_so(request_in) -> None:  # type: ignore[no-untyped-def]
    parts = sections(request_in, "en", "D2")
    assert "Finished 1.1 working days after the effective due" in render(parts["facts"])
    letters = render(parts["letters"])
    assert "past its deadline but has no apology letter" in letters
    assert "No apology letter has been issued for this dossier." in letters


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("D3", "Cannot be clocked: the dossier has no procedure."),
        ("D4", "Cannot be clocked: the dossier has no receipt time."),
        ("D5", "Not clocked: the dossier was not accepted (or was refused)."),
    ],
)
def test_a_dossier_that_cannot_be_clocked_says_why(request_in, code: str, message: str) -> None:  # type: ignore[no-untyped-def]
    parts = sections(request_in, "en", code)
    assert message in render(parts["facts"])
    assert "No status change is recorded" in render(parts["history"])
    assert "The clock never stopped for this dossier" in render(parts["pauses"])


def test_a_dossier_with_no_receipt_and_no_step_has_an_empty_timeline_that_says_why(request_in) -> None:  # type: ignore[no-untyped-def]
    graph, note = sections(request_in, "en", "D4")["timeline"]  # type: ignore[misc]
    assert graph.figure.data == ()
    assert "no receipt time and no recorded step" in graph.figure.layout.annotations[0].text
    assert "No processing steps are recorded" in note.children


def test_every_state_status_step_and_pause_has_a_label_in_both_languages() -> None:
    keys = [f"dossier.state.{s}" for s in (*OpenState, *Outcome)]
    keys += [f"dossier.status.{s}" for s in Status] + [f"dossier.step.{s}" for s in Step]
    keys += [f"dossier.pause.{p}" for p in PauseKind]
    assert [key for key in keys if key not in TEXT] == []


# --- the applicant (personal data, issue 5) ------------------------------------------------------------
APPLICANT = {
    "full_name": "Đoàn Thị Hạnh",
    "id_number": "026190004567",
    "phone": "0987654321",
    "address": "Số 5 ngõ 7, Thôn Đông, Xã A, Tỉnh Mẫu",
}


@pytest.fixture
def with_applicant(dashboard_db: Engine, dossiers: dict[str, int]) -> Engine:  # noqa: F811
    with dashboard_db.begin() as conn:
        conn.execute(insert(Applicant).values(dossier_id=dossiers["d1"], **APPLICANT))
    return dashboard_db


def applicant_block(lang: str, scope: Scope, code: str = D1) -> str:
    with callback_request(lang, scope):
        return render(dossier.show_applicant(code))


@pytest.mark.parametrize(
    "scope",
    [Scope(Role.CHAIR, unit="10001"), Scope(Role.OFFICIAL, unit="10001", official="CB-2")],
    ids=["the unit's chairperson", "the official holding it"],
)
def test_the_chair_and_the_holder_see_the_applicant_whole(with_applicant: Engine, scope: Scope) -> None:
    block = applicant_block("vi", scope)

    assert "Người nộp hồ sơ" in block
    assert all(value in block for value in APPLICANT.values())
    assert "Đã che một phần" not in block and "dossier-applicant-masked" not in block


@pytest.mark.parametrize(
    "scope",
    [Scope.province(), Scope(Role.SUPERVISOR)],
    ids=["administrator", "supervisor"],  # an official who does not hold it cannot open the page
)
def test_everyone_else_sees_it_masked_with_a_note_saying_who_sees_it_whole(
    with_applicant: Engine, scope: Scope
) -> None:
    vi, en = applicant_block("vi", scope), applicant_block("en", scope)

    for shown in ("Đoàn T. H.", "*********567", "*******321", "***, Xã A, Tỉnh Mẫu"):
        assert shown in vi
    for hidden in (*APPLICANT.values(), "Hạnh", "Thôn Đông", "4567"):
        assert hidden not in vi and hidden not in en
    assert "Đã che một phần: chỉ cán bộ thụ lý và Chủ tịch UBND xã xem đầy đủ" in vi
    assert "Applicant" in en and "only the official handling the dossier and the commune chairperson" in en


def test_a_dossier_without_applicant_details_says_so(with_applicant: Engine) -> None:
    assert "The source system sent no applicant details" in applicant_block("en", Scope.province(), "D2")


def test_another_unit_s_chair_cannot_ask_for_the_applicant(with_applicant: Engine) -> None:
    with pytest.raises(OutOfScope):
        applicant_block("vi", Scope(Role.CHAIR, unit="10002"))
