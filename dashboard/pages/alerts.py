"""The alert log (`/alerts`): who was told what, when, through which channel, and who answered.

An audit record a province can show in an inspection, so the page lists every alert, failed and
cancelled ones included, and a click on a row shows the message as sent (its acknowledgement
link hidden) and every delivery attempt with the channel's answer. Filters are the period (by
when the alert was raised), the unit and the delivery state, all in the URL like every page's;
`?official=CODE` narrows the log to one recipient (the official's page links here).

The log of a busy province runs to tens of thousands of rows a month, so the grid uses AG
Grid's infinite row model (blocks served and sorted in SQL, queries/alert_log.py), and the CSV
and Excel files are built on the server from the same query.

The log a reader sees is the one their scope covers (queries/alert_log.py): a chairperson's
unit, an official's own alerts, a limited supervisor's sectors. The page's store and a clicked
row id are browser data, so each callback asks again with `current_scope()`; an alert, unit or
official outside the scope gets 403.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from sqlalchemy import Connection

from dashboard import fmt
from dashboard.access import current_scope, record_export
from dashboard.components.alertlist import (
    ALERT_COLOURS,
    ALERT_SYMBOLS,
    acknowledged_by_text,
    acknowledgement_text,
    deadline_text,
    dossier_href,
    error_text,
    level_text,
    reason_text,
    recipient_text,
    redact_ack_links,
    rule_text,
    state_code,
    state_text,
    subject_text,
)
from dashboard.components.filterbar import make_filter_bar
from dashboard.components.grids import LOCALE_VI, number_column, rows_to_xlsx
from dashboard.i18n import current_lang, t
from dashboard.services import engine, today
from dashboard.urlstate import page_filters
from queries import catalog
from queries.alert_log import SORTABLE as SORTABLE_COLUMNS
from queries.alert_log import (
    STATE_FILTERS,
    AlertEntry,
    LogQuery,
    alert_attempts,
    alert_entry,
    alert_log,
    alert_message,
    count_alerts,
    counts_by_state,
    official_name,
)
from queries.scope import Scope

dash.register_page(
    __name__, path="/alerts", name="Nhật ký cảnh báo", title="Nhật ký cảnh báo · Giám sát một cửa"
)

BLOCK = 100  # rows per infinite-model block
MAX_BLOCK = 1000  # never answer more rows than this per request, whatever the browser asks
EXPORT_LIMIT = 100_000  # a download beyond this many rows would take minutes to build
GRID_HEIGHT, GRID_HEADER, GRID_ROW = 480, 52, 42  # pixels: the grid grows with its rows up to this
RECENT_DAYS = 7  # "failed in the last 7 days" under the summary
SORTABLE = frozenset(SORTABLE_COLUMNS)
EXPORT_FIELDS = (
    "id",
    "created_at",
    "rule",
    "subject",
    "unit",
    "recipient",
    "level",
    "reason",
    "deadline",
    "state",
    "sent_at",
    "channels",
    "attempts",
    "last_error",
    "acknowledged_at",
    "acknowledged_by",
    "snoozed_until",
)


# --- the page ----------------------------------------------------------------------------------------
def layout(**query: str) -> html.Div:
    filters, error = page_filters(query)
    state, state_error = _state_from(query.get("state"))
    allowed = current_scope()
    with engine().connect() as conn:
        units = catalog.units(conn, scope=allowed)
        official, official_label, official_error = _official_from(conn, query.get("official"), allowed)
    lang = current_lang()
    scope = {"filters": filters.query(), "state": state, "official": official}
    errors = [message for message in (error, state_error, official_error) if message]
    state_control = dbc.Col(
        [
            dbc.Label(t("alerts.filter.state"), html_for="alerts-state", className="small text-muted mb-0"),
            dbc.Select(
                id="alerts-state",
                options=[{"label": t("filter.all"), "value": "all"}]
                + [{"label": state_text(s), "value": s} for s in STATE_FILTERS],
                value=state or "all",
            ),
        ],
        md=2,
    )
    return html.Div(
        [
            dcc.Store(id="alerts-scope", data=scope),
            html.H1(t("alerts.title"), className="h3 mb-1"),
            html.P(
                t("period.label", start=fmt.day(filters.start), end=fmt.day(filters.end)),
                className="text-muted mb-1",
            ),
            html.P(t("alerts.intro"), className="small text-muted"),
            dbc.Alert(
                [html.Strong(" ".join(errors)), " ", t("filter.error.hint")],
                color="warning",
                id="filter-error",
            )
            if errors
            else None,
            make_filter_bar(
                filters, units=units, sectors=[], procedures=[], dossier_filters=False, extra=[state_control]
            ),
            dbc.Alert(
                [
                    t("alerts.filter.official", name=official_label, code=official),
                    " ",
                    dcc.Link(t("alerts.filter.official.clear"), href=_href(scope, official=None)),
                ],
                color="info",
                className="py-2",
                id="alerts-official",
            )
            if official
            else None,
            html.H2(t("alerts.summary"), className="h5 mt-2"),
            dcc.Loading(html.Div(id="alerts-summary"), type="dot"),
            dbc.Row(
                [
                    dbc.Col(html.H2(t("alerts.list"), className="h5 mb-0"), className="align-self-end"),
                    dbc.Col(
                        html.Div(
                            [
                                dbc.Button(
                                    [html.I(className="bi bi-filetype-csv me-1"), t("export.csv")],
                                    id="alerts-export-csv",
                                    size="sm",
                                    color="secondary",
                                    outline=True,
                                    className="me-2",
                                ),
                                dbc.Button(
                                    [html.I(className="bi bi-file-earmark-excel me-1"), t("export.excel")],
                                    id="alerts-export-xlsx",
                                    size="sm",
                                    color="secondary",
                                    outline=True,
                                ),
                                dcc.Loading(dcc.Download(id="alerts-download"), type="circle"),
                            ],
                            className="d-flex justify-content-end",
                        ),
                        width="auto",
                    ),
                ],
                className="mt-3 mb-1",
            ),
            dcc.Loading(html.Div(id="alerts-count", className="mb-1"), type="dot"),
            dag.AgGrid(
                id="alerts-list",
                rowModelType="infinite",
                columnDefs=list_columns(),
                defaultColDef={"sortable": False, "resizable": True, "filter": False, "minWidth": 80},
                dashGridOptions={
                    "localeText": LOCALE_VI if lang == "vi" else {},
                    "cacheBlockSize": BLOCK,
                    "maxBlocksInCache": 20,
                    "infiniteInitialRowCount": 1,
                    "animateRows": False,
                    "tooltipShowDelay": 300,
                    "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True},
                },
                getRowId="params.data.id",
                rowClassRules={"problem-row": "params.data && params.data.state_code === 'failed'"},
                style={"height": f"{GRID_HEIGHT}px", "width": "100%"},
            ),
            html.Div(
                html.P(t("alerts.detail.hint"), className="small text-muted fst-italic mb-0"),
                id="alerts-detail",
                className="mt-3",
            ),
        ]
    )


def _state_from(value: str | None) -> tuple[str | None, str | None]:
    """The state filter of the link, or none with the filters' usual message when it is unknown."""
    if not value or value == "all":
        return None, None
    if value in STATE_FILTERS:
        return value, None
    reason = t("alerts.filter.error.state", values=", ".join(STATE_FILTERS))
    return None, f"{t('filter.error')}: state = “{value[:64]}” {reason}."


def _official_from(conn: Connection, value: str | None, allowed: Scope) -> tuple[str | None, str, str | None]:
    """The official of `?official=`: (code, name, None), or (None, "", message) when unknown;
    OutOfScope (403) for an official outside the scope."""
    code = (value or "").strip()
    if not code:
        return None, "", None
    name = official_name(conn, code, scope=allowed) if len(code) <= 64 else None
    if name is None:
        reason = t("alerts.filter.error.official")
        return None, "", f"{t('filter.error')}: official = “{code[:64]}” {reason}."
    return code, name, None


def _href(scope: dict[str, Any], **changes: str | None) -> str:
    """A link to this page for `scope` with some keys changed (None drops a key)."""
    values = dict(scope["filters"])
    for key in ("state", "official"):
        if scope.get(key):
            values[key] = scope[key]
    for key, value in changes.items():
        values.pop(key, None)
        if value:
            values[key] = value
    return "/alerts?" + urlencode(values)


def log_query(scope: dict[str, Any]) -> LogQuery:
    """The query of the page's scope; filters are parsed again (a stored scope is browser data)."""
    filters, _error = page_filters(scope.get("filters") or {})
    state = scope.get("state")
    return LogQuery(
        start=filters.start,
        end=filters.end,
        unit_code=filters.unit,
        state=state if state in STATE_FILTERS else None,
        official_code=scope.get("official") or None,
    )


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("alerts-state", "value"),
    State("url", "search"),
    prevent_initial_call=True,
)
def state_to_url(state: str | None, current: str | None) -> str:
    """The state filter lives in the URL like the others, so a link shows the same view.

    Dash also fires this when the page inserts the select; its value then mirrors the link (or
    "all" when the link's state was not usable), so nothing is written and the link's message
    stays on screen until the reader changes the filter.
    """
    values = [(k, v) for k, v in parse_qsl((current or "").lstrip("?")) if k != "state"]
    linked = dict(parse_qsl((current or "").lstrip("?"))).get("state")
    chosen = state if state in STATE_FILTERS else None
    if chosen == (linked if linked in STATE_FILTERS else None):
        return no_update
    if chosen:
        values.append(("state", chosen))
    return "?" + urlencode(values) if values else ""


# --- summary -----------------------------------------------------------------------------------------
def _count_card(key: str, value: int, scope: dict[str, Any], state: str, highlight: bool = False) -> dbc.Col:
    colour = ALERT_COLOURS.get(state, "#666666")
    card = dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [html.Span(ALERT_SYMBOLS.get(state, "") + " ", style={"color": colour}), t(key)],
                    className="small text-muted text-truncate",
                    title=t(key),
                ),
                html.Div(
                    fmt.number(value),
                    id=f"alerts-count-{state}",
                    className="fs-4 fw-semibold" + (" state-overdue" if highlight else ""),
                ),
            ],
            className="p-2",
        ),
        className="h-100 kpi-card" + (" border-danger border-2" if highlight else ""),
        style={"borderLeft": f"5px solid {colour}"},
    )
    link = dcc.Link(card, href=_href(scope, state=state), className="text-decoration-none text-reset")
    return dbc.Col(link, xs=6, md=4, lg=2)


@callback(Output("alerts-summary", "children"), Input("alerts-scope", "data"))
def show_summary(scope: dict[str, Any]) -> list[Any]:
    """Counts by state for the period and unit (the state filter aside), failed ones highlighted,
    and the failures of the last seven days, which need someone to fix a channel."""
    query = log_query(scope)
    recent = LogQuery(
        start=today() - timedelta(days=RECENT_DAYS - 1),
        end=today(),
        unit_code=query.unit_code,
        official_code=query.official_code,
    )
    allowed = current_scope()
    with engine().connect() as conn:
        counts = counts_by_state(conn, replace(query, state=None), scope=allowed)
        failed_recently = counts_by_state(conn, recent, scope=allowed).failed
    cards = dbc.Row(
        [
            _count_card("alerts.count.sent", counts.sent, scope, "sent"),
            _count_card("alerts.count.acknowledged", counts.acknowledged, scope, "acknowledged"),
            _count_card("alerts.count.unacknowledged", counts.unacknowledged, scope, "unacknowledged"),
            _count_card("alerts.count.waiting", counts.waiting, scope, "waiting"),
            _count_card("alerts.count.failed", counts.failed, scope, "failed", highlight=counts.failed > 0),
            _count_card("alerts.count.rerouted", counts.rerouted, scope, "rerouted"),
        ],
        className="g-2 mb-2",
    )
    if failed_recently:
        recent_scope = {
            "filters": {
                "period": "custom",
                "from": recent.start.isoformat(),  # type: ignore[union-attr]
                "to": recent.end.isoformat(),  # type: ignore[union-attr]
                **({"unit": query.unit_code} if query.unit_code else {}),
            },
            "official": query.official_code,
        }
        note = html.Div(
            [
                html.I(className="bi bi-exclamation-triangle-fill me-1"),
                html.Strong(t("alerts.summary.failed_week", count=fmt.number(failed_recently))),
                " ",
                dcc.Link(t("alerts.summary.failed_week.show"), href=_href(recent_scope, state="failed")),
            ],
            className="small state-overdue",
            id="alerts-failed-week",
        )
    else:
        note = html.Div(
            t("alerts.summary.failed_week.none"), className="small text-muted", id="alerts-failed-week"
        )
    return [cards, note]


# --- the log -----------------------------------------------------------------------------------------
def list_columns() -> list[dict[str, Any]]:
    def text(name: str, width: int, **extra: Any) -> dict[str, Any]:
        return {
            "field": name,
            "headerName": t(f"alerts.col.{name}"),
            "width": width,
            "sortable": name in SORTABLE,
            **extra,
        }

    state_styles = [
        {
            "condition": f"params.data && params.data.state_code === '{state}'",
            "style": {"borderLeft": f"6px solid {colour}", "fontWeight": 600 if state == "failed" else 400},
        }
        for state, colour in ALERT_COLOURS.items()
    ]
    # What an inspection asks first comes first: when, what, about what, to whom, delivered,
    # acknowledged; the rest (unit, level, errors) scrolls in from the right.
    return [
        text("created_at", 152, pinned="left", sort="desc"),
        text("rule", 185, tooltipField="rule"),
        # The column shows the markdown link; sorting asks the server for "subject".
        text("subject", 165, field="link", colId="subject", cellRenderer="markdown"),
        text("recipient", 215, tooltipField="recipient"),
        text(
            "state",
            175,
            cellStyle={"styleConditions": state_styles},
            cellClassRules={"state-overdue": "params.data && params.data.state_code === 'failed'"},
        ),
        text("acknowledgement", 250, colId="acknowledged_at", sortable=True, tooltipField="acknowledgement"),
        text("sent_at", 152),
        text("channels", 120),
        number_column("attempts", t("alerts.col.attempts"), width=100, filter=False, sortable=False),
        text("unit", 150, tooltipField="unit"),
        text("level", 165, tooltipField="reason"),
        text("last_error", 280, tooltipField="last_error"),
        text("id", 80),
    ]


def log_row(entry: AlertEntry, lang: str) -> dict[str, Any]:
    """One row of the grid and of the downloads: every value as shown, in the reader's locale."""
    unit = entry.unit_name_en if lang == "en" else entry.unit_name_vi
    code = state_code(entry)
    return {
        "id": entry.id,
        "created_at": fmt.moment(entry.created_at, lang),
        "rule": rule_text(entry.rule, lang),
        "subject": subject_text(entry),
        "href": dossier_href(entry.dossier_code) if entry.dossier_code else None,
        "link": _link(entry),
        "unit": unit or "",
        "recipient": recipient_text(entry, lang),
        "level": level_text(entry.level, lang),
        "reason": reason_text(entry.reason, lang),
        "deadline": deadline_text(entry.deadline, lang),
        "state": state_text(code, lang),
        "state_code": code,
        "sent_at": fmt.moment(entry.sent_at, lang) if entry.sent_at else "",
        "channels": entry.channels or "",
        "attempts": entry.attempts,
        "last_error": error_text(entry.last_error, lang),
        "acknowledgement": acknowledgement_text(entry, lang),
        "acknowledged_at": fmt.moment(entry.acknowledged_at, lang) if entry.acknowledged_at else "",
        "acknowledged_by": acknowledged_by_text(entry, lang),
        "snoozed_until": fmt.moment(entry.snoozed_until, lang) if entry.snoozed_until else "",
    }


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>])")


def _link(entry: AlertEntry) -> str:
    """The subject as markdown: a link to the dossier, every character that could format escaped."""
    text = MARKDOWN_SPECIAL.sub(r"\\\1", subject_text(entry))
    return f"[{text}]({dossier_href(entry.dossier_code)})" if entry.dossier_code else text


def _sort(request: dict[str, Any]) -> list[tuple[str, bool]]:
    return [
        (item["colId"], item.get("sort") == "desc")
        for item in request.get("sortModel") or []
        if item.get("colId") in SORTABLE
    ]


@callback(
    Output("alerts-list", "getRowsResponse"),
    Input("alerts-list", "getRowsRequest"),
    State("alerts-scope", "data"),
    prevent_initial_call=True,
)
def list_rows(request: dict[str, Any] | None, scope: dict[str, Any]) -> dict[str, Any]:
    """One block of the log for the infinite row model: the rows asked for and the total count."""
    if not request:
        return no_update
    start = max(0, int(request.get("startRow") or 0))
    end = max(start + 1, int(request.get("endRow") or start + BLOCK))
    query, lang, allowed = log_query(scope), current_lang(), current_scope()
    with engine().connect() as conn:
        total = count_alerts(conn, query, scope=allowed)
        rows = alert_log(
            conn, query, scope=allowed, sort=_sort(request), offset=start, limit=min(end - start, MAX_BLOCK)
        )
    return {"rowData": [log_row(row, lang) for row in rows], "rowCount": total}


@callback(
    Output("alerts-count", "children"),
    Output("alerts-list", "style"),
    Input("alerts-scope", "data"),
)
def show_count(scope: dict[str, Any]) -> tuple[Any, dict[str, str]]:
    """The number of alerts in scope, and a grid only as tall as they need (no empty band)."""
    with engine().connect() as conn:
        total = count_alerts(conn, log_query(scope), scope=current_scope())
    height = min(GRID_HEIGHT, GRID_HEADER + GRID_ROW * max(total, 1))
    style = {"height": f"{height}px", "width": "100%"}
    if total == 0:
        empty = html.P(t("alerts.list.empty"), className="text-muted fst-italic mb-0", id="alerts-list-empty")
        return empty, style
    parts: list[Any] = [
        html.Strong(t("alerts.list.count", count=fmt.number(total)), id="alerts-list-total"),
        " · ",
        html.Span(t("alerts.list.hint"), className="small text-muted"),
    ]
    if total > EXPORT_LIMIT:
        parts += [
            html.Br(),
            html.Span(t("alerts.list.capped", limit=fmt.number(EXPORT_LIMIT)), className="small"),
        ]
    return html.Div(parts), style


# --- one alert ---------------------------------------------------------------------------------------
@callback(
    Output("alerts-detail", "children"),
    Input("alerts-list", "cellClicked"),
    prevent_initial_call=True,
)
def show_detail(cell: dict[str, Any] | None) -> Any:
    if not cell or not str(cell.get("rowId") or "").isdigit():
        return no_update
    return make_detail(int(cell["rowId"]))


def make_detail(alert_id: int) -> Any:
    """One alert for an inspection: its facts, the message as sent and every attempt."""
    allowed = current_scope()
    with engine().connect() as conn:
        entry = alert_entry(conn, alert_id, scope=allowed)  # OutOfScope for another's alert: 403
        message = alert_message(conn, alert_id, scope=allowed)
        attempts = alert_attempts(conn, alert_id, scope=allowed)
    if entry is None:
        return dbc.Alert(t("alerts.detail.gone", id=alert_id), color="warning")
    lang = current_lang()
    row = log_row(entry, lang)
    facts = [
        ("alerts.col.rule", row["rule"]),
        (
            "alerts.col.subject",
            dcc.Link(row["subject"], href=row["href"]) if row["href"] else (row["subject"] or "–"),
        ),
        ("alerts.col.recipient", row["recipient"]),
        ("alerts.col.level", " · ".join(v for v in (row["level"], row["reason"]) if v)),
        ("alerts.col.deadline", row["deadline"]),
        ("alerts.col.created_at", row["created_at"]),
        ("alerts.col.state", row["state"]),
        ("alerts.col.sent_at", row["sent_at"] or "–"),
        ("alerts.col.channels", row["channels"] or "–"),
        ("alerts.col.acknowledgement", row["acknowledgement"] or "–"),
        ("alerts.col.last_error", row["last_error"] or "–"),
    ]
    pairs: list[Any] = []
    for key, value in facts:
        pairs += [
            html.Dt(t(key), className="col-sm-4 text-muted fw-normal small"),
            html.Dd(value, className="col-sm-8 mb-1 text-break"),
        ]
    if message is None or message.body is None:
        said: list[Any] = [html.P(t("alerts.detail.not_rendered"), className="text-muted fst-italic")]
    else:
        said = [
            html.Div(message.title or "", className="fw-semibold"),
            html.Pre(
                redact_ack_links(message.body),
                className="bg-light border rounded p-2 small mb-1",
                style={"whiteSpace": "pre-wrap"},
                id="alerts-detail-body",
            ),
            html.Div(t("alerts.detail.redacted"), className="small text-muted"),
        ]
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(t("alerts.detail", id=entry.id), className="h5"),
                dbc.Row(
                    [
                        dbc.Col(html.Dl(pairs, className="row mb-0 small"), lg=6),
                        dbc.Col([html.H3(t("alerts.detail.message"), className="h6"), *said], lg=6),
                    ]
                ),
                html.H3(t("alerts.detail.attempts"), className="h6 mt-3"),
                _attempts_table(attempts, lang),
            ]
        ),
        id="alerts-detail-card",
    )


def _attempts_table(attempts: list[Any], lang: str) -> Any:
    if not attempts:
        return html.P(t("alerts.detail.no_attempts"), className="small text-muted fst-italic")
    rows = []
    for attempt in attempts:
        if attempt.ok:
            result: Any = t("alerts.attempt.ok")
        elif attempt.ok is None:
            result = t("alerts.attempt.unfinished")
        else:
            label = t("alerts.attempt.permanent" if attempt.permanent else "alerts.attempt.failed")
            result = html.Span(
                [f"{ALERT_SYMBOLS['failed']} {label}: ", attempt.error or ""], className="state-overdue"
            )
        rows.append(
            html.Tr(
                [
                    html.Td(fmt.number(attempt.number)),
                    html.Td(fmt.moment(attempt.started_at, lang)),
                    html.Td(attempt.service or "–"),
                    html.Td(attempt.url or "–", className="text-break"),
                    html.Td(result, className="text-break"),
                ],
                className=None if attempt.ok else "table-danger",
            )
        )
    headers = ["number", "started", "service", "url", "result"]
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(t(f"alerts.attempt.{h}")) for h in headers])),
            html.Tbody(rows),
        ],
        size="sm",
        className="bg-white small mb-0",
        id="alerts-attempts",
    )


# --- downloads ---------------------------------------------------------------------------------------
def export_rows(scope: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """The rows a download holds: the log newest first, up to EXPORT_LIMIT, fetched a page at a time."""
    query, rows, allowed = log_query(scope), [], current_scope()
    with engine().connect() as conn:
        while len(rows) < EXPORT_LIMIT:
            page = alert_log(conn, query, scope=allowed, offset=len(rows), limit=MAX_BLOCK)
            rows += [log_row(entry, lang) for entry in page]
            if len(page) < MAX_BLOCK:
                break
    return rows[:EXPORT_LIMIT]


def export_columns() -> list[dict[str, str]]:
    return [{"field": field, "headerName": t(f"alerts.col.{field}")} for field in EXPORT_FIELDS]


@callback(
    Output("alerts-download", "data"),
    Input("alerts-export-csv", "n_clicks"),
    Input("alerts-export-xlsx", "n_clicks"),
    State("alerts-scope", "data"),
    prevent_initial_call=True,
)
def export_list(_csv: int | None, _xlsx: int | None, scope: dict[str, Any]) -> dict[str, Any]:
    kind = "xlsx" if ctx.triggered_id == "alerts-export-xlsx" else "csv"
    return build_export(kind, scope)


def build_export(kind: str, scope: dict[str, Any]) -> dict[str, Any]:
    """The log as a CSV or Excel download, with the grid's column names."""
    lang = current_lang()
    rows, columns = export_rows(scope, lang), export_columns()
    query = log_query(scope)
    name = f"{t('alerts.export.name')}-{query.start}-{query.end}"
    name += "".join(f"-{part}" for part in (query.unit_code, query.state, query.official_code) if part)
    record_export(f"{name}.{kind}", {"filters": scope, "rows": len(rows)})
    if kind == "xlsx":
        return dcc.send_bytes(rows_to_xlsx(rows, columns), f"{name}.xlsx")
    frame = pd.DataFrame(
        [[row[c["field"]] for c in columns] for row in rows], columns=[c["headerName"] for c in columns]
    )
    # A byte-order mark makes Excel read the Vietnamese text as UTF-8.
    return dcc.send_bytes(frame.to_csv(index=False).encode("utf-8-sig"), f"{name}.csv")
