"""A page link naming what the user's scope does not cover is refused before the page shell."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from queries import audit
from tests.login import signed_in_client
from tests.test_access_matrix import B_DOSSIER, COLLEAGUE_DOSSIER, LAND_DOSSIER, province  # noqa: F401


@pytest.mark.parametrize(
    ("role", "links", "path", "status"),
    [
        ("chair", {"unit_code": "10001"}, "/unit/10001", 200),
        ("chair", {"unit_code": "10001"}, "/unit/10002", 403),
        ("chair", {"unit_code": "10001"}, "/?unit=10002", 403),
        ("chair", {"unit_code": "10001"}, "/quality?unit=10002", 403),
        ("chair", {"unit_code": "10001"}, f"/dossier/{B_DOSSIER}", 403),
        ("chair", {"unit_code": "10001"}, f"/dossier/{COLLEAGUE_DOSSIER}", 200),
        ("chair", {"unit_code": "10001"}, "/admin/audit", 403),
        ("official", {"official_code": "CB-A1"}, f"/dossier/{LAND_DOSSIER}", 200),
        ("official", {"official_code": "CB-A1"}, f"/dossier/{COLLEAGUE_DOSSIER}", 403),
        ("official", {"official_code": "CB-A1"}, "/me?official=CB-A2", 403),
        ("supervisor", {"sectors": ("HT",)}, "/?sector=DD", 403),
        ("supervisor", {"sectors": ("HT",)}, f"/dossier/{LAND_DOSSIER}", 403),
        ("supervisor", {}, "/unit/10002", 200),
        ("supervisor", {}, "/admin/audit", 403),
        ("admin", {}, "/admin/audit", 200),
    ],
)
def test_a_page_link_outside_the_scope_is_refused_with_a_page_that_says_so(
    province: Engine,  # noqa: F811
    role: str,
    links: dict[str, object],
    path: str,
    status: int,
) -> None:
    client = signed_in_client(province, role, f"guard-{role}", **links)
    response = client.get(path)
    text = response.get_data(as_text=True)
    assert response.status_code == status
    if status == 403:
        assert "Không có quyền xem" in text and "Phường B" not in text and B_DOSSIER not in text
        with province.connect() as conn:
            denied = audit.entries(conn, action="access_denied")
        assert (
            denied and denied[0].actor == f"guard-{role}" and denied[0].detail["path"] == path.split("?")[0]
        )


def test_the_refusal_page_follows_the_language_switch(province: Engine) -> None:  # noqa: F811
    client = signed_in_client(province, "chair", "guard-en", unit_code="10001")
    client.set_cookie("lang", "en")
    response = client.get("/unit/10002")
    assert response.status_code == 403 and "Not allowed" in response.get_data(as_text=True)
    assert "another unit" in response.get_data(as_text=True)
