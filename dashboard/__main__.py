"""`python -m dashboard [--host 127.0.0.1] [--port 8050]`: serve the dashboard on DATABASE_URL.

For production, gunicorn serves the same app object (`gunicorn -c gunicorn.conf.py dashboard.app:server`).
"""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dashboard")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    args = parser.parse_args(argv)
    from dashboard.app import app

    app.run(host=args.host, port=args.port, debug=False)


if __name__ == "__main__":
    main()
