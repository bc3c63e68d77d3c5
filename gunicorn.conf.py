"""gunicorn settings for the dashboard: `gunicorn -c gunicorn.conf.py dashboard.app:server`."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8050")
workers = int(os.environ.get("WEB_WORKERS", multiprocessing.cpu_count()))
threads = int(os.environ.get("WEB_THREADS", 2))
timeout = 60
graceful_timeout = 30
accesslog = "-"
# gunicorn >= 25.1 opens a control socket at a shared path by default; a second instance on the
# same machine (tests, a staging copy) would take it over and delete it on exit.
control_socket_disable = True
