"""Province overview (`/`), for provincial supervisors: every unit side by side.

Headline cards with the change against the previous period, all units in one grid with the
service score (problem units flagged), a units x sectors backlog heat map, and weekly trends of
the province against one chosen unit. A click on a unit (grid or heat map) opens its page.
Everything is read within the signed-in user's scope (dashboard/access.py): a chairperson sees
their unit here, a sector-limited supervisor the province in their sectors.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import fmt
from dashboard.access import current_scope
from dashboard.cached import PeriodFigures, catalog_of, minute, period_figures, trend, unit_sector_backlog
from dashboard.components.cards import make_kpi_cards
from dashboard.components.figures import (
    PROVINCE_COLOUR,
    SECOND_COLOUR,
    UNIT_COLOUR,
    empty_figure,
    heatmap_figure,
    line_figure,
)
from dashboard.components.filterbar import make_filter_bar
from dashboard.components.grids import make_grid, number_column
from dashboard.i18n import current_lang, t
from dashboard.services import engine
from dashboard.urlstate import page_filters, search_for
from queries import catalog
from queries.filters import Filters
from queries.kpis import combine
from queries.service_index import is_problem_unit, service_score

dash.register_page(__name__, path="/", name="Toàn tỉnh", title="Giám sát một cửa")

TREND_WEEKS = 26


def layout(**query: str) -> html.Div:
    filters, error = page_filters(query)
    known = catalog_of(current_scope())
    units, sectors, procedures = known.units, known.sectors, known.procedures
    lang = current_lang()
    kiosk = query.get("kiosk") == "1"
    unit_options = [{"label": u.name(lang), "value": u.code} for u in units if u.kind != "province"]
    return html.Div(
        [
            dcc.Store(id="province-filters", data=filters.query()),
            dcc.Interval(id="page-refresh", interval=300_000, disabled=not kiosk),
            html.H1(t("province.title"), className="h3 mb-1"),
            html.P(
                t("period.label", start=fmt.day(filters.start), end=fmt.day(filters.end)),
                className="text-muted",
            ),
            dbc.Alert([html.Strong(error), " ", t("filter.error.hint")], color="warning", id="filter-error")
            if error
            else None,
            None if kiosk else make_filter_bar(filters, units=units, sectors=sectors, procedures=procedures),
            dcc.Loading(html.Div(id="province-cards"), type="dot"),
            html.H2(t("province.units"), className="h5 mt-3"),
            dcc.Loading(html.Div(id="province-grid-holder"), type="dot"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            html.H2(t("province.heatmap"), className="h5 mt-3"),
                            dbc.RadioItems(
                                id="heatmap-measure",
                                options=[
                                    {"label": t("province.heatmap.backlog"), "value": "open"},
                                    {"label": t("province.heatmap.overdue"), "value": "overdue"},
                                ],
                                value="open",
                                inline=True,
                            ),
                            dcc.Loading(
                                dcc.Graph(id="province-heatmap", config={"displaylogo": False}), type="dot"
                            ),
                        ],
                        lg=6,
                    ),
                    dbc.Col(
                        [
                            html.H2(t("province.trend"), className="h5 mt-3"),
                            dcc.Dropdown(
                                id="trend-unit",
                                options=unit_options,
                                value=filters.unit,
                                placeholder=t("province.trend.unit"),
                                className="mb-2",
                            ),
                            dcc.Loading(html.Div(id="province-trends"), type="dot"),
                        ],
                        lg=6,
                    ),
                ]
            ),
        ]
    )


def _figures(data: dict[str, str]) -> tuple[Filters, PeriodFigures]:
    filters, _error = page_filters(data)
    return filters, period_figures(filters, current_scope(), minute())


@callback(
    Output("province-cards", "children"),
    Input("province-filters", "data"),
    Input("page-refresh", "n_intervals"),
)
def show_cards(data: dict[str, str], _tick: int | None) -> dbc.Row:
    _filters, figures = _figures(data)
    current = combine(list(figures.current.values()))
    previous = combine(list(figures.previous.values()))
    return make_kpi_cards(current, previous, service_score(current), service_score(previous))


GRID_FIELDS = [
    ("received", 0),
    ("resolved", 0),
    ("on_time_rate", 1),
    ("resolved_late", 0),
    ("open", 0),
    ("overdue", 0),
    ("due_soon", 0),
    ("online_share", 1),
    ("digitized_share", 1),
    ("payment_share", 1),
    ("satisfaction", 1),
    ("average_rating_timely", 2),
    ("average_rating_late", 2),
    ("service_score", 1),
]


def unit_rows(figures: PeriodFigures, units: list[catalog.Named], lang: str) -> list[dict[str, Any]]:
    """One row per unit with activity; ratios as percentages rounded as shown, so exports agree."""
    rows = []
    province = combine(list(figures.current.values()))
    for unit in units:
        kpis = figures.current.get(unit.id)
        if kpis is None:
            continue
        score = service_score(kpis)
        problem = is_problem_unit(kpis, score, province)

        def pct(value: float | None) -> float | None:
            return None if value is None else round(value * 100, 1)

        rows.append(
            {
                "code": unit.code,
                "name": unit.name(lang),
                "level": t(f"level.{unit.kind}"),
                "received": kpis.received,
                "resolved": kpis.resolved,
                "on_time_rate": pct(kpis.on_time_rate),
                "resolved_late": kpis.resolved_late,
                "open": kpis.open,
                "overdue": kpis.overdue,
                "due_soon": kpis.due_soon,
                "online_share": pct(kpis.online_share),
                "digitized_share": pct(kpis.digitized_share),
                "payment_share": pct(kpis.payment_share),
                "satisfaction": pct(kpis.satisfaction),
                "average_rating_timely": _round(kpis.average_rating_timely, 2),
                "average_rating_late": _round(kpis.average_rating_late, 2),
                "service_score": None if score is None else round(score.total, 1),
                "flag": t("flag.problem") if problem else "",
            }
        )
    rows.sort(
        key=lambda row: (row["flag"] == "", row["service_score"] if row["service_score"] is not None else 999)
    )
    return rows


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


@callback(
    Output("province-grid-holder", "children"),
    Input("province-filters", "data"),
    Input("page-refresh", "n_intervals"),
)
def show_units_grid(data: dict[str, str], _tick: int | None) -> html.Div:
    _filters, figures = _figures(data)
    with engine().connect() as conn:
        units = catalog.units(conn, scope=current_scope())
    rows = unit_rows(figures, units, current_lang())
    columns = [
        {
            "field": "name",
            "headerName": t("col.unit"),
            "pinned": "left",
            "minWidth": 190,
            "cellClass": "link-cell",
        },
        {"field": "code", "headerName": t("col.code"), "width": 90},
        {"field": "level", "headerName": t("col.level"), "width": 100},
        *[number_column(field, t(f"col.{field}"), decimals, width=120) for field, decimals in GRID_FIELDS],
        {"field": "flag", "headerName": t("col.flag"), "width": 120, "cellClass": "flag-cell"},
    ]
    return make_grid(
        "units",
        columns,
        rows,
        height=460,
        export_name="don-vi" if current_lang() == "vi" else "units",
        getRowId="params.data.code",
        rowClassRules={"problem-row": "params.data.flag !== ''"},
    )


@callback(
    Output("url", "href", allow_duplicate=True),
    Input({"type": "grid", "id": "units"}, "cellClicked"),
    State("province-filters", "data"),
    prevent_initial_call=True,
)
def open_unit_from_grid(cell: dict[str, Any] | None, data: dict[str, str]) -> str:
    if not cell or not cell.get("rowId"):
        return no_update
    filters, _ = page_filters(data)
    return f"/unit/{cell['rowId']}{search_for(filters, drop_unit=True)}"


@callback(
    Output("url", "href", allow_duplicate=True),
    Input("province-heatmap", "clickData"),
    State("province-filters", "data"),
    prevent_initial_call=True,
)
def open_unit_from_heatmap(click: dict[str, Any] | None, data: dict[str, str]) -> str:
    points = (click or {}).get("points") or []
    if not points or not points[0].get("customdata"):
        return no_update
    filters, _ = page_filters(data)
    return f"/unit/{points[0]['customdata']}{search_for(filters, drop_unit=True)}"


@callback(
    Output("province-heatmap", "figure"),
    Input("province-filters", "data"),
    Input("heatmap-measure", "value"),
    Input("page-refresh", "n_intervals"),
)
def show_heatmap(data: dict[str, str], measure: str, _tick: int | None) -> Any:
    filters, _ = page_filters(data)
    lang = current_lang()
    measure_label = t(f"province.heatmap.{'overdue' if measure == 'overdue' else 'backlog'}")
    title = f"{measure_label} · {t('axis.dossiers')}"
    scope = current_scope()
    cells, known = unit_sector_backlog(filters, scope), catalog_of(scope)
    units = {u.id: u for u in known.units}
    sectors = {s.id: s for s in known.sectors}
    if not cells:
        return empty_figure(title, t("empty.no_backlog"))
    unit_ids = sorted({c.unit_id for c in cells}, key=lambda i: units[i].name(lang))
    sector_ids = sorted(
        {c.sector_id for c in cells if c.sector_id is not None}, key=lambda i: sectors[i].name(lang)
    )
    index = {(c.unit_id, c.sector_id): (c.overdue if measure == "overdue" else c.open) for c in cells}
    return heatmap_figure(
        title,
        [units[u].name(lang) for u in unit_ids],
        [sectors[s].name(lang) for s in sector_ids],
        [[index.get((u, s), 0) for s in sector_ids] for u in unit_ids],
        unit_codes=[units[u].code for u in unit_ids],
        x_title="",
        y_title="",
        colorbar_title=t("axis.dossiers"),
    )


@callback(
    Output("province-trends", "children"),
    Input("province-filters", "data"),
    Input("trend-unit", "value"),
    Input("page-refresh", "n_intervals"),
)
def show_trends(data: dict[str, str], unit_code: str | None, _tick: int | None) -> list:
    filters, _ = page_filters(data)
    start = min(filters.start, filters.end - timedelta(weeks=TREND_WEEKS))
    lang, scope = current_lang(), current_scope()
    province = trend(filters.with_unit(None), scope, start, filters.end)
    unit = trend(filters.with_unit(unit_code), scope, start, filters.end) if unit_code else None
    names = {u.code: u.name(lang) for u in catalog_of(scope).units}
    weeks = [p.week for p in province]
    province_name = t("trend.province")
    unit_name = names.get(unit_code or "", "")

    def ratio(points: list, num: str, den: str) -> list[float | None]:
        return [getattr(p, num) / getattr(p, den) if getattr(p, den) else None for p in points]

    def series(num: str, den: str) -> list[tuple[str, list[float | None], str]]:
        result = [(province_name, ratio(province, num, den), PROVINCE_COLOUR)]
        if unit:
            result.append((unit_name, ratio(unit, num, den), UNIT_COLOUR))
        return result

    volume_source = unit or province
    volume_label = unit_name if unit else province_name
    figures = [
        line_figure(
            f"{t('trend.received_resolved')} · {volume_label}",
            weeks,
            [
                (t("series.received"), [p.received for p in volume_source], PROVINCE_COLOUR),
                (t("series.resolved"), [p.resolved for p in volume_source], SECOND_COLOUR),
            ],
            y_title=t("axis.dossiers"),
        ),
        line_figure(
            t("trend.on_time"), weeks, series("on_time", "resolved"), y_title=t("axis.percent"), percent=True
        ),
        line_figure(
            t("trend.online"), weeks, series("online", "received"), y_title=t("axis.percent"), percent=True
        ),
        line_figure(
            t("trend.satisfaction"),
            weeks,
            series("satisfied", "ratings"),
            y_title=t("axis.percent"),
            percent=True,
        ),
    ]
    return [dcc.Graph(figure=fig, config={"displaylogo": False}) for fig in figures]
