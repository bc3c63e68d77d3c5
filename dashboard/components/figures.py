"""Plotly figures with titles, units, locale separators and colour-blind-safe colours.

State colours are the same on every page (Okabe-Ito palette): on track blue, due soon orange,
overdue vermillion, paused grey; early bluish green, on time sky blue, late vermillion.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import plotly.graph_objects as go

from dashboard import fmt

STATE_COLOURS = {
    "on_track": "#0072B2",
    "due_soon": "#E69F00",
    "overdue": "#D55E00",
    "paused": "#999999",
    "early": "#009E73",
    "on_time": "#56B4E9",
    "late": "#D55E00",
}
PROVINCE_COLOUR = "#0072B2"
UNIT_COLOUR = "#E69F00"
SECOND_COLOUR = "#009E73"
HEAT_SCALE = [[0.0, "#f7f7f7"], [0.35, "#fdd49e"], [0.7, "#fc8d59"], [1.0, "#b30000"]]


def base_layout(
    fig: go.Figure, title: str, *, height: int = 320, y_title: str = "", x_title: str = ""
) -> go.Figure:
    fig.update_layout(
        title={"text": title, "font": {"size": 15}},
        height=height,
        margin={"l": 50, "r": 10, "t": 45, "b": 40},
        separators=fmt.plotly_separators(),
        legend={"orientation": "h", "y": -0.2},
        plot_bgcolor="white",
        paper_bgcolor="white",
        font={"family": "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"},
    )
    fig.update_yaxes(title_text=y_title, gridcolor="#e5e5e5", zerolinecolor="#cccccc")
    fig.update_xaxes(title_text=x_title, gridcolor="#f0f0f0")
    return fig


def empty_figure(title: str, message: str, *, height: int = 320) -> go.Figure:
    fig = base_layout(go.Figure(), title, height=height)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(
        text=message,
        showarrow=False,
        font={"size": 14, "color": "#555"},
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
    )
    return fig


def line_figure(
    title: str,
    weeks: Sequence[date],
    series: Sequence[tuple[str, Sequence[float | None], str]],
    *,
    y_title: str,
    percent: bool = False,
    height: int = 300,
) -> go.Figure:
    fig = go.Figure()
    for name, values, colour in series:
        fig.add_trace(
            go.Scatter(
                x=list(weeks),
                y=[None if v is None else (v * 100 if percent else v) for v in values],
                name=name,
                mode="lines+markers",
                marker={"size": 4},
                line={"color": colour, "width": 2},
                connectgaps=False,
            )
        )
    fig = base_layout(fig, title, height=height, y_title=y_title)
    if percent:
        fig.update_yaxes(ticksuffix="%")
    return fig


def heatmap_figure(
    title: str,
    units: Sequence[str],
    sectors: Sequence[str],
    values: Sequence[Sequence[int]],
    *,
    unit_codes: Sequence[str],
    x_title: str,
    y_title: str,
    colorbar_title: str,
) -> go.Figure:
    fig = go.Figure(
        go.Heatmap(
            z=values,
            x=list(sectors),
            y=list(units),
            customdata=[[code] * len(sectors) for code in unit_codes],
            colorscale=HEAT_SCALE,
            colorbar={"title": {"text": colorbar_title}},
            hovertemplate="%{y}<br>%{x}: %{z}<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    height = max(380, 18 * len(units) + 190)
    fig = base_layout(fig, title, height=height, x_title=x_title, y_title=y_title)
    fig.update_yaxes(autorange="reversed", tickfont={"size": 10})
    fig.update_xaxes(tickangle=-40)
    fig.update_layout(margin={"l": 170, "r": 10, "t": 45, "b": 130})
    return fig
