"""Security headers on every response, with a Content-Security-Policy Dash can live with.

Scripts: only this server's files and the hashes of Dash's own inline scripts (the renderer's
start-up line and any clientside callbacks, `Dash.csp_hashes()`): no 'unsafe-inline', no
'unsafe-eval'. Styles keep 'unsafe-inline': Plotly and the grid write <style> elements at run
time, and an injected style cannot run code. Frames: none, except the kiosk view (`?kiosk=1`)
for the origins listed in KIOSK_FRAME_ANCESTORS (say, a province's intranet portal); the login
page is never framed.
Routes that set their own policy (acknowledgement pages) keep it.
"""

from __future__ import annotations

import os

from dash import Dash
from flask import Response, request


def install(app: Dash) -> None:
    framers = os.environ.get("KIOSK_FRAME_ANCESTORS", "").split()
    policies: dict[bool, str] = {}

    def policy(framed: bool) -> str:
        """Built at the first response, when every page (and its clientside callbacks) is loaded."""
        if framed not in policies:
            scripts = " ".join(["'self'", *sorted(set(app.csp_hashes()))])
            ancestors = " ".join(framers) if framed else "'none'"
            policies[framed] = (
                f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
                "worker-src 'self' blob:; "
                f"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}"
            )
        return policies[framed]

    @app.server.after_request
    def headers(response: Response) -> Response:
        # Never the login form: a framed password field invites clickjacking, even by a friend.
        framed = bool(framers) and request.args.get("kiosk") == "1" and not request.path.startswith("/login")
        response.headers.setdefault("Content-Security-Policy", policy(framed))
        if not framed:
            response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        return response
