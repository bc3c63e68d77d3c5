"""A page link for something outside the user's scope is refused at once, with a page saying so.

Dash serves the same empty shell for every page path and renders the page in a callback, which
refuses an out-of-scope request with 403 (dashboard/app.py); the reader would see a blank page.
This check runs before the shell is served, on what the link names: the unit in the path or the
query, the sector, the official, the dossier, the administrators' pages. The refusal is 403, it
is recorded in the audit trail, and it shows nothing of what was asked for.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, request

from dashboard import plain_pages
from dashboard.access import client_address, current_scope, current_username
from dashboard.i18n import current_lang, t
from dashboard.services import engine
from queries import audit
from queries.kpis import check_dossier, check_official
from queries.scope import OutOfScope, Role, Scope

log = logging.getLogger(__name__)

#: Paths Dash answers with its page shell (everything else is a file, a callback or a route).
NOT_PAGES = (
    "/_",
    "/api/",
    "/assets/",
    "/login",
    "/logout",
    "/lang/",
    "/alerts/ack/",
    "/healthz",
    "/readyz",
    "/metrics",
)


def install(server: Flask) -> None:
    server.before_request(guard)


def guard() -> Any:
    if request.method != "GET" or request.path.startswith(NOT_PAGES):
        return None
    try:
        check(request.path, request.args, current_scope())
    except OutOfScope as refused:
        return refusal(refused)
    return None


def check(path: str, args: Any, scope: Scope) -> None:
    """OutOfScope when the page link names anything the scope does not cover."""
    if path.startswith("/admin") and scope.role is not Role.ADMIN:
        raise OutOfScope("page", path)
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2 and parts[0] == "unit":
        scope.check_unit(parts[1])
    if args.get("unit"):
        scope.check_unit(args["unit"])
    if args.get("sector") and not scope.allows_sector(args["sector"]):
        raise OutOfScope("sector", args["sector"])
    dossier = parts[1] if len(parts) == 2 and parts[0] == "dossier" else None
    official = args.get("official")
    if (dossier or official) and scope.role is not Role.ADMIN:
        with engine().connect() as conn:
            if dossier:
                check_dossier(conn, dossier[:64], scope)
            if official:
                check_official(conn, official[:64], scope)


def refusal(refused: OutOfScope) -> Response:
    record_refusal(refused)
    lang = current_lang()
    html = plain_pages.render(
        "denied.html",
        lang,
        what=t(f"denied.what.{refused.param}", lang),
        home=f"{request.script_root}/",
    )
    return Response(html, status=403, mimetype="text/html", headers={"Cache-Control": "no-store"})


def record_refusal(refused: OutOfScope) -> None:
    """Who asked for what outside their scope, in the audit trail (pages and forged callbacks)."""
    with engine().begin() as conn:
        audit.record(
            conn,
            actor=current_username(),
            action="access_denied",
            target=f"{refused.param}={refused.value}"[:200],
            detail={"path": request.path[:200]},
            address=client_address(),
        )
    log.warning("refused: %s", refused)
