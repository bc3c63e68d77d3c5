"""Who sees what, role by role, through every page, callback, export and API route over HTTP.

Each role signs in through the login page of a real app on a real database (SQLite and
PostgreSQL). For every page the test renders the layout as the browser would (Dash's page
router), then calls **every callback of the app whose inputs that layout holds**, exports
included (the buttons are "clicked"), with the values the layout gave. Nothing is listed by
hand, so a callback added later is covered by the same rules:

- no answer is a server error;
- what a role must not see appears in no answer: another unit's name and dossiers for a
  chairperson and an official, a colleague's dossiers for an official, another sector's
  dossiers for a sector-limited supervisor (downloads are decoded, spreadsheets opened);
- the positive control: the roles that may see those things do see them somewhere, so the
  markers are real;
- the same callbacks, forged to name the other unit, are refused with 403.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import Engine, select, update

import dashboard.app  # noqa: F401 - the pages register against the app; the cache needs it
from queries import audit
from queries.models import Dossier, Procedure
from queries.sla import Clock
from tests.factories import add_dossier, add_official
from tests.login import signed_in_client

OTHER_UNIT = "Phường B"
B_DOSSIER = "HS-PHUONGB-01"  # open, in Phường B
COLLEAGUE_DOSSIER = "HS-DONGNGHIEP-01"  # open, in Xã A, held by CB-A2
LAND_DOSSIER = "HS-DATDAI-A-01"  # open, in Xã A, land sector, held by CB-A1


@dataclass(frozen=True)
class Role:
    name: str
    role: str
    links: dict[str, Any]
    unseen: tuple[str, ...]  # markers that must never reach this user
    seen: tuple[str, ...] = ()  # markers this user must meet somewhere (the positive control)
    bound_to_a: bool = False  # forged requests for Phường B must be refused


ALL_MARKERS = (OTHER_UNIT, B_DOSSIER, COLLEAGUE_DOSSIER, LAND_DOSSIER)
ROLES = [
    Role("admin", "admin", {}, unseen=(), seen=ALL_MARKERS),
    Role("supervisor", "supervisor", {}, unseen=(), seen=ALL_MARKERS),
    Role(
        "civil-status supervisor",
        "supervisor",
        {"sectors": ("HT",)},
        unseen=(LAND_DOSSIER,),
        seen=(COLLEAGUE_DOSSIER, B_DOSSIER),
    ),
    Role(
        "chairperson",
        "chair",
        {"unit_code": "10001"},
        unseen=(OTHER_UNIT, B_DOSSIER),
        seen=(COLLEAGUE_DOSSIER, LAND_DOSSIER),
        bound_to_a=True,
    ),
    Role(
        "official",
        "official",
        {"official_code": "CB-A1"},
        unseen=(OTHER_UNIT, B_DOSSIER, COLLEAGUE_DOSSIER),
        seen=(LAND_DOSSIER,),
        bound_to_a=True,
    ),
]

PAGES = [
    "/",
    "/?period=custom&from=2026-03-01&to=2026-03-31",
    "/unit/10001?period=custom&from=2026-03-01&to=2026-03-31",
    "/unit/10002",
    "/me",
    "/me?official=CB-A2",
    "/quality",
    "/quality?unit=10002",
    f"/dossier/{COLLEAGUE_DOSSIER}",
    f"/dossier/{B_DOSSIER}",
    f"/dossier/{LAND_DOSSIER}",
    "/alerts",
    "/admin/audit",
]
API = [
    "/api/v1/units",
    "/api/v1/units/kpis?from=2026-03-01&to=2026-03-31",
    "/api/v1/province/kpis",
    "/api/v1/units/10001/kpis",
    "/api/v1/units/10002/kpis",
    "/api/v1/units/10001/at-risk",
    "/api/v1/units/10002/at-risk",
]
#: Inputs a person would fire: export buttons are clicked, server-side grids ask for a page.
FIRED = {"n_clicks": 1, "getRowsRequest": {"startRow": 0, "endRow": 100}}
SKIPPED = ("cellClicked", "clickData")  # navigation only: they write the URL, which is covered


@pytest.fixture
def province(dashboard_db: Engine, two_communes: dict[str, int], clock: Clock) -> Engine:
    """two_communes plus a colleague in Xã A and one distinctive open dossier per marker."""
    ids = two_communes
    with dashboard_db.begin() as conn:
        colleague = add_official(conn, ids["a"], "CB-A2", name="Đỗ Thị Hoa")
        procedure = dict(conn.execute(select(Procedure.code, Procedure.id)).all())
        civil, land = procedure["1.004194"], procedure["DD.1"]
        for code, unit, sector, proc, handler in (
            (B_DOSSIER, ids["b"], ids["civil"], civil, None),
            (COLLEAGUE_DOSSIER, ids["a"], ids["civil"], civil, colleague),
            (LAND_DOSSIER, ids["a"], ids["land"], land, ids["handler"]),
        ):
            add_dossier(
                conn,
                clock,
                code=code,
                unit_id=unit,
                sector_id=sector,
                procedure_id=proc,
                received_at=datetime(2026, 3, 18, 9),
                time_value=3,
                handler_id=handler,
            )
        conn.execute(update(Dossier).where(Dossier.code == "A4").values(handler_id=colleague))
    return dashboard_db


@dataclass
class Seen:
    """Every answer one role got, for the positive control and the report."""

    texts: list[str] = field(default_factory=list)
    calls: int = 0


def callbacks() -> dict[str, dict[str, Any]]:

    return dashboard.app.app.callback_map


def components(layout: Any) -> Iterator[dict[str, Any]]:
    """Every component with an id in a layout as Dash serialises it."""
    if isinstance(layout, dict):
        props = layout.get("props")
        if isinstance(props, dict):
            if "id" in props:
                yield {"id": props["id"], **props}
            for value in props.values():
                yield from components(value)
        else:
            for value in layout.values():
                yield from components(value)
    elif isinstance(layout, list):
        for item in layout:
            yield from components(item)


def key(component_id: Any) -> str:
    return component_id if isinstance(component_id, str) else json.dumps(component_id, sort_keys=True)


def route(client: FlaskClient, path: str) -> tuple[int, Any, str]:
    pathname, _, search = path.partition("?")
    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": f"?{search}" if search else ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body)
    text = response.get_data(as_text=True)
    layout = (
        response.get_json()["response"]["_pages_content"]["children"] if response.status_code == 200 else None
    )
    return response.status_code, layout, text


def concrete(pattern: dict[str, Any], present: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The ids in the layout a MATCH/ALL pattern id stands for."""
    found = []
    for component in present.values():
        cid = component["id"]
        if isinstance(cid, dict) and cid.keys() == pattern.keys():
            if all(isinstance(v, list) or cid[k] == v for k, v in pattern.items()):
                found.append(cid)
    return found


def requests_for(layout: Any) -> Iterator[dict[str, Any]]:
    """A Dash request for each callback whose inputs and states are all in this layout."""
    present = {key(c["id"]): c for c in components(layout)}
    for output, spec in callbacks().items():
        if output.startswith(".._pages_content") or "callback" not in spec:
            continue  # the router (called by route()) and clientside callbacks (no server side)
        wanted = spec["inputs"] + spec.get("state", [])
        if any(item["property"] in SKIPPED for item in spec["inputs"]):
            continue
        # A pattern-matching callback: take the first concrete id its inputs name in the layout.
        pattern_ids = [json.loads(i["id"]) for i in wanted if i["id"].startswith("{")]
        match_value = None
        if pattern_ids:
            options = concrete(pattern_ids[0], present)
            if not options:
                continue
            match_value = next(v for k, v in options[0].items() if isinstance(pattern_ids[0][k], list))

        def resolve(raw: str, match_value: Any = match_value) -> Any:
            if not raw.startswith("{"):
                return raw
            pattern = json.loads(raw)
            return {k: (match_value if isinstance(v, list) else v) for k, v in pattern.items()}

        def entry(item: dict[str, str]) -> dict[str, Any] | None:
            cid = resolve(item["id"])
            component = present.get(key(cid))
            if component is None and item["id"] not in ("url",):
                return None
            value = FIRED.get(item["property"], (component or {}).get(item["property"]))
            return {"id": cid, "property": item["property"], "value": value}

        inputs = [entry(i) for i in spec["inputs"]]
        state = [entry(s) for s in spec.get("state", [])]
        if any(e is None for e in inputs + state):
            continue
        outputs = [{"id": resolve(o["id"]), "property": o["property"]} for o in _outputs(output, spec)]
        yield {
            "output": output,
            "outputs": outputs if len(outputs) > 1 or output.startswith("..") else outputs[0],
            "inputs": inputs,
            "changedPropIds": [f"{key(inputs[0]['id'])}.{inputs[0]['property']}"],
            "state": state,
        }


def _outputs(output: str, spec: dict[str, Any]) -> list[dict[str, str]]:
    """The outputs named by a callback map key: "a.b", "a.b@hash" or "..a.b...c.d.."."""
    parts = output.strip(".").split("...") if output.startswith("..") else [output.split("@")[0]]
    return [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]} for part in parts]


def readable(text: str) -> str:
    """An answer with its downloads decoded (CSV as text, spreadsheets as their cell values)."""
    try:
        payload = json.loads(text)
    except ValueError:
        return text
    parts = [text]
    for update_ in (payload.get("response") or {}).values():
        for value in update_.values():
            if isinstance(value, dict) and value.get("base64") and isinstance(value.get("content"), str):
                raw = base64.b64decode(value["content"])
                if zipfile.is_zipfile(io.BytesIO(raw)):
                    book = load_workbook(io.BytesIO(raw), read_only=True)
                    parts += [
                        str(cell)
                        for sheet in book
                        for row in sheet.iter_rows(values_only=True)
                        for cell in row
                    ]
                else:
                    parts.append(raw.decode("utf-8-sig", errors="replace"))
            elif isinstance(value, dict) and isinstance(value.get("content"), str):
                parts.append(value["content"])
    return "\n".join(parts)


def forged(request: dict[str, Any]) -> dict[str, Any] | None:
    """The same request with every unit in its values turned to Phường B (None: nothing to forge)."""
    text = json.dumps(request, ensure_ascii=False)
    changed = text.replace('"unit": "10001"', '"unit": "10002"').replace('"code": "10001"', '"code": "10002"')
    return json.loads(changed) if changed != text else None


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_each_role_sees_exactly_its_scope_through_every_page_callback_export_and_api_route(
    province: Engine, role: Role
) -> None:
    username = role.name.replace(" ", "-")
    client = signed_in_client(province, role.role, username, **role.links)
    seen = Seen()
    forged_refused = forged_tried = 0
    for path in PAGES:
        status, layout, text = route(client, path)
        assert status in (200, 403), f"{role.name} {path}: {status} {text[:300]}"
        seen.texts.append(text)
        if status != 200:
            continue
        for request in requests_for(layout):
            response = client.post("/_dash-update-component", json=request)
            seen.calls += 1
            answer = response.get_data(as_text=True)
            assert response.status_code in (200, 204, 403), (
                f"{role.name} {path} {request['output']}: {answer[:300]}"
            )
            seen.texts.append(readable(answer))
            forgery = forged(request) if role.bound_to_a else None
            if forgery is not None:
                forged_tried += 1
                again = client.post("/_dash-update-component", json=forgery)
                forged_refused += again.status_code == 403
                assert OTHER_UNIT not in readable(again.get_data(as_text=True))
    for path in API:
        response = client.get(path)
        assert response.status_code < 500, f"{role.name} {path}: {response.status_code}"
        seen.texts.append(response.get_data(as_text=True))
        if role.bound_to_a and "10002" in path:
            assert response.status_code == 403
    everything = "\n".join(seen.texts)
    leaks = [marker for marker in role.unseen if marker in everything]
    assert not leaks, f"{role.name} was shown {leaks}"
    missing = [marker for marker in role.seen if marker not in everything]
    assert not missing, f"{role.name} never saw {missing}: the markers or the walk are wrong"
    assert seen.calls >= 20, f"only {seen.calls} callbacks reached: the walk lost the layouts"
    with province.connect() as conn:  # every download the walk clicked is in the audit trail
        assert audit.count(conn, action="export", actor=username) >= 2
    if role.bound_to_a:
        assert forged_tried and forged_refused == forged_tried, (
            f"{forged_refused}/{forged_tried} forgeries refused"
        )
