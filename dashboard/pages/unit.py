"""One commune (`/unit/<code>`), for its chairperson: what is late, who holds it, and what it costs.

The unit's headline cards (as on the province page), the at-risk list of open dossiers paged on
the server, the backlog by sector, procedure, official and age, received against resolved week
by week, and satisfaction: its trend, the latest low ratings, and timely against late dossiers.
The unit is the path's code; period, sector, procedure and channel come from the query string.
Every figure is read within the signed-in user's scope: another unit's page is refused (403),
and an official sees their unit's figures but only their own dossiers in the lists.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import fmt
from dashboard.access import current_scope
from dashboard.cached import catalog_of, minute, period_figures, rating_weeks, timeliness_ratings, trend
from dashboard.components.atrisk import make_at_risk_grid, scope_of
from dashboard.components.cards import make_kpi_cards
from dashboard.components.figures import (
    PROVINCE_COLOUR,
    SECOND_COLOUR,
    STATE_COLOURS,
    base_layout,
    empty_figure,
    line_figure,
)
from dashboard.components.filterbar import make_filter_bar
from dashboard.components.grids import make_grid, number_column
from dashboard.i18n import current_lang, t
from dashboard.services import clock, due_cutoff, engine, now
from dashboard.urlstate import page_filters, search_for
from queries import catalog
from queries.atrisk import count_open
from queries.backlog import ageing, backlog_by_procedure, backlog_by_sector, workload_by_official
from queries.filters import Filters
from queries.kpis import combine
from queries.ratings import combine_timeliness, low_ratings
from queries.service_index import service_score


def _title(code: str | None = None, **_query: str) -> str:
    return f"{code or ''} · Giám sát một cửa"


dash.register_page(__name__, path_template="/unit/<code>", name="Đơn vị", title=_title)

TREND_WEEKS = 26
LOW_RATINGS_SHOWN = 15
GRAPH_CONFIG = {"displaylogo": False}
WRAP = {"wrapHeaderText": True, "autoHeaderHeight": True}  # long headers wrap instead of being cut


def layout(code: str | None = None, **query: str) -> html.Div:
    scope = current_scope()
    with engine().connect() as conn:
        unit = catalog.find_unit(conn, code, scope=scope) if code else None  # OutOfScope: 403
    known = catalog_of(scope)
    sectors, procedures = known.sectors, known.procedures
    if unit is None:
        return unknown_unit(code)
    filters, error = page_filters(query, forced_unit=unit.code)
    lang = current_lang()
    kiosk = query.get("kiosk") == "1"
    loading = {"type": "dot"}
    return html.Div(
        [
            dcc.Store(id="unit-filters", data=filters.query()),
            dcc.Interval(id="unit-refresh", interval=300_000, disabled=not kiosk),
            None
            if kiosk
            else dcc.Link(
                [html.I(className="bi bi-arrow-left me-1"), t("unit.back")],
                href="/" + search_for(filters, drop_unit=True),
                className="small",
            ),
            html.H1(unit.name(lang), className="h3 mb-1 mt-1"),
            html.P(
                [
                    html.Span(f"{t(f'level.{unit.kind}')} · {t('col.code')} {unit.code} · "),
                    t("period.label", start=fmt.day(filters.start), end=fmt.day(filters.end)),
                ],
                className="text-muted",
            ),
            dbc.Alert([html.Strong(error), " ", t("filter.error.hint")], color="warning", id="filter-error")
            if error
            else None,
            None
            if kiosk
            else make_filter_bar(filters, units=[], sectors=sectors, procedures=procedures, show_unit=False),
            dcc.Loading(html.Div(id="unit-cards"), **loading),
            _section(t("unit.atrisk"), t("unit.atrisk.help")),
            dcc.Loading(html.Div(id="unit-atrisk"), **loading),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            _section(t("unit.sectors"), t("unit.backlog.help")),
                            dcc.Loading(dcc.Graph(id="unit-sector-backlog", config=GRAPH_CONFIG), **loading),
                        ],
                        lg=6,
                    ),
                    dbc.Col(
                        [
                            _section(t("unit.ageing"), t("unit.ageing.help")),
                            dcc.Loading(html.Div(id="unit-ageing"), **loading),
                        ],
                        lg=6,
                    ),
                ]
            ),
            _section(t("unit.procedures"), t("unit.procedures.help")),
            dcc.Loading(html.Div(id="unit-procedures"), **loading),
            _section(t("unit.workload"), t("unit.workload.help")),
            dcc.Loading(html.Div(id="unit-workload"), **loading),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            _section(t("unit.flow"), t("unit.flow.help")),
                            dcc.Loading(html.Div(id="unit-flow"), **loading),
                        ],
                        lg=6,
                    ),
                    dbc.Col(
                        [
                            _section(t("unit.satisfaction"), t("unit.satisfaction.help")),
                            dcc.Loading(dcc.Graph(id="unit-satisfaction", config=GRAPH_CONFIG), **loading),
                        ],
                        lg=6,
                    ),
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            _section(t("unit.timeliness"), t("unit.timeliness.help")),
                            dcc.Loading(html.Div(id="unit-timeliness"), **loading),
                        ],
                        lg=8,
                    ),
                    dbc.Col(
                        [
                            _section(t("unit.low_ratings"), t("unit.low_ratings.help")),
                            dcc.Loading(html.Div(id="unit-low-ratings"), **loading),
                        ],
                        lg=4,
                    ),
                ]
            ),
        ]
    )


def unknown_unit(code: str | None) -> html.Div:
    """A clear message for a unit code the database does not know, with the way back."""
    return html.Div(
        [
            html.H1(t("unit.unknown.title"), className="h3"),
            dbc.Alert(
                [
                    html.P(t("unit.unknown.body", code=code or ""), className="mb-2"),
                    dcc.Link(
                        [html.I(className="bi bi-arrow-left me-1"), t("notfound.home")],
                        href="/",
                        className="alert-link",
                    ),
                ],
                color="warning",
                id="unit-unknown",
            ),
        ]
    )


def _section(title: str, help_text: str) -> html.Div:
    return html.Div(
        [html.H2(title, className="h5 mb-0"), html.Div(help_text, className="small text-muted")],
        className="mt-4 mb-2",
    )


def _filters(data: dict[str, str]) -> Filters:
    return page_filters(data)[0]


def _empty(message: str) -> html.Div:
    return html.Div(
        [html.I(className="bi bi-info-circle me-2"), message],
        className="text-muted border rounded bg-white p-3 empty-state",
    )


# --- headline cards and the at-risk list ---------------------------------------------------------


@callback(
    Output("unit-cards", "children"), Input("unit-filters", "data"), Input("unit-refresh", "n_intervals")
)
def show_cards(data: dict[str, str], _tick: int | None) -> dbc.Row:
    figures = period_figures(_filters(data), current_scope(), minute())
    current = combine(list(figures.current.values()))
    previous = combine(list(figures.previous.values()))
    return make_kpi_cards(current, previous, service_score(current), service_score(previous))


@callback(
    Output("unit-atrisk", "children"), Input("unit-filters", "data"), Input("unit-refresh", "n_intervals")
)
def show_at_risk(data: dict[str, str], _tick: int | None) -> html.Div:
    filters = _filters(data)
    with engine().connect() as conn:
        total = count_open(conn, filters, scope=current_scope())
    if not total:
        return _empty(t("unit.atrisk.empty"))
    return html.Div(
        [
            html.P(t("atrisk.count", count=fmt.number(total)), className="mb-1 fw-semibold"),
            make_at_risk_grid(
                "unit",
                scope_of(filters),
                export_name=f"{t('atrisk.file')}-{filters.unit}",
            ),
        ]
    )


# --- the backlog by sector, procedure, official and age ------------------------------------------


def _state_series(items: list[Any]) -> list[tuple[str, str, list[int]]]:
    """(name, colour, values) of the four parts of a backlog, most urgent first."""
    return [
        (t("unit.part.overdue"), STATE_COLOURS["overdue"], [i.overdue for i in items]),
        (t("unit.part.due_soon"), STATE_COLOURS["due_soon"], [i.due_soon for i in items]),
        (t("unit.part.later"), STATE_COLOURS["on_track"], [i.later for i in items]),
        (t("unit.part.paused"), STATE_COLOURS["paused"], [i.paused for i in items]),
    ]


@callback(
    Output("unit-sector-backlog", "figure"),
    Input("unit-filters", "data"),
    Input("unit-refresh", "n_intervals"),
)
def show_sector_backlog(data: dict[str, str], _tick: int | None) -> go.Figure:
    filters, lang = _filters(data), current_lang()
    title = t("unit.sectors.chart")
    with engine().connect() as conn:
        groups = backlog_by_sector(conn, filters, scope=current_scope(), now=now(), due_cutoff=due_cutoff())
    if not groups:
        return empty_figure(title, t("unit.backlog.empty"))
    names = [g.name(lang) or t("unit.no_sector") for g in groups]
    fig = go.Figure(
        [
            go.Bar(
                y=names,
                x=values,
                name=name,
                orientation="h",
                marker_color=colour,
                hovertemplate="%{y}<br>" + name + ": %{x}<extra></extra>",
            )
            for name, colour, values in _state_series(groups)
        ]
    )
    return base_layout(
        fig,
        title,
        height=max(300, 34 * len(groups) + 140),
        x_title=t("axis.dossiers"),
        yaxis={"autorange": "reversed"},
        barmode="stack",
        margin={"l": 160, "r": 10, "t": 45, "b": 40},
    )


@callback(
    Output("unit-ageing", "children"), Input("unit-filters", "data"), Input("unit-refresh", "n_intervals")
)
def show_ageing(data: dict[str, str], _tick: int | None) -> list:
    filters = _filters(data)
    title = t("unit.ageing.chart")
    with engine().connect() as conn:
        result = ageing(conn, filters, scope=current_scope(), calendar=clock().calendar, now=now())
    if not result.open:
        return [dcc.Graph(figure=empty_figure(title, t("unit.backlog.empty")), config=GRAPH_CONFIG)]
    labels = [
        f"{b.low}–{b.high}" if b.high is not None else t("unit.ageing.over", days=b.low - 1)
        for b in result.buckets
    ]
    series = [
        (t("unit.part.overdue"), STATE_COLOURS["overdue"], [b.overdue for b in result.buckets]),
        (
            t("unit.part.running"),
            STATE_COLOURS["on_track"],
            [b.open - b.overdue - b.paused for b in result.buckets],
        ),
        (t("unit.part.paused"), STATE_COLOURS["paused"], [b.paused for b in result.buckets]),
    ]
    fig = go.Figure(
        [
            go.Bar(
                x=labels,
                y=values,
                name=name,
                marker_color=colour,
                hovertemplate="%{x}: %{y}<extra>" + name + "</extra>",
            )
            for name, colour, values in series
        ]
    )
    fig = base_layout(fig, title, y_title=t("axis.dossiers"), x_title=t("unit.ageing.axis"), barmode="stack")
    children: list = [dcc.Graph(figure=fig, config=GRAPH_CONFIG)]
    if result.undated:
        children.append(
            html.Div(t("unit.ageing.undated", count=fmt.number(result.undated)), className="small")
        )
    return children


@callback(
    Output("unit-procedures", "children"),
    Input("unit-filters", "data"),
    Input("unit-refresh", "n_intervals"),
)
def show_procedure_backlog(data: dict[str, str], _tick: int | None) -> html.Div:
    filters, lang = _filters(data), current_lang()
    with engine().connect() as conn:
        groups = backlog_by_procedure(
            conn, filters, scope=current_scope(), now=now(), due_cutoff=due_cutoff()
        )
    if not groups:
        return _empty(t("unit.backlog.empty"))
    rows = [
        {
            "row_id": g.code or "-",
            "code": g.code or "",
            "name": g.name(lang) or t("unit.no_procedure"),
            "open": g.open,
            "overdue": g.overdue,
            "due_soon": g.due_soon,
            "paused": g.paused,
        }
        for g in groups
    ]
    columns = [
        {
            "field": "name",
            "headerName": t("filter.procedure"),
            "minWidth": 280,
            "flex": 1,
            "cellClass": "link-cell",
        },
        {"field": "code", "headerName": t("col.code"), "width": 130},
        number_column("open", t("col.open"), width=130, **WRAP),
        number_column("overdue", t("col.overdue"), width=120, **WRAP),
        number_column("due_soon", t("unit.col.due_soon"), width=150, **WRAP),
        number_column("paused", t("unit.col.paused"), width=120, **WRAP),
    ]
    return make_grid(
        "unit-procedures",
        columns,
        rows,
        height=min(420, 60 + 42 * len(rows)),
        export_name=f"{t('unit.file.procedures')}-{filters.unit}",
        getRowId="params.data.row_id",
    )


@callback(
    Output("url", "search", allow_duplicate=True),
    Input({"type": "grid", "id": "unit-procedures"}, "cellClicked"),
    State("unit-filters", "data"),
    prevent_initial_call=True,
)
def filter_by_procedure(cell: dict[str, Any] | None, data: dict[str, str]) -> str:
    """A click on a procedure narrows the whole page to it."""
    if not cell or not cell.get("rowId") or cell["rowId"] == "-":
        return no_update
    return search_for(_filters(data), drop_unit=True, extra={"procedure": cell["rowId"]})


@callback(
    Output("unit-workload", "children"),
    Input("unit-filters", "data"),
    Input("unit-refresh", "n_intervals"),
)
def show_workload(data: dict[str, str], _tick: int | None) -> html.Div:
    filters = _filters(data)
    with engine().connect() as conn:
        loads = workload_by_official(conn, filters, scope=current_scope(), now=now(), due_cutoff=due_cutoff())
    if not loads:
        return _empty(t("unit.workload.empty"))
    rows = [
        {
            "row_id": w.code or "-",
            "code": w.code or "",
            "name": w.name or t("atrisk.unassigned"),
            "role": t(f"unit.role.{w.role}") if w.role else "",
            "open": w.open,
            "overdue": w.overdue,
            "due_soon": w.due_soon,
            "paused": w.paused,
        }
        for w in loads
    ]
    columns = [
        {
            "field": "name",
            "headerName": t("unit.col.official"),
            "minWidth": 200,
            "flex": 1,
            "cellClass": "link-cell",
        },
        {"field": "code", "headerName": t("col.code"), "width": 120},
        {"field": "role", "headerName": t("unit.col.role"), "width": 150},
        number_column("open", t("col.open"), width=130, **WRAP),
        number_column("overdue", t("col.overdue"), width=120, **WRAP),
        number_column("due_soon", t("unit.col.due_soon"), width=150, **WRAP),
        number_column("paused", t("unit.col.paused"), width=120, **WRAP),
    ]
    return make_grid(
        "unit-workload",
        columns,
        rows,
        height=min(420, 60 + 42 * len(rows)),
        export_name=f"{t('unit.file.workload')}-{filters.unit}",
        getRowId="params.data.row_id",
        rowClassRules={"problem-row": "params.data.overdue > 0"},
    )


@callback(
    Output("url", "href", allow_duplicate=True),
    Input({"type": "grid", "id": "unit-workload"}, "cellClicked"),
    prevent_initial_call=True,
)
def open_official(cell: dict[str, Any] | None) -> str:
    """A click on an official opens their own list ("my dossiers" as they see it)."""
    if not cell or not cell.get("rowId") or cell["rowId"] == "-":
        return no_update
    return f"/me?official={cell['rowId']}"


# --- flow and satisfaction -----------------------------------------------------------------------


def _window(filters: Filters) -> tuple[Any, Any]:
    return min(filters.start, filters.end - timedelta(weeks=TREND_WEEKS)), filters.end


@callback(
    Output("unit-flow", "children"), Input("unit-filters", "data"), Input("unit-refresh", "n_intervals")
)
def show_flow(data: dict[str, str], _tick: int | None) -> list:
    filters = _filters(data)
    start, end = _window(filters)
    points = trend(filters, current_scope(), start, end)
    title = t("trend.received_resolved")
    received, resolved = sum(p.received for p in points), sum(p.resolved for p in points)
    if not received and not resolved:
        return [dcc.Graph(figure=empty_figure(title, t("unit.flow.empty")), config=GRAPH_CONFIG)]
    fig = line_figure(
        title,
        [p.week for p in points],
        [
            (t("series.received"), [p.received for p in points], PROVINCE_COLOUR),
            (t("series.resolved"), [p.resolved for p in points], SECOND_COLOUR),
        ],
        y_title=t("axis.dossiers"),
    )
    net = received - resolved
    key = "unit.flow.growing" if net > 0 else ("unit.flow.shrinking" if net < 0 else "unit.flow.steady")
    summary = t(
        key,
        received=fmt.number(received),
        resolved=fmt.number(resolved),
        net=fmt.number(abs(net)),
        weeks=len(points),
    )
    tone = "delta-bad" if net > 0 else "delta-good"
    return [dcc.Graph(figure=fig, config=GRAPH_CONFIG), html.Div(summary, className=f"small {tone}")]


@callback(
    Output("unit-satisfaction", "figure"),
    Input("unit-filters", "data"),
    Input("unit-refresh", "n_intervals"),
)
def show_satisfaction_trend(data: dict[str, str], _tick: int | None) -> go.Figure:
    filters = _filters(data)
    start, end = _window(filters)
    title = t("unit.satisfaction.chart")
    weeks = rating_weeks(filters, current_scope(), start, end)
    if not any(w.ratings for w in weeks):
        return empty_figure(title, t("unit.ratings.empty"))
    x = [w.week for w in weeks]
    # The percentages go on the overlaying axis: plotly draws its traces above the count bars.
    fig = go.Figure(
        [
            go.Bar(
                x=x,
                y=[w.ratings for w in weeks],
                name=t("unit.series.ratings"),
                marker_color="#d9d9d9",
                hovertemplate="%{x}: %{y}<extra></extra>",
            ),
            go.Scatter(
                x=x,
                y=[None if w.satisfaction is None else w.satisfaction * 100 for w in weeks],
                name=t("unit.series.satisfied"),
                mode="lines+markers",
                marker={"size": 5},
                line={"color": PROVINCE_COLOUR, "width": 2},
                yaxis="y2",
                hovertemplate="%{x}: %{y:.1f}%<extra></extra>",
            ),
            go.Scatter(
                x=x,
                y=[None if w.ratings == 0 else w.low / w.ratings * 100 for w in weeks],
                name=t("unit.series.low"),
                mode="lines+markers",
                marker={"size": 6, "symbol": "x"},
                line={"color": STATE_COLOURS["late"], "width": 2, "dash": "dot"},
                yaxis="y2",
                hovertemplate="%{x}: %{y:.1f}%<extra></extra>",
            ),
        ]
    )
    return base_layout(
        fig,
        title,
        y_title=t("unit.axis.ratings"),
        yaxis={"side": "right", "showgrid": False, "rangemode": "tozero", "tickformat": ",d"},
        yaxis2={
            "title": {"text": t("axis.percent")},
            "overlaying": "y",
            "side": "left",
            "range": [0, 105],
            "ticksuffix": "%",
            "tickmode": "auto",  # plotly syncs an overlaying axis to the first one's ticks by default
            "gridcolor": "#e5e5e5",
        },
        margin={"l": 50, "r": 50, "t": 45, "b": 40},
    )


def _summary_card(title: str, tone: str, summary: Any) -> dbc.Col:
    body = [html.Div(title, className="small text-muted")]
    if summary.ratings:
        body += [
            html.Div(
                [
                    html.Span(fmt.number(summary.average, 2), className="fs-4 fw-semibold"),
                    html.Span(" / 5", className="text-muted"),
                ]
            ),
            html.Div(
                t(
                    "unit.timeliness.detail",
                    satisfied=fmt.percent(summary.satisfaction),
                    ratings=fmt.number(summary.ratings),
                ),
                className="small",
            ),
        ]
    else:
        body.append(html.Div(t("unit.timeliness.none"), className="small text-muted"))
    return dbc.Col(dbc.Card(dbc.CardBody(body, className="p-2"), className=f"h-100 border-{tone}"), xs=6)


@callback(
    Output("unit-timeliness", "children"),
    Input("unit-filters", "data"),
    Input("unit-refresh", "n_intervals"),
)
def show_timeliness(data: dict[str, str], _tick: int | None) -> list:
    filters, lang = _filters(data), current_lang()
    per_procedure = timeliness_ratings(filters, current_scope())
    unit = combine_timeliness(per_procedure)
    if not unit.timely.ratings and not unit.late.ratings:
        return [_empty(t("unit.timeliness.empty"))]
    children: list = [
        dbc.Row(
            [
                _summary_card(t("unit.timeliness.timely"), "primary", unit.timely),
                _summary_card(t("unit.timeliness.late"), "danger", unit.late),
            ],
            className="g-2 mb-2",
        )
    ]
    if unit.average_gap is not None:
        key = "unit.timeliness.cost" if unit.average_gap > 0 else "unit.timeliness.no_cost"
        children.append(
            html.P(
                t(
                    key,
                    points=fmt.number(abs(unit.average_gap), 2),
                    share=fmt.number(abs(unit.satisfaction_gap or 0) * 100, 1),
                ),
                className="small fw-semibold",
            )
        )

    def pct(value: float | None) -> float | None:
        return None if value is None else round(value * 100, 1)

    def avg(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    rows = [
        {
            "name": e.procedure_name(lang) or e.procedure_code or t("unit.no_procedure"),
            "timely_ratings": e.timely.ratings,
            "timely_average": avg(e.timely.average),
            "timely_satisfied": pct(e.timely.satisfaction),
            "late_ratings": e.late.ratings,
            "late_average": avg(e.late.average),
            "late_satisfied": pct(e.late.satisfaction),
            "gap": avg(e.average_gap),
        }
        for e in per_procedure
    ]
    columns = [
        {"field": "name", "headerName": t("filter.procedure"), "minWidth": 160, "flex": 1, "pinned": "left"},
        number_column("timely_ratings", t("unit.col.timely_ratings"), width=100, **WRAP),
        number_column("timely_average", t("unit.col.timely_average"), 2, width=100, **WRAP),
        number_column("timely_satisfied", t("unit.col.timely_satisfied"), 1, width=100, **WRAP),
        number_column("late_ratings", t("unit.col.late_ratings"), width=100, **WRAP),
        number_column("late_average", t("unit.col.late_average"), 2, width=100, **WRAP),
        number_column("late_satisfied", t("unit.col.late_satisfied"), 1, width=100, **WRAP),
        number_column("gap", t("unit.col.gap"), 2, width=100, **WRAP),
    ]
    children.append(
        make_grid(
            "unit-timeliness",
            columns,
            rows,
            height=min(360, 60 + 42 * len(rows)),
            export_name=f"{t('unit.file.timeliness')}-{filters.unit}",
        )
    )
    return children


@callback(
    Output("unit-low-ratings", "children"),
    Input("unit-filters", "data"),
    Input("unit-refresh", "n_intervals"),
)
def show_low_ratings(data: dict[str, str], _tick: int | None) -> html.Div:
    filters, lang = _filters(data), current_lang()
    with engine().connect() as conn:
        ratings = low_ratings(conn, filters, scope=current_scope(), limit=LOW_RATINGS_SHOWN)
    if not ratings:
        return _empty(t("unit.low_ratings.empty"))
    items = [
        dbc.ListGroupItem(
            [
                html.Div(
                    [
                        html.Span(
                            [html.I(className="bi bi-star-fill me-1"), f"{r.score}/5"],
                            className="badge text-bg-danger me-2",
                            title=t("unit.low_ratings.score"),
                        ),
                        dcc.Link(
                            r.dossier_code, href=f"/dossier/{r.dossier_code}", className="fw-semibold me-2"
                        ),
                        html.Span(fmt.moment(r.rated_at), className="small text-muted ms-auto"),
                    ],
                    className="d-flex align-items-center",
                ),
                html.Div(r.procedure_name(lang) or r.procedure_code or "–", className="small text-muted"),
                html.Div(
                    r.comment or t("unit.low_ratings.no_comment"),
                    className="mt-1" if r.comment else "mt-1 fst-italic text-muted",
                ),
            ],
            className="low-rating",
        )
        for r in ratings
    ]
    return html.Div(
        [dbc.ListGroup(items, flush=False)],
        style={"maxHeight": "560px", "overflowY": "auto"},
    )
