"""Applicants' personal data, masked for everyone but the holding official and the unit's
chairperson (queries/personal.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, insert, select

from queries import personal
from queries.models import Applicant, Dossier
from queries.personal import ApplicantView, mask_address, mask_id, mask_name, mask_phone
from queries.scope import Role, Scope

HOA = {
    "full_name": "Nguyễn Thị Hoa",
    "id_number": "026190001234",
    "phone": "0912345678",
    "address": "Số 12 ngõ 34, Thôn Đông, Xã A, Tỉnh Mẫu",
}
HOA_MASKED = ApplicantView("Nguyễn T. H.", "*********234", "*******678", "***, Xã A, Tỉnh Mẫu", masked=True)


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Nguyễn Văn An", "Nguyễn V. A."),
        ("Tôn Nữ Thị Ngọc Hân", "Tôn N. T. N. H."),
        ("Ksor H'Nhiên", "Ksor H."),
        ("  Lê   Đức  ", "Lê Đ."),
        ("An", "A."),
        ("Đặng Ánh", "Đặng Á."),
        ("Nguye\u0302\u0303n Va\u0306n A\u0306n", "Nguyễn V. Ă."),  # decomposed (NFD) from some exports
        ("", ""),
    ],
)
def test_a_name_keeps_its_family_name_and_the_initials_of_the_rest(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_id_numbers_and_phones_keep_their_last_three_digits() -> None:
    assert mask_id("026190001234") == "*********234"
    assert mask_id("012345678") == "******678"  # old 9-digit CMND: the length is no secret
    assert mask_phone("0912345678") == "*******678"
    assert mask_phone("123") == "***" and mask_phone("") == ""


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("Số 12 ngõ 34, Thôn Đông, Xã An Phú, Tỉnh Sơn Hà", "***, Xã An Phú, Tỉnh Sơn Hà"),
        ("Thôn Đông,Xã An Phú , Tỉnh Sơn Hà", "***, Xã An Phú, Tỉnh Sơn Hà"),
        ("Số 12 Hàng Bạc, Hoàn Kiếm", "***, Hoàn Kiếm"),  # two parts: the first may be the street
        ("Số 12 Hàng Bạc Hoàn Kiếm Hà Nội", "***"),  # no commas: nothing can be told apart
        (" , ", ""),
    ],
)
def test_an_address_keeps_only_its_commune_and_province(address: str, masked: str) -> None:
    assert mask_address(address) == masked


@pytest.fixture
def applicants(engine: Engine, two_communes: dict[str, int]) -> dict[str, int]:
    """A1 (unit A, held by CB-A1) and B2 (unit B, nobody holds it) have an applicant; A2 has an
    empty row (a vendor sent the columns blank), A3 none at all."""
    with engine.begin() as conn:
        ids = dict(conn.execute(select(Dossier.code, Dossier.id)).all())
        conn.execute(
            insert(Applicant),
            [
                {"dossier_id": ids["A1"], **HOA},
                {"dossier_id": ids["B2"], **HOA, "phone": None},
                {"dossier_id": ids["A2"], **dict.fromkeys(HOA)},
            ],
        )
    return ids


CHAIR_A = Scope(Role.CHAIR, unit="10001")
CHAIR_B = Scope(Role.CHAIR, unit="10002")
HANDLER = Scope(Role.OFFICIAL, unit="10001", official="CB-A1")
COLLEAGUE = Scope(Role.OFFICIAL, unit="10001", official="CB-A2")
SUPERVISOR = Scope(Role.SUPERVISOR)
ADMIN = Scope.province()


@pytest.mark.parametrize(
    ("scope", "whole"),
    [
        (HANDLER, True),
        (CHAIR_A, True),
        (CHAIR_B, False),  # another unit's chairperson
        (COLLEAGUE, False),  # an official of the same unit who does not hold it
        (SUPERVISOR, False),
        (ADMIN, False),
    ],
    ids=["holding official", "unit chair", "other chair", "colleague", "supervisor", "admin"],
)
def test_only_the_holding_official_and_the_unit_s_chair_see_the_applicant_whole(
    engine: Engine, applicants: dict[str, int], scope: Scope, whole: bool
) -> None:
    with engine.connect() as conn:
        seen = personal.applicant(conn, scope, applicants["A1"])

    assert seen == (ApplicantView(**HOA, masked=False) if whole else HOA_MASKED)


def test_a_page_of_dossiers_is_masked_row_by_row(engine: Engine, applicants: dict[str, int]) -> None:
    with engine.connect() as conn:
        seen = personal.applicants(conn, CHAIR_B, [applicants[c] for c in ("A1", "A2", "A3", "B2")])

    assert set(seen) == {applicants["A1"], applicants["B2"]}  # none recorded, or only blanks: absent
    assert seen[applicants["A1"]] == HOA_MASKED  # unit A: masked for B's chairperson
    assert seen[applicants["B2"]] == ApplicantView(
        HOA["full_name"], HOA["id_number"], None, HOA["address"], False
    )
    assert seen[applicants["A1"]].summary() == "Nguyễn T. H. · *******678"


def test_nobody_holds_a_dossier_without_a_handler_so_only_its_chair_sees_it(
    engine: Engine, applicants: dict[str, int]
) -> None:
    with engine.connect() as conn:
        assert personal.applicant(
            conn, Scope(Role.OFFICIAL, unit="10002", official="CB-B9"), applicants["B2"]
        ).masked  # type: ignore[union-attr]
        assert personal.applicant(conn, ADMIN, applicants["A3"]) is None
        assert personal.applicants(conn, ADMIN, []) == {}
