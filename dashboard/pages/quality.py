"""Data quality (`/quality`): what would make the figures wrong or hurt the national index.

A units x checks grid of counts (with exports), a selector of the check, and the dossiers behind
the chosen check and unit. The lists can be long (a year of undigitized results), so the grid
uses AG Grid's infinite row model: the browser asks for blocks of rows (`getRowsRequest`) and the
server answers one page at a time (`getRowsResponse`), sorted in SQL. Downloads are built on the
server from the same query, so they hold the whole list, not only the rows loaded so far.
The checks and their period rules are in queries/quality.py. Counts and lists are read within
the signed-in user's scope (an official's list holds only the dossiers they hold), and the
list's unit choice is browser data, checked again on every request.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from dashboard import fmt
from dashboard.access import current_scope, record_export
from dashboard.components.filterbar import make_filter_bar
from dashboard.components.grids import LOCALE_VI, make_grid, number_column, rows_to_xlsx
from dashboard.i18n import TEXT, current_lang, t
from dashboard.services import engine, now
from dashboard.urlstate import page_filters
from queries import catalog
from queries.quality import (
    CHECKS,
    PERIOD_BY,
    QualityRow,
    count_failing,
    failing_dossiers,
    quality_by_unit,
)
from queries.quality import SORTABLE as SORTABLE_COLUMNS
from queries.sla import END_OF_DAY

dash.register_page(__name__, path="/quality", name="Chất lượng dữ liệu", title="Chất lượng dữ liệu")

BLOCK = 100  # rows per infinite-model block
MAX_BLOCK = 1000  # never answer more rows than this per request, whatever the browser asks
EXPORT_LIMIT = 100_000  # a download beyond this many rows would take minutes to build
LIST_FIELDS = (
    "code",
    "unit",
    "procedure",
    "status",
    "channel",
    "received_at",
    "statutory_due_at",
    "appointment_due_at",
    "due_at",
    "finished_at",
    "supplement_count",
)
SORTABLE = frozenset(SORTABLE_COLUMNS)  # the grid's column ids the server knows how to sort by


def layout(**query: str) -> html.Div:
    filters, error = page_filters(query)
    check, check_error = _check_from(query.get("check"))
    scope = current_scope()
    with engine().connect() as conn:
        units = catalog.units(conn, scope=scope)
        sectors, procedures = catalog.sectors(conn, scope=scope), catalog.procedures(conn, scope=scope)
    lang = current_lang()
    return html.Div(
        [
            dcc.Store(id="quality-filters", data=filters.query()),
            dcc.Store(id="quality-check-from-link", data=bool(query.get("check"))),
            dcc.Store(id="quality-totals"),
            html.H1(t("quality.title"), className="h3 mb-1"),
            html.P(
                t("period.label", start=fmt.day(filters.start), end=fmt.day(filters.end)),
                className="text-muted",
            ),
            dbc.Alert([html.Strong(error), " ", t("filter.error.hint")], color="warning", id="filter-error")
            if error
            else None,
            dbc.Alert(check_error, color="warning", id="quality-check-error") if check_error else None,
            make_filter_bar(filters, units=units, sectors=sectors, procedures=procedures),
            html.P(t("quality.intro"), className="mb-1"),
            html.P(t("quality.unit_note"), className="small text-muted"),
            html.H2(t("quality.summary"), className="h5 mt-3"),
            html.P(t("quality.summary.hint"), className="small text-muted mb-1"),
            dcc.Loading(html.Div(id="quality-summary-holder"), type="dot"),
            html.H2(t("quality.list"), className="h5 mt-3"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dbc.Label(t("quality.check"), className="small text-muted mb-0"),
                            dbc.Select(
                                id="quality-check",
                                options=[{"label": t(f"quality.check.{c}"), "value": c} for c in CHECKS],
                                value=check,
                            ),
                        ],
                        md=5,
                    ),
                    dbc.Col(
                        [
                            dbc.Label(t("quality.list.unit"), className="small text-muted mb-0"),
                            dcc.Dropdown(
                                id="quality-unit",
                                options=[{"label": u.name(lang), "value": u.code} for u in units],
                                value=filters.unit,
                                disabled=filters.unit is not None,  # the filter bar already chose it
                                placeholder=t("quality.list.all_units"),
                            ),
                        ],
                        md=4,
                    ),
                    dbc.Col(
                        html.Div(
                            [
                                dbc.Button(
                                    [html.I(className="bi bi-filetype-csv me-1"), t("export.csv")],
                                    id="quality-export-csv",
                                    size="sm",
                                    color="secondary",
                                    outline=True,
                                    className="me-2",
                                ),
                                dbc.Button(
                                    [html.I(className="bi bi-file-earmark-excel me-1"), t("export.excel")],
                                    id="quality-export-xlsx",
                                    size="sm",
                                    color="secondary",
                                    outline=True,
                                ),
                                dcc.Loading(dcc.Download(id="quality-download"), type="circle"),
                            ],
                            className="d-flex justify-content-end align-items-end h-100",
                        ),
                        md=3,
                    ),
                ],
                className="g-2 mb-2",
            ),
            html.Div(id="quality-why", className="small mb-2"),
            dcc.Loading(html.Div(id="quality-count", className="mb-1"), type="dot"),
            dag.AgGrid(
                id="quality-list",
                rowModelType="infinite",
                columnDefs=list_columns(),
                defaultColDef={"sortable": False, "resizable": True, "filter": False, "minWidth": 90},
                dashGridOptions={
                    "localeText": LOCALE_VI if lang == "vi" else {},
                    "cacheBlockSize": BLOCK,
                    "maxBlocksInCache": 20,
                    "infiniteInitialRowCount": 1,
                    "animateRows": False,
                },
                style={"height": "520px", "width": "100%"},
            ),
            dcc.Store(id="quality-list-reset"),
        ]
    )


def _check_from(value: str | None) -> tuple[str, str | None]:
    """The check named in the link, or the first one with a message when the name is unknown."""
    if not value or value in CHECKS:
        return value or CHECKS[0], None
    label = t(f"quality.check.{CHECKS[0]}")
    return CHECKS[0], t("quality.check.bad", value=value[:64], label=label)


def _check(value: str | None) -> str:
    return value if value in CHECKS else CHECKS[0]


# --- summary ---------------------------------------------------------------------------------------
@callback(
    Output("quality-summary-holder", "children"),
    Output("quality-check", "options"),
    Output("quality-totals", "data"),
    Input("quality-filters", "data"),
)
def show_summary(data: dict[str, str]) -> tuple[Any, list[dict[str, str]], dict[str, int]]:
    filters, _error = page_filters(data)
    with engine().connect() as conn:
        table = quality_by_unit(conn, filters, scope=current_scope(), now=now())
    lang = current_lang()
    totals = {check: sum(row.count(check) for row in table) for check in CHECKS}
    options = [
        {
            "label": t(
                "quality.check.count", label=t(f"quality.check.{check}"), count=fmt.number(totals[check])
            ),
            "value": check,
        }
        for check in CHECKS
    ]
    if not table:
        empty = html.P(t("quality.summary.empty"), className="text-muted fst-italic", id="quality-empty")
        return empty, options, totals
    rows = [
        {
            "code": row.unit_code,
            "name": row.unit_name_en if lang == "en" else row.unit_name_vi,
            **{check: row.count(check) for check in CHECKS},
            "any_check": row.any_check,
        }
        for row in table
    ]
    columns = [
        {"field": "name", "headerName": t("col.unit"), "pinned": "left", "minWidth": 180},
        {"field": "code", "headerName": t("col.code"), "width": 90},
        *[
            number_column(
                check,
                t(f"quality.check.{check}"),
                width=150,
                cellClassRules={"link-cell": "params.value > 0"},
                wrapHeaderText=True,
                autoHeaderHeight=True,
            )
            for check in CHECKS
        ],
        number_column(
            "any_check", t("quality.col.any"), width=150, wrapHeaderText=True, autoHeaderHeight=True
        ),
    ]
    grid = make_grid(
        "quality-summary",
        columns,
        rows,
        height=min(460, 110 + 42 * len(rows)),
        export_name=t("quality.export.name"),
        getRowId="params.data.code",
    )
    return grid, options, totals


@callback(
    Output("quality-check", "value", allow_duplicate=True),
    Input("quality-totals", "data"),
    State("quality-check-from-link", "data"),
    State("quality-check", "value"),
    prevent_initial_call=True,
)
def first_failing_check(totals: dict[str, int] | None, from_link: bool, current: str | None) -> Any:
    """Without a check in the link, open on the first check that some dossier fails."""
    if from_link or not totals or totals.get(current or ""):
        return no_update
    return next((check for check in CHECKS if totals.get(check)), no_update)


@callback(
    Output("quality-check", "value"),
    Output("quality-unit", "value"),
    Input({"type": "grid", "id": "quality-summary"}, "cellClicked"),
    State("quality-filters", "data"),
    prevent_initial_call=True,
)
def select_from_summary(cell: dict[str, Any] | None, data: dict[str, str]) -> tuple[Any, Any]:
    """A click on a count lists its dossiers: the column is the check, the row the unit."""
    if not cell or not cell.get("rowId"):
        return no_update, no_update
    filters, _error = page_filters(data)
    unit = filters.unit or cell["rowId"]
    check = cell.get("colId")
    return (check if check in CHECKS else no_update), unit


@callback(Output("quality-why", "children"), Input("quality-check", "value"))
def describe_check(check: str | None) -> list[Any]:
    check = _check(check)
    return [
        html.Strong(t(f"quality.check.{check}") + ". "),
        t(f"quality.why.{check}"),
        " ",
        html.Span(t(f"quality.period_by.{PERIOD_BY[check]}"), className="text-muted"),
    ]


# --- the list ----------------------------------------------------------------------------------------
def list_columns() -> list[dict[str, Any]]:
    def text(name: str, width: int, **extra: Any) -> dict[str, Any]:
        return {
            "field": name,
            "headerName": t(f"quality.col.{name}"),
            "width": width,
            "sortable": name in SORTABLE,
            **extra,
        }

    return [
        # The code column shows the markdown link; sorting asks the server for "code".
        text("code", 210, field="link", colId="code", cellRenderer="markdown", pinned="left"),
        text("unit", 160),
        text("procedure", 220, tooltipField="procedure"),
        text("status", 170),
        text("channel", 120),
        text("received_at", 155),
        text("statutory_due_at", 120),
        text("appointment_due_at", 120),
        text("due_at", 120),
        text("finished_at", 155),
        number_column(
            "supplement_count", t("quality.col.supplement_count"), width=120, sortable=True, filter=False
        ),
    ]


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>])")


def _due(value: Any, lang: str) -> str:
    """A day-level due (stored as the end of the day) shows as a date, an hour-level one with its time."""
    if value is not None and value.time() == END_OF_DAY:
        return fmt.day(value, lang)
    return fmt.moment(value, lang)


def _link(code: str) -> str:
    """A markdown link to the dossier page, the code escaped so that no character formats it."""
    text = MARKDOWN_SPECIAL.sub(r"\\\1", code)
    return f"[{text}](/dossier/{quote(code, safe='')})"


def list_row(row: QualityRow, lang: str) -> dict[str, Any]:
    """One grid row; dates formatted in the reader's locale (sorting happens in SQL, not here)."""
    status_key, channel_key = f"dossier.status.{row.status}", f"channel.{row.channel}"
    procedure = row.procedure_name_en if lang == "en" else row.procedure_name_vi
    return {
        "code": row.code,
        "link": _link(row.code),
        "unit": row.unit_name_en if lang == "en" else row.unit_name_vi,
        "procedure": f"{procedure} ({row.procedure_code})" if procedure else "–",
        "status": t(status_key, lang) if status_key in TEXT else row.status,
        "channel": t(channel_key, lang) if channel_key in TEXT else row.channel,
        "received_at": fmt.moment(row.received_at, lang),
        "statutory_due_at": _due(row.statutory_due_at, lang),
        "appointment_due_at": _due(row.appointment_due_at, lang),
        "due_at": _due(row.due_at, lang),
        "finished_at": fmt.moment(row.finished_at, lang),
        "supplement_count": row.supplement_count,
    }


def _sort(request: dict[str, Any]) -> list[tuple[str, bool]]:
    return [
        (item["colId"], item.get("sort") == "desc")
        for item in request.get("sortModel") or []
        if item.get("colId") in SORTABLE
    ]


@callback(
    Output("quality-list", "getRowsResponse"),
    Input("quality-list", "getRowsRequest"),
    State("quality-check", "value"),
    State("quality-unit", "value"),
    State("quality-filters", "data"),
    prevent_initial_call=True,
)
def list_rows(
    request: dict[str, Any] | None, check: str | None, unit: str | None, data: dict[str, str]
) -> dict[str, Any]:
    """One block of the list for the infinite row model: the rows asked for and the total count."""
    if not request:
        return no_update
    filters, _error = page_filters(data)
    start = max(0, int(request.get("startRow") or 0))
    end = max(start + 1, int(request.get("endRow") or start + BLOCK))
    lang, moment, check, scope = current_lang(), now(), _check(check), current_scope()
    with engine().connect() as conn:
        total = count_failing(conn, filters, scope=scope, check=check, now=moment, unit_code=unit or None)
        rows = failing_dossiers(
            conn,
            filters,
            scope=scope,
            check=check,
            now=moment,
            unit_code=unit or None,
            sort=_sort(request),
            offset=start,
            limit=min(end - start, MAX_BLOCK),
        )
    return {"rowData": [list_row(row, lang) for row in rows], "rowCount": total}


# A new check or unit empties the grid's block cache, so it asks the server for the first block again.
clientside_callback(
    """
    async function (check, unit) {
        const api = await dash_ag_grid.getApiAsync("quality-list");
        api.purgeInfiniteCache();
        api.ensureIndexVisible(0, "top");
        return Date.now();
    }
    """,
    Output("quality-list-reset", "data"),
    Input("quality-check", "value"),
    Input("quality-unit", "value"),
    prevent_initial_call=True,
)


@callback(
    Output("quality-count", "children"),
    Input("quality-check", "value"),
    Input("quality-unit", "value"),
    Input("quality-filters", "data"),
)
def show_count(check: str | None, unit: str | None, data: dict[str, str]) -> Any:
    filters, _error = page_filters(data)
    check = _check(check)
    with engine().connect() as conn:
        total = count_failing(
            conn, filters, scope=current_scope(), check=check, now=now(), unit_code=unit or None
        )
    if total == 0:
        return html.P(
            t("quality.list.empty", label=t(f"quality.check.{check}")),
            className="text-muted fst-italic mb-0",
            id="quality-list-empty",
        )
    parts: list[Any] = [
        html.Strong(t("quality.list.count", count=fmt.number(total)), id="quality-list-total"),
        " · ",
        html.Span(t("quality.list.hint"), className="small text-muted"),
    ]
    if total > EXPORT_LIMIT:
        parts += [
            html.Br(),
            html.Span(t("quality.list.capped", limit=fmt.number(EXPORT_LIMIT)), className="small"),
        ]
    return html.Div(parts)


def export_rows(check: str, unit: str | None, data: dict[str, str], lang: str) -> list[dict[str, Any]]:
    """The rows a download holds: the list in its default order, up to EXPORT_LIMIT."""
    filters, _error = page_filters(data)
    with engine().connect() as conn:
        rows = failing_dossiers(
            conn,
            filters,
            scope=current_scope(),
            check=_check(check),
            now=now(),
            unit_code=unit or None,
            limit=EXPORT_LIMIT,
        )
    return [list_row(row, lang) for row in rows]


def export_columns() -> list[dict[str, str]]:
    return [{"field": field, "headerName": t(f"quality.col.{field}")} for field in LIST_FIELDS]


@callback(
    Output("quality-download", "data"),
    Input("quality-export-csv", "n_clicks"),
    Input("quality-export-xlsx", "n_clicks"),
    State("quality-check", "value"),
    State("quality-unit", "value"),
    State("quality-filters", "data"),
    prevent_initial_call=True,
)
def export_list(
    _csv: int | None, _xlsx: int | None, check: str | None, unit: str | None, data: dict[str, str]
) -> dict[str, Any]:
    kind = "xlsx" if ctx.triggered_id == "quality-export-xlsx" else "csv"
    return build_export(kind, check, unit, data)


def build_export(kind: str, check: str | None, unit: str | None, data: dict[str, str]) -> dict[str, Any]:
    """The list as a CSV or Excel download, with the grid's column names."""
    lang, check = current_lang(), _check(check)
    rows, columns = export_rows(check, unit, data, lang), export_columns()
    name = f"{t('quality.export.name')}-{check}" + (f"-{unit}" if unit else "")
    record_export(f"{name}.{kind}", {"filters": data, "check": check, "unit": unit, "rows": len(rows)})
    if kind == "xlsx":
        return dcc.send_bytes(rows_to_xlsx(rows, columns), f"{name}.xlsx")
    frame = pd.DataFrame(
        [[row[c["field"]] for c in columns] for row in rows], columns=[c["headerName"] for c in columns]
    )
    # A byte-order mark makes Excel read the Vietnamese text as UTF-8.
    return dcc.send_bytes(frame.to_csv(index=False).encode("utf-8-sig"), f"{name}.csv")
