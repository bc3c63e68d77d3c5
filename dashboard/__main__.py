"""`python -m dashboard [--host 127.0.0.1] [--port 8050]`: serve the dashboard on DATABASE_URL.

For production, gunicorn serves the same app object (`gunicorn -c gunicorn.conf.py dashboard.app:server`).
Both check before anything else that the database can be written and set up the one-line logs
(queries/logsetup.py), so a read-only disk or a bad LOG_FORMAT stops the process with one line
(exit code 2) instead of a traceback from the app's import.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    args = parser.parse_args(argv)
    from queries import logsetup
    from queries.db import require_writable
    from queries.settings import SettingsError

    try:
        logsetup.configure()
        require_writable()
    except SettingsError as exc:
        print(f"dashboard: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    from dashboard.app import app

    app.run(host=args.host, port=args.port, debug=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
