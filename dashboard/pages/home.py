"""Province overview (placeholder until the supervisory pages land): proves the database is there."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from dashboard.db import engine
from queries.overview import DatabaseSummary, database_summary
from queries.timeutil import vn_now

dash.register_page(__name__, path="/", name="Tổng quan", title="Tổng quan tỉnh")


def layout(**_query: str) -> html.Div:
    return html.Div(
        [
            html.H1("Tổng quan cơ sở dữ liệu hồ sơ", className="h3"),
            dcc.Loading(html.Div(id="home-summary")),
            dcc.Interval(id="home-load", max_intervals=1, interval=1),
        ]
    )


@callback(Output("home-summary", "children"), Input("home-load", "n_intervals"))
def show_summary(_n: int | None) -> list:
    with engine().connect() as conn:
        summary = database_summary(conn, now=vn_now())
    return summary_cards(summary)


def summary_cards(summary: DatabaseSummary) -> list:
    def card(label: str, value: int, id_: str) -> dbc.Col:
        body = dbc.CardBody(
            [
                html.Div(label, className="text-muted small"),
                html.Div(f"{value:,}".replace(",", "."), id=id_, className="fs-3 fw-semibold"),
            ]
        )
        return dbc.Col(dbc.Card(body), md=2)

    period = ""
    if summary.first_received and summary.last_received:
        period = f"Hồ sơ tiếp nhận từ {summary.first_received:%d/%m/%Y} đến {summary.last_received:%d/%m/%Y}."
    return [
        html.P([html.Strong(summary.province or "Chưa có dữ liệu"), " · ", period]),
        dbc.Row(
            [
                card("Đơn vị", summary.units, "count-units"),
                card("Thủ tục", summary.procedures, "count-procedures"),
                card("Cán bộ", summary.officials, "count-officials"),
                card("Hồ sơ", summary.dossiers, "count-dossiers"),
                card("Đang giải quyết", summary.open, "count-open"),
                card("Quá hạn", summary.overdue, "count-overdue"),
            ],
            className="g-3",
        ),
    ]
