"""My dossiers (`/me?official=CODE`), for officials: what I hold, most urgent first.

Until login exists the official is chosen in a role switch; the choice lives in the URL so a link
shows the same view. The page shows the official's unit, their open, overdue, due-soon and paused
counts, their open dossiers by remaining working time, paged on the server, and the latest
alerts sent to them with their delivery and acknowledgement (the whole history is in the alert
log, `/alerts?official=CODE`).

Whose page may be opened follows the signed-in user's scope (queries.kpis.check_official): an
official their own (it opens on it), a chairperson their unit's officials, supervisors anyone;
another's gets 403. A user who is an official opens on their own page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import fmt
from dashboard.access import current_scope
from dashboard.components.alertlist import make_alert_table
from dashboard.components.atrisk import make_at_risk_grid, scope_of
from dashboard.i18n import current_lang, t
from dashboard.services import due_cutoff, engine, now
from queries import catalog
from queries.alert_log import official_alerts
from queries.backlog import official_workload
from queries.kpis import check_official

dash.register_page(__name__, path="/me", name="Hồ sơ của tôi", title="Hồ sơ của tôi · Giám sát một cửa")

ALERTS_SHOWN = 20  # the latest alerts on the page; the alert log has them all


def layout(official: str | None = None, **query: str) -> html.Div:
    lang, scope = current_lang(), current_scope()
    official = official or scope.official
    with engine().connect() as conn:
        if official and len(official) <= 64:
            check_official(conn, official, scope)  # another unit's, or a colleague's: 403
        officials = catalog.officials(conn, scope=scope)
        units = {u.id: u for u in catalog.units(conn, scope=scope)}
    if scope.own_dossiers_only:  # the switch offers only what the page would show
        officials = [o for o in officials if o.code == scope.official]
    chosen = next((o for o in officials if o.code == official), None) if official else None

    def unit_name(official_unit: int | None) -> str:
        return units[official_unit].name(lang) if official_unit in units else "–"

    options = [
        {"label": f"{o.name_vi} ({o.code}) · {unit_name(o.parent_id)}", "value": o.code} for o in officials
    ]
    switch = dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label(t("me.switch"), html_for="me-official", className="small text-muted mb-0"),
                    dcc.Dropdown(
                        id="me-official",
                        options=options,
                        value=chosen.code if chosen else None,
                        placeholder=t("me.switch.placeholder"),
                        clearable=False,
                    ),
                    html.Div(t("me.switch.help"), className="form-text"),
                ],
                md=6,
            )
        ],
        className="mb-3",
    )
    header = [html.H1(t("me.title"), className="h3 mb-3"), switch]
    if official and chosen is None:
        return html.Div(
            [
                *header,
                dbc.Alert(t("me.unknown", code=official), color="warning", id="me-unknown"),
            ]
        )
    if chosen is None:
        return html.Div([*header, dbc.Alert(t("me.choose"), color="info", id="me-choose")])
    unit = units.get(chosen.parent_id) if chosen.parent_id is not None else None
    about = [
        html.Span(chosen.name_vi, className="fw-semibold"),
        f" · {t(f'unit.role.{chosen.kind}')} · " if chosen.kind else " · ",
        dcc.Link(unit.name(lang), href=f"/unit/{unit.code}") if unit else t("me.no_unit"),
    ]
    return html.Div(
        [
            *header,
            dcc.Store(id="me-scope", data={"official": chosen.code}),
            html.P(about, className="mb-2"),
            dcc.Loading(html.Div(id="me-counts"), type="dot"),
            html.H2(t("me.list"), className="h5 mt-4 mb-0"),
            html.Div(t("me.list.help"), className="small text-muted mb-2"),
            dcc.Loading(html.Div(id="me-list"), type="dot"),
            html.H2(t("alerts.section.official.title"), className="h5 mt-4 mb-2", id="me-alerts-title"),
            dcc.Loading(html.Div(id="me-alerts"), type="dot"),
        ]
    )


@callback(
    Output("url", "search", allow_duplicate=True),
    Input("me-official", "value"),
    State("url", "search"),
    prevent_initial_call=True,
)
def choose_official(code: str | None, current: str | None) -> str:
    """The role switch writes the choice into the URL, so the page re-renders for that official."""
    if not code:
        return no_update
    search = "?" + urlencode({"official": code})
    return no_update if search == (current or "") else search


def _count_card(key: str, value: int, tone: str = "") -> dbc.Col:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(t(key), className="small text-muted text-truncate", title=t(key)),
                    html.Div(
                        fmt.number(value),
                        id=f"me-{key.rsplit('.', 1)[-1]}",
                        className=f"fs-4 fw-semibold {tone}",
                    ),
                ],
                className="p-2",
            ),
            className="h-100 kpi-card",
        ),
        xs=6,
        md=3,
    )


@callback(Output("me-counts", "children"), Input("me-scope", "data"))
def show_counts(scope: dict[str, Any]) -> dbc.Row | dbc.Alert:
    with engine().connect() as conn:
        load = official_workload(
            conn, scope["official"], scope=current_scope(), now=now(), due_cutoff=due_cutoff()
        )
    if load is None:
        return dbc.Alert(t("me.unknown", code=scope["official"]), color="warning")
    return dbc.Row(
        [
            _count_card("me.count.open", load.open),
            _count_card("me.count.overdue", load.overdue, "state-overdue" if load.overdue else ""),
            _count_card("me.count.due_soon", load.due_soon, "state-due_soon" if load.due_soon else ""),
            _count_card("me.count.paused", load.paused),
        ],
        className="g-2",
    )


@callback(Output("me-list", "children"), Input("me-scope", "data"))
def show_list(scope: dict[str, Any]) -> html.Div:
    code = scope["official"]
    with engine().connect() as conn:
        load = official_workload(conn, code, scope=current_scope(), now=now(), due_cutoff=due_cutoff())
    if load is None or not load.open:
        return html.Div(
            [html.I(className="bi bi-check2-circle me-2"), t("me.empty")],
            className="text-muted border rounded bg-white p-3 empty-state",
        )
    return make_at_risk_grid(
        "me",
        scope_of(handler=code),
        export_name=f"{t('atrisk.file')}-{code}",
        show_handler=False,
    )


@callback(Output("me-alerts", "children"), Input("me-scope", "data"))
def show_alerts(scope: dict[str, Any]) -> Any:
    """The latest alerts sent to the official, and a link to all of them in the alert log."""
    code = scope["official"]
    with engine().connect() as conn:
        entries = official_alerts(conn, code, scope=current_scope(), limit=ALERTS_SHOWN)
    if not entries:
        return html.P(
            t("alerts.section.official.empty"), className="text-muted fst-italic", id="me-alerts-empty"
        )
    more = dcc.Link(
        [html.I(className="bi bi-journal-text me-1"), t("alerts.section.all")],
        href="/alerts?" + urlencode({"period": "year", "official": code}),
        id="me-alerts-all",
    )
    return html.Div(
        [
            html.Div(
                [t("alerts.section.official.latest", shown=fmt.number(len(entries))), " ", more],
                className="small text-muted mb-1",
            ),
            make_alert_table(entries, "me-alerts-table", about="official"),
        ]
    )
