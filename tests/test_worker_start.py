"""A fresh web worker is fully set up before its first request.

Dash sets itself up on a process's first request and raises its "done" flag before doing the
work, so in a threaded gunicorn worker the browser's parallel first requests could find the
script bundles unregistered or the callback map empty (500s seen in CI); dashboard/app.py sets
the app up when it is created.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from queries.db import make_engine
from queries.migrate import upgrade
from queries.settings import REPO_ROOT
from tests.login import PASSWORD, USERNAME, add_account

PROBE = f"""
import json
from dashboard.app import app
before = [sorted(app.registered_paths), sorted(app.callback_map)]
client = app.server.test_client()
login = {{"username": {USERNAME!r}, "password": {PASSWORD!r}, "next": "/"}}
assert client.post("/login", data=login).status_code == 302
assert client.get("/").status_code == 200
after = [sorted(app.registered_paths), sorted(app.callback_map)]
print(json.dumps([before, after]))
"""


def test_a_new_process_has_its_bundles_and_callbacks_before_any_request(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'dossiers.sqlite'}"
    engine = make_engine(database)
    upgrade(engine)
    with engine.begin() as conn:
        add_account(conn)  # its first requests are a sign-in and a page, as a reader's are
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": database, "CACHE_DIR": str(tmp_path / "cache")}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert probe.returncode == 0, probe.stderr[-2000:]
    before, after = json.loads(probe.stdout.strip().splitlines()[-1])
    assert before == after, "nothing is left for the first request to set up"
    packages, callbacks = before
    assert "dash" in packages and len(callbacks) > 20
