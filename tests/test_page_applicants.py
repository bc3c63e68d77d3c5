"""The applicant's personal data in the at-risk exports (masked row by row, by the same rule as the
dossier page) and nowhere in the JSON API (issue 5)."""

from __future__ import annotations

import base64
import csv
import io
import json

import pandas as pd
import pytest
from sqlalchemy import Engine, insert, select

import dashboard.app  # noqa: F401 - pages register against the app
from dashboard.components import atrisk
from queries.models import Applicant, Dossier
from queries.scope import Role, Scope
from tests.conftest import callback_request
from tests.login import signed_in_client

PEOPLE = {
    # unit A (10001), held by CB-A1
    "A4": ("Ông Văn Khải", "026080001111", "0911222444", "Thôn 2, Xã A, Tỉnh Mẫu"),
    "A5": ("Bà Thị Loan", "026180002222", "0922333555", "Thôn 3, Xã A, Tỉnh Mẫu"),
    # unit B (10002), held by nobody
    "B2": ("Châu Minh Quân", "026090003333", None, "Tổ 4, Phường B, Tỉnh Mẫu"),
}


@pytest.fixture
def people(dashboard_db: Engine, two_communes: dict[str, int]) -> Engine:
    with dashboard_db.begin() as conn:
        ids = dict(conn.execute(select(Dossier.code, Dossier.id)).all())
        conn.execute(
            insert(Applicant),
            [
                {"dossier_id": ids[code], "full_name": n, "id_number": i, "phone": p, "address": a}
                for code, (n, i, p, a) in PEOPLE.items()
            ],
        )
    return dashboard_db


def exported(scope: Scope, kind: str = "csv", handler: str | None = None) -> list[dict[str, str]]:
    """The at-risk export of everything the scope covers, as the signed-in user would download it."""
    with callback_request("vi", scope):
        columns = atrisk.at_risk_columns()
        store = atrisk.scope_of(handler=handler)
        if kind == "csv":
            data = atrisk.export_csv(1, store, columns, "x")
            text = base64.b64decode(data["content"]).decode("utf-8-sig")
            return list(csv.DictReader(io.StringIO(text)))
        data = atrisk.export_xlsx(1, store, columns, "x")
        sheet = pd.read_excel(io.BytesIO(base64.b64decode(data["content"])), dtype=str, keep_default_na=False)
        return sheet.to_dict("records")  # type: ignore[return-value]


COLUMN = "Người nộp hồ sơ (họ tên · điện thoại)"


def by_code(rows: list[dict[str, str]]) -> dict[str, str]:
    return {row["Mã hồ sơ"]: row[COLUMN] for row in rows}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_export_masks_every_applicant_for_a_supervisor(people: Engine, kind: str) -> None:
    rows = exported(Scope(Role.SUPERVISOR), kind)

    assert list(rows[0])[:2] == ["Mã hồ sơ", COLUMN]  # right after the dossier's code
    applicants = by_code(rows)
    assert applicants["A4"] == "Ông V. K. · *******444"
    assert applicants["B2"] == "Châu M. Q."  # no phone recorded
    assert applicants["A6"] == ""  # no applicant recorded
    text = json.dumps(rows, ensure_ascii=False)
    for name, id_number, phone, address in PEOPLE.values():
        assert name not in text and id_number not in text and address not in text
        assert phone is None or phone not in text


def test_the_unit_s_chair_exports_her_unit_s_applicants_whole(people: Engine) -> None:
    applicants = by_code(exported(Scope(Role.CHAIR, unit="10001")))

    assert applicants["A4"] == "Ông Văn Khải · 0911222444"
    assert applicants["A5"] == "Bà Thị Loan · 0922333555"
    assert "B2" not in applicants  # another unit: not in her list at all


def test_the_holding_official_exports_his_dossiers_applicants_whole(people: Engine) -> None:
    scope = Scope(Role.OFFICIAL, unit="10001", official="CB-A1")

    applicants = by_code(exported(scope, handler="CB-A1"))

    assert applicants["A4"] == "Ông Văn Khải · 0911222444" and "B2" not in applicants


def test_the_grid_itself_shows_no_applicant(people: Engine) -> None:
    with callback_request("vi", Scope(Role.CHAIR, unit="10001")):
        block = atrisk.serve_rows({"startRow": 0, "endRow": 50}, atrisk.scope_of())
        columns = atrisk.at_risk_columns()

    assert "applicant" not in {column["field"] for column in columns}
    assert all("applicant" not in row for row in block["rowData"])


def test_the_json_api_returns_no_personal_data(people: Engine) -> None:
    client = signed_in_client(people)

    answers = [
        client.get(url)
        for url in (
            "/api/v1/units/10001/at-risk",
            "/api/v1/units/10002/at-risk",
            "/api/v1/units",
            "/api/v1/province/kpis",
            "/api/v1/units/10001/kpis",
        )
    ]

    assert [answer.status_code for answer in answers] == [200] * len(answers)
    assert {row["code"] for row in answers[0].get_json()["items"]} >= {"A4", "A5"}
    text = "".join(answer.get_data(as_text=True) for answer in answers)
    text += json.dumps([answer.get_json() for answer in answers], ensure_ascii=False)
    for name, id_number, phone, address in PEOPLE.values():
        for value in (name, id_number, phone, address, name.split()[-1]):
            assert value is None or value not in text, value
    assert "applicant" not in text.lower()
