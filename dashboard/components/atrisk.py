"""The at-risk grid: open dossiers most urgent first, paged on the server, exported from the server.

A unit can hold tens of thousands of open dossiers, so the grid never receives them whole: AG
Grid's infinite row model asks for one block at a time (`getRowsRequest`), answered with one
page of `queries.atrisk.at_risk` and the total from `count_open` (`getRowsResponse`). For the
same reason its CSV and Excel files are built on the server from every row of the scope, with
the grid's own columns and the very values the grid shows (`at_risk_record`).

Ids are dicts {"type": "atrisk-…", "id": NAME}; one pair of pattern-matching callbacks serves
every page that places a grid. The scope is a dcc.Store: {"filters": Filters.query() or None,
"handler": official code or None}. That store is browser data, so every block and every export
is read again within the signed-in user's scope (`current_scope()`): a forged store naming
another unit or official gets OutOfScope (403), never its rows.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import MATCH, Input, Output, State, callback, dcc, html

from dashboard import fmt
from dashboard.access import current_scope, record_export
from dashboard.components.figures import STATE_COLOURS
from dashboard.components.grids import LOCALE_VI, number_column, rows_to_xlsx
from dashboard.i18n import current_lang, t
from dashboard.services import clock, engine, now
from dashboard.urlstate import page_filters
from queries import personal
from queries.atrisk import AtRiskRow, at_risk, count_open
from queries.domain import Step
from queries.filters import Filters
from queries.sla import END_OF_DAY

BLOCK = 50  # rows per server request, and per page shown
EXPORT_BATCH = 1000  # the most at_risk returns at once
#: A symbol beside each state's name, so the state never rests on colour alone.
STATE_SYMBOLS = {"overdue": "✖", "due_soon": "▲", "on_track": "●", "paused": "‖", "unclocked": "?"}
URGENT = {"overdue", "due_soon"}  # states in which a missing apology letter matters (domain.md 1.7)


def scope_of(filters: Filters | None = None, handler: str | None = None) -> dict[str, Any]:
    return {"filters": filters.query() if filters else None, "handler": handler}


def _filters(scope: dict[str, Any]) -> Filters | None:
    data = scope.get("filters")
    return page_filters(data)[0] if data is not None else None


def at_risk_columns(*, show_handler: bool = True) -> list[dict[str, Any]]:
    link = "params.data ? '[' + params.data.code + '](/dossier/' + params.data.code + ')' : ''"
    state_styles = [
        {
            "condition": f"params.data && params.data.state_code === '{state}'",
            "style": {"borderLeft": f"6px solid {colour}", "fontWeight": 600 if state in URGENT else 400},
        }
        for state, colour in STATE_COLOURS.items()
        if state in STATE_SYMBOLS
    ]
    symbols = ", ".join(f"{state}: '{symbol}'" for state, symbol in STATE_SYMBOLS.items())
    columns: list[dict[str, Any]] = [
        {
            "field": "code",
            "headerName": t("atrisk.col.code"),
            "cellRenderer": "markdown",
            "valueGetter": {"function": link},
            "pinned": "left",
            "width": 175,
        },
        {"field": "procedure", "headerName": t("atrisk.col.procedure"), "minWidth": 200, "flex": 1},
        {"field": "step", "headerName": t("atrisk.col.step"), "width": 115},
        {"field": "handler", "headerName": t("atrisk.col.handler"), "width": 160},
        {"field": "received", "headerName": t("atrisk.col.received"), "width": 112},
        {"field": "due", "headerName": t("atrisk.col.due"), "width": 112},
        number_column("remaining", t("atrisk.col.remaining"), 1, width=120, filter=False),
        {
            "field": "state",
            "headerName": t("atrisk.col.state"),
            "width": 150,
            "valueFormatter": {
                "function": f"params.data ? ({{{symbols}}})[params.data.state_code] + ' ' + params.value : ''"
            },
            "cellStyle": {"styleConditions": state_styles},
            "cellClassRules": {
                f"state-{state}": f"params.data && params.data.state_code === '{state}'"
                for state in STATE_SYMBOLS
                if state != "unclocked"
            },
        },
        {
            "field": "apology",
            "headerName": t("atrisk.col.apology"),
            "width": 125,
            "cellClassRules": {"state-overdue": "params.data && params.data.apology_missing"},
        },
    ]
    if not show_handler:
        columns = [c for c in columns if c["field"] != "handler"]
    return columns


def at_risk_record(row: AtRiskRow, lang: str) -> dict[str, Any]:
    """One grid row: every value as shown (dates in the reader's locale), plus the state code."""
    state = row.state or "unclocked"
    procedure = (row.procedure_name_en if lang == "en" else row.procedure_name) or row.procedure_code
    missing = not row.apology and state in URGENT
    if row.apology:
        apology = t("atrisk.apology.issued", lang)
    else:
        apology = t("atrisk.apology.missing", lang) if missing else ""
    return {
        "code": row.code,
        "procedure": procedure or "–",
        "step": t(f"atrisk.step.{row.step}", lang) if row.step in set(Step) else (row.step or ""),
        "handler": row.handler_name or t("atrisk.unassigned", lang),
        "received": fmt.day(row.received_at, lang),
        "due": _due_text(row.due_at, lang),
        "remaining": None if row.remaining_days is None else round(row.remaining_days, 1),
        "state": t(f"atrisk.state.{state}", lang),
        "state_code": state,
        "apology": apology,
        "apology_missing": missing,
    }


def _due_text(due: datetime | None, lang: str) -> str:
    if due is not None and due.time() == END_OF_DAY:
        return fmt.day(due, lang)  # a day-level deadline: due until the end of that day
    return fmt.moment(due, lang)


def rows_for(scope: dict[str, Any], start: int, end: int, lang: str) -> tuple[list[dict[str, Any]], int]:
    """Rows start..end-1 of the scope, most urgent first, and how many there are in all."""
    filters, handler, allowed = _filters(scope), scope.get("handler"), current_scope()
    with engine().connect() as conn:
        total = count_open(conn, filters, scope=allowed, handler_code=handler)
        rows = (
            at_risk(
                conn,
                clock(),
                scope=allowed,
                now=now(),
                filters=filters,
                handler_code=handler,
                offset=start,
                limit=min(end - start, EXPORT_BATCH),
            )
            if end > start and start < total
            else []
        )
    return [at_risk_record(row, lang) for row in rows], total


def all_rows(scope: dict[str, Any], lang: str) -> Iterator[dict[str, Any]]:
    """Every row of the scope, in the grid's order, fetched in batches on one connection; each
    with its applicant (name and phone), masked unless the reader may see that dossier's whole
    (queries/personal.py): the exports carry the column, the grid does not."""
    filters, handler, allowed = _filters(scope), scope.get("handler"), current_scope()
    moment, the_clock = now(), clock()
    with engine().connect() as conn:
        offset = 0
        while True:
            batch = at_risk(
                conn,
                the_clock,
                scope=allowed,
                now=moment,
                filters=filters,
                handler_code=handler,
                offset=offset,
                limit=EXPORT_BATCH,
            )
            people = personal.applicants_by_code(conn, allowed, [row.code for row in batch])
            for row in batch:
                found = people.get(row.code)
                yield {**at_risk_record(row, lang), "applicant": found.summary() if found else ""}
            if len(batch) < EXPORT_BATCH:
                return
            offset += EXPORT_BATCH


def make_at_risk_grid(
    name: str, scope: dict[str, Any], *, export_name: str, show_handler: bool = True, height: int = 520
) -> html.Div:
    """The grid with its server-side CSV/Excel buttons; rows arrive through `serve_rows`."""

    def button(kind: str, icon: str, label: str) -> dbc.Button:
        return dbc.Button(
            [html.I(className=f"bi {icon} me-1"), label],
            id={"type": f"atrisk-{kind}", "id": name},
            size="sm",
            color="secondary",
            outline=True,
            className="ms-2",
        )

    toolbar = html.Div(
        [
            html.Span(t("atrisk.export.note"), className="small text-muted me-auto"),
            button("csv", "bi-filetype-csv", t("export.csv")),
            button("xlsx", "bi-file-earmark-excel", t("export.excel")),
            dcc.Loading(
                [
                    dcc.Download(id={"type": "atrisk-download-csv", "id": name}),
                    dcc.Download(id={"type": "atrisk-download-xlsx", "id": name}),
                ],
                type="circle",
            ),
            dcc.Store(id={"type": "atrisk-scope", "id": name}, data=scope),
            dcc.Store(id={"type": "atrisk-export-name", "id": name}, data=export_name),
        ],
        className="d-flex align-items-center mb-2",
    )
    grid = dag.AgGrid(
        id={"type": "atrisk-grid", "id": name},
        columnDefs=at_risk_columns(show_handler=show_handler),
        rowModelType="infinite",
        # Order is the server's (most urgent first) and rows arrive page by page: no client sort/filter.
        defaultColDef={
            "sortable": False,
            "filter": False,
            "resizable": True,
            "minWidth": 90,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        dashGridOptions={
            "localeText": LOCALE_VI if current_lang() == "vi" else {},
            "pagination": True,
            "paginationPageSize": BLOCK,
            "paginationPageSizeSelector": False,
            "cacheBlockSize": BLOCK,
            "maxBlocksInCache": 20,
            "infiniteInitialRowCount": 1,
            "rowBuffer": 0,
            "animateRows": False,
        },
        getRowId="params.data.code",
        style={"height": f"{height}px", "width": "100%"},
    )
    return html.Div([toolbar, grid])


@callback(
    Output({"type": "atrisk-grid", "id": MATCH}, "getRowsResponse"),
    Input({"type": "atrisk-grid", "id": MATCH}, "getRowsRequest"),
    State({"type": "atrisk-scope", "id": MATCH}, "data"),
    prevent_initial_call=True,
)
def serve_rows(request: dict[str, Any] | None, scope: dict[str, Any]) -> dict[str, Any]:
    """One block of rows for the grid, and the total so it can size its pages."""
    request = request or {}
    start = max(0, int(request.get("startRow") or 0))
    end = max(start, int(request.get("endRow") or start + BLOCK))
    rows, total = rows_for(scope, start, end, current_lang())
    return {"rowData": rows, "rowCount": total}


@callback(
    Output({"type": "atrisk-download-csv", "id": MATCH}, "data"),
    Input({"type": "atrisk-csv", "id": MATCH}, "n_clicks"),
    State({"type": "atrisk-scope", "id": MATCH}, "data"),
    State({"type": "atrisk-grid", "id": MATCH}, "columnDefs"),
    State({"type": "atrisk-export-name", "id": MATCH}, "data"),
    prevent_initial_call=True,
)
def export_csv(_clicks: int, scope: dict[str, Any], columns: list[dict[str, Any]], name: str) -> dict:
    columns, rows = export_columns(columns), list(all_rows(scope, current_lang()))
    record_export(f"{name}.csv", {"filters": scope, "rows": len(rows)})
    return dcc.send_bytes(rows_to_csv(rows, columns), f"{name}.csv")


@callback(
    Output({"type": "atrisk-download-xlsx", "id": MATCH}, "data"),
    Input({"type": "atrisk-xlsx", "id": MATCH}, "n_clicks"),
    State({"type": "atrisk-scope", "id": MATCH}, "data"),
    State({"type": "atrisk-grid", "id": MATCH}, "columnDefs"),
    State({"type": "atrisk-export-name", "id": MATCH}, "data"),
    prevent_initial_call=True,
)
def export_xlsx(_clicks: int, scope: dict[str, Any], columns: list[dict[str, Any]], name: str) -> dict:
    columns, rows = export_columns(columns), list(all_rows(scope, current_lang()))
    record_export(f"{name}.xlsx", {"filters": scope, "rows": len(rows)})
    return dcc.send_bytes(rows_to_xlsx(rows, columns), f"{name}.xlsx")


def export_columns(columns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The grid's columns and, after the dossier's code, its applicant (exports only)."""
    shown = [c for c in columns if c.get("field") != "applicant"]
    at = next((i + 1 for i, c in enumerate(shown) if c.get("field") == "code"), 0)
    return [*shown[:at], {"field": "applicant", "headerName": t("atrisk.col.applicant")}, *shown[at:]]


def rows_to_csv(rows: list[dict[str, Any]], columns: list[dict[str, Any]]) -> bytes:
    """CSV with the grid's visible columns and headers; UTF-8 with a BOM so Excel reads Vietnamese."""
    shown = [c for c in columns if "field" in c and not c.get("hide")]
    frame = pd.DataFrame(
        [[row.get(c["field"]) for c in shown] for row in rows],
        columns=[c.get("headerName", c["field"]) for c in shown],
    )
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8-sig")
