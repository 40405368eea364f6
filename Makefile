# The two commands a newcomer runs: `make run` and `make test`. Everything they need is installed
# by the targets below (Python packages into .venv, Debian's chromium and poppler-utils, npm's axe-core).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: run test install install-test system-packages lint typecheck migrations-check check-deploy pytest clean

$(BIN)/activate: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-installed: $(BIN)/activate requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/activate

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_library
	$(PY) manage.py load_demo --earlier-round
	@# The task worker sends the mail (to the console) beside the server and stops with it (Ctrl-C); it
	@# does not reload on code changes, so that stopping it is one signal to one process.
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

system-packages:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium poppler-utils; \
	fi

node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

install-test: $(VENV)/.test-installed system-packages node_modules/axe-core/axe.min.js

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy .

migrations-check: install-test
	$(PY) manage.py makemigrations --check --dry-run

check-deploy: install-test
	DJANGO_ENV=production SECRET_KEY=check-deploy-only-$$(date +%s)-a-long-random-enough-value-for-the-check \
		ALLOWED_HOSTS=example.org $(PY) manage.py check --deploy --fail-level WARNING

# Transactional tests (real commits, e.g. row-lock races) empty the test database when they end, so
# they run in a second session of their own, after everything that needs the loaded library.
# SELECT narrows both sessions by marker, e.g. `make pytest SELECT="not browser"` (.ci/run does).
SELECT ?=
AND_SELECT := $(if $(SELECT), and ($(SELECT)),)
pytest: install-test
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -n 2 --dist loadfile -m "not transactional$(AND_SELECT)"
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -m "transactional$(AND_SELECT)"

test: lint typecheck migrations-check check-deploy pytest

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles
