# Two commands on a fresh machine: `make run` serves the dashboard on a demo province,
# `make test` runs the whole suite. Everything installs into .venv from the pinned requirements.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8050
DATABASE_URL ?= sqlite:///instance/dossiers.sqlite
export DATABASE_URL

.PHONY: run test lint demo clean-db

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

test: $(VENV)/.dev  ## the whole suite (PostgreSQL tests need TEST_POSTGRES_URL; .ci/run sets it)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

demo: $(VENV)/.runtime  ## rebuild the embedded demo database from scratch
	rm -f instance/dossiers.sqlite instance/dossiers.sqlite-wal instance/dossiers.sqlite-shm
	$(PY) -m queries demo

clean-db:
	rm -f instance/dossiers.sqlite instance/dossiers.sqlite-wal instance/dossiers.sqlite-shm
