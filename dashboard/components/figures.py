"""Plotly figures with titles, units, locale separators and colour-blind-safe colours.

State colours are the same on every page (Okabe-Ito palette): on track blue, due soon orange,
overdue vermillion, paused grey; early bluish green, on time sky blue, late vermillion.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

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


FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"
# Plotly copies its default template (every colour scale of every trace type) into each figure
# and sends it to the browser with the figure: most of a chart's build time and ~6 kB of its
# JSON. This template carries only what the dashboard's charts use.
pio.templates["motcua"] = go.layout.Template(
    layout={
        "font": {"family": FONT, "color": "#2a3f5f"},
        "colorway": [PROVINCE_COLOUR, UNIT_COLOUR, SECOND_COLOUR, "#CC79A7", "#56B4E9", "#D55E00"],
        "hoverlabel": {"align": "left"},
        "hovermode": "closest",
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "title": {"x": 0.05},
        "xaxis": {"automargin": True, "ticks": "", "title": {"standoff": 15}, "zerolinecolor": "#cccccc"},
        "yaxis": {"automargin": True, "ticks": "", "title": {"standoff": 15}, "zerolinecolor": "#cccccc"},
    }
)
pio.templates.default = "motcua"


def layout(
    title: str,
    *,
    height: int = 320,
    y_title: str = "",
    x_title: str = "",
    xaxis: dict[str, Any] | None = None,
    yaxis: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The dashboard's chart layout as one dict: a figure validates it once, in one update
    (each plotly `update_*` call walks and validates the whole layout again)."""
    return {
        "title": {"text": title, "font": {"size": 15}},
        "height": height,
        "margin": {"l": 50, "r": 10, "t": 45, "b": 40},
        "separators": fmt.plotly_separators(),
        "legend": {"orientation": "h", "y": -0.2},
        "xaxis": {"title": {"text": x_title}, "gridcolor": "#f0f0f0", **(xaxis or {})},
        "yaxis": {"title": {"text": y_title}, "gridcolor": "#e5e5e5", **(yaxis or {})},
        **extra,
    }


def base_layout(fig: go.Figure, title: str, **options: Any) -> go.Figure:
    """`fig` with the dashboard's layout (`layout`'s options: height, axis titles, axis and
    layout extras)."""
    return fig.update_layout(layout(title, **options))


def empty_figure(title: str, message: str, *, height: int = 320) -> go.Figure:
    hidden = {"visible": False}
    annotation = {
        "text": message,
        "showarrow": False,
        "font": {"size": 14, "color": "#555"},
        "x": 0.5,
        "y": 0.5,
        "xref": "paper",
        "yref": "paper",
    }
    return go.Figure(
        layout=layout(title, height=height, xaxis=hidden, yaxis=hidden, annotations=[annotation])
    )


def line_figure(
    title: str,
    weeks: Sequence[date],
    series: Sequence[tuple[str, Sequence[float | None], str]],
    *,
    y_title: str,
    percent: bool = False,
    height: int = 300,
) -> go.Figure:
    traces = [
        go.Scatter(
            x=list(weeks),
            y=[None if v is None else (v * 100 if percent else v) for v in values],
            name=name,
            mode="lines+markers",
            marker={"size": 4},
            line={"color": colour, "width": 2},
            connectgaps=False,
        )
        for name, values, colour in series
    ]
    axis = {"ticksuffix": "%"} if percent else {}
    return go.Figure(traces, layout(title, height=height, y_title=y_title, yaxis=axis))


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
    return base_layout(
        fig,
        title,
        height=max(380, 18 * len(units) + 190),
        x_title=x_title,
        y_title=y_title,
        xaxis={"tickangle": -40},
        yaxis={"autorange": "reversed", "tickfont": {"size": 10}},
        margin={"l": 170, "r": 10, "t": 45, "b": 130},
    )
