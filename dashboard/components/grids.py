"""AG Grids with CSV and Excel export that give exactly the rows shown.

Grids use dict ids {"type": "grid", "id": NAME}; the export buttons beside them work for every
grid through pattern-matching callbacks. CSV comes from the grid in the browser; Excel is built
on the server from the grid's own rowData, so both agree with the page to the unit.
"""

from __future__ import annotations

import io
from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import MATCH, Input, Output, State, callback, dcc, html

from dashboard.access import record_export
from dashboard.i18n import current_lang, t

LOCALE_VI = {
    "noRowsToShow": "Không có dòng nào",
    "loadingOoo": "Đang tải…",
    "page": "Trang",
    "of": "của",
    "to": "đến",
    "more": "thêm",
    "next": "Tiếp",
    "last": "Cuối",
    "first": "Đầu",
    "previous": "Trước",
    "pageSizeSelectorLabel": "Số dòng:",
    "filterOoo": "Lọc…",
    "equals": "Bằng",
    "notEqual": "Khác",
    "contains": "Chứa",
    "notContains": "Không chứa",
    "startsWith": "Bắt đầu bằng",
    "endsWith": "Kết thúc bằng",
    "lessThan": "Nhỏ hơn",
    "greaterThan": "Lớn hơn",
    "inRange": "Trong khoảng",
    "andCondition": "VÀ",
    "orCondition": "HOẶC",
    "applyFilter": "Áp dụng",
    "resetFilter": "Đặt lại",
    "clearFilter": "Xóa",
    "blank": "Trống",
    "notBlank": "Không trống",
    "sortAscending": "Tăng dần",
    "sortDescending": "Giảm dần",
    "columns": "Cột",
    "pinColumn": "Ghim cột",
    "autosizeThisColumn": "Tự động độ rộng",
    "resetColumns": "Đặt lại cột",
}


def number_column(field: str, header: str, decimals: int = 0, **extra: Any) -> dict[str, Any]:
    """A right-aligned numeric column formatted in the reader's locale."""
    locale = "vi-VN" if current_lang() == "vi" else "en-US"
    formatter = (
        f"params.value == null ? '–' : Number(params.value).toLocaleString('{locale}', "
        f"{{minimumFractionDigits: {decimals}, maximumFractionDigits: {decimals}}})"
    )
    return {
        "field": field,
        "headerName": header,
        "type": "numericColumn",
        "filter": "agNumberColumnFilter",
        "valueFormatter": {"function": formatter},
        "useValueFormatterForExport": False,  # exports carry the plain number, not the locale text
        **extra,
    }


def make_grid(
    name: str,
    column_defs: list[dict[str, Any]],
    row_data: list[dict[str, Any]] | None = None,
    *,
    height: int = 420,
    export_name: str | None = None,
    **grid_props: Any,
) -> html.Div:
    short = row_data is not None and len(row_data) <= 15  # no empty band under a handful of rows
    grid = dag.AgGrid(
        id={"type": "grid", "id": name},
        columnDefs=column_defs,
        rowData=row_data or [],
        defaultColDef={"sortable": True, "resizable": True, "filter": True, "minWidth": 90},
        dashGridOptions={
            "localeText": LOCALE_VI if current_lang() == "vi" else {},
            "animateRows": False,
            "tooltipShowDelay": 300,
            **({"domLayout": "autoHeight"} if short else {}),
            **grid_props.pop("dashGridOptions", {}),
        },
        csvExportParams={"fileName": f"{export_name or name}.csv"},
        style={"width": "100%"} if short else {"height": f"{height}px", "width": "100%"},
        **grid_props,
    )
    buttons = html.Div(
        [
            dbc.Button(
                [html.I(className="bi bi-filetype-csv me-1"), t("export.csv")],
                id={"type": "grid-csv", "id": name},
                size="sm",
                color="secondary",
                outline=True,
                className="me-2",
            ),
            dbc.Button(
                [html.I(className="bi bi-file-earmark-excel me-1"), t("export.excel")],
                id={"type": "grid-xlsx", "id": name},
                size="sm",
                color="secondary",
                outline=True,
            ),
            dcc.Download(id={"type": "grid-download", "id": name}),
            dcc.Store(id={"type": "grid-export-name", "id": name}, data=export_name or name),
        ],
        className="d-flex justify-content-end mb-2",
    )
    return html.Div([buttons, grid])


@callback(
    Output({"type": "grid", "id": MATCH}, "exportDataAsCsv"),
    Input({"type": "grid-csv", "id": MATCH}, "n_clicks"),
    prevent_initial_call=True,
)
def export_csv(_clicks: int) -> bool:
    """The browser builds this CSV from the rows it holds; the click is still recorded."""
    record_export("grid.csv", {})
    return True


@callback(
    Output({"type": "grid-download", "id": MATCH}, "data"),
    Input({"type": "grid-xlsx", "id": MATCH}, "n_clicks"),
    State({"type": "grid", "id": MATCH}, "rowData"),
    State({"type": "grid", "id": MATCH}, "columnDefs"),
    State({"type": "grid-export-name", "id": MATCH}, "data"),
    prevent_initial_call=True,
)
def export_excel(_clicks: int, rows: list[dict[str, Any]], columns: list[dict[str, Any]], name: str) -> dict:
    record_export(f"{name}.xlsx", {"rows": len(rows or [])})
    return dcc.send_bytes(rows_to_xlsx(rows, columns), f"{name}.xlsx")


def rows_to_xlsx(rows: list[dict[str, Any]], columns: list[dict[str, Any]]) -> bytes:
    """An Excel sheet with the grid's columns, headed by their visible names."""
    fields = [c["field"] for c in columns if "field" in c and not c.get("hide")]
    headers = [c.get("headerName", c["field"]) for c in columns if "field" in c and not c.get("hide")]
    frame = pd.DataFrame([[row.get(f) for f in fields] for row in rows or []], columns=headers)
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, sheet_name="data")
    return buffer.getvalue()
