"""The few pages served without Dash (sign-in, refusals, acknowledgement links): one frame.

They must work when Dash's scripts are not loaded (no session yet, a link from an e-mail, a
refusal), so they are Jinja templates extending templates/base.html, with the same stylesheets
and language switch as the app.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from flask import render_template, request

from dashboard.i18n import t

STYLESHEETS = ("01-bootstrap.min.css", "02-bootstrap-icons.min.css", "10-app.css")


def render(template: str, lang: str, **values: Any) -> str:
    """A page in `lang`; templates call `say(key, **values)` for their labels."""
    root = request.script_root
    return render_template(
        template,
        lang=lang,
        say=lambda key, **kw: t(key, lang, **kw),
        stylesheets=[f"{root}/assets/{name}" for name in STYLESHEETS],
        switch_href=f"{root}/lang/{'vi' if lang == 'en' else 'en'}",
        **values,
    )


def same_origin() -> bool:
    """A POST names its page's origin (browsers send Origin on every POST); it must be this host.

    "null" (a sandboxed or privacy-stripped origin) is refused too. Without either header the
    form's own proof (a token, a password) is all there is, which is enough for these forms.
    """
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if source is None:
        return True
    return urlparse(source).netloc.lower() == request.host.lower()
