"""The signed-in user's scope for this request (queries/scope.py says what a scope allows).

Callbacks, exports and API routes ask `current_scope()` and pass the answer to `queries/`; they
never decide visibility themselves. The scope is kept on `flask.g` for the request, so tests can
also put one there (`use_scope`) without a login.
"""

from __future__ import annotations

from flask import abort, g
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
