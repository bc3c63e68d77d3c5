"""The audit trail (`/admin/audit`), for administrators: who signed in, exported, answered an
alert or changed an account or a setting, when and from where; and the list of accounts.

Only an administrator's scope opens it. Anyone else gets a refusal, recorded as "access_denied":
a link to it is refused before the page shell (dashboard/page_guard.py), the layout refuses when
reached inside the app, and the callbacks refuse too (OutOfScope: 403), since a callback can be
called without the page.

The trail is filtered by event, actor and date range (also read from the link: `?action=login&
actor=an&from=2026-03-01&to=2026-03-31`), newest first. The table holds the newest GRID_LIMIT
events; the CSV download holds every matching event up to EXPORT_LIMIT, and is itself an
"export" event in the trail.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any

import dash
import dash_ag_grid as dag
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard import fmt
from dashboard.access import client_address, current_scope, current_username, record_export
from dashboard.components.grids import LOCALE_VI
from dashboard.i18n import current_lang, t
from dashboard.services import engine, now
from queries import audit, users
from queries.scope import OutOfScope, Role

PATH = "/admin/audit"
dash.register_page(__name__, path=PATH, name="Nhật ký truy cập", title="Nhật ký truy cập · Giám sát một cửa")

GRID_LIMIT = 1000  # events in the table; the download has them all
EXPORT_LIMIT = 100_000
PAGE = 5000  # events per query while building the download
PAGE_ROWS = 50  # events per page of the table
SHORT = 15  # up to this many events the table takes their height, not a fixed one
EXPORT_HEADERS = {  # field -> label: the event's code (for filters and scripts), then its name
    "at": "audit.col.at",
    "actor": "audit.col.actor",
    "action": "audit.col.code",
    "event": "audit.col.action",
    "target": "audit.col.target",
    "detail": "audit.col.detail",
    "address": "audit.col.address",
}
EXPORT_FIELDS = tuple(EXPORT_HEADERS)


# --- the page ----------------------------------------------------------------------------------------
def layout(**query: str) -> html.Div:
    if current_scope().role is not Role.ADMIN:
        return refusal()
    lang = current_lang()
    chosen = filters_from(query)
    moment = now()
    with engine().connect() as conn:
        accounts = users.all_accounts(conn)
        known_actors = audit.actors(conn)
    return html.Div(
        [
            html.H2([html.I(className="bi bi-journal-text me-2"), t("audit.title")], className="h4"),
            html.P(t("audit.lead"), className="text-muted small"),
            filter_card(chosen, known_actors),
            html.Div(id="audit-count", className="small text-muted mb-2"),
            dag.AgGrid(
                id="audit-grid",
                columnDefs=grid_columns(),
                rowData=[],
                defaultColDef={"sortable": False, "resizable": True, "filter": False, "minWidth": 90},
                dashGridOptions=grid_options(lang, short=True),
                getRowId="params.data.id",
                style=grid_style(short=True),
            ),
            html.H3([html.I(className="bi bi-people me-2"), t("audit.users")], className="h5 mt-4"),
            html.P(t("audit.users.help"), className="text-muted small"),
            users_table(accounts, moment, lang),
        ]
    )


def refusal() -> dbc.Alert:
    """In place of the trail for anyone but an administrator who got here inside the app (a link
    to the page itself is refused before the shell, dashboard/page_guard.py); recorded alike."""
    with engine().begin() as conn:
        audit.record(
            conn,
            actor=current_username(),
            action="access_denied",
            target=f"page={PATH}",
            detail={"path": PATH},
            address=client_address(),
            at=now(),
        )
    return dbc.Alert(
        [
            html.H2([html.I(className="bi bi-shield-lock me-2"), t("denied.title")], className="h5"),
            html.P(t("denied.body", what=t("denied.what.page")), className="mb-0"),
        ],
        color="warning",
        id="audit-denied",
    )


def filters_from(query: dict[str, str]) -> dict[str, Any]:
    """The filters of the link; a value that is not one (an unknown event, a bad date) is dropped."""
    action = query.get("action")

    def day(value: str | None) -> str | None:
        try:
            return date.fromisoformat(value).isoformat() if value else None
        except ValueError:
            return None

    return {
        "action": action if action in audit.ACTIONS else "all",
        "actor": (query.get("actor") or "")[:80],
        "from": day(query.get("from")),
        "to": day(query.get("to")),
    }


def filter_card(chosen: dict[str, Any], known_actors: list[str]) -> dbc.Card:
    def column(label: str, control: Any, width: int, html_for: str) -> dbc.Col:
        return dbc.Col(
            [dbc.Label(label, html_for=html_for, className="small text-muted mb-0"), control], md=width
        )

    actions = [{"label": t("filter.all"), "value": "all"}] + [
        {"label": t(f"audit.action.{action}"), "value": action} for action in audit.ACTIONS
    ]
    return dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    column(
                        t("audit.filter.action"),
                        dbc.Select(id="audit-action", options=actions, value=chosen["action"]),
                        3,
                        "audit-action",
                    ),
                    column(
                        t("audit.filter.actor"),
                        html.Div(
                            [
                                dbc.Input(
                                    id="audit-actor",
                                    value=chosen["actor"],
                                    placeholder=t("audit.filter.actor.placeholder"),
                                    list="audit-actors",
                                    debounce=True,
                                    maxLength=80,
                                ),
                                html.Datalist(
                                    id="audit-actors", children=[html.Option(value=a) for a in known_actors]
                                ),
                            ]
                        ),
                        3,
                        "audit-actor",
                    ),
                    column(
                        t("filter.from"),
                        dbc.Input(id="audit-from", type="date", value=chosen["from"]),
                        2,
                        "audit-from",
                    ),
                    column(
                        t("filter.to"),
                        dbc.Input(id="audit-to", type="date", value=chosen["to"]),
                        2,
                        "audit-to",
                    ),
                    dbc.Col(
                        [
                            dbc.Button(
                                [html.I(className="bi bi-filetype-csv me-1"), t("audit.export")],
                                id="audit-export",
                                color="secondary",
                                outline=True,
                                className="w-100",
                            ),
                            dcc.Loading(dcc.Download(id="audit-download"), type="circle"),
                        ],
                        md=2,
                        className="d-flex flex-column justify-content-end",
                    ),
                ],
                className="g-2 align-items-end",
            )
        ),
        className="mb-3",
    )


def grid_options(lang: str, *, short: bool) -> dict[str, Any]:
    """A handful of events take their own height; more scroll inside a fixed one, 50 a page."""
    return {
        "localeText": LOCALE_VI if lang == "vi" else {},
        "animateRows": False,
        "tooltipShowDelay": 300,
        "pagination": True,
        "paginationPageSize": PAGE_ROWS,
        "paginationPageSizeSelector": False,
        "domLayout": "autoHeight" if short else "normal",
    }


def grid_style(*, short: bool) -> dict[str, str]:
    return {"width": "100%"} if short else {"height": "560px", "width": "100%"}


def grid_columns() -> list[dict[str, Any]]:
    def text(field: str, width: int, **extra: Any) -> dict[str, Any]:
        return {"field": field, "headerName": t(f"audit.col.{field}"), "width": width, **extra}

    return [
        text("at", 170, pinned="left"),
        text("actor", 170),
        text("action", 190),
        text("target", 190, tooltipField="target"),
        text("detail", 360, flex=1, tooltipField="detail"),
        text("address", 130),
    ]


def users_table(accounts: list[users.Account], moment: datetime, lang: str) -> dbc.Table:
    def yes_no(value: bool, tone: str) -> html.Span:
        return html.Span(
            t("audit.users.yes" if value else "audit.users.no"),
            className=f"badge text-bg-{tone if value else 'light'}",
        )

    head = html.Thead(
        html.Tr(
            [
                html.Th(t(f"audit.users.{key}"))
                for key in ("username", "name", "role", "unit", "active", "locked", "last_login")
            ]
        )
    )
    rows = []
    for a in accounts:
        locked = a.locked_until is not None and a.locked_until > moment
        rows.append(
            html.Tr(
                [
                    html.Td(html.Code(a.username)),
                    html.Td(a.display_name),
                    html.Td(t(f"role.{a.role}") + (f" · {', '.join(a.sectors)}" if a.sectors else "")),
                    html.Td(a.unit_code or "–"),
                    html.Td(yes_no(a.active, "success")),
                    html.Td(
                        [
                            yes_no(True, "danger"),
                            " ",
                            t("audit.users.until", at=fmt.moment(a.locked_until, lang)),
                        ]
                        if locked
                        else "–"
                    ),
                    html.Td(fmt.moment(a.last_login_at, lang) if a.last_login_at else t("audit.users.never")),
                ],
                className="" if a.active else "text-muted",
            )
        )
    return dbc.Table([head, html.Tbody(rows)], id="audit-users", size="sm", hover=True, responsive=True)


# --- the trail ---------------------------------------------------------------------------------------
def require_admin() -> None:
    """A callback of this page for anyone but an administrator: 403 (dashboard/app.py)."""
    if current_scope().role is not Role.ADMIN:
        raise OutOfScope("page", PATH)


def query_of(action: str | None, actor: str | None, start: str | None, end: str | None) -> dict[str, Any]:
    """The filters as queries.audit takes them: the end date counts whole."""

    def day(value: str | None) -> date | None:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    first, last = day(start), day(end)
    return {
        "action": action if action in audit.ACTIONS else None,
        "actor": (actor or "").strip()[:80] or None,
        "since": datetime.combine(first, time.min) if first else None,
        "until": datetime.combine(last + timedelta(days=1), time.min) if last else None,
    }


def moment_text(value: datetime, lang: str) -> str:
    """To the second: two events a few seconds apart are two lines of a story."""
    return value.strftime("%H:%M:%S %d/%m/%Y") if lang == "vi" else value.strftime("%Y-%m-%d %H:%M:%S")


def detail_text(detail: dict[str, Any]) -> str:
    return "; ".join(f"{key}: {value}" for key, value in detail.items())


def action_text(action: str) -> str:
    return t(f"audit.action.{action}") if action in audit.ACTIONS else action


def grid_row(entry: audit.AuditRow, lang: str) -> dict[str, Any]:
    return {
        "id": str(entry.id),  # AG Grid's row ids are text
        "at": moment_text(entry.at, lang),
        "actor": entry.actor,
        "action": action_text(entry.action),
        "target": entry.target or "",
        "detail": detail_text(entry.detail),
        "address": entry.address or "",
    }


@callback(
    Output("audit-grid", "rowData"),
    Output("audit-count", "children"),
    Output("audit-grid", "dashGridOptions"),
    Output("audit-grid", "style"),
    Input("audit-action", "value"),
    Input("audit-actor", "value"),
    Input("audit-from", "value"),
    Input("audit-to", "value"),
)
def show_trail(
    action: str | None, actor: str | None, start: str | None, end: str | None
) -> tuple[list[dict[str, Any]], str, dict[str, Any], dict[str, str]]:
    require_admin()
    lang, query = current_lang(), query_of(action, actor, start, end)
    with engine().connect() as conn:
        total = audit.count(conn, **query)
        entries = audit.entries(conn, **query, limit=GRID_LIMIT)
    rows = [grid_row(entry, lang) for entry in entries]
    count = fmt.number(total, lang=lang)
    if total > len(rows):
        summary = t("audit.count.shown", count=count, shown=fmt.number(len(rows), lang=lang))
    else:
        summary = t("audit.count", count=count)
    short = len(rows) <= SHORT
    return rows, summary, grid_options(lang, short=short), grid_style(short=short)


# --- the download ------------------------------------------------------------------------------------
def export_rows(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Every matching event, newest first, as plain values (ISO times, the detail as JSON)."""
    rows: list[dict[str, Any]] = []
    with engine().connect() as conn:
        while len(rows) < EXPORT_LIMIT:
            page = audit.entries(conn, **query, offset=len(rows), limit=PAGE)
            rows += [
                {
                    "at": entry.at.isoformat(sep=" ", timespec="seconds"),
                    "actor": entry.actor,
                    "action": entry.action,
                    "event": action_text(entry.action),
                    "target": entry.target or "",
                    "detail": json.dumps(entry.detail, ensure_ascii=False) if entry.detail else "",
                    "address": entry.address or "",
                }
                for entry in page
            ]
            if len(page) < PAGE:
                break
    return rows[:EXPORT_LIMIT]


@callback(
    Output("audit-download", "data"),
    Input("audit-export", "n_clicks"),
    State("audit-action", "value"),
    State("audit-actor", "value"),
    State("audit-from", "value"),
    State("audit-to", "value"),
    prevent_initial_call=True,
)
def export_trail(
    _clicks: int | None, action: str | None, actor: str | None, start: str | None, end: str | None
) -> dict[str, Any]:
    """The filtered trail as CSV; the download is itself recorded before it is handed out."""
    require_admin()
    query = query_of(action, actor, start, end)
    rows = export_rows(query)
    name = f"{t('audit.export.name')}-{now():%Y%m%d-%H%M}.csv"
    shown = {key: value for key, value in query.items() if value is not None}
    record_export(name, {"page": PATH, "filters": shown, "rows": len(rows)})
    headers = [t(EXPORT_HEADERS[field]) for field in EXPORT_FIELDS]
    frame = pd.DataFrame([[row[field] for field in EXPORT_FIELDS] for row in rows], columns=headers)
    # A byte-order mark makes Excel read the Vietnamese text as UTF-8.
    return dcc.send_bytes(frame.to_csv(index=False).encode("utf-8-sig"), name)
