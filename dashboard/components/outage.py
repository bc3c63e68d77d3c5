"""The page-level banner for a database outage, and the retry that keeps its promise.

When a callback fails because the database cannot be reached (`queries.db.is_unreachable`: a
restart, a failover, a cut network), the app's on_error handler (dashboard/app.py) opens this
banner instead of the generic error toast, because the reader needs to know that nothing is wrong
with the page or the figures and that waiting is the remedy. The banner says the page will retry,
so it does: while it is open a timer pings the database every RETRY_SECONDS, and the first answer
reloads the page (a wall screen in kiosk mode heals by itself, nobody presses F5). While the
database stays away the ping fails too, which only re-opens the same banner.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, callback, clientside_callback, dcc, html, set_props

from dashboard.i18n import t
from dashboard.services import engine
from queries.db import ping

RETRY_SECONDS = 15
BANNER, TIMER, BACK = "db-outage", "db-retry", "db-back"


def outage_banner() -> html.Div:
    """Hidden until an outage; lives in the shell, above every page (also in kiosk mode)."""
    return html.Div(
        [
            dbc.Alert(id=BANNER, color="warning", is_open=False, className="mx-3"),
            dcc.Interval(id=TIMER, interval=RETRY_SECONDS * 1000, disabled=True),
            dcc.Store(id=BACK),
        ]
    )


def show_outage() -> None:
    """Open the banner (in the request's language) and start the retry timer; from on_error."""
    set_props(BANNER, {"is_open": True, "children": message()})
    set_props(TIMER, {"disabled": False})


def message() -> list[object]:
    return [
        html.I(className="bi bi-database-exclamation me-2"),
        html.Strong(t("outage.title")),
        " ",
        t("outage.body", seconds=RETRY_SECONDS),
    ]


@callback(Output(BACK, "data"), Input(TIMER, "n_intervals"), prevent_initial_call=True)
def check_database(n_intervals: int | None) -> int | None:
    """One round trip; an error goes to on_error, which keeps the banner open."""
    with engine().connect() as conn:
        ping(conn)
    return n_intervals


# The database answered: reload the whole page, so every section is read afresh.
clientside_callback(
    """
    function(back) {
        if (back) { window.location.reload(); }
        return true;
    }
    """,
    Output(TIMER, "disabled"),
    Input(BACK, "data"),
    prevent_initial_call=True,
)
