# Two commands on a fresh machine: `make run` serves the dashboard on a demo province,
# `make test` runs the whole suite. Everything installs into .venv from the pinned requirements.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8050
DATABASE_URL ?= sqlite:///instance/dossiers.sqlite
export DATABASE_URL

.PHONY: run serve test lint demo clean-db bench

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime  ## create the database (demo province if empty), start the alert scheduler, serve on :8050
	$(PY) -m queries init
	$(PY) -m queries demo --if-empty
	@echo "alert scheduler started beside the web server; demo messages go to instance/demo-inbox.jsonl"
	$(PY) -m alerts run > instance/alerts.log 2>&1 & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler' EXIT INT TERM; \
	$(PY) -m dashboard --host $(HOST) --port $(PORT)

serve: $(VENV)/.runtime  ## as deployed: gunicorn (gunicorn.conf.py) + the alert scheduler on DATABASE_URL; needs SECRET_KEY
	@if [ -z "$$SECRET_KEY" ] && [ -z "$$SECRET_KEY_FILE" ]; then \
		echo "make serve: SECRET_KEY is not set. The web workers and the alert scheduler must share it" >&2; \
		echo "(it signs Dash callbacks and acknowledgement links). For example:" >&2; \
		echo "  SECRET_KEY=\$$(python3 -c 'import secrets; print(secrets.token_hex(32))') make serve" >&2; \
		echo "or point SECRET_KEY_FILE at a file holding it." >&2; \
		exit 2; \
	fi
	$(PY) -m queries init
	@# Metrics: the workers share a fresh multiprocess directory; the scheduler serves its own
	@# (ALERTS_METRICS_PORT, 9108) and must not see that variable.
	metrics_dir=$$(mktemp -d -t motcua-metrics.XXXXXX); \
	env -u PROMETHEUS_MULTIPROC_DIR $(PY) -m alerts run & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler; rm -rf "$$metrics_dir"' EXIT INT TERM; \
	PROMETHEUS_MULTIPROC_DIR=$$metrics_dir BIND=$${BIND:-$(HOST):$(PORT)} \
		$(VENV)/bin/gunicorn -c gunicorn.conf.py dashboard.app:server

test: $(VENV)/.dev  ## the whole suite (PostgreSQL tests need TEST_POSTGRES_URL; .ci/run sets it)
	$(PY) -m pytest $(PYTEST_ARGS)

# Issue 7's benchmark suite (bench/README.md): SIZE=100k (default), 1m, or 10m (PostgreSQL only, long).
# PostgreSQL needs a server URL in BENCH_POSTGRES_URL (or TEST_POSTGRES_URL); the suite creates
# database bench_<size> there. Databases and exports are kept in instance/bench/ between runs.
SIZE ?= 100k
BENCH_DATABASES ?= sqlite,postgresql
BENCH_ARGS ?=
bench: $(VENV)/.dev  ## print issue 7's benchmark tables (make bench SIZE=1m; BENCH_ARGS="--quick" for a smoke run)
	$(PY) bench/suite.py --size $(SIZE) --databases $(BENCH_DATABASES) $(BENCH_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

demo: $(VENV)/.runtime  ## rebuild the embedded demo database from scratch
	rm -f instance/dossiers.sqlite instance/dossiers.sqlite-wal instance/dossiers.sqlite-shm
	$(PY) -m queries demo

clean-db:
	rm -f instance/dossiers.sqlite instance/dossiers.sqlite-wal instance/dossiers.sqlite-shm
