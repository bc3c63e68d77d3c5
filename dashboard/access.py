"""The signed-in user's scope for this request (queries/scope.py says what a scope allows).

Callbacks, exports and API routes ask `current_scope()` and pass the answer to `queries/`; they
never decide visibility themselves. The scope is kept on `flask.g` for the request, so tests can
also put one there (`use_scope`) without a login.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import abort, g, has_request_context, request
from flask_login import current_user

from queries.scope import Scope


def current_scope() -> Scope:
    """The scope of the user behind this request; 401 when nobody is signed in."""
    scope = g.get("scope")
    if scope is None:
        if not current_user or not current_user.is_authenticated:
            abort(401)
        scope = g.scope = current_user.scope
    return scope


def use_scope(scope: Scope) -> None:
    """Set this request's scope (the login gate does it; tests calling callbacks directly too)."""
    g.scope = scope


def client_address() -> str | None:
    """The reader's address, for the audit trail and the login brake.

    Behind the reverse proxy every request comes from the proxy (127.0.0.1): then the address is
    the one the proxy appended last to X-Forwarded-For (nginx's `$proxy_add_x_forwarded_for`),
    skipping proxies, never an entry the client wrote itself. Proxies are the addresses in
    FORWARDED_ALLOW_IPS, the variable gunicorn reads for the same trust (default 127.0.0.1,::1;
    "*" trusts every peer: only when nothing but the proxy can reach the app)."""
    if not has_request_context():
        return None
    peer = request.remote_addr
    trusted = {a.strip() for a in os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1").split(",")}
    if peer is None or not (peer in trusted or "*" in trusted):
        return peer
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop[:64]
    return peer


def current_username() -> str:
    """Who is behind this request, for the audit trail ("-" when nobody is signed in)."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return str(current_user.account.username)
    return "-"


def record_export(what: str, detail: Mapping[str, Any]) -> None:
    """Write an "export" event to the audit trail: who downloaded `what` (a short name, say
    "alerts.csv" or "units-grid.xlsx"), with `detail` (the filters, the row count), the scope it
    was read under, and from which address. Call it in the callback or route that builds the
    file, before handing it out: if the trail cannot be written, the file is not given either."""
    from dashboard.services import engine, now
    from queries import audit

    scope = g.get("scope") if has_request_context() else None
    extra = {"scope": scope.cache_key()} if scope is not None and "scope" not in detail else {}
    with engine().begin() as conn:
        audit.record(
            conn,
            actor=current_username(),
            action="export",
            target=what,
            detail={**detail, **extra},
            address=client_address(),
            at=now(),
        )
