"""The Dash application: the shell and `server` for gunicorn (`gunicorn dashboard.app:server`).

Only the app, the navbar and the language switch live here; each page is a module in
dashboard/pages with its layout and callbacks, reusable pieces in dashboard/components.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlparse

import dash
import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, callback, dcc, html, set_props
from flask import abort, redirect, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from dashboard.components.outage import outage_banner, show_outage
from dashboard.i18n import COOKIE, LANGS, current_lang, t
from dashboard.services import cache
from queries.db import describe, is_unreachable
from queries.scope import OutOfScope, Role
from queries.settings import REPO_ROOT, secret_key

log = logging.getLogger(__name__)


def create_app() -> Dash:
    app = Dash(
        "dashboard",  # the package name makes Dash import pages as dashboard.pages.*
        use_pages=True,
        pages_folder=str(REPO_ROOT / "dashboard" / "pages"),
        assets_folder=str(REPO_ROOT / "assets"),
        title="Giám sát một cửa",
        update_title=None,
        suppress_callback_exceptions=True,
        on_error=report_callback_error,
    )
    # Dash signs each page load's callbacks with the secret; all workers must share it.
    app.server.secret_key = secret_key()
    cache.init_app(app.server)
    app.server.add_url_rule("/lang/<code>", "set_language", set_language)
    from dashboard.api import api  # /api/v1: the read-only JSON API for operations centres

    app.server.register_blueprint(api)
    from dashboard.ack import ack  # /alerts/ack/<token>: a recipient answers an alert from its message

    app.server.register_blueprint(ack)
    from dashboard import health, metrics  # /healthz, /readyz, /metrics: docs/deploy.md

    app.server.register_blueprint(health.health)
    metrics.install(app)
    app.layout = shell
    # Dash sets itself up (script bundles, callback map, the pages router) in before-request hooks
    # that raise their "done" flag *before* the work: in a threaded gunicorn worker the browser's
    # parallel first requests then found bundles unregistered (500s seen in CI). Run them now.
    from dashboard import auth, page_guard, security

    auth.install(app.server)  # its gate runs after Dash's own set-up hooks, registered before it
    page_guard.install(app.server)  # after the gate: it needs the signed-in user
    security.install(app)
    with app.server.test_request_context("/"):
        app.server.preprocess_request()
    return app


def shell() -> html.Div:
    """The frame around every page; a function so the labels follow the request's language."""
    lang = current_lang()
    links = [
        dbc.NavItem(
            dbc.NavLink(
                [html.I(className="bi bi-grid-3x3-gap me-1"), t("nav.province")], href="/", active="exact"
            )
        ),
        dbc.NavItem(
            dbc.NavLink(
                [html.I(className="bi bi-person-check me-1"), t("nav.me")], href="/me", active="partial"
            )
        ),
        dbc.NavItem(
            dbc.NavLink(
                [html.I(className="bi bi-clipboard-check me-1"), t("nav.quality")],
                href="/quality",
                active="partial",
            )
        ),
        dbc.NavItem(
            dbc.NavLink(
                [html.I(className="bi bi-bell me-1"), t("nav.alerts")],
                href="/alerts",
                active="partial",
            )
        ),
        *_admin_links(),
        dbc.NavItem(
            dbc.NavLink(
                [html.I(className="bi bi-translate me-1"), t("nav.language")],
                id="language-switch",
                href=f"/lang/{'vi' if lang == 'en' else 'en'}",
                external_link=True,
            )
        ),
    ]
    return html.Div(
        [
            dcc.Location(id="url", refresh="callback-nav"),
            dbc.Navbar(
                dbc.Container(
                    [
                        dbc.NavbarBrand(
                            [html.I(className="bi bi-clipboard-data me-2"), t("app.title")], href="/"
                        ),
                        dbc.Nav(links + _account_menu(), className="ms-auto", navbar=True),
                    ],
                    fluid=True,
                ),
                id="navbar",
                color="primary",
                dark=True,
                className="mb-3",
            ),
            outage_banner(),
            dbc.Container(dash.page_container, id="page", fluid=True, className="pb-4"),
            dbc.Toast(
                id="error-toast",
                header=t("error.unexpected"),
                is_open=False,
                dismissable=True,
                icon="danger",
                style={"position": "fixed", "top": 70, "right": 20, "width": 380, "zIndex": 2000},
            ),
        ],
        lang=lang,
    )


def _admin_links() -> list[dbc.NavItem]:
    if not current_user.is_authenticated or current_user.scope.role is not Role.ADMIN:
        return []
    return [
        dbc.NavItem(
            dbc.NavLink(
                [html.I(className="bi bi-journal-text me-1"), t("nav.audit")],
                href="/admin/audit",
                active="partial",
            )
        )
    ]


def _account_menu() -> list[Any]:
    """Who is signed in (name and role) and the sign-out button (a POST: a link could be forged)."""
    if not current_user.is_authenticated:
        return []
    account = current_user.account
    return [
        dbc.NavItem(
            html.Span(
                [
                    html.I(className="bi bi-person-circle me-1"),
                    account.display_name,
                    " · ",
                    t(f"role.{account.role}"),
                ],
                className="navbar-text text-white-50 small ms-lg-3",
                id="account-name",
            )
        ),
        dbc.NavItem(
            html.Form(
                html.Button(
                    [html.I(className="bi bi-box-arrow-right me-1"), t("nav.logout")],
                    type="submit",
                    className="btn btn-sm btn-outline-light ms-lg-2",
                    id="logout-button",
                ),
                action="/logout",
                method="POST",
                className="d-flex align-items-center",
            )
        ),
    ]


@callback(Output("navbar", "className"), Output("page", "className"), Input("url", "search"))
def kiosk_mode(search: str | None) -> tuple[str, str]:
    """`?kiosk=1`: the wall screen of a service center: no navbar, large type."""
    if search and "kiosk=1" in search:
        return "d-none", "pb-4 kiosk"
    return "mb-3", "pb-4"


def report_callback_error(error: Exception) -> Any:
    """One place for callback errors (page layouts included: Dash renders them in a callback).

    A database out of reach is no fault of the page: it opens the outage banner, whose timer
    reloads the page once the database answers, and logs one line without a traceback (every
    open page retries, and a stack per retry would bury the log). Anything else is logged with
    its traceback and shown in the toast.
    """
    if isinstance(error, OutOfScope):
        # A forged request for another unit, sector, official or dossier: refused as a whole,
        # recorded, and nothing of it rendered.
        from dashboard.page_guard import record_refusal

        record_refusal(error)
        abort(403)
    if is_unreachable(error):
        log.warning("callback: the database cannot be reached", extra={"error": describe(error)})
        show_outage()
    else:
        log.exception("callback failed", exc_info=error)
        message = t("error.query") if isinstance(error, SQLAlchemyError) else str(error)[:300]
        set_props("error-toast", {"is_open": True, "children": message})
    return _unchanged_outputs()


def _unchanged_outputs() -> Any:
    """No update (None) for every output, except for Dash's page router: its title store must get
    a value, or Dash's own clientside callback reads `data.title` of nothing and throws in the
    browser's console while the page is blank."""
    outputs = dash.callback_context.outputs_list
    ids = [o.get("id") for o in outputs if isinstance(o, dict)] if isinstance(outputs, list) else []
    if "_pages_store" in ids:
        return [{"title": t("app.title")} if i == "_pages_store" else dash.no_update for i in ids]
    return None


def set_language(code: str) -> Response:
    target = request.referrer or "/"
    parsed = urlparse(target)
    if parsed.netloc and parsed.netloc != request.host:  # never redirect to another site
        target = "/"
    else:
        target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    response = redirect(target or "/")
    if code in LANGS:
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


app = create_app()
server = app.server
