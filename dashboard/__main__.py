"""`python -m dashboard [--host 127.0.0.1] [--port 8050]`: serve the dashboard on DATABASE_URL.

`python -m dashboard users add|disable|enable|reset|list`: the accounts (dashboard/users_cli.py).

For production, gunicorn serves the same app object (`gunicorn -c gunicorn.conf.py dashboard.app:server`).
Both check before anything else that the database can be written and set up the one-line logs
(queries/logsetup.py), so a read-only disk or a bad LOG_FORMAT stops the process with one line
(exit code 2) instead of a traceback from the app's import.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["users"]:
        from dashboard import users_cli

        return users_cli.main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m dashboard", epilog="accounts: python -m dashboard users -h"
    )
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
    audit_configuration()
    from dashboard.app import app

    app.run(host=args.host, port=args.port, debug=False)
    return 0


def audit_configuration() -> None:
    """Edits to the alert rules or the calendar since the last start, into the audit trail
    (queries/config_audit.py): once per start, never stopping the web app (gunicorn.conf.py's
    `when_ready` does the same for production)."""
    import logging

    from alerts.config import config_path
    from queries import config_audit
    from queries.settings import ClockPolicy, SettingsError

    try:
        calendar = ClockPolicy.from_env().overrides_file
    except SettingsError as exc:  # the app itself reports it; the audit check only steps aside
        logging.getLogger(config_audit.__name__).warning("configuration files not checked: %s", exc)
        return
    config_audit.check_at_start(rules=config_path(), calendar=calendar, process="web")


if __name__ == "__main__":
    sys.exit(main())
