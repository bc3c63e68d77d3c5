"""Security headers (dashboard/security.py) on a page, an API route, the login page and a probe:
a Content-Security-Policy whose scripts are this server's files and Dash's own inline scripts by
hash (no 'unsafe-inline', no 'unsafe-eval'), no framing except the kiosk view for the origins in
KIOSK_FRAME_ANCESTORS, and the usual companions.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine

import dashboard.app  # noqa: F401 - the app, before the dashboard_db fixture points it at a database
from queries.db import make_engine
from queries.migrate import upgrade
from queries.settings import REPO_ROOT
from tests.login import PASSWORD, USERNAME, add_account, signed_in_client

#: An inline script the browser runs: no src, not a JSON data block (Dash's config).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>(.*?)</script>", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)  # e.g. Dash's <!--[if IE]> warning: never run


def policy(header: str) -> dict[str, list[str]]:
    """The CSP as directive -> sources."""
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: sources for name, *sources in directives}


def check_headers(headers: dict[str, str] | object, *, framed_by: str | None = None) -> dict[str, list[str]]:
    csp = policy(headers["Content-Security-Policy"])  # type: ignore[index]
    scripts = csp["script-src"]
    assert "'self'" in scripts
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert all(s == "'self'" or s.startswith("'sha256-") for s in scripts), scripts
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"]
    if framed_by is None:
        assert csp["frame-ancestors"] == ["'none'"]
        assert headers["X-Frame-Options"] == "DENY"  # type: ignore[index]
    else:
        assert csp["frame-ancestors"] == framed_by.split()
        assert "X-Frame-Options" not in headers  # it cannot name origins; the CSP does
    assert headers["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]
    assert headers["Referrer-Policy"] == "same-origin"  # type: ignore[index]
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"  # type: ignore[index]
    assert "camera=()" in headers["Permissions-Policy"]  # type: ignore[index]
    return csp


@pytest.fixture
def client(dashboard_db: Engine, two_communes) -> FlaskClient:  # type: ignore[no-untyped-def]
    return signed_in_client(dashboard_db)


def test_a_page_allows_exactly_its_own_inline_scripts(client: FlaskClient) -> None:
    response = client.get("/unit/10001")
    assert response.status_code == 200
    csp = check_headers(response.headers)
    inline = INLINE_SCRIPT.findall(COMMENT.sub("", response.get_data(as_text=True)))
    assert inline, "Dash's renderer starts from an inline script"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in csp["script-src"], script[:80]


def test_the_api_the_login_page_callbacks_and_probes_carry_them_too(client: FlaskClient) -> None:
    api = client.get("/api/v1/units")
    assert api.status_code == 200 and api.content_type.startswith("application/json")
    check_headers(api.headers)
    callback = client.post(
        "/_dash-update-component",
        json={
            "output": "..navbar.className...page.className..",
            "outputs": [{"id": "navbar", "property": "className"}, {"id": "page", "property": "className"}],
            "inputs": [{"id": "url", "property": "search", "value": ""}],
            "changedPropIds": ["url.search"],
            "state": [],
        },
    )
    assert callback.status_code == 200
    check_headers(callback.headers)
    anonymous = client.application.test_client()
    login = anonymous.get("/login")
    assert login.status_code == 200
    check_headers(login.headers)
    assert login.headers["Cache-Control"] == "no-store"
    assert "<script" not in login.get_data(as_text=True), "the login page runs no script at all"
    check_headers(anonymous.get("/healthz").headers)
    check_headers(anonymous.get("/").headers)  # the redirect to the login page too


def test_the_kiosk_view_is_not_framed_without_kiosk_frame_ancestors(client: FlaskClient) -> None:
    check_headers(client.get("/?kiosk=1").headers)


def test_the_acknowledgement_pages_keep_their_stricter_policy(client: FlaskClient) -> None:
    csp = policy(client.get("/alerts/ack/not-a-token").headers["Content-Security-Policy"])
    assert csp["default-src"] == ["'none'"] and "script-src" not in csp


PROBE = f"""
import json
from dashboard.app import server
client = server.test_client()
login = {{"username": {USERNAME!r}, "password": {PASSWORD!r}}}
assert client.post("/login", data=login).status_code == 302
answers = {{}}
for path in ("/?kiosk=1", "/", "/unit/10001?kiosk=1", "/login?kiosk=1"):
    response = client.get(path)
    answers[path] = [response.status_code, dict(response.headers)]
print(json.dumps(answers))
"""


def test_kiosk_frame_ancestors_lets_only_the_kiosk_view_be_framed_by_those_origins(tmp_path: Path) -> None:
    """The setting is read when the app starts: a process of its own, as a deployment runs it."""
    database = f"sqlite:///{tmp_path / 'dossiers.sqlite'}"
    engine = make_engine(database)
    upgrade(engine)
    with engine.begin() as conn:
        add_account(conn)
    engine.dispose()
    portal = "https://congthongtin.tinh.example https://*.tinh.example"
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "CACHE_DIR": str(tmp_path / "cache"),
        "KIOSK_FRAME_ANCESTORS": portal,
    }
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    answers = json.loads(probe.stdout.strip().splitlines()[-1])
    for path in ("/?kiosk=1", "/unit/10001?kiosk=1"):
        status, headers = answers[path]
        assert status == 200, path
        check_headers(headers, framed_by=portal)
    check_headers(answers["/"][1])  # not the kiosk view: never framed
    check_headers(answers["/login?kiosk=1"][1])  # nor the password form, ever
