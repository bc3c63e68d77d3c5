"""The framework's own ceiling: a minimal Dash app, one callback, no database.

Why: issue 7 asks the dashboard under load to reach at least half the throughput Dash itself
reaches on this machine. This app is served by the same gunicorn settings (gunicorn.conf.py) and
loaded by the same clients (bench/load.py); its callback builds a 100-point figure and a 50-row
table from in-memory lists, like ../shared/performance-limits.md section 5's "static" mode.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from dash import Dash, Input, Output, dcc, html

XS = list(range(100))
YS = [(x * 37) % 101 for x in XS]
ROWS = [{"code": f"H{n:05d}", "unit": f"X{n % 9}", "days": n % 17} for n in range(50)]

app = Dash(__name__, update_title=None)
app.layout = html.Div(
    [
        dcc.Dropdown(id="pick", options=["a", "b", "c"], value="a"),
        dcc.Graph(id="graph"),
        html.Div(id="table"),
    ]
)
server = app.server

CALLBACK_BODY: dict[str, Any] = {
    "output": "..graph.figure...table.children..",
    "outputs": [{"id": "graph", "property": "figure"}, {"id": "table", "property": "children"}],
    "inputs": [{"id": "pick", "property": "value", "value": "b"}],
    "changedPropIds": ["pick.value"],
    "state": [],
}


@app.callback(Output("graph", "figure"), Output("table", "children"), Input("pick", "value"))
def show(value: str) -> tuple[go.Figure, html.Table]:
    figure = go.Figure(go.Scatter(x=XS, y=YS, name=value))
    table = html.Table(
        [html.Tr([html.Td(row["code"]), html.Td(row["unit"]), html.Td(row["days"])]) for row in ROWS]
    )
    return figure, table
