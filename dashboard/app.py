"""The Dash application: the shell and `server` for gunicorn (`gunicorn dashboard.app:server`)."""

from __future__ import annotations

import os
import secrets

import dash
import dash_bootstrap_components as dbc
from dash import Dash, html

from queries.settings import REPO_ROOT


def create_app() -> Dash:
    app = Dash(
        "dashboard",  # the package name makes Dash import pages as dashboard.pages.*
        use_pages=True,
        pages_folder=str(REPO_ROOT / "dashboard" / "pages"),
        assets_folder=str(REPO_ROOT / "assets"),
        title="Giám sát một cửa",
        update_title=None,
        suppress_callback_exceptions=True,
    )
    # Dash signs each page load's callbacks with the secret; all workers must share it.
    app.server.secret_key = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
    app.layout = html.Div(
        [
            dbc.Navbar(
                dbc.Container(
                    dbc.NavbarBrand([html.I(className="bi bi-clipboard-data me-2"), "Giám sát một cửa"]),
                    fluid=True,
                ),
                color="primary",
                dark=True,
            ),
            dbc.Container(dash.page_container, fluid=True, className="py-3"),
        ]
    )
    return app


app = create_app()
server = app.server
