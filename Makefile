# Two commands matter: `make demo` and `make test`. Everything else is what they build on.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := watch
# Without WATCH_ENV the app runs its production configuration (watch/config.py). This Makefile is for a
# development checkout, so its flask commands run the development one unless WATCH_ENV says otherwise;
# `make demo` always does, and deploy/prod-local.sh (make prod-local) sets production itself.
export WATCH_ENV ?= development

.PHONY: demo test test-postgres install install-test assets translations db chromium worker clean prod-local screenshots

demo: install assets translations db  ## install, seed the demo, start a job worker and serve http://127.0.0.1:5000
	WATCH_ENV=development $(BIN)/flask demo seed
	@# A job worker sends alerts (into the dev outbox) and email beside the server, and stops with it.
	WATCH_ENV=development $(BIN)/flask jobs worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	WATCH_ENV=development $(BIN)/flask run --host 127.0.0.1 --port 5000

test: install-test assets translations chromium  ## install what the tests need and run them all
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The production stack on this machine: gunicorn, two job workers, local PostgreSQL and Redis
# (docs/operations.md). Ctrl-C stops it.
prod-local: install assets translations
	bash deploy/prod-local.sh

# Pictures of the main pages at 390 px with the demo's data, for the README (docs/screenshots/).
screenshots: install-test assets translations chromium
	SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest -q tests/e2e/test_screenshots.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

# htmx, idb-keyval and axe-core come from npm at set-up time and are never committed.
assets:
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	cp node_modules/idb-keyval/dist/umd.js static/vendor/idb-keyval.js

translations:
	$(BIN)/flask translate compile

db:
	$(BIN)/flask db upgrade

# Browser tests drive Debian's chromium; Playwright never downloads a browser here.
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

clean:
	rm -rf $(VENV) node_modules static/vendor instance translations/*/LC_MESSAGES/*.mo

worker:  ## run a background job worker (SMS, email, retries); several may run against one Redis
	$(BIN)/flask jobs worker
